"""One process per session: two processes using one session make Telegram revoke it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.errors import SessionError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows has no fcntl; the lock is then advisory-free
    fcntl = None  # type: ignore[assignment]


@contextmanager
def session_lock(session: Path) -> Iterator[None]:
    """Hold an exclusive lock beside ``session`` for the life of the block."""
    lock_path = session.with_name(session.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
                raise SessionError(
                    f"{session} is in use by another tgmon process (pid {holder}); "
                    "two processes on one session make Telegram revoke it") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the flock
