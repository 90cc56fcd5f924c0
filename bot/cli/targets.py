"""Check the files a command is told to write to or read an archive from, before touching them.

``tgmon export --db a.db --out a.db`` once truncated the archive to 0 bytes, and a later
``stats`` quietly made a new empty one: so an output never lands on a SQLite file, the
archive or its -wal/-shm/-journal, and a read never starts from a folder or an empty file.
"""

from __future__ import annotations

import os
from pathlib import Path

from bot.errors import StoreError, UsageError

_SQLITE_MAGIC = b"SQLite format 3\x00"
_SIDE_FILES = ("", "-wal", "-shm", "-journal")


def check_output(out: Path, *, archive: Path, example: str) -> None:
    """Raise UsageError unless ``out`` can be written without harming anything stored.

    ``example`` is a file name of the kind the command writes, suggested when ``out`` is a
    folder."""
    if out.is_dir():
        raise UsageError(f"--out {out}: a folder; name a file in it, e.g. {out / example}")
    parent = out.parent
    if not parent.is_dir():
        raise UsageError(f"--out {out}: the folder {parent} does not exist; create it first")
    for suffix in _SIDE_FILES:
        side = Path(f"{archive}{suffix}")
        if _same(out, side):
            raise UsageError(
                f"--out {out}: that is the archive{' ' + suffix[1:] + ' file' if suffix else ''}"
                "; writing there would destroy it. Choose another file"
            )
    if out.is_file() and _is_sqlite(out):
        raise UsageError(
            f"--out {out}: an SQLite database (an archive?); tgmon never writes an export "
            "over one. Choose another file"
        )
    if out.is_file() and not os.access(out, os.W_OK):
        raise UsageError(f"--out {out}: the file is read-only")


def check_archive_path(path: Path, *, must_exist: bool) -> None:
    """Raise UsageError for an archive path that is a folder or an empty file, StoreError
    for one this user may not even look at."""
    try:
        _check_archive_path(path, must_exist=must_exist)
    except PermissionError:
        # A folder above it is another user's (a 0700 data folder, a bind mount with
        # another owner): is_dir() and exists() raise instead of answering.
        raise StoreError(
            f"{path}: permission denied on the archive or a folder above it; run tgmon as "
            f"the user who owns it (see `ls -ld {path.parent}`), or give this user access"
        ) from None


def _check_archive_path(path: Path, *, must_exist: bool) -> None:
    if path.is_dir():
        raise UsageError(
            f"{path}: a folder; --db and storage.path take the archive file, "
            f"e.g. {path / 'tgmon.sqlite3'}"
        )
    if path.exists() and not path.is_file():
        # /dev/null, a pipe or a socket: SQLite said "disk I/O error", or waited forever.
        raise UsageError(f"{path}: not a regular file; --db and storage.path take the "
                         "archive file")
    if must_exist and path.is_file() and path.stat().st_size == 0:
        raise UsageError(
            f"{path}: an empty file, not an archive (was it truncated?); restore it from a "
            "backup, or point --db at the archive"
        )


def _same(a: Path, b: Path) -> bool:
    # By name as well: a -wal file that does not exist yet is still the archive's.
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False


def _is_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as stream:
            return stream.read(len(_SQLITE_MAGIC)) == _SQLITE_MAGIC
    except OSError:
        return False
