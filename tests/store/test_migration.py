"""An archive written by the release before schema 2 opens with every version and row kept.

tests/store/fixtures/archive_v1.sqlite3 was written by tgmon at commit 7fe5652 (schema 1):
two channels, history and news posts, two edited posts (one edited twice), an album with a
deleted photo, deleted posts, keyword hits, cursors, two subscribers, a sent and a pending
digest part, an alert batch and the alert watermark.
"""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import replace
from pathlib import Path

from bot.domain import KeywordHit
from bot.store import Archive
from bot.store.schema import MIGRATIONS
from bot.store.values import PostQuery
from tests.store.conftest import analysed, history, latest, make_post, search
from tests.store.counters import assert_counters_fresh

FIXTURE = Path(__file__).parent / "fixtures" / "archive_v1.sqlite3"
A, B = -1001000000001, -1001000000002


def _v1_versions(path: Path) -> dict[tuple[int, int], list[str]]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            """SELECT p.channel_id, p.msg_id, v.text FROM post_versions v
               JOIN posts p ON p.pid = v.pid ORDER BY p.channel_id, p.msg_id, v.version"""
        ).fetchall()
    finally:
        conn.close()
    found: dict[tuple[int, int], list[str]] = {}
    for channel_id, msg_id, text in rows:
        found.setdefault((channel_id, msg_id), []).append(text)
    return found


def _dump(path: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


async def test_the_previous_release_archive_keeps_every_version(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    shutil.copy(FIXTURE, path)
    before = _v1_versions(path)
    kept = ("SELECT channel_id, msg_id, text, lang, deleted_at IS NOT NULL, historic "
            "FROM posts ORDER BY 1, 2")
    posts_before = _dump(path, kept)
    cursors_before = _dump(path, "SELECT channel_id, last_msg_id FROM cursors ORDER BY 1")
    async with Archive.open(path) as archive:
        assert await archive.schema_version() == len(MIGRATIONS)
        for (channel_id, msg_id), texts in before.items():
            got = [text for _, text, _ in await history(archive, channel_id, msg_id)]
            assert got == texts, (channel_id, msg_id)
        assert len(before[(A, 5)]) == 3  # the fixture really holds a twice-edited post
        # The text is stored once: only superseded texts stay in post_versions.
        superseded = await archive.fetch_all("SELECT count(*) FROM post_versions")
        assert superseded[0][0] == sum(len(t) - 1 for t in before.values())
        numbers = await archive.queries.stats()
        assert {c.channel_id: (c.posts, c.edited, c.deleted) for c in numbers.channels} == {
            A: (41, 2, 2), B: (20, 0, 0)}
        assert numbers.languages == {"ru": 41, "kk": 20}
        # The search index gained its filter column for old rows too.
        ashimbayev = await archive.queries.resolve_channel("@ashimbayev")
        found = await search(archive, "Токаева", PostQuery(channel_id=ashimbayev.id, lang="ru"))
        assert {p.msg_id for p in found} == {3, 6, 9, 12, 15, 18, 21, 24, 27, 30, 33, 36, 39}
        assert await search(archive, "Токаева", PostQuery(lang="kk")) == []
        # Deleted posts were marked in the index (schema 6): deleted:yes finds each of them.
        gone = await latest(archive, PostQuery(deleted=True))
        assert len(gone) == 2
        for post in gone:
            word = post.text.split()[0]
            assert post.msg_id in {p.msg_id for p in await search(
                archive, word, PostQuery(channel_id=post.channel_id, deleted=True))}
        # Delivery state: the pending part still goes out once, windows keep their place.
        due = await archive.outbox.due_messages(now=2_000_000_000)
        assert [(m.chat_id, m.part) for m in due] == [(4242, 2), (4343, 1)]
        assert await archive.outbox.alert_watermark() is not None
        assert await archive.arrivals.current_seq() == 40 + 10 + 1  # news posts, oldest first
    assert _dump(path, kept) == posts_before
    assert _dump(path, "SELECT channel_id, last_msg_id FROM cursors ORDER BY 1") == cursors_before
    assert _dump(path, "PRAGMA integrity_check") == [("ok",)]
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO posts_fts(posts_fts) VALUES ('integrity-check')")
    conn.close()


async def test_the_hour_counters_start_from_the_rows_already_stored(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    shutil.copy(FIXTURE, path)
    async with Archive.open(path) as archive:
        await assert_counters_fresh(archive)
        assert await archive.fetch_all("SELECT sum(posts) FROM post_hours") == [(61,)]
        groups = await archive.fetch_all("SELECT grp, sum(posts) FROM group_hours GROUP BY 1")
        assert groups and all(n > 0 for _, n in groups)
        # From here on the triggers keep them: a new post, an edit that moves its
        # language and groups, a deletion.
        post = make_post(900, "Токаев", day=5)
        await archive.store_posts([analysed(post, hits=(KeywordHit("g", "токаев", "Токаев"),))])
        await archive.store_posts([analysed(replace(post, text="Мажилис"), "kk")])
        await archive.mark_deleted(A, [900, 1])
        await assert_counters_fresh(archive)
