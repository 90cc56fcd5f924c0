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
import glob
import os
import sqlite3
from pathlib import Path

from bot.errors import StoreError, UsageError
from bot.store.connections import read_only_uri
from bot.store.schema import MIGRATIONS


def backup(archive: Path, target: Path) -> int:
    """Copy ``archive`` to ``target`` (which must not exist); return the copy's size."""
    if not archive.is_file():
        raise UsageError(f"{archive}: no archive there to back up")
    if target.exists():
        raise UsageError(f"{target}: already exists; choose a new name (a backup never "
                         "overwrites)")
    if not target.parent.is_dir():
        raise UsageError(f"{target.parent}: no such folder")
    whole = archive.resolve()
    for suffix in ("-wal", "-shm", "-journal"):
        if target.resolve() == whole.with_name(whole.name + suffix):
            # Where SQLite looks for the archive's journal: the backup would be read as one.
            raise UsageError(f"{target}: the name of the archive's own {suffix} file; "
                             "choose another name")
    partial = target.with_name(target.name + ".partial")
    try:
        with contextlib.closing(_open_read_only(archive)) as source, \
                contextlib.closing(sqlite3.connect(partial)) as copy:
            source.backup(copy)
            _check(copy, partial)
            copy.execute("PRAGMA journal_mode=MEMORY")  # one self-contained file
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

    The archive stays locked from the check that nothing uses it until the copy, written
    whole under another name first, has taken its name: a `tgmon run` starting meanwhile
    waits, and then opens the copy (Archive.open notices that the file it waited on was
    renamed), never the archive being replaced or a half-written copy.
    """
    if not copy.is_file():
        raise UsageError(f"{copy}: no such backup")
    if archive.exists() and copy.samefile(archive):
        raise UsageError(f"{copy} is the archive itself; name a file `tgmon backup` wrote")
    if not archive.parent.is_dir():
        raise UsageError(f"{archive.parent}: no such folder (the archive's, from --db or "
                         "storage.path)")
    aside = archive.with_name(f"{archive.name}.replaced-{stamp}")
    if aside.exists():
        raise UsageError(f"{aside}: already exists; a restore never overwrites")
    incoming = archive.with_name(f"{archive.name}.restoring-{stamp}")
    try:
        with contextlib.closing(_open_read_only(copy)) as source, \
                contextlib.ExitStack() as held:
            _check_backup(source, copy)
            locked = _hold(archive, held)
            remove_leftover_copies(archive)
            try:
                target = held.enter_context(contextlib.closing(
                    sqlite3.connect(incoming, timeout=0)))
                _lock(target, incoming)
                source.backup(target)
                # Out of WAL mode, a connection closing after the renames has no -wal to
                # checkpoint and unlink by the name it was opened with (and a rollback
                # journal in memory: a locked one on disk is kept, empty, by that name).
                target.execute("PRAGMA journal_mode=MEMORY")
            except (sqlite3.Error, OSError) as exc:  # a disk full, the old archive kept
                raise StoreError(f"restoring {archive} from {copy} failed: {_reason(exc)}; "
                                 "the archive is left as it was") from None
            moved = _set_aside(archive, aside, locked=locked)
            try:
                os.replace(incoming, archive)  # atomic: the path always names an archive
            except OSError:
                if moved:  # the old archive goes back: never no archive at the path
                    _put_back(aside, archive)
                raise
    except (sqlite3.Error, OSError) as exc:
        raise StoreError(f"restoring {archive} from {copy} failed: {_reason(exc)}") from None
    finally:
        for suffix in ("", *_SIDE_FILES):  # what a failed copy left
            incoming.with_name(incoming.name + suffix).unlink(missing_ok=True)
    return aside if moved else None


def leftover_copies(archive: Path) -> list[Path]:
    """What interrupted restores left beside ``archive``: half-written copies, second names.

    A restore killed (kill -9, a power cut) before its copy took the archive's name leaves
    ``ARCHIVE.restoring-STAMP`` behind, and, if it was killed after :func:`_set_aside`, an
    ``ARCHIVE.replaced-STAMP`` that is a second name (hard link) of the archive itself. The
    archive is untouched either way, but the copy, as big as the backup, would stay there
    unseen, and the second name would follow every later write: opened on its own, under
    a name whose journal SQLite doesn't know, it could corrupt the archive. One copy that a
    running restore holds is not left over.
    """
    def named(pattern: str) -> list[Path]:
        return [path for path in sorted(archive.parent.glob(f"{glob.escape(archive.name)}"
                                                            f".{pattern}-*"))
                if not path.name.endswith(_SIDE_FILES)]

    copies = [path for path in named("restoring") if not _in_use(path)]
    links = [path for path in named("replaced")
             if archive.is_file() and path.samefile(archive)]
    return copies + links


def remove_leftover_copies(archive: Path) -> list[Path]:
    """Delete what :func:`leftover_copies` finds (and their journals); return what went."""
    gone = leftover_copies(archive)
    for path in gone:
        # A second name has no journals of its own: any beside it are the damaged archive's.
        copy = ".restoring-" in path.name
        for suffix in ("", *(_SIDE_FILES if copy else ())):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
    return gone


_SIDE_FILES = ("-journal", "-wal", "-shm")


def _in_use(path: Path) -> bool:
    """Whether another restore holds ``path`` (its copy in progress) right now."""
    try:
        with contextlib.closing(sqlite3.connect(path, timeout=0)) as conn:
            _lock(conn, path)
    except StoreError:
        return True
    except sqlite3.DatabaseError:
        return False  # cut off mid-copy: not a database yet, and nobody holds it
    return False


def _put_back(aside: Path, archive: Path) -> None:
    """Undo :func:`_set_aside`: the archive, and what belonged to it, take their names again."""
    if archive.exists():  # a second name: the archive never left its own
        aside.unlink()
    else:
        os.rename(aside, archive)
    for suffix in _SIDE_FILES:
        side = aside.with_name(aside.name + suffix)
        if side.exists():
            os.rename(side, archive.with_name(archive.name + suffix))


def _reason(exc: sqlite3.Error | OSError) -> str:
    return str(exc.strerror or exc) if isinstance(exc, OSError) else str(exc)


def _hold(archive: Path, held: contextlib.ExitStack) -> bool:
    """Lock the archive until ``held`` closes, its -wal folded in; False if it can't be.

    Nothing to lock is no archive, an empty file or a damaged one (nobody can be using
    it). The archive is left out of WAL mode, for the same reason as the copy; tgmon
    switches it back to WAL when it next opens it.
    """
    if not archive.is_file() or archive.stat().st_size == 0:
        return False
    conn = held.enter_context(contextlib.closing(sqlite3.connect(archive, timeout=0)))
    try:
        _lock(conn, archive)  # in use is a StoreError, and propagates
        conn.execute("PRAGMA journal_mode=MEMORY")
    except sqlite3.DatabaseError:
        return False
    return True


def _set_aside(archive: Path, aside: Path, *, locked: bool) -> bool:
    """Give the archive its set-aside name, moving what belongs to it; False if there is none.

    The archive gets the new name as a second one (a hard link), and keeps its own until the
    copy takes it with one atomic rename: a restore killed in between leaves the archive at
    its path, never no archive (the next restore removes the second name). Where the
    filesystem has no hard links, it is renamed: a kill in that moment leaves it at ``aside``.
    """
    if not archive.exists():
        return False
    for suffix in ("-wal", "-shm", "-journal"):
        side = archive.with_name(archive.name + suffix)
        if locked and suffix == "-shm":
            # A read-only reader, the last to close the archive, leaves its -shm (it may
            # not delete it). Under the lock nothing uses it, and the -wal is folded in.
            side.unlink(missing_ok=True)
        elif side.exists():  # a damaged archive's, kept as they were
            os.rename(side, aside.with_name(aside.name + suffix))
    try:
        os.link(archive, aside)
    except OSError:  # no hard links here (some network and FAT filesystems)
        os.rename(archive, aside)
    return True


def _open_read_only(path: Path) -> sqlite3.Connection:
    # As the archive's readers open it: a snapshot on a read-only mount, where no -shm can
    # be made, is backed up too (mode=ro alone said "attempt to write a readonly database").
    return sqlite3.connect(read_only_uri(path), uri=True, timeout=30)


def _check(conn: sqlite3.Connection, path: Path) -> None:
    problems = [str(r[0]) for r in conn.execute("PRAGMA integrity_check").fetchall()]
    if problems != ["ok"]:
        raise StoreError(f"{path} fails SQLite's integrity check: {problems[0]}")


def _check_backup(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse to restore what is not a whole tgmon archive this tgmon can open.

    Another program's database, an empty one or one from a newer tgmon would take the
    archive's place, and `tgmon run` would then refuse it, or start an archive from scratch
    in it and announce a channel's whole history as news.
    """
    if path.stat().st_size == 0:
        raise UsageError(f"{path}: an empty file, not a backup `tgmon backup` wrote")
    try:
        _check(conn, path)
        version, tables = conn.execute(
            "SELECT (SELECT user_version FROM pragma_user_version), (SELECT count(*) FROM "
            "sqlite_master WHERE type = 'table' AND name IN ('posts', 'channels'))").fetchone()
    except sqlite3.DatabaseError as exc:
        with path.open("rb") as head:
            if head.read(16) == b"SQLite format 3\x00":  # a backup, damaged: a failure
                raise StoreError(f"{path} is damaged ({exc}); restore another backup") from None
        raise UsageError(f"{path}: not an SQLite database, so not a backup `tgmon backup` "
                         "wrote") from None
    if version > len(MIGRATIONS):
        raise UsageError(f"{path}: a backup of a newer tgmon (archive schema {version}, this "
                         f"tgmon knows {len(MIGRATIONS)}); upgrade tgmon to restore it")
    if version < 1 or tables < 2:
        raise UsageError(f"{path}: an SQLite database but not a tgmon archive (no schema "
                         "version or no posts table), so not a backup `tgmon backup` wrote")


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
