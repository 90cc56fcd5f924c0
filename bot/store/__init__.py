"""The archive: the only package that talks to SQLite (through aiosqlite)."""

from bot.store.archive import Archive
from bot.store.values import StoreResult

__all__ = ["Archive", "StoreResult"]
