"""sqlite3 errors become tgmon errors that say what happened and what to do (httpx's
``map_exceptions`` is the model): the rest of the code never catches sqlite3."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.errors import (
    ArchiveBusy,
    ArchiveCorrupt,
    ArchiveFull,
    QueryTimeout,
    ReadOnlyArchive,
    StoreError,
)

__all__ = ["QueryTimeout", "ReadOnlyArchive", "translate"]


def translate(exc: sqlite3.Error, path: Path) -> StoreError:
    """Return the tgmon error for a sqlite3 error raised on the archive at ``path``."""
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(exc)
    if primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or "locked" in text:
        return ArchiveBusy(
            f"{path}: the archive is busy: another process is writing to it (a running "
            "`tgmon run`, an import or a reanalyze; see `fuser` or `lsof` on the file). "
            "Nothing was lost; wait for it or stop it, then re-run")
    if primary == sqlite3.SQLITE_FULL or "disk is full" in text:
        return ArchiveFull(
            f"{path}: the disk is full. Nothing was lost (the unfinished write was rolled "
            "back); free some space and re-run")
    if primary == sqlite3.SQLITE_READONLY or "readonly" in text or "read-only" in text:
        return ReadOnlyArchive(
            f"{path}: the archive cannot be written (a read-only file, folder or mount). "
            "Searches, stats and exports still work; to write, use a writable copy")
    if primary in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB) or "malformed" in text \
            or "not a database" in text:
        return ArchiveCorrupt(
            f"{path}: not a usable tgmon archive ({text}). If it was one, it is damaged: "
            "restore your latest backup (`tgmon backup` makes one), or try "
            "`sqlite3 FILE .recover` on a copy")
    if primary == sqlite3.SQLITE_INTERRUPT or "interrupted" in text:
        return QueryTimeout("the query was stopped before it finished; narrow it and retry")
    if primary == sqlite3.SQLITE_CANTOPEN or "unable to open" in text:
        return StoreError(
            f"{path}: cannot open the archive ({text}); check that the folder exists and "
            "that --db names a file, not a folder")
    return StoreError(f"{path}: archive error: {text}")
