"""Commands that write to the archive from local files."""

from __future__ import annotations

import argparse
import sys

from bot.cli import output
from bot.cli.context import config_for, db_path
from bot.importer.pipeline import import_export
from bot.ingest import analyser_for
from bot.progress import Progress
from bot.store import Archive


async def import_file(args: argparse.Namespace) -> int:
    """Import a Telegram Desktop JSON export; exit 1 if any entry had to be skipped."""
    config = config_for(args)
    analyse = analyser_for(config)
    size = args.export.stat().st_size if args.export.is_file() else None
    progress = (
        None if args.quiet or args.json else Progress(f"importing {args.export.name}", total=size)
    )
    async with Archive.open(db_path(args, config)) as archive:
        report = await import_export(args.export, archive, analyse, progress=progress)
    if args.json:
        output.print_json(
            {
                "channel": report.channel_title,
                "imported": report.stored.inserted,
                "updated": report.stored.updated,
                "unchanged": report.stored.unchanged,
                "skipped": report.skipped,
                "errors": report.error_count,
                "error_details": [{"id": e.msg_id, "problem": e.reason} for e in report.errors],
            }
        )
    else:
        for error in report.errors:
            print(f"skipped message id={error.msg_id!s}: {error.reason}", file=sys.stderr)
        if report.error_count > len(report.errors):
            print(f"… and {report.error_count - len(report.errors):,} more", file=sys.stderr)
        stored = report.stored
        print(
            f"{report.channel_title}: imported {stored.inserted:,}, updated {stored.updated:,}, "
            f"unchanged {stored.unchanged:,}, skipped {report.skipped:,} service messages, "
            f"{report.error_count:,} errors"
        )
    return 1 if report.error_count else 0
