"""The baseline the throughput benchmarks compare against: a bare executemany of the same rows.

Rows are prepared (content hash and folded FTS text computed) before the clock starts, so the
baseline is SQLite's own work: posts and their FTS rows, 1,000 per transaction, into a fresh
archive with tgmon's schema and pragmas (WAL, synchronous=FULL).
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from bot.analysis.fingerprint import content_hash, search_text
from bot.store import Archive

#: (pid, channel_id, msg_id, date, text, content_hash, fts_text)
BareRow = tuple[int, int, int, int, str, str, str]


def prepare_rows(posts: Iterable[tuple[int, int, int, str]]) -> list[BareRow]:
    """Turn (channel_id, msg_id, date, text) into rows ready for the bare insert."""
    return [
        ((date << 20) | (k & 0xFFFFF), channel_id, msg_id, date, text, content_hash(text),
         search_text(text))
        for k, (channel_id, msg_id, date, text) in enumerate(posts)
    ]


async def _create_schema(db: Path) -> None:
    async with Archive.open(db):
        pass


def time_bare_insert(db: Path, rows: Sequence[BareRow], *, chunk: int = 1000) -> float:
    """Create a fresh archive at ``db``, insert ``rows``; return the seconds the inserts took."""
    asyncio.run(_create_schema(db))
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.executemany(
            "INSERT INTO channels (id, title, updated_at) VALUES (?, 'bench', 0)",
            [(c,) for c in sorted({row[1] for row in rows})],
        )
        started = time.perf_counter()
        for start in range(0, len(rows), chunk):
            part = rows[start : start + chunk]
            conn.execute("BEGIN")
            conn.executemany(
                "INSERT INTO posts (pid, channel_id, msg_id, date, text, content_hash,"
                " first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, 0, 0)",
                [r[:6] for r in part],
            )
            conn.executemany(
                "INSERT INTO posts_fts (rowid, body) VALUES (?, ?)", [(r[0], r[6]) for r in part]
            )
            conn.execute("COMMIT")
        return time.perf_counter() - started
    finally:
        conn.close()
