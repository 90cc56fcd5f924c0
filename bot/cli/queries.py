"""The read-only data commands: search, stats and export."""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from contextlib import ExitStack
from typing import Any, TextIO

from bot.cli import output
from bot.cli.context import config_for, existing_db, post_filter
from bot.cli.show import colour
from bot.cli.targets import check_output
from bot.cli.zone import display_zone
from bot.errors import OutputError, UsageError
from bot.store import Archive, reads
from bot.store.channel_lookup import resolve_channel

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CSV_FIELDS = [
    "channel",
    "channel_id",
    "username",
    "id",
    "date",
    "text",
    "lang",
    "groups",
    "terms",
    "edit_count",
    "edited",
    "edit_date",
    "versions",
    "deleted",
    "media",
    "views",
    "forwards",
    "forwarded_from",
    "link",
]


async def stats(args: argparse.Namespace) -> int:
    """Print per-channel counts, date ranges, languages, edits and deletions."""
    config = config_for(args)
    async with Archive.open(existing_db(args, config), mode="auto") as archive:
        result = await reads.stats(archive)
    if args.json:
        output.print_json(output.stats_record(result))
    else:
        output.print_stats(result)
    return 0


async def export(args: argparse.Namespace) -> int:
    """Write every post (filtered) as JSON lines or CSV, streaming from the archive."""
    config = config_for(args)
    flt = post_filter(args)
    db = existing_db(args, config)
    if args.out:
        check_output(args.out, archive=db)
    as_csv = args.format == "csv" or args.excel
    count = 0
    async with Archive.open(db, mode="auto") as archive:
        try:
            with ExitStack() as stack:
                out: TextIO = (
                    # Excel reads a CSV as the local code page unless it starts with a BOM.
                    stack.enter_context(args.out.open(
                        "w", encoding="utf-8-sig" if args.excel else "utf-8", newline=""))
                    if args.out
                    else sys.stdout
                )
                if args.excel and not args.out:
                    out.write("\ufeff")
                writer = csv.DictWriter(out, _CSV_FIELDS) if as_csv else None
                if writer:
                    writer.writeheader()
                async for post in reads.iter_posts(archive, flt):
                    record = output.post_record(post)
                    if writer:
                        writer.writerow(_csv_row(record))
                    else:
                        out.write(json.dumps(record, ensure_ascii=False) + "\n")
                    count += 1
        except BrokenPipeError:
            raise
        except OSError as exc:
            where = args.out or "standard output"
            raise OutputError(f"{where}: cannot write the export: {exc.strerror or exc}; "
                              "what was written is incomplete, so write it again elsewhere"
                              ) from None
    if args.out:
        print(f"wrote {count:,} posts to {args.out}", file=sys.stderr)
    return 0


def _csv_row(record: dict[str, Any]) -> dict[str, Any]:
    row = {**record, **{k: ";".join(record[k]) for k in ("groups", "terms", "media")},
           "forwarded_from": output.forwarded_from_text(record["forwarded_from"])}
    return {k: _cell(v) for k, v in row.items()}


def _cell(value: Any) -> Any:
    # OWASP's rule for CSV injection: a cell a spreadsheet would read as a formula starts
    # with a quote, so "=HYPERLINK(...)" in a post stays text.
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


_POST_LINK = re.compile(r"(?:https?://)?t\.me/(?:c/)?([^/]+)/(\d+)/?$")


async def history(args: argparse.Namespace) -> int:
    """Print every stored version of one post, and when it was deleted."""
    ref, msg_id = args.channel, args.msg_id
    link = _POST_LINK.match(ref)
    if link:
        ref, msg_id = link[1], int(link[2])
        if ref.isdigit():  # t.me/c/<bare id>/<msg>
            ref = str(-(10**12) - int(ref))
    if msg_id is None or not 0 < msg_id < 2**31:
        raise UsageError("give a post link (https://t.me/name/123), or a channel and a post id "
                         "between 1 and 2147483647")
    config = config_for(args)
    tz = display_zone(args, config)
    async with Archive.open(existing_db(args, config), mode="auto") as archive:
        channel = await resolve_channel(archive, ref)
        versions = await reads.history(archive, channel.id, msg_id)
        deleted = await reads.deleted_at(archive, channel.id, msg_id)
        post = await reads.post(archive, channel.id, msg_id)
    if not versions:
        raise UsageError(f"post {msg_id} of {channel.title or channel.id} is not in the archive")
    if args.json:
        facts = output.post_record(post) if post is not None else {}
        facts.pop("text", None)
        output.print_json({"channel": channel.title, "channel_id": channel.id, "id": msg_id,
                           "deleted_at": deleted.isoformat() if deleted else None,
                           "post": facts,
                           "versions": [{"version": v, "date": d.isoformat(), "text": t}
                                        for v, t, d in versions]})
        return 0
    output.print_history(post, versions, deleted, tz=tz, styled=colour())
    return 0
