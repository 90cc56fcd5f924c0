"""One writer, separate readers: isolation, time limits, failed commits and concurrent opens."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from bot.errors import ArchiveFull, QueryTimeout, ReadOnlyArchive, StoreError
from bot.store import Archive
from bot.store.archive import _prepare as prepare_archive
from bot.store.schema import MIGRATIONS
from tests.store.conftest import CHANNEL, analysed, latest, make_post

# A read that runs for minutes unless it is interrupted.
SLOW_READ = ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
             "SELECT count(*) FROM n")


async def test_a_read_never_sees_a_write_that_has_not_committed(archive: Archive) -> None:
    inside, release = threading.Event(), threading.Event()

    def slow_write(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO posts_fts (rowid, body) VALUES (1, 'uncommitted')")
        inside.set()
        release.wait(10)

    writing = asyncio.create_task(archive.write(slow_write))
    await asyncio.to_thread(inside.wait, 10)
    seen = await archive.fetch_all("SELECT count(*) FROM posts_fts")
    release.set()
    await writing
    after = await archive.fetch_all("SELECT count(*) FROM posts_fts")
    assert (seen[0][0], after[0][0]) == (0, 1)


async def test_a_slow_read_is_stopped_at_its_limit_and_never_delays_a_write(
        archive: Archive) -> None:
    order: list[str] = []

    async def read() -> None:
        try:
            await archive.fetch_all(SLOW_READ, time_limit=1.0)
        except QueryTimeout:
            order.append("read stopped")

    async def write() -> None:
        await asyncio.sleep(0.1)  # the read is running by now
        await archive.store_posts([analysed(make_post(1))])
        order.append("written")

    await asyncio.gather(read(), write())
    assert order == ["written", "read stopped"]
    # The reader that was interrupted serves the next query normally.
    assert (await archive.fetch_all("SELECT count(*) FROM posts"))[0][0] == 1


async def test_a_failed_commit_rolls_back_and_the_next_write_works(archive: Archive) -> None:
    def violates_a_deferred_key(conn: sqlite3.Connection) -> None:
        conn.execute("PRAGMA defer_foreign_keys = ON")
        conn.execute("INSERT INTO keyword_hits (pid, grp, term, form) VALUES (42, 'g', 't', 'f')")

    with pytest.raises(StoreError, match="FOREIGN KEY"):
        await archive.write(violates_a_deferred_key)  # fails at COMMIT, not at the INSERT
    await archive.store_posts([analysed(make_post(1))])  # the writer is not wedged
    assert (await archive.fetch_all("SELECT count(*) FROM keyword_hits"))[0][0] == 0
    assert (await archive.fetch_all("SELECT count(*) FROM posts"))[0][0] == 1


async def test_two_processes_opening_a_fresh_archive_at_once_both_succeed(
        tmp_path: Path) -> None:
    path = tmp_path / "fresh.sqlite3"

    async def open_once() -> int:
        async with Archive.open(path) as archive:
            return await archive.schema_version()

    # Two writers on two connections: the second waits on BEGIN IMMEDIATE and then finds
    # the migrations done, instead of running them again.
    versions = await asyncio.gather(open_once(), open_once(), open_once())
    assert len(set(versions)) == 1


async def test_an_open_waits_for_one_commit_of_a_fresh_archive_not_every_migration(
        tmp_path: Path) -> None:
    # Another process creates the archive on a loaded disk: each of its commits takes
    # 0.6 s (a slow fsync, played by a trace callback that sleeps before COMMIT runs). A
    # second opener waits at most its busy timeout for the write lock; with a transaction
    # per migration it waited for all six commits in a row and failed with "busy".
    path = tmp_path / "fresh.sqlite3"
    inside = threading.Event()

    def slow_disk(statement: str) -> None:
        if statement.startswith("BEGIN IMMEDIATE"):
            inside.set()
        elif statement.startswith("COMMIT"):
            time.sleep(0.6)

    def other_process() -> int:
        conn = sqlite3.connect(path, isolation_level=None)
        try:
            conn.set_trace_callback(slow_disk)
            prepare_archive(conn, path=path, busy_ms=10_000)
            return int(conn.execute("PRAGMA user_version").fetchone()[0])
        finally:
            conn.close()

    creating = asyncio.create_task(asyncio.to_thread(other_process))
    await asyncio.to_thread(inside.wait, 10)
    async with Archive.open(path, busy_timeout=2.5) as archive:
        assert await archive.schema_version() == len(MIGRATIONS)
    assert await creating == len(MIGRATIONS)


async def test_a_read_only_open_reads_and_refuses_writes(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    async with Archive.open(path) as archive:
        await archive.upsert_channel(CHANNEL)
        await archive.store_posts([analysed(make_post(1, "Токаев"))])
    async with Archive.open(path, mode="ro") as archive:
        assert archive.read_only
        assert (await archive.fetch_all("SELECT count(*) FROM posts"))[0][0] == 1
        with pytest.raises(ReadOnlyArchive, match="read-only"):
            await archive.store_posts([analysed(make_post(2))])


async def test_a_missing_archive_is_not_created_by_a_read(tmp_path: Path) -> None:
    path = tmp_path / "missing.sqlite3"
    with pytest.raises(StoreError, match="no archive there yet"):
        async with Archive.open(path, mode="auto"):
            pass
    assert not path.exists()


async def test_a_folder_is_not_an_archive(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a folder"):
        async with Archive.open(tmp_path):
            pass


async def test_a_busy_archive_says_another_process_holds_it(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    async with Archive.open(path):
        pass
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holding the write lock
    try:
        async with Archive.open(path, busy_timeout=0.05) as archive:
            with pytest.raises(StoreError, match="busy: another process"):
                await archive.upsert_channel(CHANNEL)
            # Reads go on: WAL readers never wait for a writer.
            assert (await archive.fetch_all("SELECT count(*) FROM posts"))[0][0] == 0
    finally:
        other.execute("ROLLBACK")
        other.close()


async def test_a_full_disk_loses_nothing_and_says_what_to_do(archive: Archive) -> None:
    await archive.store_posts([analysed(make_post(1, "kept"))])

    def fill_the_disk(conn: sqlite3.Connection) -> None:
        # A size limit makes SQLite answer exactly as on a full disk (SQLITE_FULL).
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")

    await archive.write(fill_the_disk)
    big = [analysed(make_post(n, "x" * 5000)) for n in range(2, 200)]
    with pytest.raises(ArchiveFull, match="Nothing was lost"):
        await archive.store_posts(big)

    def free_space(conn: sqlite3.Connection) -> None:
        conn.execute("PRAGMA max_page_count = 1073741823")

    await archive.write(free_space)
    assert [p.text for p in await latest(archive)] == ["kept"]
    await archive.store_posts(big)  # re-run once there is room: everything goes in
    assert len(await latest(archive, limit=500)) == 199
