"""What the archive's readers keep in memory in a long-running service."""

from __future__ import annotations

import ctypes
import ctypes.util
from pathlib import Path

from bot.store import Archive
from tests.ops.test_backup import NEWS, posts


def sqlite_memory() -> int:
    """Bytes the SQLite library holds for every connection of this process."""
    library = ctypes.CDLL(ctypes.util.find_library("sqlite3") or "libsqlite3.so.0")
    library.sqlite3_memory_used.restype = ctypes.c_int64
    return int(library.sqlite3_memory_used())


async def test_reading_the_whole_archive_leaves_each_reader_a_small_page_cache(
        tmp_path: Path) -> None:
    async with Archive.open(tmp_path / "a.sqlite3", readers=2) as archive:
        await archive.upsert_channel(NEWS)
        for first in range(1, 8001, 1000):
            await archive.store_posts(posts(first, 1000))
        (size,) = (await archive.fetch_all(
            "SELECT page_count * page_size FROM pragma_page_count, pragma_page_size"))[0]
        assert size > 8 * 2**20  # well past SQLite's default 2 MB cache per connection
        before = sqlite_memory()
        for _ in range(4):  # every reader of the pool, twice
            await archive.fetch_all("SELECT sum(length(text)) FROM posts")
            await archive.fetch_all("SELECT count(*) FROM posts_fts WHERE posts_fts MATCH 'пост'")
        grew = sqlite_memory() - before
    # Two readers with the default cache kept ~4 MB after this; capped, ~1 MB.
    assert grew < 1.5 * 2**20, f"{grew / 2**20:.1f} MB"
