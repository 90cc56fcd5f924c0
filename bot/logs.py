"""Configure logging once, at the top: text on a terminal, JSON lines elsewhere.

Context goes in ``extra=`` (``loop``, ``channel``, ``chat``, ``msg_id``, ``client``), so a JSON
line carries it as fields a log system can filter on. No post text is logged at INFO or
above, and no secret at any level: secrets are SecretStr, and Telethon (which could show
request contents at DEBUG) is held at WARNING.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Literal

from bot.printable import printable

#: ``extra=`` keys that become JSON fields.
CONTEXT_FIELDS = ("loop", "channel", "chat", "msg_id", "client")
#: Libraries whose INFO lines are noise to a user: Telethon logs every reconnect attempt,
#: pymorphy3 "Loading dictionaries from …" at each start.
# aiosqlite logs every call it runs at DEBUG, its arguments (SQL, post texts) included,
# from its own threads: noise, and it outlives handlers that tests close.
_QUIET = ("telethon", "pymorphy3", "aiosqlite")


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for name in CONTEXT_FIELDS:
            value = record.__dict__.get(name)
            if value is not None:
                entry[name] = value if isinstance(value, int | float | bool) else str(value)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class _TextFormatter(logging.Formatter):
    """Lines for a person at a terminal: a channel's title in a message (``caught up %s``)
    is the channel owner's text, and an escape sequence in it would drive the terminal."""

    def format(self, record: logging.LogRecord) -> str:
        return printable(super().format(record))


def configure_logging(level: str = "INFO", fmt: Literal["auto", "text", "json"] = "auto") -> None:
    """Send log records to stderr in the chosen format; safe to call more than once."""
    handler = logging.StreamHandler(sys.stderr)
    use_json = fmt == "json" or (fmt == "auto" and not sys.stderr.isatty())
    handler.setFormatter(
        _JsonFormatter()
        if use_json
        else _TextFormatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s",
                            "%Y-%m-%d %H:%M:%S")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in _QUIET:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
