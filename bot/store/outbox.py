"""The outbox: digests and alert batches written once, with their random_ids, then sent.

A digest (chat, name, window) and every part of it are inserted in one transaction before
the first send, each part with the random_id it will always be sent with. Telegram drops a
repeated random_id, so a resend after a crash cannot show the user a part twice.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

from bot.store.delivery_values import OutboxMessage, SentPart, Window
from bot.store.writes import run as _run

if TYPE_CHECKING:
    from bot.store.archive import Archive

#: chat_id 0 never names a chat: that row holds the alert scan's watermark.
_WATERMARK = (0, "!alerts")


# The sender's poll. Both read the partial index of pending parts only: the cost is
# O(pending), however many sent parts the outbox holds (tests/store/test_retention.py).


DUE_SQL = """SELECT o.id, o.chat_id, o.part, o.parts, o.random_id, o.body, o.attempts
    FROM (SELECT chat_id, min(id) AS id FROM outbox WHERE status = 'pending'
            AND id NOT IN (SELECT value FROM json_each(?))
          GROUP BY chat_id) h
    JOIN outbox o ON o.id = h.id
    WHERE o.not_before <= ?
    ORDER BY o.id LIMIT ?"""


NEXT_SQL = "SELECT min(not_before) FROM outbox WHERE status = 'pending'"


def new_random_id() -> int:
    """Return a random signed 64-bit id, as Telegram expects (never 0)."""
    while True:
        value = secrets.randbits(64) - (1 << 63)
        if value:
            return value


def _create_windows(conn: sqlite3.Connection, windows: Sequence[tuple[Window, Sequence[str]]],
                    now: int, alert_watermark: int | None) -> list[int]:
    created: list[int] = []
    for window, parts in windows:
        cursor = conn.execute(
            """INSERT INTO digests (chat_id, name, window_start, window_end, created_at,
                 seq_end) VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT (chat_id, name, window_end) DO NOTHING""",
            (window.chat_id, window.name, window.start, window.end, now, window.seq_end),
        )
        if cursor.rowcount != 1 or cursor.lastrowid is None:
            continue
        digest_id = int(cursor.lastrowid)
        created.append(digest_id)
        conn.executemany(
            """INSERT INTO outbox (digest_id, chat_id, part, parts, random_id, body,
                 created_at) VALUES (?, ?, ?, ?, ?, ?, ?)""",
            [
                (digest_id, window.chat_id, number, len(parts), new_random_id(), body, now)
                for number, body in enumerate(parts, 1)
            ],
        )
    if alert_watermark is not None:
        # The watermark is an arrival number; its row is keyed by the time it moved.
        conn.execute(
            """INSERT INTO digests (chat_id, name, window_start, window_end, created_at,
                 seq_end) VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT (chat_id, name, window_end)
               DO UPDATE SET seq_end = max(seq_end, excluded.seq_end)""",
            (*_WATERMARK, now, now, now, alert_watermark),
        )
        conn.execute(
            "DELETE FROM digests WHERE chat_id = ? AND name = ? AND seq_end < ?",
            (*_WATERMARK, alert_watermark),
        )
    return created


def _mark_sent(conn: sqlite3.Connection, rows: Sequence[tuple[int, int | None, int]]) -> None:
    conn.executemany("""UPDATE outbox SET status = 'sent', sent_at = ?, sent_msg_id = ?,
        attempts = attempts + 1, error = NULL WHERE id = ?""", rows)


def _unreachable(conn: sqlite3.Connection, chat_id: int, reason: str) -> int:
    cursor = conn.execute(
        "UPDATE outbox SET status = 'failed', error = ? WHERE chat_id = ? AND status = 'pending'",
        (reason, chat_id),
    )
    conn.execute(
        "UPDATE subscribers SET enabled = 0, disabled_reason = ? WHERE chat_id = ?",
        (reason, chat_id),
    )
    return int(cursor.rowcount)


class SqliteOutbox:
    """Digest and alert windows, their parts and delivery: the Outbox port's SQLite side."""

    def __init__(self, archive: Archive) -> None:
        self._archive = archive

    async def create_windows(
        self, windows: Sequence[tuple[Window, Sequence[str]]],
        *,
        now: int,
        alert_watermark: int | None = None,
    ) -> list[int]:
        """Record digests with their parts in one transaction; return ids of those created.

        A window that exists already (same chat, name and end) is left alone, so creating the
        same scheduled digest twice sends it once. ``alert_watermark`` moves the alert scan in
        the same transaction, so a crash can neither lose nor repeat a batch.
        """
        return await self._archive.write(_create_windows, windows, now, alert_watermark)

    async def alert_watermark(self) -> int | None:
        """Return the arrival number up to which posts were scanned for alerts, or None."""
        rows = await self._archive.fetch_all(
            "SELECT max(seq_end) FROM digests WHERE chat_id = ? AND name = ?", _WATERMARK
        )
        return None if rows[0][0] is None else int(rows[0][0])

    async def last_window_ends(self) -> dict[tuple[int, str], int]:
        """Return the end of the latest window per (chat, digest name)."""
        rows = await self._archive.fetch_all(
            "SELECT chat_id, name, max(window_end) FROM digests WHERE chat_id != 0 "
            "GROUP BY chat_id, name"
        )
        return {(int(r[0]), str(r[1])): int(r[2]) for r in rows}

    async def last_seq_ends(self) -> dict[tuple[int, str], int]:
        """Return the arrival number the latest window of each (chat, digest name) reached."""
        # SQLite gives the other columns of the row that holds max(): that window's seq_end.
        rows = await self._archive.fetch_all(
            "SELECT chat_id, name, max(window_end), seq_end FROM digests WHERE chat_id != 0 "
            "GROUP BY chat_id, name"
        )
        return {(int(r[0]), str(r[1])): int(r[3]) for r in rows}

    async def last_window_end(self, chat_id: int, name: str) -> int | None:
        """Return the end of the latest window of one chat's digest, or None."""
        rows = await self._archive.fetch_all(
            "SELECT max(window_end) FROM digests WHERE chat_id = ? AND name = ?", (chat_id, name)
        )
        return None if rows[0][0] is None else int(rows[0][0])

    async def due_messages(self, *, now: int, limit: int = 500,
                           skip: Collection[int] = ()) -> list[OutboxMessage]:
        """Return each chat's next pending part when it may go now, oldest first.

        Parts in ``skip`` (sent, their marks not yet written) count as gone, so a chat's next
        part is due as soon as Telegram accepted the one before it.
        """
        rows = await self._archive.fetch_all(DUE_SQL, (json.dumps(list(skip)), now, limit))
        return [OutboxMessage(*r) for r in rows]

    async def next_not_before(self) -> int | None:
        """Return the earliest time a pending part may be sent, or None when nothing is pending."""
        rows = await self._archive.fetch_all(NEXT_SQL)
        return None if rows[0][0] is None else int(rows[0][0])

    async def mark_sent(self, parts: Sequence[SentPart]) -> None:
        """Record that parts reached Telegram, in one transaction (one commit for many)."""
        await self._archive.write(_mark_sent, [(p.at, p.msg_id, p.id) for p in parts])

    async def postpone(self, message_id: int, *, until: int, error: str) -> None:
        """Count a failed attempt and try the part again at ``until``."""
        await self._archive.write(
            _run, """UPDATE outbox SET not_before = ?, attempts = attempts + 1, error = ?
                     WHERE id = ?""", (until, error, message_id))

    async def postpone_all(self, *, until: int, error: str) -> int:
        """Hold every pending part until ``until`` (a flood wait covers the whole account)."""
        return await self._archive.write(_run, """UPDATE outbox SET not_before = max(not_before, ?),
            error = ? WHERE status = 'pending'""", (until, error))

    async def mark_failed(self, message_id: int, *, error: str) -> None:
        """Give up on one part (a request Telegram will never accept)."""
        await self._archive.write(_run, """UPDATE outbox SET status = 'failed',
            attempts = attempts + 1, error = ? WHERE id = ?""", (error, message_id))

    async def mark_unreachable(self, chat_id: int, *, reason: str) -> int:
        """Drop a chat's pending parts and disable its subscription; return parts dropped.

        Sending again would fail the same way (blocked, deleted, kicked), so there is no retry:
        the chat comes back only when someone there writes /subscribe again.
        """
        return await self._archive.write(_unreachable, chat_id, reason)

    async def status_counts(self) -> dict[str, int]:
        """Count outbox parts by status."""
        rows = await self._archive.fetch_all("SELECT status, count(*) FROM outbox GROUP BY status")
        return {str(r[0]): int(r[1]) for r in rows}
