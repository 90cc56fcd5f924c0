"""Durable log of everything the fake Telegram accepted, replayed by the next process."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


class Journal:
    """Append-only JSON-lines file; every record is fsync'ed before ``append`` returns.

    The world writes a record *before* it applies an operation and answers the client, so
    a process killed at any moment leaves a journal that says exactly what Telegram got.
    ``sync=False`` only hands each record to the operating system, which is enough for a
    kill -9 (not for a power cut) and spares the 5 ms an fsync took here, on the event
    loop the service under test shares (the soak benchmark publishes 80 posts a second).
    """

    def __init__(self, path: str | os.PathLike[str], *, sync: bool = True) -> None:
        self.path = Path(path)
        self._sync = sync
        self._drop_torn_tail()
        self._file = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - kept open

    def _drop_torn_tail(self) -> None:
        """Cut a half-written last line left by a kill, so new records start clean."""
        if not self.path.exists():
            return
        data = self.path.read_bytes()
        if data and not data.endswith(b"\n"):
            with open(self.path, "r+b") as f:
                f.truncate(data.rfind(b"\n") + 1)

    def read(self) -> list[dict[str, Any]]:
        """Return every complete record (a torn last line from a kill is ignored)."""
        records = []
        with open(self.path, encoding="utf-8") as f:
            for line in f:
                if not line.endswith("\n"):
                    break  # torn write: the client never got an answer for it
                records.append(json.loads(line))
        return records

    def append(self, record: dict[str, Any]) -> None:
        self._file.write(json.dumps(record, separators=(",", ":"), ensure_ascii=False) + "\n")
        self._file.flush()
        if self._sync:
            os.fsync(self._file.fileno())

    def close(self) -> None:
        self._file.close()
