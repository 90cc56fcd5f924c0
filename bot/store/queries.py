"""The SQLite implementation of the PostQueries port (bot/store/ports.py).

Each method is one query module's function, bound to this archive: the SQL stays in those
modules, next to the indexes it needs, and the layers above see only the port.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime

from bot.domain import Channel, StoredPost
from bot.store import channel_lookup, channel_overview, post_history, post_search, reads, trends
from bot.store.archive import Archive
from bot.store.values import (
    DayCounts,
    Overview,
    Page,
    PeriodStats,
    PostHistory,
    PostQuery,
    Stats,
    Version,
    Window,
)


class SqliteQueries:
    """What the bot's commands, the CLI and a later web page ask of an SQLite archive."""

    def __init__(self, archive: Archive) -> None:
        self._archive = archive

    async def search(self, text: str, query: PostQuery = PostQuery(), *, limit: int = 10,
                     with_count: bool = True) -> Page:
        return await post_search.search_page(self._archive, text, query, limit=limit,
                                             with_count=with_count)

    async def latest(self, query: PostQuery = PostQuery(), *, limit: int = 10,
                     with_count: bool = False) -> Page:
        return await post_search.latest_page(self._archive, query, limit=limit,
                                             with_count=with_count)

    def posts(self, query: PostQuery = PostQuery(), *, batch: int = 1000
              ) -> AsyncIterator[StoredPost]:
        return reads.iter_posts(self._archive, query, batch=batch)

    async def post_history(self, channel_id: int, msg_id: int) -> PostHistory | None:
        return await post_history.post_history(self._archive, channel_id, msg_id)

    async def versions_of(self, pids: Sequence[int]) -> dict[int, list[Version]]:
        return await post_history.versions_of(self._archive, pids)

    async def deletion_times(self, pids: Sequence[int]) -> dict[int, datetime]:
        return await post_history.deletion_times(self._archive, pids)

    async def resolve_channel(self, ref: str) -> Channel:
        return await channel_lookup.resolve_channel(self._archive, ref)

    async def channels(self) -> list[Channel]:
        return await channel_lookup.all_channels(self._archive)

    async def stats(self) -> Stats:
        return await reads.stats(self._archive)

    async def channel_overview(self) -> Overview:
        return await channel_overview.channel_overview(self._archive)

    async def period_stats(self, window: Window) -> PeriodStats:
        return await trends.period_stats(self._archive, window)

    async def mentions_by_day(self, window: Window, *, group: str | None = None,
                              term: str | None = None,
                              channel_ids: Sequence[int] = ()) -> DayCounts:
        return await trends.mentions_by_day(self._archive, window, group=group, term=term,
                                            channel_ids=channel_ids)

    async def stored_groups(self) -> list[str]:
        return await trends.stored_groups(self._archive)
