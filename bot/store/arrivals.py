"""Posts by arrival: what digests and alerts choose from.

Every stored news post (and every edit that brings a post new keyword groups) takes an
arrival number inside its write transaction (schema 2, table ``arrivals``). One writer
commits in that order, so a window (after, until] of numbers read from committed data is
complete: nothing can commit later with a smaller number, however reads and writes
interleave. A wall-clock stamp taken before the INSERT could land behind a watermark.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from bot.domain import StoredPost
from bot.store.post_rows import POST_COLUMNS, stored_post

if TYPE_CHECKING:
    from bot.store.archive import Archive


def _current_seq(conn: sqlite3.Connection) -> int:
    # AUTOINCREMENT's high-water mark: right even when retention pruned every row.
    row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'arrivals'").fetchone()
    return int(row[0]) if row else 0


def _seq_at(conn: sqlite3.Connection, at: int) -> int:
    row = conn.execute("SELECT seq FROM arrivals WHERE at <= ? ORDER BY at DESC, seq DESC "
                       "LIMIT 1", (at,)).fetchone()
    return int(row[0]) if row else 0


def _arrived(conn: sqlite3.Connection, after: int, until: int,
             groups: Collection[str] | None, include_edits: bool) -> list[Any]:
    clauses = ["a.seq > ?", "a.seq <= ?"]
    params: list[Any] = [after, until]
    if not include_edits:
        clauses.append("a.groups IS NULL")
    if groups is not None:
        marks = ",".join("?" * len(groups))
        clauses.append(
            f"EXISTS (SELECT 1 FROM keyword_hits g WHERE g.pid = p.pid AND g.grp IN ({marks}))")
        params += sorted(groups)
    return conn.execute(
        f"""SELECT {POST_COLUMNS}, a.groups FROM arrivals a JOIN posts p ON p.pid = a.pid
            JOIN channels c ON c.id = p.channel_id
            WHERE {" AND ".join(clauses)} ORDER BY a.seq""", params).fetchall()


class SqliteArrivals:
    """Arrival numbers and the posts that arrived between them: the Arrivals port's SQLite side."""

    def __init__(self, archive: Archive) -> None:
        self._archive = archive

    async def current_seq(self) -> int:
        """The newest arrival number committed."""
        return await self._archive.read(_current_seq)

    async def seq_at(self, at: int) -> int:
        """The last arrival number stored at or before unix time ``at`` (for a first window)."""
        return await self._archive.read(_seq_at, at)

    async def posts_arrived(
        self, *, after: int, until: int, groups: Collection[str] | None = None,
        include_edits: bool = False,
    ) -> list[StoredPost]:
        """Posts that arrived with numbers in (after, until], in arrival order.

        ``groups`` keeps only posts with hits in them. ``include_edits`` adds posts whose edit
        brought new groups, showing only those groups (so an alert goes out for them once).
        """
        if groups is not None and not groups:
            return []
        rows = await self._archive.read(_arrived, after, until, groups, include_edits)
        chosen: dict[int, StoredPost] = {}
        for row in rows:
            post, added = stored_post(row[:-1]), row[-1]
            if added is not None:
                if row[0] in chosen:
                    continue  # it arrived new in the same window: it is there with every group
                new_groups = set(json.loads(added))
                post = replace(post, groups=tuple(g for g in post.groups if g in new_groups),
                               hits=tuple(h for h in post.hits if h.group in new_groups))
                if groups is not None and not set(post.groups) & set(groups):
                    continue
            chosen[row[0]] = post
        return list(chosen.values())

    async def posts_stored(self, *, after: int, until: int) -> list[StoredPost]:
        """Every post stored in (after, until] by clock, history included: for previews only."""
        rows = await self._archive.fetch_all(
            f"""SELECT {POST_COLUMNS} FROM posts p JOIN channels c ON c.id = p.channel_id
                WHERE p.first_seen > ? AND p.first_seen <= ? ORDER BY p.first_seen, p.pid""",
            (after, until))
        return [stored_post(r) for r in rows]

    async def history_arrived(self, *, after: int, until: int) -> int:
        """Count imported or backfilled posts stored in (after, until]: kept out of digests."""
        rows = await self._archive.fetch_all(
            "SELECT count(*) FROM posts WHERE first_seen > ? AND first_seen <= ? AND historic = 1",
            (after, until))
        return int(rows[0][0])
