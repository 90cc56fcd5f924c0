"""Which chats follow which keyword groups, and how to reach them."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

from bot.store.delivery_values import Subscription

if TYPE_CHECKING:
    from bot.store.archive import Archive


ALL_GROUPS = "*"


def _subscribe(conn: sqlite3.Connection, chat_id: int, groups: Sequence[str],
               access_hash: int | None, now: int) -> tuple[str, ...]:
    rows = _rows(conn, chat_id)
    known = conn.execute(
        "SELECT max(access_hash) FROM subscribers WHERE chat_id = ?", (chat_id,)).fetchall()
    peer_hash = access_hash if access_hash is not None else next(iter(known))[0]
    wanted: Sequence[str] = groups
    if any(grp == ALL_GROUPS for grp, _ in rows):
        wanted = ()  # every group already includes the named ones
    elif not groups:
        conn.execute("DELETE FROM subscribers WHERE chat_id = ?", (chat_id,))
        wanted = (ALL_GROUPS,)
    conn.executemany(
        """INSERT INTO subscribers (chat_id, grp, access_hash, created_at)
           VALUES (?, ?, ?, ?) ON CONFLICT (chat_id, grp) DO NOTHING""",
        [(chat_id, grp, peer_hash, now) for grp in wanted],
    )
    conn.execute(
        """UPDATE subscribers SET enabled = 1, disabled_reason = NULL, access_hash = ?
           WHERE chat_id = ?""",
        (peer_hash, chat_id),
    )
    after = _rows(conn, chat_id)
    return _groups_of([grp for grp, _ in after])


def _unsubscribe(conn: sqlite3.Connection, chat_id: int, groups: Sequence[str],
                 known_groups: Collection[str]) -> tuple[str, ...] | None:
    rows = _rows(conn, chat_id)
    if not groups:
        conn.execute("DELETE FROM subscribers WHERE chat_id = ?", (chat_id,))
        return None
    current = [grp for grp, _ in rows]
    if ALL_GROUPS in current:
        # "Every group but these": spell out the rest so that the choice is kept.
        template = conn.execute(
            "SELECT access_hash, created_at FROM subscribers WHERE chat_id = ? AND grp = ?",
            (chat_id, ALL_GROUPS),
        ).fetchall()
        access_hash, created_at = next(iter(template))
        conn.execute("DELETE FROM subscribers WHERE chat_id = ?", (chat_id,))
        conn.executemany(
            """INSERT INTO subscribers (chat_id, grp, access_hash, created_at)
               VALUES (?, ?, ?, ?)""",
            [(chat_id, g, access_hash, created_at)
             for g in sorted(known_groups) if g not in groups],
        )
    else:
        conn.executemany(
            "DELETE FROM subscribers WHERE chat_id = ? AND grp = ?",
            [(chat_id, g) for g in groups],
        )
    after = _rows(conn, chat_id)
    return _groups_of([grp for grp, _ in after]) if after else None


def _rows(conn: sqlite3.Connection, chat_id: int) -> list[tuple[str, int]]:
    rows = conn.execute(
        "SELECT grp, enabled FROM subscribers WHERE chat_id = ? ORDER BY grp", (chat_id,)
    ).fetchall()
    return [(str(r[0]), int(r[1])) for r in rows]


def _groups_of(names: Sequence[str]) -> tuple[str, ...]:
    return () if ALL_GROUPS in names else tuple(sorted(names))


class SqliteSubscribers:
    """Which chats follow which keyword groups: the Subscribers port's SQLite side."""

    def __init__(self, archive: Archive) -> None:
        self._archive = archive

    async def subscribe(
        self, chat_id: int, groups: Sequence[str], *, access_hash: int | None, now: int
    ) -> tuple[str, ...]:
        """Follow ``groups`` (none: every group); return what the chat follows now (() = all).

        Subscribing again re-enables a chat that was disabled: a user who writes to the bot
        has unblocked it.
        """
        return await self._archive.write(_subscribe, chat_id, groups, access_hash, now)

    async def unsubscribe(
        self, chat_id: int, groups: Sequence[str], *, known_groups: Collection[str]
    ) -> tuple[str, ...] | None:
        """Stop following ``groups`` (none: all); return what is left, or None when nothing is."""
        return await self._archive.write(_unsubscribe, chat_id, groups, known_groups)

    async def subscription(self, chat_id: int) -> Subscription | None:
        """Return a chat's enabled subscription, or None."""
        found = await self._subscriptions("AND chat_id = ?", (chat_id,))
        return found[0] if found else None

    async def active_subscriptions(self) -> list[Subscription]:
        """Return every enabled subscription, by chat id."""
        return await self._subscriptions("", ())

    async def access_hash(self, chat_id: int) -> int | None:
        """Return the stored access hash of a subscribed chat (enabled or not), if any."""
        rows = await self._archive.fetch_all(
            "SELECT max(access_hash) FROM subscribers WHERE chat_id = ?", (chat_id,)
        )
        value = rows[0][0] if rows else None
        return None if value is None else int(value)

    async def disabled_reason(self, chat_id: int) -> str | None:
        """Say why a chat's subscription was disabled, or None when it is not."""
        rows = await self._archive.fetch_all(
            "SELECT disabled_reason FROM subscribers WHERE chat_id = ? AND enabled = 0 LIMIT 1",
            (chat_id,),
        )
        return str(rows[0][0]) if rows else None

    async def _subscriptions(
        self, where: str, params: tuple[int, ...]
    ) -> list[Subscription]:
        rows = await self._archive.fetch_all(
            f"""SELECT chat_id, group_concat(grp, char(31)), max(access_hash), min(created_at)
                FROM subscribers WHERE enabled = 1 {where} GROUP BY chat_id ORDER BY chat_id""",
            params,
        )
        return [
            Subscription(int(r[0]), _groups_of(r[1].split("\x1f")), r[2], int(r[3])) for r in rows
        ]
