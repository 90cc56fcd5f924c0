"""What a session file on disk holds, read without Telethon and without changing the file.

A failed ``tgmon run`` or an interrupted login can leave an empty file or one without an
authorisation key: that is not a login, and ``tgmon check`` must not call it one.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from enum import Enum
from pathlib import Path


class SessionState(Enum):
    MISSING = "missing"
    NO_LOGIN = "no login"
    UNREADABLE = "unreadable"
    LOGGED_IN = "logged in"


def session_state(path: Path) -> SessionState:
    """Tell a missing file, a file with no login in it, and one holding an auth key apart."""
    if not path.is_file():
        return SessionState.MISSING
    if path.stat().st_size == 0:
        return SessionState.NO_LOGIN
    try:
        # Read-only: never create or migrate the file that a running tgmon may be using.
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            rows = db.execute("SELECT auth_key FROM sessions").fetchall()
    except sqlite3.DatabaseError:
        return SessionState.UNREADABLE
    return SessionState.LOGGED_IN if any(key for (key,) in rows) else SessionState.NO_LOGIN
