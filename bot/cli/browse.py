"""The browsing commands: latest, edits, deleted, channels and trend, and the shared way
their --channel, --lang, --group, --since and --until become one checked PostQuery."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.analysis.word_diff import changed_only, word_diff
from bot.cli import output
from bot.cli.context import config_for, existing_db
from bot.cli.show import colour, diff_text, print_found
from bot.cli.table import fit, table
from bot.cli.targets import check_output
from bot.cli.zone import display_zone, shown, window
from bot.commands.filters import check_group, check_lang
from bot.config import Config
from bot.errors import UsageError
from bot.store import Archive
from bot.store.ports import PostQueries
from bot.store.values import Page, PostQuery


async def post_query(args: argparse.Namespace, queries: PostQueries, config: Config,
                     tz: ZoneInfo, **fixed: bool | None) -> PostQuery:
    """The checked query for the filter options; unknown values are errors with suggestions."""
    for option in ("channel", "lang", "group"):
        # `--channel "$CH"` with CH unset must not quietly search every channel.
        value = getattr(args, option, None)
        if value is not None and not value.strip():
            raise UsageError(f"--{option} is empty; name one, or leave --{option} out for all")
    channel = getattr(args, "channel", None)
    lang, group = getattr(args, "lang", None), getattr(args, "group", None)
    since, until = window(args, tz)
    return PostQuery(
        channel_id=(await queries.resolve_channel(channel)).id if channel else None,
        lang=check_lang(lang) if lang else None,
        group=(await check_group(queries, group, config.keywords,
                                 listed_by="the config's [keywords]") if group else None),
        since=since, until=until,
        edited=fixed.get("edited", True if getattr(args, "edited", False) else None),
        deleted=fixed.get("deleted", True if getattr(args, "deleted", False) else None),
    )


def check_limit(limit: int) -> int:
    if not 1 <= limit <= 10_000:
        raise UsageError("--limit must be between 1 and 10000")
    return limit


def count_line(page: Page) -> str:
    """ "20 of 76; --limit for more", or "3 posts"."""
    shown_count = len(page.items)
    if page.next_before is None:
        return f"{shown_count:,} post{'' if shown_count == 1 else 's'}"
    return f"{shown_count:,} of {page.count_text}; --limit for more"


async def search(args: argparse.Namespace) -> int:
    """Print the newest posts matching the query, each with the snippet around its match."""
    limit = check_limit(args.limit)
    config = config_for(args)
    tz = display_zone(args, config)
    async with Archive.open(existing_db(args, config), mode="auto") as archive:
        query = await post_query(args, archive.queries, config, tz)
        page = await archive.queries.search(args.query, query, limit=limit)
    if args.json:
        output.print_json([output.post_record(f.post) for f in page.items])
    else:
        print_search(page, args.query, tz=tz)
    return 0


def print_search(page: Page, query: str, *, tz: ZoneInfo, status: TextIO | None = None) -> None:
    """The found posts with their snippets, then "20 of 76; --limit for more" on ``status``
    (standard error, so a pipe gets the posts alone; the demo's transcript passes stdout)."""
    status = status or sys.stderr
    if page.items:
        print_found(page.items, tz=tz)
        print(count_line(page), file=status)
    else:
        print(f"no posts match {query!r}", file=status)


async def latest(args: argparse.Namespace) -> int:
    """Print the newest posts, of one channel or of all."""
    limit = check_limit(args.limit)
    config = config_for(args)
    tz = display_zone(args, config)
    async with Archive.open(existing_db(args, config), mode="auto") as archive:
        query = await post_query(args, archive.queries, config, tz)
        page = await archive.queries.latest(query, limit=limit, with_count=True)
    if args.json:
        output.print_json([output.post_record(f.post) for f in page.items])
        return 0
    print_found(page.items, tz=tz)
    print(count_line(page), file=sys.stderr)
    return 0


async def edits(args: argparse.Namespace) -> int:
    """Print the newest edited posts, each with its last edit as a word diff."""
    return await _changes(args, deleted=False)


async def deleted(args: argparse.Namespace) -> int:
    """Print the newest deleted posts, with when the deletion was noticed."""
    return await _changes(args, deleted=True)


async def _changes(args: argparse.Namespace, *, deleted: bool) -> int:
    limit = check_limit(args.limit)
    config = config_for(args)
    tz = display_zone(args, config)
    async with Archive.open(existing_db(args, config), mode="auto") as archive:
        fixed = {"deleted": True} if deleted else {"edited": True}
        query = await post_query(args, archive.queries, config, tz, **fixed)
        page = await archive.queries.latest(query, limit=limit, with_count=True)
        pids = [f.pid for f in page.items]
        versions = await archive.queries.versions_of(pids)
        gone = await archive.queries.deletion_times(pids)
    if args.json:
        output.print_json([{**output.post_record(f.post),
                            "deleted_at": gone[f.pid].isoformat() if f.pid in gone else None,
                            "versions": [{"version": v.number, "date": v.at.isoformat(),
                                          "text": v.text} for v in versions[f.pid]]}
                           for f in page.items])
        return 0
    styled = colour()
    for found in page.items:
        post, texts = found.post, versions[found.pid]
        print(f"{shown(post.date, tz)}  {post.channel_title}  {post.link}")
        if found.pid in gone:
            print(f"  deleted, noticed {shown(gone[found.pid], tz)}")
            print("  " + (" ".join(post.text.split())[:300] or "(no text)"))
        if not deleted and len(texts) >= 2:
            print(f"  edit {len(texts) - 1}, {shown(texts[-1].at, tz)}")
            changes = changed_only(word_diff(texts[-2].text, texts[-1].text))
            print("  " + diff_text(changes, styled=styled))
        print()
    print(count_line(page), file=sys.stderr)
    return 0


async def channels(args: argparse.Namespace) -> int:
    """Print every stored channel: status, posts, newest post, last read."""
    config = config_for(args)
    tz = display_zone(args, config)
    async with Archive.open(existing_db(args, config), mode="auto") as archive:
        overview = await archive.queries.channel_overview()
    now = datetime.now(UTC)
    if args.json:
        output.print_json({
            "channels": [{"id": r.channel.id, "title": r.channel.title,
                          "username": r.channel.username, "status": r.status,
                          "detail": r.detail, "posts": r.posts,
                          "last_post": r.last_post.isoformat() if r.last_post else None,
                          "last_read": r.last_read.isoformat() if r.last_read else None}
                         for r in overview.channels],
            "unresolved": [{"ref": ref, "reason": why} for ref, why in overview.unresolved]})
        return 0
    rows = [("channel", "status", "posts", "last post", "read")]
    for row in overview.channels:
        name = row.channel.title + (f" @{row.channel.username}" if row.channel.username else "")
        lag = row.lag_seconds(now)
        rows.append((fit(name, 48), row.status if not row.detail else f"{row.status}: "
                     f"{fit(row.detail, 30)}", f"{row.posts:,}",
                     shown(row.last_post, tz) if row.last_post else "-",
                     _age(lag) + " ago" if lag is not None else "never"))
    for line in table(rows, right=(False, False, True)):
        print(line)
    for ref, why in overview.unresolved:
        print(f"unresolved: {ref} ({why})")
    if overview.parked_until:
        print(f"reads paused by a flood wait until {shown(overview.parked_until, tz)}")
    return 0


async def trend(args: argparse.Namespace) -> int:
    """Draw daily mentions per channel as a PNG."""
    from bot.commands.filters import find_group
    from bot.commands.trend import TrendRequest, draw_trend

    if not 1 <= args.days <= 366:
        raise UsageError("--days must be between 1 and 366")
    config = config_for(args)
    tz = display_zone(args, config)
    out, db = args.out, existing_db(args, config)
    check_output(out, archive=db, example="trend.png")
    async with Archive.open(db, mode="auto") as archive:
        queries = archive.queries
        chosen = tuple([await queries.resolve_channel(ref) for ref in args.channel or ()])
        group = await find_group(queries, args.subject, config.keywords)
        request = TrendRequest(group or args.subject, group, args.days, chosen)
        drawn = await draw_trend(queries, request, tz=tz, now=datetime.now(UTC))
    try:
        out.write_bytes(drawn.png)
    except OSError as exc:
        raise UsageError(f"{out}: cannot write the chart: {exc.strerror or exc}") from None
    top = ", ".join(f"{name} {count:,}" for name, count in drawn.top)
    print(f"wrote {out}: {drawn.title}, {drawn.total:,} posts" + (f" ({top})" if top else ""))
    return 0


def _age(seconds: int) -> str:
    from bot.commands.channels import age

    return age(seconds)
