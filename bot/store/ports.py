"""The store's interfaces: what the layers above it may ask, whatever the database.

``Archive`` (bot/store/archive.py) is the SQLite implementation. Ingest and the importer
are typed against ``PostStore``; a PostgreSQL implementation for deployments over several
machines is the next step, and tests/store is written as a contract suite that takes the
backend as a fixture (tests/store/conftest.py) so it can run against both.

The query modules (reads, arrivals, outbox, subscribers, state) are the SQLite side of the
query port: each function takes the archive and keeps its SQL inside bot/store/.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Protocol

from bot.domain import AnalysedPost, Channel
from bot.store.post_writes import StoreResult


class PostStore(Protocol):
    """Posts, their versions and deletions, channels and the cursors that move with them."""

    async def store_posts(self, items: Iterable[AnalysedPost], *,
                          cursors: Mapping[int, int] | None = None,
                          historic_up_to: int = 0) -> StoreResult:
        """Insert or update posts and move cursors, all in one transaction."""
        ...

    async def mark_deleted(self, channel_id: int, msg_ids: Iterable[int], *,
                           at: datetime | None = None) -> int:
        """Soft-delete posts; return how many posts became deleted."""
        ...

    async def known_texts(self, keys: Iterable[tuple[int, int]]
                          ) -> dict[tuple[int, int], str]:
        """The stored text of each (channel, message id) already held."""
        ...

    async def upsert_channel(self, channel: Channel, *, ref: str | None = None) -> None:
        """Record a channel, keeping known fields the new record lacks."""
        ...

    async def cursors(self) -> dict[int, int]:
        """The last message id read per channel."""
        ...

    async def move_cursors(self, cursors: Mapping[int, int]) -> None:
        """Move channel cursors forward (never back) without storing posts."""
        ...
