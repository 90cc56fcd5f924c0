"""One writer connection and a pool of read-only readers over the archive file.

aiosqlite runs each connection on one thread with a FIFO queue, so a slow read on the
writer's connection would delay every write queued behind it. Writes therefore have their
own connection, and each write transaction is **one call on the writer's thread** (``write``):
BEGIN IMMEDIATE, the statements, COMMIT, with no ``await`` in between, so no other task's
statement can run inside it and no read sees it half done. Reads go to read-only WAL
connections that see only committed data, each with a time limit enforced by
``sqlite3.Connection.interrupt``, so a slow query from a bot user costs a write nothing.

aiosqlite has no public way to run a function on its thread; ``Connection._execute`` is that
way (aiosqlite is pinned to 0.22.x in pyproject.toml, and tests/store cover the seam).
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import aiosqlite

from bot.store.errors import QueryTimeout, ReadOnlyArchive, translate

T = TypeVar("T")
log = logging.getLogger(__name__)

#: Seconds a read may take before it is interrupted (the CLI may pass its own).
DEFAULT_READ_TIMEOUT = 10.0
BUSY_TIMEOUT_MS = 10_000


def atomic(conn: sqlite3.Connection, fn: Callable[..., T], *args: Any) -> T:
    """Run ``fn(conn, *args)`` inside BEGIN IMMEDIATE … COMMIT, or roll it all back.

    A COMMIT can fail (a deferred constraint, a full disk) and leave the transaction open;
    then every later BEGIN would fail too, so the rollback also runs when COMMIT raises
    (the shape of sqlite-utils' ``atomic()``), and the real cause is what propagates.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        result = fn(conn, *args)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            with suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
        raise
    return result


def _snapshot(conn: sqlite3.Connection, fn: Callable[..., T], *args: Any) -> T:
    """Run a multi-statement read in one read transaction: one consistent snapshot."""
    conn.execute("BEGIN")
    try:
        return fn(conn, *args)
    finally:
        with suppress(sqlite3.Error):
            conn.execute("ROLLBACK")


def _fetch_all(conn: sqlite3.Connection, sql: str, params: Sequence[Any]) -> list[Any]:
    return conn.execute(sql, params).fetchall()


def read_only_uri(path: Path) -> str:
    """The URI that reads the archive at ``path`` on a medium tgmon may not write."""
    return _reader_uri(path, immutable=not _can_write_beside(path) and not _wal_readable(path))


def _reader_uri(path: Path, *, immutable: bool) -> str:
    # immutable=1 lets a reader open a WAL archive on a read-only medium (a backup snapshot,
    # a read-only mount) where SQLite could not create the -shm file.
    flags = "mode=ro&immutable=1" if immutable else "mode=ro"
    # By its bytes: a file name that is not UTF-8 is kept as surrogates, which quote refuses.
    return f"file:{quote(os.fsencode(path.resolve()))}?{flags}"


class Connections:
    """The archive's writer (None when it is opened read-only) and its readers."""

    def __init__(self, path: Path, writer: aiosqlite.Connection | None,
                 readers: list[aiosqlite.Connection], *, read_timeout: float) -> None:
        self.path = path
        self._writer = writer
        self._all_readers = readers
        self._readers: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        for reader in readers:
            self._readers.put_nowait(reader)
        self.read_timeout = read_timeout

    @property
    def read_only(self) -> bool:
        return self._writer is None

    @classmethod
    @asynccontextmanager
    async def open(cls, path: Path, *, prepare: Callable[[sqlite3.Connection], None],
                   read_only: bool, readers: int, read_timeout: float
                   ) -> AsyncIterator[Connections]:
        """Open the writer (running ``prepare`` on it: pragmas, migrations), then readers."""
        opened: list[aiosqlite.Connection] = []
        try:
            writer = None
            if not read_only:
                writer = await _connect(path, path, uri=False)
                opened.append(writer)
                try:
                    await _on_thread(writer, prepare)
                except sqlite3.Error as exc:
                    raise translate(exc, path) from None
            uri = read_only_uri(path) if read_only else _reader_uri(path, immutable=False)
            for _ in range(max(1, readers)):
                reader = await _connect(uri, path, uri=True)
                opened.append(reader)
                await _on_thread(reader, _prepare_reader)
            yield cls(path, writer, opened[1:] if writer else opened, read_timeout=read_timeout)
        finally:
            for conn in reversed(opened):
                await conn.close()

    async def set_trace(self, callback: Callable[[str], None] | None) -> None:
        """Pass every statement the readers run to ``callback`` (query-plan checks, debugging)."""
        for reader in self._all_readers:
            await _on_thread(reader, _set_trace, callback)

    async def write(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(conn, *args)`` as one transaction on the writer's thread."""
        if self._writer is None:
            raise ReadOnlyArchive(
                f"{self.path}: the archive is open read-only (a read-only file, folder or "
                "mount); searches and exports work, writes need a writable copy")
        try:
            return await _on_thread(self._writer, atomic, fn, *args)
        except sqlite3.Error as exc:
            raise translate(exc, self.path) from None

    async def read(self, fn: Callable[..., T], *args: Any, time_limit: float | None = None) -> T:
        """Run ``fn(conn, *args)`` on a reader, in one snapshot, within the time limit.

        A timer interrupts the query on its thread when the limit passes. The reader goes
        back to the pool only once its thread is done, even when the caller was cancelled,
        so an interrupt can never hit the next caller's query.
        """
        reader = await self._readers.get()
        limit = self.read_timeout if time_limit is None else time_limit
        job = asyncio.ensure_future(_on_thread(reader, _snapshot, fn, *args))
        expired = False

        def expire() -> None:
            nonlocal expired
            expired = True
            reader._conn.interrupt()

        timer = asyncio.get_running_loop().call_later(limit, expire)

        def release(done: asyncio.Future[T]) -> None:
            timer.cancel()
            if not done.cancelled():
                done.exception()  # retrieved here when the caller is gone
            self._readers.put_nowait(reader)

        job.add_done_callback(release)
        try:
            return await asyncio.shield(job)
        except sqlite3.Error as exc:
            if expired:
                raise QueryTimeout(
                    f"the query took longer than {limit:g} s and was stopped; narrow it "
                    "(a channel, a date range, more words)") from None
            raise translate(exc, self.path) from None

    async def fetch_all(self, sql: str, params: Sequence[Any] = (), *,
                        time_limit: float | None = None) -> list[Any]:
        """Run one read query on a reader and return every row."""
        return await self.read(_fetch_all, sql, params, time_limit=time_limit)


async def _on_thread(conn: aiosqlite.Connection, fn: Callable[..., T], *args: Any) -> T:
    """Run ``fn(sqlite3_connection, *args)`` on the connection's own thread."""
    result: T = await conn._execute(fn, conn._conn, *args)  # type: ignore[no-untyped-call]
    return result


async def _connect(target: Path | str, path: Path, *, uri: bool) -> aiosqlite.Connection:
    try:
        return await aiosqlite.connect(target, isolation_level=None, uri=uri,
                                       check_same_thread=False)
    except sqlite3.Error as exc:
        raise translate(exc, path) from None


def _set_trace(conn: sqlite3.Connection, callback: Callable[[str], None] | None) -> None:
    conn.set_trace_callback(callback)


#: A reader's own page cache, in KiB (SQLite's default is 2,000 per connection). A running
#: service's readers serve digests, alerts and commands, and each filled its 2 MB and kept
#: it; the pages they re-read come from the system's file cache at the cost of a copy.
READER_CACHE_KIB = 512


def _prepare_reader(conn: sqlite3.Connection) -> None:
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA query_only=1")
    conn.execute(f"PRAGMA cache_size=-{READER_CACHE_KIB}")


def _wal_readable(path: Path) -> bool:
    """True when a read-only archive's -wal holds writes that SQLite can show.

    immutable=1 ignores the -wal file, and with it every write since the last checkpoint
    (up to ~4 MB of the newest posts in a snapshot of a running archive). Since SQLite 3.22
    a plain read-only open reads them, from a read-only folder too, as long as the -wal
    and -shm files both exist. Without the -shm nothing can: say so instead of hiding it.
    """
    wal, shm = path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")
    try:
        pending = wal.stat().st_size > 0
    except OSError:
        return False
    if pending and not shm.exists():
        log.warning("%s: its -wal file holds the newest writes, which cannot be read without "
                    "its -shm file on a read-only folder: they are missing from what you see. "
                    "Copy the archive's folder somewhere writable to read them", path)
    return pending and shm.exists()


def _can_write_beside(path: Path) -> bool:
    """True when SQLite could create the -shm/-wal files next to the archive."""
    shm = path.with_name(path.name + "-shm")
    if shm.exists():
        return os.access(shm, os.W_OK)
    return os.access(path.parent, os.W_OK)

