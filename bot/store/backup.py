"""Copy the archive while tgmon writes to it, and put a copy back when nothing uses it.

``backup`` runs SQLite's online backup API in one step: that reads one consistent snapshot,
and in WAL mode a reader never blocks the writer, so `tgmon run` goes on meanwhile. (Copying
in small steps would restart from scratch after every write of the live archive, and under
a steady load never finish.) The copy is checked with ``PRAGMA integrity_check`` before it
takes the target's name, so a half-written or damaged copy never looks like a backup.

``restore`` takes the archive's exclusive lock first: while `tgmon run`, a search or any
other process has the archive open, the lock is refused and nothing is touched. The archive
it replaces is kept under another name.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

from bot.errors import StoreError, UsageError
from bot.store.connections import read_only_uri


def backup(archive: Path, target: Path) -> int:
    """Copy ``archive`` to ``target`` (which must not exist); return the copy's size."""
    if not archive.is_file():
        raise UsageError(f"{archive}: no archive there to back up")
    if target.exists():
        raise UsageError(f"{target}: already exists; choose a new name (a backup never "
                         "overwrites)")
    if not target.parent.is_dir():
        raise UsageError(f"{target.parent}: no such folder")
    partial = target.with_name(target.name + ".partial")
    try:
        with contextlib.closing(_open_read_only(archive)) as source, \
                contextlib.closing(sqlite3.connect(partial)) as copy:
            source.backup(copy)
            _check(copy, partial)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        os.replace(partial, target)
    except sqlite3.Error as exc:
        raise StoreError(f"backing up {archive} to {target} failed: {exc}") from None
    except OSError as exc:
        raise StoreError(f"cannot write {target}: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    return target.stat().st_size


def restore(copy: Path, archive: Path, *, stamp: str) -> Path | None:
    """Put the backup ``copy`` in ``archive``'s place; refuse while anything has it open.

    The archive it replaces is renamed, not overwritten (``archive.replaced-STAMP``, which
    is returned): a restore of the wrong backup, or over newer posts, loses nothing. A
    damaged archive (what the corrupt-archive message says to restore over) is set aside
    the same way; it cannot be locked, and no tgmon could be using it.
    """
    if not copy.is_file():
        raise UsageError(f"{copy}: no such backup")
    try:
        with contextlib.closing(_open_read_only(copy)) as source:
            _check(source, copy)
            aside = _set_aside(archive, stamp)
            try:
                with contextlib.closing(sqlite3.connect(archive, timeout=0)) as target:
                    _lock(target, archive)
                    source.backup(target)
            except (sqlite3.Error, OSError) as exc:
                # A copy that failed half-way (a disk full now that the replaced archive is
                # kept beside it) would leave an empty or partial archive in its place,
                # which the next `tgmon run` would fill from scratch: put the old one back.
                if aside is None:
                    raise
                _put_back(aside, archive)
                raise StoreError(f"restoring {archive} from {copy} failed: {_reason(exc)}; "
                                 "the archive is left as it was") from None
    except (sqlite3.Error, OSError) as exc:
        raise StoreError(f"restoring {archive} from {copy} failed: {_reason(exc)}") from None
    return aside


def _reason(exc: sqlite3.Error | OSError) -> str:
    return str(exc.strerror or exc) if isinstance(exc, OSError) else str(exc)


def _set_aside(archive: Path, stamp: str) -> Path | None:
    """Rename the archive (checkpointed first, so its -wal is in it) out of the way."""
    if not archive.is_file() or archive.stat().st_size == 0:
        return None
    try:
        with contextlib.closing(sqlite3.connect(archive, timeout=0)) as conn:
            _lock(conn, archive)
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.DatabaseError:  # in use is a StoreError from _lock, and propagates
        pass  # damaged: nothing to fold in, nobody using it; kept as it is
    aside = archive.with_name(f"{archive.name}.replaced-{stamp}")
    if aside.exists():
        raise UsageError(f"{aside}: already exists; a restore never overwrites")
    os.rename(archive, aside)
    for suffix in ("-wal", "-shm", "-journal"):  # belonged to the file set aside
        side = archive.with_name(archive.name + suffix)
        if side.exists():
            os.rename(side, aside.with_name(aside.name + suffix))
    return aside


def _put_back(aside: Path, archive: Path) -> None:
    """Undo ``_set_aside`` after a failed copy: the copy's files go, the archive returns."""
    for suffix in ("-wal", "-shm", "-journal"):
        archive.with_name(archive.name + suffix).unlink(missing_ok=True)
        side = aside.with_name(aside.name + suffix)
        if side.exists():
            os.rename(side, archive.with_name(archive.name + suffix))
    os.replace(aside, archive)


def _open_read_only(path: Path) -> sqlite3.Connection:
    # As the archive's readers open it: a snapshot on a read-only mount, where no -shm can
    # be made, is backed up too (mode=ro alone said "attempt to write a readonly database").
    return sqlite3.connect(read_only_uri(path), uri=True, timeout=30)


def _check(conn: sqlite3.Connection, path: Path) -> None:
    problems = [str(r[0]) for r in conn.execute("PRAGMA integrity_check").fetchall()]
    if problems != ["ok"]:
        raise StoreError(f"{path} fails SQLite's integrity check: {problems[0]}")


def _lock(conn: sqlite3.Connection, archive: Path) -> None:
    """Hold ``archive`` exclusively until ``conn`` closes, or say who may be using it."""
    conn.execute("PRAGMA locking_mode=EXCLUSIVE")
    try:
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchall()
        conn.execute("COMMIT")
    except sqlite3.OperationalError:
        raise StoreError(
            f"{archive} is in use (tgmon run, or another tgmon command, has it open); stop "
            "it first: a restore never replaces an archive that is being written") from None
