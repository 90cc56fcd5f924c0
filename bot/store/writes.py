"""Small shared bodies for ``Archive.write``."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any


def run(conn: sqlite3.Connection, sql: str, params: Sequence[Any] = ()) -> int:
    """Run one statement; return the rows it changed."""
    return int(conn.execute(sql, params).rowcount)


def run_many(conn: sqlite3.Connection, sql: str, rows: Sequence[Sequence[Any]]) -> int:
    """Run one statement per row; return the rows changed."""
    return int(conn.executemany(sql, rows).rowcount)
