"""Commands that write to the archive from local files."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Mapping
from pathlib import Path

from bot.analysis.channel_prior import Prior, prior_from_counts
from bot.cli import output
from bot.cli.context import config_for, db_path, existing_db
from bot.domain import Analysis
from bot.errors import Interrupted
from bot.importer.pipeline import import_export
from bot.importer.source import STDIN, open_export
from bot.ingest import Analyser, analyser_for
from bot.progress import Progress
from bot.store import Archive, reads, reanalysis


async def import_file(args: argparse.Namespace) -> int:
    """Import a Telegram Desktop JSON export; exit 1 if any entry had to be skipped."""
    config = config_for(args)
    db = db_path(args, config)  # checked before the export is opened, which must be closed
    export = open_export(args.export)  # before the archive: a wrong path creates nothing
    # The bar's first frame comes before the language models load (seconds on a big job).
    progress = (
        None if args.quiet or args.json
        else Progress(f"importing {_label(export.path)}", total=export.size,
                      bytes_total=True)
    )
    try:
        analyse = analyser_for(config)
        async with Archive.open(db) as archive:
            report = await import_export(export, archive, analyse, progress=progress)
    except asyncio.CancelledError:  # Ctrl-C: asyncio.run cancels this task
        kept = progress.count if progress else 0
        raise _interrupted(progress, f"at least {kept:,} posts of this import are kept in "
                           f"{db}; run the same command again to resume "
                           "(posts already stored are skipped)") from None
    finally:
        export.close()
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


def _label(path: Path) -> str:
    return "standard input" if path == STDIN else path.name


async def reanalyze(args: argparse.Namespace) -> int:
    """Re-run language detection and keyword matching over every stored post."""
    config = config_for(args)
    db = existing_db(args, config)
    progress = None if args.quiet else Progress("reanalysing")
    done = changed = 0
    try:
        analyse = analyser_for(config)
        async with Archive.open(db) as archive:
            if progress:
                progress.set_total(await reanalysis.count_posts(archive))
            # Each channel's languages as the archive counted them before this run: the
            # short posts that leaned to them when stored lean again (bot/ingest.py).
            counts = await archive.channel_languages(
                [c.id for c in await archive.queries.channels()] if analyse.leans else [])
            priors = {c: prior for c, n in counts.items()
                      if (prior := prior_from_counts(n)) is not None}
            async for page in reanalysis.iter_texts(archive):
                analysed = await asyncio.to_thread(_analyse_page, page, analyse, priors)
                changed += await reanalysis.apply_analyses(archive, analysed)
                done += len(page)
                if progress:
                    progress.update(done, position=done)
            if progress:
                progress.close()
            groups = (await reads.stats(archive)).groups
    except asyncio.CancelledError:
        raise _interrupted(progress, f"{done:,} posts were reanalysed and kept; running "
                           "`tgmon reanalyze` again redoes the whole archive") from None
    print(f"reanalysed {done:,} posts; {changed:,} changed language; keyword groups now: "
          + (", ".join(f"{k} {v:,}" for k, v in groups.items()) or "no matches"))
    return 0


def _interrupted(progress: Progress | None, kept: str) -> Interrupted:
    """Leave the bar where it stopped and say, on a clean line, what was kept."""
    if progress:
        progress.stop()
    return Interrupted(f"interrupted: {kept}")


def _analyse_page(page: list[tuple[int, int, str]], analyse: Analyser,
                  priors: Mapping[int, Prior]) -> list[tuple[int, str, Analysis]]:
    return [(pid, text, _in_channel(analyse, text, priors.get(channel_id)))
            for pid, channel_id, text in page]


def _in_channel(analyse: Analyser, text: str, prior: Prior | None) -> Analysis:
    found = analyse(text)
    return found if prior is None else analyse.in_channel(text, found, prior)
