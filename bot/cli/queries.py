"""The read-only data commands: search, stats and export."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from contextlib import ExitStack
from typing import Any, TextIO

from bot.cli import output
from bot.cli.browse import post_query
from bot.cli.context import config_for, existing_db
from bot.cli.show import colour
from bot.cli.targets import check_output
from bot.cli.zone import display_zone
from bot.errors import OutputError, UsageError
from bot.store import Archive
from bot.store.channel_lookup import split_post_link

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
        result = await archive.queries.stats()
    if args.json:
        output.print_json(output.stats_record(result))
    else:
        output.print_stats(result)
    return 0


async def export(args: argparse.Namespace) -> int:
    """Write every post (filtered) as JSON lines or CSV, streaming from the archive."""
    config = config_for(args)
    db = existing_db(args, config)
    as_csv = args.format == "csv" or args.excel
    if args.out:
        check_output(args.out, archive=db, example="posts.csv" if as_csv else "posts.jsonl")
    count = 0
    async with Archive.open(db, mode="auto") as archive:
        query = await post_query(args, archive.queries, config, display_zone(args, config))
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
                async for post in archive.queries.posts(query):
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


async def history(args: argparse.Namespace) -> int:
    """Print every stored version of one post, and when it was deleted."""
    ref = split_post_link(args.channel)
    msg_id = ref.msg_id if ref.msg_id is not None else args.msg_id
    if msg_id is None or not 0 < msg_id < 2**31:
        raise UsageError("give a post link (https://t.me/name/123), or a channel and a post id "
                         "between 1 and 2147483647")
    config = config_for(args)
    tz = display_zone(args, config)
    async with Archive.open(existing_db(args, config), mode="auto") as archive:
        channel = await archive.queries.resolve_channel(ref.channel)
        found = await archive.queries.post_history(channel.id, msg_id)
    if found is None:
        raise UsageError(f"post {msg_id} of {channel.title or channel.id} is not in the archive")
    if args.json:
        facts = output.post_record(found.post)
        facts.pop("text", None)
        output.print_json({"channel": channel.title, "channel_id": channel.id, "id": msg_id,
                           "deleted_at": found.deleted_at.isoformat() if found.deleted_at
                           else None,
                           "post": facts,
                           "versions": [{"version": v.number, "date": v.at.isoformat(),
                                         "text": v.text} for v in found.versions]})
        return 0
    output.print_history(found, tz=tz, styled=colour())
    return 0
