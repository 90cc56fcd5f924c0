"""The collector's own bookkeeping: channel status, unresolved references and flood parks.

``ChannelBook`` is the SQLite side of the ChannelBookkeeping port (bot/store/ports.py),
reached as ``Archive.book``.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from bot.domain import Channel
from bot.store.post_writes import Stamp
from bot.store.values import KnownChannel
from bot.store.writes import run, run_many

if TYPE_CHECKING:
    from bot.store.archive import Archive


class ChannelBook:
    """Channel health, unresolved references, flood parks and what a channel still holds."""

    def __init__(self, archive: Archive) -> None:
        self._archive = archive

    async def known_channel(self, *, ref: str | None = None,
                            channel_id: int | None = None) -> KnownChannel | None:
        """Find a channel by the config reference it came from, or by its marked id."""
        where, key = ("ref = ?", ref) if ref is not None else ("id = ?", channel_id)
        rows = await self._archive.fetch_all(
            f"""SELECT id, title, username, access_hash, ref, status, status_detail, failures,
                       retry_at FROM channels WHERE {where}""", (key,))
        if not rows:
            return None
        r = rows[0]
        return KnownChannel(Channel(r[0], r[1], r[2], r[3]), r[4], r[5], r[6], r[7], r[8])

    async def mark_channel(self, channel_id: int, *, ok: bool, detail: str | None = None,
                           backoff_base: int = 300, backoff_cap: int = 6 * 3600) -> int | None:
        """Record a channel's health; a failure doubles its retry delay. Returns retry_at."""
        return await self._archive.write(_mark_channel, channel_id, ok, detail,
                                         backoff_base, backoff_cap, self._archive.stamp)

    async def unresolved_reason(self, ref: str) -> str | None:
        rows = await self._archive.fetch_all(
            "SELECT reason FROM unresolved_refs WHERE ref = ?", (ref,))
        return str(rows[0][0]) if rows else None

    async def mark_unresolved(self, ref: str, reason: str) -> None:
        await self._archive.write(
            run, "INSERT OR REPLACE INTO unresolved_refs (ref, reason, at) VALUES (?, ?, ?)",
            (ref, reason, self._archive.stamp()))

    async def forget_unresolved(self, keep: set[str]) -> None:
        """Forget failures of refs no longer in the config, so a re-added one is retried."""
        rows = await self._archive.fetch_all("SELECT ref FROM unresolved_refs")
        stale = [(r[0],) for r in rows if r[0] not in keep]
        if stale:
            await self._archive.write(run_many, "DELETE FROM unresolved_refs WHERE ref = ?", stale)

    async def parked_until(self, request: str) -> int | None:
        """When a parked kind of request may run again, or None if it is not parked."""
        rows = await self._archive.fetch_all(
            "SELECT until FROM flood_parks WHERE request = ?", (request,))
        if rows and rows[0][0] > self._archive.stamp():
            return int(rows[0][0])
        return None

    async def park(self, request: str, seconds: int) -> int:
        until = self._archive.stamp() + seconds
        await self._archive.write(
            run, "INSERT OR REPLACE INTO flood_parks (request, until) VALUES (?, ?)",
            (request, until))
        return until

    async def live_posts(self, channel_id: int, low: int, high: int) -> dict[int, set[int]]:
        """Stored, undeleted posts between ``low`` and ``high``: post id -> its message ids.

        An album post owns several messages; it has vanished only when all of them have.
        """
        rows = await self._archive.fetch_all(
            """SELECT p.msg_id, a.msg_id FROM posts p
               LEFT JOIN post_aliases a ON a.pid = p.pid
               WHERE p.channel_id = ? AND p.msg_id BETWEEN ? AND ? AND p.deleted_at IS NULL""",
            (channel_id, low, high))
        posts: dict[int, set[int]] = {}
        for msg_id, part in rows:
            kept = posts.setdefault(int(msg_id), {int(msg_id)})
            kept.update([] if part is None else [int(part)])
        return posts

    async def oldest_msg_id(self, channel_id: int) -> int | None:
        """The lowest message id stored for a channel, or None if it has no posts."""
        rows = await self._archive.fetch_all(
            "SELECT min(msg_id) FROM posts WHERE channel_id = ?", (channel_id,))
        return None if rows[0][0] is None else int(rows[0][0])


def _mark_channel(conn: sqlite3.Connection, channel_id: int, ok: bool, detail: str | None,
                  backoff_base: int, backoff_cap: int, stamp: Stamp) -> int | None:
    if ok:
        conn.execute(
            "UPDATE channels SET status = 'ok', status_detail = NULL, failures = 0,"
            " retry_at = NULL WHERE id = ?", (channel_id,))
        return None
    row = conn.execute("SELECT failures FROM channels WHERE id = ?", (channel_id,)).fetchone()
    failures = int(row[0] if row else 0) + 1
    retry_at: int = stamp() + min(backoff_base * 2 ** (failures - 1), backoff_cap)
    conn.execute(
        "UPDATE channels SET status = 'unavailable', status_detail = ?, failures = ?,"
        " retry_at = ? WHERE id = ?", (detail, failures, retry_at, channel_id))
    return retry_at
