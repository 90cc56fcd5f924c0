"""Bounded growth: what a year of delivery leaves behind is pruned after a retention period.

Pruned: outbox parts that were sent or failed (their bodies are most of the outbox), digest
and alert windows older than the period except each chat's latest (the schedule continues
from it), and arrival numbers older than the period that every live window has passed.
Kept whatever its age: every pending part and its window, so exactly-once still holds for
everything not yet confirmed, and every post, version and search row (the archive itself).
Each step deletes a bounded chunk per transaction, so the collector's writes wait
milliseconds, never the whole pass.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass

from bot.clock import Clock, unix
from bot.store.archive import Archive

log = logging.getLogger(__name__)
_CHUNK = 5000
_PRUNE_EVERY = 3600.0
_MAINTAIN_EVERY = 24 * 3600.0
_MERGE_PAGES = 200
_DAY = 86400
#: A window older than this no longer holds back the pruning of arrival numbers (a chat
#: that left long ago must not keep them forever).
_LIVE_WINDOW_DAYS = 90


@dataclass(frozen=True, slots=True)
class RetentionReport:
    outbox_parts: int = 0
    windows: int = 0
    arrivals: int = 0


def _prune_parts(conn: sqlite3.Connection, cutoff: int) -> int:
    return int(conn.execute(
        """DELETE FROM outbox WHERE id IN (SELECT id FROM outbox
             WHERE status != 'pending' AND created_at < ? LIMIT ?)""",
        (cutoff, _CHUNK)).rowcount)


def _prune_windows(conn: sqlite3.Connection, cutoff: int) -> int:
    return int(conn.execute(
        """DELETE FROM digests WHERE id IN (SELECT d.id FROM digests d
             WHERE d.created_at < ? AND d.chat_id != 0
               AND EXISTS (SELECT 1 FROM digests n WHERE n.chat_id = d.chat_id
                           AND n.name = d.name AND n.window_end > d.window_end)
               AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.digest_id = d.id)
             LIMIT ?)""",
        (cutoff, _CHUNK)).rowcount)


def _prune_arrivals(conn: sqlite3.Connection, cutoff: int, now: int) -> int:
    live = conn.execute(
        """SELECT min(seq_end) FROM (SELECT max(window_end), seq_end FROM digests
             WHERE created_at >= ? OR chat_id = 0 GROUP BY chat_id, name)""",
        (now - _LIVE_WINDOW_DAYS * _DAY,)).fetchone()[0]
    if live is None:  # no window waits on any number (no subscriber, no alerts yet)
        live = 1 << 62
    return int(conn.execute(
        """DELETE FROM arrivals WHERE seq IN (SELECT seq FROM arrivals
             WHERE seq <= ? AND at < ? ORDER BY seq LIMIT ?)""",
        (live, cutoff, _CHUNK)).rowcount)


async def prune(archive: Archive, *, keep_days: int, now: int) -> RetentionReport:
    """Run one retention pass; return how many rows of each kind went."""
    cutoff = now - keep_days * _DAY
    totals = {"parts": 0, "windows": 0, "arrivals": 0}
    steps = (("parts", _prune_parts, (cutoff,)), ("windows", _prune_windows, (cutoff,)),
             ("arrivals", _prune_arrivals, (cutoff, now)))
    for key, step, args in steps:
        while True:
            done = await archive.write(step, *args)
            totals[key] += done
            if done < _CHUNK:
                break
    return RetentionReport(totals["parts"], totals["windows"], totals["arrivals"])


def _merge_step(conn: sqlite3.Connection) -> bool:
    # FTS5's incremental merge: at most _MERGE_PAGES pages of work per transaction.
    # The command itself counts one change; more than one means it merged something.
    before = conn.total_changes
    conn.execute("INSERT INTO posts_fts(posts_fts, rank) VALUES ('merge', ?)", (_MERGE_PAGES,))
    return conn.total_changes - before > 1


def _refresh_statistics(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA optimize")


async def maintain(archive: Archive, *, max_steps: int = 20_000) -> int:
    """Merge the search index's segments in small steps and refresh the planner's statistics.

    A one-shot FTS5 ``optimize`` took 30.6 s on a 1M-post archive, holding every live write
    for that long; merging a few hundred pages per transaction keeps each wait short.
    ``PRAGMA optimize`` runs ANALYZE only where the statistics are stale. Returns the steps.
    """
    steps = 0
    while steps < max_steps and await archive.write(_merge_step):
        steps += 1
    await archive.write(_refresh_statistics)
    return steps


async def run_upkeep(archive: Archive, *, keep_days: int, clock: Clock) -> None:
    """Prune hourly and maintain the indexes daily, forever (under the service's supervisor)."""
    last_maintained = unix(clock.now())
    while True:
        report = await prune(archive, keep_days=keep_days, now=unix(clock.now()))
        if report.outbox_parts or report.windows or report.arrivals:
            log.info("retention: pruned %d sent parts, %d windows, %d arrival numbers",
                     report.outbox_parts, report.windows, report.arrivals)
        if unix(clock.now()) - last_maintained >= _MAINTAIN_EVERY:
            await maintain(archive)
            last_maintained = unix(clock.now())
        await clock.sleep(_PRUNE_EVERY)
