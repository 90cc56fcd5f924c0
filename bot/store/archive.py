"""The archive: one SQLite file, opened once, written by one writer at a time.

Every write that covers posts also moves the channel cursors in the same transaction, so a
crash can never leave a cursor ahead of the posts it claims to cover.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import aiosqlite

from bot.domain import AnalysedPost, Analysis, Channel
from bot.errors import StoreError
from bot.store import rows as postrows
from bot.store.bulk import Rows, insert_rows, json_list
from bot.store.schema import MIGRATIONS

_CHUNK = 400  # SQLite's default limit on bound parameters is 999 (older builds) or 32766.


@dataclass(frozen=True, slots=True)
class StoreResult:
    """What one ``store_posts`` call did."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.inserted + self.updated + self.unchanged

    def __add__(self, other: StoreResult) -> StoreResult:
        return StoreResult(
            self.inserted + other.inserted,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
        )


class Archive:
    """Async access to the archive; open it with ``async with Archive.open(path)``."""

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._write_lock = asyncio.Lock()

    @classmethod
    @asynccontextmanager
    async def open(cls, path: Path) -> AsyncIterator[Archive]:
        """Open (creating if needed) and migrate the archive at ``path``."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = await aiosqlite.connect(path, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"{path}: cannot open the archive: {exc}") from None
        try:
            archive = cls(conn, path)
            await archive._prepare()
            yield archive
        finally:
            await conn.close()

    async def _prepare(self) -> None:
        try:
            # FULL: a digest "sent" mark or a cursor cannot be re-fetched after a power cut.
            for pragma in (
                "journal_mode=WAL",
                "synchronous=FULL",
                "busy_timeout=10000",
                "foreign_keys=ON",
            ):
                await self.conn.execute(f"PRAGMA {pragma}")
            await self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a usable tgmon archive: {exc}") from None

    async def _migrate(self) -> None:
        (version,) = await self._one("PRAGMA user_version")
        if version > len(MIGRATIONS):
            raise StoreError(
                f"{self.path}: archive schema {version} is newer than this tgmon "
                f"({len(MIGRATIONS)}); upgrade tgmon"
            )
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            await self.conn.executescript(
                f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;"
            )

    async def schema_version(self) -> int:
        (version,) = await self._one("PRAGMA user_version")
        return int(version)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Run a block as one write transaction; only one runs at a time."""
        async with self._write_lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            await self.conn.execute("COMMIT")

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        async with self.conn.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def fetch_all(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """Run a read query and return every row."""
        async with self.conn.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    # ------------------------------------------------------------ channels and cursors

    async def upsert_channel(self, channel: Channel, *, ref: str | None = None) -> None:
        """Record a channel; known fields are kept when the new record lacks them."""
        async with self.transaction() as conn:
            await conn.execute(
                """INSERT INTO channels (id, username, title, access_hash, ref, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?)
                   ON CONFLICT (id) DO UPDATE SET
                     username = coalesce(excluded.username, username),
                     title = CASE WHEN excluded.title != '' THEN excluded.title ELSE title END,
                     access_hash = coalesce(excluded.access_hash, access_hash),
                     ref = coalesce(excluded.ref, ref),
                     updated_at = excluded.updated_at""",
                (
                    channel.id,
                    channel.username,
                    channel.title,
                    channel.access_hash,
                    ref,
                    postrows.now(),
                ),
            )

    async def begin_backfill(self, channel_id: int, *, start: int, top: int) -> None:
        """Record a first sight: posts after ``start`` up to ``top`` are history, not news."""
        async with self.transaction() as conn:
            await conn.execute(
                """INSERT INTO cursors (channel_id, last_msg_id, updated_at, historic_until)
                   VALUES (?, ?, ?, ?) ON CONFLICT (channel_id) DO NOTHING""",
                (channel_id, start, postrows.now(), top))

    async def historic_until(self, channel_id: int) -> int:
        """The newest message id of a channel's first-sight backfill (0 if none)."""
        rows = await self.fetch_all(
            "SELECT historic_until FROM cursors WHERE channel_id = ?", (channel_id,))
        return int(rows[0][0]) if rows else 0

    async def cursors(self) -> dict[int, int]:
        """Return the last message id stored per channel."""
        rows = await self.fetch_all("SELECT channel_id, last_msg_id FROM cursors")
        return {int(r[0]): int(r[1]) for r in rows}

    # ------------------------------------------------------------ posts

    async def store_posts(
        self, items: Iterable[AnalysedPost], *, cursors: Mapping[int, int] | None = None,
        historic_up_to: int = 0
    ) -> StoreResult:
        """Insert or update posts, their versions, index rows and hits, and move cursors.

        New posts with ids up to ``historic_up_to`` are history (imported or backfilled):
        kept and searchable, but never announced as news in alerts or digests.

        Idempotent: storing the same post again changes nothing but its counters, and an edit
        adds a version only when the text really changed. Album messages that arrive apart
        (live, or split across history pages) are folded into the one post of their album.
        """
        batch = postrows.merge_albums(
            {(i.post.channel_id, i.post.msg_id): i for i in items}.values()
        )
        async with self.transaction() as conn:
            # Stamped once the write lock is held, so first_seen never lags the commit.
            now = postrows.now()
            existing = await self._existing(batch)
            fresh = [item for key, item in batch.items() if key not in existing]
            hosts = await self._album_hosts(fresh)
            new = [i for i in fresh if postrows.album_key(i) not in hosts]
            changed: list[tuple[int, AnalysedPost]] = []
            same: list[tuple[int, AnalysedPost]] = []
            for item in fresh:
                host = hosts.get(postrows.album_key(item))
                if host is not None:  # a late album message: its caption may be the first text
                    (changed if item.post.text and not host.text else same).append((host.pid, item))
            for key, item in batch.items():
                old = existing.get(key)
                if old is None:
                    continue
                # An album message without the caption never blanks the album's text.
                blank_part = bool(item.post.grouped_id) and not item.post.text
                if (
                    item.post.text != old.text
                    and not blank_part
                    and not postrows.is_stale(item, old)
                ):
                    changed.append((old.pid, item))
                else:
                    same.append((old.pid, item))
            pids = await self._insert_new(conn, new, now, historic_up_to)
            await self._apply_edits(conn, changed, now)
            await self._refresh_counters(conn, same, now)
            album_rows = [
                (pid, i)
                for pid, i in [*zip(pids, new, strict=True), *changed, *same]
                if i.post.album_ids or i.post.grouped_id
            ]
            await self._save_album_parts(conn, album_rows)
            if cursors:
                await self._move_cursors(conn, cursors, now)
        return StoreResult(len(new), len(changed), len(same))

    @staticmethod
    async def _refresh_counters(
        conn: aiosqlite.Connection, same: Sequence[tuple[int, AnalysedPost]], now: int
    ) -> None:
        if not same:
            return
        await conn.executemany(
            """UPDATE posts SET views = coalesce(?1, views), forwards = coalesce(?2, forwards),
               replies = coalesce(?3, replies),
               edit_date = CASE WHEN ?4 IS NULL THEN edit_date
                                ELSE max(coalesce(edit_date, 0), ?4) END,
               last_seen = ?5 WHERE pid = ?6""",
            [
                (
                    p.post.views,
                    p.post.forwards,
                    p.post.replies,
                    postrows.ts(p.post.edit_date),
                    now,
                    pid,
                )
                for pid, p in same
            ],
        )

    async def _album_hosts(
        self, items: Sequence[AnalysedPost]
    ) -> dict[tuple[int, int], postrows.Existing]:
        hosts: dict[tuple[int, int], postrows.Existing] = {}
        for key in {postrows.album_key(i) for i in items if i.post.grouped_id}:
            row = await self._one(
                "SELECT pid, text, edit_date FROM posts WHERE channel_id = ? AND grouped_id = ?",
                key,
            )
            if row:
                hosts[key] = postrows.Existing(*row)
        return hosts

    async def known_texts(self, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], str]:
        """The stored text of each (channel, message id) that the archive already holds."""
        found = await self._existing(keys)
        return {key: row.text for key, row in found.items()}

    async def _existing(
        self, batch: Iterable[tuple[int, int]]
    ) -> dict[tuple[int, int], postrows.Existing]:
        by_channel: dict[int, list[int]] = {}
        for channel_id, msg_id in batch:
            by_channel.setdefault(channel_id, []).append(msg_id)
        found: dict[tuple[int, int], postrows.Existing] = {}
        for channel_id, msg_ids in by_channel.items():
            # One statement and one trip to the database thread, whatever the batch size.
            rows = await self.conn.execute_fetchall(
                """SELECT msg_id, pid, text, edit_date FROM posts
                   WHERE channel_id = ?1 AND msg_id IN (SELECT value FROM json_each(?2))
                   UNION ALL
                   SELECT a.msg_id, p.pid, p.text, p.edit_date FROM post_aliases a
                   JOIN posts p ON p.pid = a.pid
                   WHERE a.channel_id = ?1 AND a.msg_id IN (SELECT value FROM json_each(?2))""",
                (channel_id, json_list(msg_ids)),
            )
            for msg_id, pid, text, edit_date in rows:
                found[(channel_id, msg_id)] = postrows.Existing(pid, text, edit_date)
        return found

    async def _insert_new(
        self, conn: aiosqlite.Connection, new: Sequence[AnalysedPost], now: int,
        historic_up_to: int
    ) -> list[int]:
        if not new:
            return []
        pids = await self._free_pids([postrows.pid_for(i) for i in new])
        # Each post's text goes to SQLite once (see bot/store/bulk.py for why as JSON); the
        # first version copies it from the new rows rather than parsing it a second time.
        rows = [postrows.post_row(pid, item, now, historic_up_to)
                for pid, item in zip(pids, new, strict=True)]
        await insert_rows(conn, postrows.POSTS_INTO, Rows(rows), range(len(rows[0])))
        await conn.execute(
            """INSERT INTO post_versions (pid, version, text, edit_date, seen_at)
               SELECT pid, 1, text, edit_date, first_seen FROM posts
               WHERE pid IN (SELECT value FROM json_each(?))""",
            (json_list(pids),),
        )
        fts = Rows([(pid, postrows.index_text_of(i)) for pid, i in zip(pids, new, strict=True)])
        await insert_rows(conn, "INTO posts_fts (rowid, body)", fts, (0, 1))
        await _insert_hits(conn, zip(pids, (i.analysis for i in new), strict=True))
        return pids

    async def _free_pids(self, wanted: list[int]) -> list[int]:
        """Resolve the rare clash of two posts' date-ordered pids by moving one up."""
        rows = await self.conn.execute_fetchall(
            "SELECT pid FROM posts WHERE pid IN (SELECT value FROM json_each(?))",
            (json_list(wanted),),
        )
        taken: set[int] = {r[0] for r in rows}
        result = []
        for wanted_pid in wanted:
            pid = wanted_pid
            while pid in taken:
                pid += 1
                if await self._one("SELECT 1 FROM posts WHERE pid = ?", (pid,)):
                    taken.add(pid)
            taken.add(pid)
            result.append(pid)
        return result

    async def _apply_edits(
        self, conn: aiosqlite.Connection, changed: Sequence[tuple[int, AnalysedPost]], now: int
    ) -> None:
        if not changed:
            return
        await conn.executemany(
            """UPDATE posts SET text = ?, lang = ?, lang_conf = ?, content_hash = ?,
                 edit_date = coalesce(?, edit_date), views = coalesce(?, views),
                 forwards = coalesce(?, forwards), replies = coalesce(?, replies),
                 media = ?, last_seen = ? WHERE pid = ?""",
            [
                (
                    i.post.text,
                    i.analysis.lang,
                    i.analysis.lang_confidence,
                    postrows.hash_of(i),
                    postrows.ts(i.post.edit_date),
                    i.post.views,
                    i.post.forwards,
                    i.post.replies,
                    json.dumps(list(i.post.media)),
                    now,
                    pid,
                )
                for pid, i in changed
            ],
        )
        await conn.executemany(
            """INSERT INTO post_versions (pid, version, text, edit_date, seen_at)
               SELECT ?, max(version) + 1, ?, ?, ? FROM post_versions WHERE pid = ?""",
            [(pid, i.post.text, postrows.ts(i.post.edit_date), now, pid) for pid, i in changed],
        )
        await conn.executemany(
            "UPDATE posts_fts SET body = ? WHERE rowid = ?",
            [(postrows.index_text_of(i), pid) for pid, i in changed],
        )
        await self.replace_hits(conn, [(pid, i.analysis) for pid, i in changed])

    @staticmethod
    async def replace_hits(
        conn: aiosqlite.Connection, analyses: Sequence[tuple[int, Analysis]]
    ) -> None:
        """Swap the stored keyword hits of posts for new ones (after an edit or reanalysis)."""
        await conn.executemany(
            "DELETE FROM keyword_hits WHERE pid = ?", [(pid,) for pid, _ in analyses]
        )
        await _insert_hits(conn, analyses)

    @staticmethod
    async def _save_album_parts(
        conn: aiosqlite.Connection, rows: Sequence[tuple[int, AnalysedPost]]
    ) -> None:
        """Record each album message under its post, then rebuild the post's media list."""
        if not rows:
            return
        parts = [
            (i.post.channel_id, msg_id, pid, kind or None)
            for pid, i in rows
            for msg_id, kind in postrows.album_parts(i)
        ]
        await conn.executemany(
            """INSERT INTO post_aliases (channel_id, msg_id, pid, media) VALUES (?,?,?,?)
               ON CONFLICT (channel_id, msg_id) DO UPDATE SET media = excluded.media""",
            parts,
        )
        await conn.executemany(
            """UPDATE posts SET media = (SELECT json_group_array(media) FROM (
                 SELECT media FROM post_aliases WHERE pid = ?1 AND media IS NOT NULL
                 ORDER BY msg_id)) WHERE pid = ?1""",
            [(pid,) for pid in {pid for pid, _ in rows}],
        )

    @staticmethod
    async def _move_cursors(
        conn: aiosqlite.Connection, cursors: Mapping[int, int], now: int
    ) -> None:
        await conn.executemany(
            """INSERT INTO cursors (channel_id, last_msg_id, updated_at) VALUES (?,?,?)
               ON CONFLICT (channel_id) DO UPDATE SET
                 last_msg_id = max(last_msg_id, excluded.last_msg_id),
                 updated_at = excluded.updated_at""",
            [(channel_id, msg_id, now) for channel_id, msg_id in cursors.items()],
        )

    async def mark_deleted(
        self, channel_id: int, msg_ids: Iterable[int], *, at: datetime | None = None
    ) -> int:
        """Soft-delete posts; return how many posts became deleted.

        An album is one post of several messages: deleting one photo marks that message only,
        and the post counts as deleted once all of its messages are.
        """
        when = postrows.ts(at) or postrows.now()
        ids = list(msg_ids)
        changed = 0
        async with self.transaction() as conn:
            for start in range(0, len(ids), _CHUNK):
                chunk = ids[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                await conn.execute(
                    f"""UPDATE post_aliases SET deleted_at = ? WHERE deleted_at IS NULL
                        AND channel_id = ? AND msg_id IN ({marks})""",
                    (when, channel_id, *chunk),
                )
                cursor = await conn.execute(
                    f"""UPDATE posts SET deleted_at = ?1 WHERE deleted_at IS NULL AND (
                          (channel_id = ?2 AND msg_id IN ({marks})
                           AND NOT EXISTS (SELECT 1 FROM post_aliases a WHERE a.pid = posts.pid))
                          OR pid IN (SELECT pid FROM post_aliases WHERE channel_id = ?2
                                     AND msg_id IN ({marks})))
                        AND NOT EXISTS (SELECT 1 FROM post_aliases a
                                        WHERE a.pid = posts.pid AND a.deleted_at IS NULL)""",
                    (when, channel_id, *chunk, *chunk),
                )
                changed += cursor.rowcount
        return changed

async def _insert_hits(
    conn: aiosqlite.Connection, analyses: Iterable[tuple[int, Analysis]]
) -> None:
    rows = Rows([(pid, h.group, h.term, h.form) for pid, a in analyses for h in a.hits])
    await insert_rows(conn, "OR IGNORE INTO keyword_hits (pid, grp, term, form)", rows, range(4))
