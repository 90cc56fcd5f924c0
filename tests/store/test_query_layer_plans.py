"""The query layer of the bot commands and the browsing CLI reads through indexes too."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.store import Archive
from bot.store.channel_lookup import all_channels, resolve_channel
from bot.store.channel_overview import channel_overview
from bot.store.post_history import deletion_times, post_history, versions_of
from bot.store.post_search import latest_page, search_page
from bot.store.reads import iter_posts
from bot.store.trends import mentions_by_day, period_stats, stored_groups
from bot.store.values import PostQuery, Window
from tests.bot.harness import NEWS
from tests.bot.query_data import KAZ, fill
from tests.store.test_query_plans import _scans

NOW = datetime(2026, 3, 2, tzinfo=UTC)


@asynccontextmanager
async def traced(db: Path) -> AsyncIterator[tuple[Archive, list[str]]]:
    """The query test archive, with every statement its readers run collected."""
    async with Archive.open(db) as archive:
        await fill(archive)
        seen: list[str] = []
        await archive.set_trace(seen.append)
        yield archive, seen


async def test_every_command_query_reads_through_an_index(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite3"
    async with traced(db) as (archive, seen):
        since, until = NOW - timedelta(days=30), NOW
        queries = [PostQuery(), PostQuery(channel_id=NEWS.id), PostQuery(lang="kk"),
                   PostQuery(group="politics"), PostQuery(since=since, until=until),
                   PostQuery(channel_id=KAZ.id, lang="kk", group="politics", since=since,
                             until=until),
                   PostQuery(channel_id=NEWS.id, edited=True),
                   PostQuery(channel_id=NEWS.id, deleted=True), PostQuery(before_pid=1 << 60),
                   PostQuery(edited=True), PostQuery(deleted=True)]
        for query in queries:
            await search_page(archive, "токаев", query)
            await latest_page(archive, query, with_count=True)
        await resolve_channel(archive, "@news24")
        await resolve_channel(archive, "-1001000000002")
        await all_channels(archive)
        found = await post_history(archive, NEWS.id, 20)
        assert found is not None
        await versions_of(archive, [found.post.msg_id, 1])
        await deletion_times(archive, [1, 2])
        await channel_overview(archive)
        # Whole hours from the counters; ragged ends and, in a half-hour zone, the hours
        # across local midnights from the posts.
        for window in (Window(NOW - timedelta(days=30), NOW, 5 * 3600),
                       Window(NOW - timedelta(days=12, minutes=7), NOW - timedelta(minutes=3),
                              5 * 3600 + 1800)):
            await period_stats(archive, window)
            await mentions_by_day(archive, window, group="politics")
            await mentions_by_day(archive, window, group="politics", channel_ids=[KAZ.id])
        await mentions_by_day(archive, window, term="токаев", channel_ids=[NEWS.id, KAZ.id])
        assert await stored_groups(archive) == ["politics"]
        await archive.set_trace(None)
    assert len(seen) > 30
    assert _scans(db, seen) == []


async def test_a_term_trend_counts_from_the_index_without_reading_posts(tmp_path: Path) -> None:
    # A common word over a year matches a large part of the archive: each match must not
    # cost a read of its post's row.
    db = tmp_path / "a.sqlite3"
    async with traced(db) as (archive, seen):
        counts = await mentions_by_day(archive, Window(NOW - timedelta(days=366), NOW),
                                       term="токаев")
        await archive.set_trace(None)
        page = await search_page(archive, "токаев", PostQuery(), with_count=True)
    assert sum(sum(days.values()) for days in counts.values()) == page.total > 0
    (statement,) = [sql for sql in seen if "posts_fts MATCH" in sql]
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        plan = [row[-1] for row in conn.execute(
            f"EXPLAIN QUERY PLAN {statement}")]
    assert any("COVERING INDEX posts_by_day" in step for step in plan), plan


async def test_a_channel_export_finds_its_posts_in_an_index(tmp_path: Path) -> None:
    # The rowid range of the whole archive is no index: every post row was read.
    db = tmp_path / "a.sqlite3"
    async with traced(db) as (archive, seen):
        exported = [post async for post in iter_posts(archive, PostQuery(channel_id=KAZ.id))]
        await archive.set_trace(None)
    assert {post.channel_id for post in exported} == {KAZ.id} and len(exported) == 2
    (statement,) = [sql for sql in seen if "ORDER BY p.pid LIMIT" in sql]
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        plan = [row[-1] for row in conn.execute(f"EXPLAIN QUERY PLAN {statement}")]
    assert any("INDEX posts_by_day" in step for step in plan), plan
