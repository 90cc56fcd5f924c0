"""Bounded growth: sent parts and old windows are pruned; pending parts and the schedule's
place are kept; the sender's poll costs O(pending) with a million sent parts."""

from __future__ import annotations

import json
import sqlite3

from bot.clock import from_unix
from bot.delivery.sender import MAX_UNMARKED
from bot.store import Archive, outbox, retention
from bot.store.delivery_values import SentPart, Window
from tests.delivery.helpers import store_at
from tests.store.conftest import analysed, make_post

DAY = 86400
NOW = 1_800_000_000


async def _window(archive: Archive, chat: int, end: int, parts: int = 2) -> list[int]:
    return await archive.outbox.create_windows(
        [(Window(chat, "daily", end - DAY, end), [f"part {n}" for n in range(parts)])],
        now=end)


async def _send_all(archive: Archive, *, now: int) -> None:
    while due := await archive.outbox.due_messages(now=now):
        for message in due:
            await archive.outbox.mark_sent([SentPart(message.id, 1, now)])


async def test_old_sent_parts_go_and_pending_parts_and_the_latest_window_stay(
        archive: Archive) -> None:
    for day in range(60, 0, -1):  # sixty daily digests, all sent
        await _window(archive, 1, NOW - day * DAY)
        await _send_all(archive, now=NOW - day * DAY)
    stuck = await _window(archive, 2, NOW - 50 * DAY)  # an old part never confirmed
    report = await retention.prune(archive, keep_days=30, now=NOW)
    assert report.outbox_parts == 2 * 30  # days 60..31 (two parts each)
    counts = await archive.outbox.status_counts()
    assert counts == {"sent": 2 * 30, "pending": 2}
    # The chat's schedule still continues from its latest window: nothing is re-created.
    assert await archive.outbox.last_window_end(1, "daily") == NOW - DAY
    assert await _window(archive, 1, NOW - DAY) == []
    # The unconfirmed part of the old window keeps that window and goes out once.
    due = await archive.outbox.due_messages(now=NOW)
    assert {m.chat_id for m in due} == {2}
    rows = await archive.fetch_all("SELECT count(*) FROM digests WHERE id = ?", stuck)
    assert rows[0][0] == 1


def _fill(conn: sqlite3.Connection, n: int) -> None:
    conn.execute(
        """WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ?)
           INSERT INTO outbox (chat_id, part, parts, random_id, body, status, created_at,
                               sent_at) SELECT i % 50 + 1, 1, 1, i, 'sent part', 'sent', i, i
           FROM k""", (n,))
    conn.executemany(
        "INSERT INTO outbox (chat_id, part, parts, random_id, body, created_at) "
        "VALUES (?, 1, 1, ?, 'pending', 0)", [(c, -c) for c in (3, 4, 5)])


def _cost(conn: sqlite3.Connection) -> int:
    """SQLite virtual-machine steps the sender's poll takes: a deterministic cost."""
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0

    conn.set_progress_handler(count, 100)
    try:
        # With as many parts skipped as the sender may have sent and not yet marked.
        skipped = json.dumps(list(range(1, MAX_UNMARKED + 1)))
        due = conn.execute(outbox.DUE_SQL, (skipped, NOW, 500)).fetchall()
        conn.execute(outbox.NEXT_SQL).fetchall()
    finally:
        conn.set_progress_handler(None, 0)
    assert [row[1] for row in due] == [3, 4, 5]
    return steps * 100


async def test_the_senders_poll_reads_pending_parts_only_among_a_million_sent(
        archive: Archive) -> None:
    await archive.write(_fill, 1_000_000)
    cost = await archive.read(_cost)
    # A scan of the table would take tens of millions of steps; three pending parts, a few
    # hundred. The bound leaves room for SQLite versions, not for a scan.
    assert cost < 5_000, cost


async def test_arrival_numbers_are_pruned_even_with_no_subscriber(
        archive: Archive) -> None:
    # A collector without a bot: no window ever holds arrival numbers back.
    await store_at(archive, from_unix(NOW - 40 * DAY), [analysed(make_post(1))])
    await store_at(archive, from_unix(NOW), [analysed(make_post(2))])
    report = await retention.prune(archive, keep_days=30, now=NOW)
    assert report.arrivals == 1
    rows = await archive.fetch_all("SELECT count(*) FROM arrivals")
    assert rows[0][0] == 1


async def test_index_maintenance_merges_in_steps_until_there_is_nothing_left(
        archive: Archive) -> None:
    for n in range(1, 60):  # one segment per transaction: plenty to merge
        await archive.store_posts([analysed(make_post(n, f"пост номер {n} о выборах"))])
    assert await retention.maintain(archive) > 0
    assert await retention.maintain(archive) == 0  # merged: nothing more to do
    rows = await archive.fetch_all(
        "SELECT count(*) FROM posts_fts WHERE posts_fts MATCH 'выборах'")
    assert rows[0][0] == 59
