"""`tgmon backup` of a live archive, and `tgmon restore` that never overwrites one in use."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from bot.domain import AnalysedPost, Analysis, Channel, Post
from bot.store import Archive, backup

NEWS = Channel(id=-1001000000001, title="News", username="news")


def posts(start: int, count: int) -> list[AnalysedPost]:
    return [AnalysedPost(Post(channel_id=NEWS.id, msg_id=i, text=f"пост номер {i} " * 20,
                              date=datetime(2026, 3, 1, tzinfo=UTC)), Analysis("ru", 0.9, ()))
            for i in range(start, start + count)]


def integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


async def test_backups_taken_during_a_live_write_load_are_whole_archives(tmp_path: Path) -> None:
    live = tmp_path / "live.sqlite3"
    written = 0
    async with Archive.open(live) as archive:
        await archive.upsert_channel(NEWS)
        await archive.store_posts(posts(1, 2000))
        written = 2000
        stop = asyncio.Event()

        async def write_load() -> None:
            nonlocal written
            while not stop.is_set():
                await archive.store_posts(posts(written + 1, 50))
                written += 50

        writer = asyncio.create_task(write_load())
        copies = []
        for n in range(5):
            before = written
            copies.append(tmp_path / f"copy{n}.sqlite3")
            await asyncio.to_thread(backup.backup, live, copies[-1])
            # The writer goes on: a backup that kept the archive locked would stop it for
            # good. Waited for, not timed: at load 6 one 50-post write can take 70 ms.
            for _ in range(1000):
                if written > before:
                    break
                await asyncio.sleep(0.01)
            assert written > before, "the writer was held up by the backup"
        stop.set()
        await writer
    sizes = []
    for copy in copies:
        assert integrity(copy) == "ok"
        async with Archive.open(copy) as restored:  # opens (and migrates) as an archive
            (count,) = (await restored.fetch_all("SELECT count(*) FROM posts"))[0]
            (fts,) = (await restored.fetch_all("SELECT count(*) FROM posts_fts"))[0]
        assert 2000 <= count <= written and fts == count
        sizes.append(count)
    assert sizes == sorted(sizes) and sizes[-1] > sizes[0]  # each a later snapshot


async def test_restore_is_refused_while_the_archive_is_open_and_works_after(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    live, copy = tmp_path / "live.sqlite3", tmp_path / "copy.sqlite3"
    async with Archive.open(live) as archive:
        await archive.upsert_channel(NEWS)
        await archive.store_posts(posts(1, 10))
        assert await asyncio.to_thread(main, ["backup", str(copy), "--db", str(live)]) == 0
        assert await asyncio.to_thread(main, ["backup", str(copy), "--db", str(live)]) == 2
        await archive.store_posts(posts(11, 5))
        code = await asyncio.to_thread(main, ["restore", str(copy), "--db", str(live)])
        err = capsys.readouterr().err
        assert code == 1 and "is in use" in err and "Traceback" not in err
        (count,) = (await archive.fetch_all("SELECT count(*) FROM posts"))[0]
        assert count == 15  # untouched
    assert await asyncio.to_thread(main, ["restore", str(copy), "--db", str(live)]) == 0
    async with Archive.open(live) as archive:
        (count,) = (await archive.fetch_all("SELECT count(*) FROM posts"))[0]
    assert count == 10
    assert "restored" in capsys.readouterr().out


def test_a_damaged_backup_is_never_restored(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    assert main(["restore", str(bad), "--db", str(tmp_path / "a.sqlite3")]) == 1
    assert "Traceback" not in capsys.readouterr().err
