"""One exception tree for tgmon.

    TgmonError                      base; carries a user-facing message and an exit code
    ├── ConfigError                 config file, .env or a missing secret (exit 2)
    ├── UsageError                  a bad CLI argument or query (exit 2)
    │   └── QueryError              a search query that means nothing
    ├── ImportFormatError           a file that is not a Telegram Desktop export (exit 2)
    ├── StoreError                  the archive cannot be opened, migrated or written (exit 1)
    │   ├── ArchiveBusy             another process holds the archive's write lock
    │   ├── ArchiveFull             the disk is full: nothing was lost, free space and re-run
    │   ├── ReadOnlyArchive         a read-only file, folder or mount: reads still work
    │   ├── ArchiveCorrupt          not SQLite, or damaged: restore a backup
    │   ├── ForeignDatabase         another program's SQLite file, left as it was (exit 2)
    │   ├── ArchiveReplaced         renamed away (a restore) while being opened: open again
    │   └── QueryTimeout            a read ran past its time limit and was stopped
    ├── Interrupted                 Ctrl-C in a long job: says what was kept (exit 130)
    ├── LoopFailed                  a background loop keeps failing: stop for a restart (exit 1)
    ├── OutputError                 an output file cannot be written: disk full, I/O (exit 1)
    └── TelegramError               raised by adapters in bot/telegram (exit 1)
        ├── SessionError            missing, revoked or locked session: stop, never prompt
        ├── ChannelUnavailable      private, banned or unresolvable channel
        └── FloodWait               Telegram asked us to wait; ``seconds`` says how long

Adapters convert library errors (Telethon, sqlite3, tomllib, pydantic) at the edge, so the
rest of the code only ever catches these.
"""

from __future__ import annotations


class TgmonError(Exception):
    """Base of every error tgmon raises on purpose."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(TgmonError):
    """The config or .env is invalid, or a needed secret is missing."""

    exit_code = 2


class UsageError(TgmonError):
    """A command-line argument or query cannot be used."""

    exit_code = 2


class QueryError(UsageError):
    """A search query that has no searchable term."""


class ImportFormatError(TgmonError):
    """The file is not a Telegram Desktop JSON export."""

    exit_code = 2


class StoreError(TgmonError):
    """The archive cannot be opened, migrated or written."""


class Interrupted(TgmonError):
    """A long job stopped by Ctrl-C; the message says what was kept and how to resume."""

    exit_code = 130


class LoopFailed(TgmonError):
    """A background loop failed past its restart bound, or returned when it never should."""


class OutputError(TgmonError):
    """A file the command writes (an export) could not be written."""


class ArchiveBusy(StoreError):
    """Another process holds the archive's write lock for longer than the busy timeout."""


class ArchiveFull(StoreError):
    """The disk (or a size limit) is full; the failed transaction was rolled back."""


class ReadOnlyArchive(StoreError):
    """The archive cannot be written: a read-only file, folder or mount."""


class ArchiveCorrupt(StoreError):
    """The file is not a SQLite database, or it is damaged."""


class ForeignDatabase(StoreError):
    """The file is an SQLite database of another program: tgmon never turns it into one."""

    exit_code = 2


class ArchiveReplaced(StoreError):
    """The archive file was renamed away (by `tgmon restore`) while it was being opened."""


class QueryTimeout(StoreError):
    """A read ran past its time limit and was interrupted."""


class TelegramError(TgmonError):
    """Telegram refused or failed a request."""


class SessionError(TelegramError):
    """The user session is missing, revoked or in use by another process."""


class ChannelUnavailable(TelegramError):
    """A channel cannot be read: private, banned or not found."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class FloodWait(TelegramError):
    """Telegram asked us to wait before repeating this kind of request."""

    def __init__(self, message: str, *, seconds: int, request: str) -> None:
        super().__init__(message)
        self.seconds = seconds
        self.request = request
