"""A big write (a catch-up's history page) stays in SQLite's page cache until its COMMIT.

With SQLite's default 2 MB cache, a page of 1,000-2,000 long posts spilled its dirty pages
to the WAL mid-transaction and read them back through the kernel (bot/store/post_writes.py,
CACHE_KIB_PER_POST). What the transaction wrote before its COMMIT shows in the real -wal file.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.store import Archive, post_writes
from tests.store.conftest import CHANNEL, analysed, make_post

#: ~2,000 characters of Cyrillic (~4 KB as UTF-8), varied so the FTS index grows too.
TEXT = " ".join(f"слово{n} новости правительство заявление" for n in range(50))


async def _archive(path: Path) -> None:
    async with Archive.open(path) as archive:
        await archive.upsert_channel(CHANNEL)


def _wal_before_commit(path: Path, posts: int) -> tuple[int, int]:
    """Store ``posts`` posts in one transaction; the -wal file's growth before its COMMIT,
    and the writer's cache size after it."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous=FULL")
        wal = path.with_name(path.name + "-wal")
        before = wal.stat().st_size
        items = [analysed(make_post(i, f"{TEXT} {i}")) for i in range(1, posts + 1)]
        conn.execute("BEGIN IMMEDIATE")
        post_writes.store_posts(conn, items, {CHANNEL.id: posts}, 0, lambda: 0)
        grown = wal.stat().st_size - before
        conn.execute("COMMIT")
        assert conn.execute("SELECT count(*) FROM posts").fetchone()[0] == posts
        return grown, int(conn.execute("PRAGMA cache_size").fetchone()[0])
    finally:
        conn.close()


async def test_a_history_page_of_long_posts_reaches_the_wal_only_at_its_commit(
        tmp_path: Path) -> None:
    path = tmp_path / "archive.sqlite3"
    await _archive(path)
    grown, cache = _wal_before_commit(path, 1000)
    assert grown == 0
    assert cache == -2000  # SQLite's default again after it: the service's memory stays


async def test_a_small_write_keeps_the_default_cache(tmp_path: Path) -> None:
    path = tmp_path / "archive.sqlite3"
    await _archive(path)
    _grown, cache = _wal_before_commit(path, 10)
    assert cache == -2000
