"""The archive: the only package that talks to SQLite (through aiosqlite)."""

from bot.store.archive import Archive, StoreResult

__all__ = ["Archive", "StoreResult"]
