"""Say plainly when a folder tgmon must write to is not writable, naming the uid to fix it.

The usual case is a container whose data folder is bind-mounted from the host and owned by
the host user: the container runs as uid 10001, and only `chown` on the host can fix it.
"""

from __future__ import annotations

import os
from pathlib import Path

from bot.errors import StoreError


def require_writable(folder: Path, *, holds: str) -> None:
    """Raise StoreError, naming our uid and gid, unless ``folder`` exists or can be made and
    is writable; ``holds`` says what it is for ("the archive")."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        writable = os.access(folder, os.W_OK | os.X_OK,
                             effective_ids=os.access in os.supports_effective_ids)
    except OSError:  # PermissionError, or a read-only file system
        writable = False
    if writable:
        return
    uid, gid = _ids()
    raise StoreError(
        f"{folder} (for {holds}) is not writable by uid {uid} (gid {gid}), the user tgmon "
        f"runs as; give it that user, e.g. on the host: sudo chown -R {uid}:{gid} "
        "<the folder mounted there>")


def _ids() -> tuple[int | str, int | str]:
    getuid, getgid = getattr(os, "geteuid", None), getattr(os, "getegid", None)
    return (getuid() if getuid else "?"), (getgid() if getgid else "?")
