"""Every query the product issues is answered from an index: no full scan of posts,
post_versions or outbox, checked with EXPLAIN QUERY PLAN on the statements really run."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.delivery.assemble import DigestContent, create_alerts, create_due_digests
from bot.delivery.scheduler import DigestTarget, DueDigest
from bot.digest.schedule import parse_schedule
from bot.domain import KeywordHit
from bot.store import (
    Archive,
    gauges,
)
from bot.store.values import PostQuery
from tests.store.conftest import CHANNEL, OTHER, analysed, make_post

GUARDED = {"posts", "post_versions", "outbox", "post_hours", "group_hours", "lang_hours"}
# A partial index holds only the rows it names (pending parts, edited posts…): reading all
# of it is reading those rows, not the table.
PARTIAL = {"outbox_pending", "posts_edited", "posts_deleted", "outbox_done",
           "posts_edited_newest", "posts_deleted_newest"}
_ALIAS = re.compile(
    r"\b(posts|post_versions|outbox|post_hours|group_hours|lang_hours)\s+(?:AS\s+)?([a-z])\b",
    re.I)
NOW = datetime(2026, 3, 10, tzinfo=UTC)


def _scans(db: Path, statements: list[str]) -> list[str]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    bad = []
    try:
        for sql in statements:
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            aliases = {m[2]: m[1] for m in _ALIAS.finditer(sql)}
            for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}"):
                detail = row[-1]
                scan = re.match(r"SCAN (\w+)(?: USING (?:COVERING )?INDEX (\w+))?", detail)
                if not scan:
                    continue
                table = aliases.get(scan[1], scan[1])
                if table in GUARDED and scan[2] not in PARTIAL:
                    bad.append(f"{detail}  <-  {' '.join(sql.split())[:160]}")
    finally:
        conn.close()
    return bad


async def test_every_product_query_reads_through_an_index(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite3"
    hit = (KeywordHit("president", "Токаев", "Токаева"),)
    async with Archive.open(db) as archive:
        await archive.upsert_channel(CHANNEL)
        await archive.upsert_channel(OTHER)
        await archive.store_posts([analysed(make_post(i, f"Токаева пост {i}"), hits=hit)
                                   for i in range(1, 30)], cursors={CHANNEL.id: 29})
        await archive.store_posts([analysed(make_post(3, "правка", edit_date=NOW))])
        await archive.mark_deleted(CHANNEL.id, [4])
        await archive.subscribers.subscribe(7, [], access_hash=None, now=0)
        seen: list[str] = []
        await archive.set_trace(seen.append)

        queries = archive.queries
        month = {"since": NOW - timedelta(days=30), "until": NOW}
        for query in (PostQuery(), PostQuery(channel_id=CHANNEL.id), PostQuery(lang="ru"),
                      PostQuery(group="president"), PostQuery(**month),
                      PostQuery(channel_id=CHANNEL.id, lang="ru", group="president", **month)):
            await queries.search("токаева", query)
            await queries.latest(query, with_count=True)
            async for _ in queries.posts(query, batch=5):
                pass
        await queries.stats()
        await queries.post_history(CHANNEL.id, 3)
        await queries.resolve_channel("Ashimbayev")
        await queries.deletion_times([1, 4])
        await archive.known_texts([(CHANNEL.id, 1), (CHANNEL.id, 99)])
        await archive.channel_languages([CHANNEL.id, OTHER.id])
        await archive.cursors()
        await archive.book.live_posts(CHANNEL.id, 1, 29)
        await archive.book.oldest_msg_id(CHANNEL.id)
        await archive.book.known_channel(channel_id=CHANNEL.id)
        tz = ZoneInfo("UTC")
        subs = await archive.subscribers.active_subscriptions()
        await create_alerts(archive, subs, alert_groups=["president"], tz=tz, now=NOW)
        await archive.store_posts([analysed(make_post(40, "Токаева"), hits=hit)])
        await create_alerts(archive, subs, alert_groups=["president"], tz=tz, now=NOW)
        target = DigestTarget(7, "daily", parse_schedule("09:00"), tz, NOW - timedelta(days=2))
        content = DigestContent("Daily", None, "skip", tz)
        await create_due_digests(archive, [(DueDigest(target, NOW - timedelta(days=1), NOW),
                                            content)], now=NOW)
        await archive.arrivals.posts_arrived(after=0, until=10, groups=["president"])
        await archive.outbox.due_messages(now=2_000_000_000)
        await archive.outbox.next_not_before()
        await archive.outbox.last_window_ends()
        await archive.outbox.last_seq_ends()
        await archive.outbox.alert_watermark()
        await gauges.posts_per_channel(archive)
        for edited_or_deleted in (PostQuery(edited=True), PostQuery(deleted=True),
                                  PostQuery(channel_id=CHANNEL.id, deleted=True)):
            await queries.latest(edited_or_deleted, with_count=True)
        for searched in (PostQuery(channel_id=CHANNEL.id, lang="ru"), PostQuery(deleted=True),
                         PostQuery(edited=True, group="president")):
            await queries.search("токаева", searched)
        await archive.set_trace(None)
    assert len(seen) > 30
    assert _scans(db, seen) == []


def test_the_check_itself_catches_a_scan(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite3"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE posts (pid INTEGER PRIMARY KEY, text TEXT, channel_id INT)")
    conn.close()
    assert _scans(db, ["SELECT * FROM posts p WHERE p.text = 'x'"]) != []
    assert _scans(db, ["SELECT * FROM posts WHERE pid = 1"]) == []
