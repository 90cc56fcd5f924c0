"""The archive: one SQLite file, one writer connection and read-only readers.

``Archive`` is the SQLite implementation of the store's ports (bot/store/ports.py). Every
write is one call on the writer's thread (``write``), every read goes to a reader that sees
only committed data and has a time limit (``read``, ``fetch_all``): see bot/store/connections.py.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from bot.clock import Clock, SystemClock, unix
from bot.domain import AnalysedPost, Channel
from bot.errors import ArchiveReplaced, ForeignDatabase, ReadOnlyArchive, StoreError
from bot.store import post_writes
from bot.store.arrivals import SqliteArrivals
from bot.store.connections import BUSY_TIMEOUT_MS, DEFAULT_READ_TIMEOUT, Connections
from bot.store.fts_meta import meta_sql
from bot.store.outbox import SqliteOutbox
from bot.store.schema import MIGRATIONS, statements
from bot.store.state import ChannelBook
from bot.store.subscribers import SqliteSubscribers
from bot.store.values import StoreResult

if TYPE_CHECKING:
    from bot.store.ports import PostQueries

log = logging.getLogger(__name__)
T = TypeVar("T")
Mode = Literal["rw", "ro", "auto"]
# Ids per IN (...) list: well under SQLite's limit on bound parameters.
_IN_LIST = 500
#: Opens of an archive that a restore keeps replacing before giving up (one is the rule).
_REOPENS = 3


class Archive:
    """Async access to the archive; open it with ``async with Archive.open(path)``."""

    def __init__(self, db: Connections, clock: Clock | None = None) -> None:
        self._db = db
        self.path = db.path
        #: The time rows are stamped with (first seen, arrival, cursor moves, channel health).
        self.clock: Clock = clock or SystemClock()
        from bot.store.queries import SqliteQueries  # it imports this module

        # The store's ports over this archive (bot/store/ports.py, delivery_ports.py): the
        # SQL of each lives in the module named, the layers above see only the port.
        self.queries: PostQueries = SqliteQueries(self)  # queries.py
        self.outbox = SqliteOutbox(self)  # outbox.py
        self.arrivals = SqliteArrivals(self)  # arrivals.py
        self.subscribers = SqliteSubscribers(self)  # subscribers.py
        self.book = ChannelBook(self)  # state.py: the collector's bookkeeping

    @classmethod
    @asynccontextmanager
    async def open(cls, path: Path, *, mode: Mode = "rw", readers: int = 2,
                   read_timeout: float = DEFAULT_READ_TIMEOUT,
                   busy_timeout: float = BUSY_TIMEOUT_MS / 1000,
                   clock: Clock | None = None) -> AsyncIterator[Archive]:
        """Open (creating and migrating if needed) the archive at ``path``.

        ``mode="ro"`` never writes (a missing archive is an error); ``"auto"`` opens
        read-only when the file, its folder or its mount cannot be written, so searches and
        exports still work on a backup snapshot.
        """
        read_only = _check_path(path, mode)
        async with AsyncExitStack() as stack:
            for attempt in range(1, _REOPENS + 1):
                prepare = partial(_prepare, path=path, busy_ms=int(busy_timeout * 1000),
                                  file=_file_id(path))
                try:
                    db = await stack.enter_async_context(Connections.open(
                        path, prepare=prepare, read_only=read_only, readers=readers,
                        read_timeout=read_timeout))
                    break
                except ArchiveReplaced:
                    if attempt == _REOPENS:
                        raise
            archive = cls(db, clock)
            if read_only:
                await archive._check_schema_readable()
            yield archive

    def stamp(self) -> int:
        """The clock's reading in unix seconds, as rows store it (thread-safe)."""
        return unix(self.clock.now())

    @property
    def read_only(self) -> bool:
        return self._db.read_only

    async def write(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(conn, *args)`` as one write transaction on the writer's thread."""
        return await self._db.write(fn, *args)

    async def read(self, fn: Callable[..., T], *args: Any, time_limit: float | None = None) -> T:
        """Run ``fn(conn, *args)`` on a read-only connection, in one snapshot."""
        return await self._db.read(fn, *args, time_limit=time_limit)

    async def fetch_all(self, sql: str, params: Sequence[Any] = (), *,
                        time_limit: float | None = None) -> list[Any]:
        """Run a read query (committed data only, time-limited) and return every row."""
        return await self._db.fetch_all(sql, params, time_limit=time_limit)

    async def set_trace(self, callback: Callable[[str], None] | None) -> None:
        """Pass every read statement to ``callback`` (None stops): query-plan checks."""
        await self._db.set_trace(callback)

    async def schema_version(self) -> int:
        (row,) = await self.fetch_all("PRAGMA user_version")
        return int(row[0])

    async def _check_schema_readable(self) -> None:
        ((version, tables),) = await self.fetch_all(_SCHEMA_FACTS)
        _refuse_foreign((version, tables), self.path)
        if version > len(MIGRATIONS):
            raise StoreError(_newer(self.path, version))
        if version < len(MIGRATIONS):
            raise ReadOnlyArchive(
                f"{self.path}: archive schema {version} predates this tgmon "
                f"({len(MIGRATIONS)}) and the file is read-only; open it once where it can "
                "be written (any tgmon command) to upgrade it")

    # ------------------------------------------------------------ channels and cursors

    async def upsert_channel(self, channel: Channel, *, ref: str | None = None) -> None:
        """Record a channel; known fields are kept when the new record lacks them."""
        await self.write(post_writes.upsert_channel, channel, ref, self.stamp)

    async def begin_backfill(self, channel_id: int, *, start: int, top: int) -> None:
        """Record a first sight: posts after ``start`` up to ``top`` are history, not news."""
        await self.write(post_writes.begin_backfill, channel_id, start, top, self.stamp)

    async def historic_until(self, channel_id: int) -> int:
        """The newest message id of a channel's first-sight backfill (0 if none)."""
        rows = await self.fetch_all(
            "SELECT historic_until FROM cursors WHERE channel_id = ?", (channel_id,))
        return int(rows[0][0]) if rows else 0

    async def oldest_stored_id(self, channel_id: int) -> int | None:
        """The lowest message id stored for a channel (None if none is)."""
        rows = await self.fetch_all(
            "SELECT min(msg_id) FROM posts WHERE channel_id = ?", (channel_id,))
        return int(rows[0][0]) if rows and rows[0][0] is not None else None

    async def move_cursors(self, cursors: Mapping[int, int]) -> None:
        """Move channel cursors forward (never back) without storing posts."""
        await self.write(post_writes.move_cursors, cursors, self.stamp)

    async def cursors(self) -> dict[int, int]:
        """Return the last message id stored per channel."""
        rows = await self.fetch_all("SELECT channel_id, last_msg_id FROM cursors")
        return {int(r[0]): int(r[1]) for r in rows}

    async def cursors_moved(self) -> dict[int, int]:
        """When each channel's cursor last moved (the archive clock's unix seconds)."""
        rows = await self.fetch_all("SELECT channel_id, updated_at FROM cursors")
        return {int(r[0]): int(r[1]) for r in rows}

    # ------------------------------------------------------------ posts

    async def store_posts(
        self, items: Iterable[AnalysedPost], *, cursors: Mapping[int, int] | None = None,
        historic_up_to: int = 0
    ) -> StoreResult:
        """Insert or update posts, their versions, index rows and hits, and move cursors.

        New posts with ids up to ``historic_up_to`` are history (imported or backfilled):
        kept and searchable, but never announced as news in alerts or digests.
        """
        return await self.write(post_writes.store_posts, list(items), cursors, historic_up_to,
                                self.stamp)

    async def known_texts(self, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], str]:
        """The stored text of each (channel, message id) that the archive already holds."""
        found = await self.read(post_writes.existing_posts, list(keys))
        return {key: row.text for key, row in found.items()}

    async def channel_languages(self, channel_ids: Sequence[int]
                                ) -> dict[int, dict[str, int]]:
        """Posts stored per language of each channel, from the counters (no scan)."""
        found: dict[int, dict[str, int]] = {}
        for start in range(0, len(channel_ids), _IN_LIST):
            part = list(channel_ids[start : start + _IN_LIST])
            rows = await self.fetch_all(
                "SELECT channel_id, lang, posts FROM post_counts WHERE posts > 0 AND "
                f"channel_id IN ({', '.join('?' * len(part))})", part)
            for channel_id, lang, posts in rows:
                found.setdefault(int(channel_id), {})[str(lang)] = int(posts)
        return found

    async def mark_deleted(
        self, channel_id: int, msg_ids: Iterable[int], *, at: datetime | None = None
    ) -> int:
        """Soft-delete posts; return how many posts became deleted (see post_writes)."""
        return await self.write(post_writes.mark_deleted, channel_id, list(msg_ids), at,
                                self.stamp)


def _check_path(path: Path, mode: Mode) -> bool:
    """Refuse paths that cannot be an archive; return True to open read-only."""
    if path.is_dir():
        raise StoreError(f"{path}: is a folder; point --db at the archive file inside it")
    if mode != "rw" and not path.exists():
        raise StoreError(f"{path}: no archive there yet; run `tgmon import` or "
                         "`tgmon run` first, or point --db at an existing archive")
    read_only = mode == "ro" or (mode == "auto" and not _writable(path))
    if not read_only:
        if path.exists() and not _writable(path):
            raise ReadOnlyArchive(
                f"{path}: the archive cannot be written (a read-only file, folder or "
                "mount); searches and exports still work, writes need a writable copy")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{path}: cannot create its folder: {exc.strerror}") from None
    return read_only


def _newer(path: Path, version: int) -> str:
    return (f"{path}: archive schema {version} is newer than this tgmon "
            f"({len(MIGRATIONS)}); upgrade tgmon")


def _file_id(path: Path) -> tuple[int, int] | None:
    try:
        found = path.stat()
    except OSError:
        return None
    return found.st_dev, found.st_ino


def _writable(path: Path) -> bool:
    target = path if path.exists() else path.parent
    while not target.exists():  # a folder that make creates: judge by its first parent
        target = target.parent
    return os.access(target, os.W_OK) and (not path.exists() or os.access(path.parent, os.W_OK))


def _prepare(conn: sqlite3.Connection, *, path: Path, busy_ms: int,
             file: tuple[int, int] | None = None) -> None:
    """Set the writer's pragmas and run the migrations (on the writer's thread).

    ``file`` is the archive file's identity from just before the connection opened it
    (None when there was no file yet, or for a caller that checks nothing).
    """
    # FULL: a digest "sent" mark or a cursor cannot be re-fetched after a power cut.
    conn.execute(f"PRAGMA busy_timeout={busy_ms}")
    facts = conn.execute(_SCHEMA_FACTS).fetchone()
    _refuse_foreign(facts, path)  # before WAL changes it
    if facts[0] > len(MIGRATIONS):
        # Also before WAL: a newer tgmon's archive (perhaps on a share that an older
        # release's box opens too) was switched to WAL by the release that then refused it.
        raise StoreError(_newer(path, facts[0]))
    if file is not None and _file_id(path) != file:
        # That read waited out a `tgmon restore`, which has since renamed the file this
        # connection holds to ARCHIVE.replaced-STAMP: writing on would fill that one.
        raise ArchiveReplaced(f"{path}: replaced by a restore while it was being opened")
    _set_wal(conn, busy_ms)
    for pragma in ("synchronous=FULL", "foreign_keys=ON"):
        conn.execute(f"PRAGMA {pragma}")
    # Schema 2 fills the search index's meta column through this function.
    conn.create_function("fts_meta", -1, meta_sql, deterministic=True)
    _migrate(conn, path)
    # Cheap on open: re-plans only what the last session's queries showed was stale.
    conn.execute("PRAGMA optimize")


#: The schema version and a few table names, read in one statement (one snapshot: another
#: process may be creating the archive, tables and version in one transaction).
_SCHEMA_FACTS = """SELECT (SELECT user_version FROM pragma_user_version),
    (SELECT group_concat(name, ', ') FROM (SELECT name FROM sqlite_master
     WHERE type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY name LIMIT 3))"""


def _refuse_foreign(facts: tuple[int, str | None], path: Path) -> None:
    """Refuse an SQLite file with tables and no tgmon schema version: another program's.

    Opening it as an archive would add tgmon's tables to it and switch it to WAL mode
    (`tgmon stats --db places.sqlite` did, silently).
    """
    version, tables = facts
    if version == 0 and tables:
        raise ForeignDatabase(
            f"{path}: an SQLite database of another program (its tables: {tables}), not a "
            "tgmon archive; it was left as it was. Point --db (or storage.path) at a tgmon "
            "archive, or at a new file to start one")


def _set_wal(conn: sqlite3.Connection, busy_ms: int) -> None:
    """Switch to WAL, waiting out another process doing the same on a fresh archive.

    Changing the journal mode needs the file to itself and does not always wait in the
    busy handler: two processes opening a new archive at once could see "locked".
    """
    deadline = time.monotonic() + busy_ms / 1000
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Run the migrations not yet applied, all of them in one BEGIN IMMEDIATE.

    ``user_version`` is re-read inside the transaction: two processes opening a fresh
    archive at once then run each migration exactly once between them. One transaction,
    not one per migration: an opener that waits for the write lock waits for one commit.
    With a transaction per migration, the process migrating took the lock again the moment
    it let go (its waiters sleep in the busy handler), so a waiter sat through every
    migration and every commit's fsync: under a loaded disk that passed the busy timeout
    and the second `tgmon` failed with "busy". An upgrade is all or nothing, too. An
    archive that is up to date takes no write lock at all (a busy archive still opens for
    reading).
    """
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version < len(MIGRATIONS):
        conn.execute("BEGIN IMMEDIATE")
        try:
            start = version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            for script in MIGRATIONS[start:]:
                for statement in statements(script):
                    conn.execute(statement)
                version += 1
            if version > start:
                conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        if version > start:
            log.info("%s: archive schema upgraded from %d to %d", path, start, version)
    if version > len(MIGRATIONS):
        raise StoreError(_newer(path, version))
