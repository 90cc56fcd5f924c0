"""The store's interfaces: what the layers above it may ask, whatever the database.

``Archive`` (bot/store/archive.py) is the SQLite implementation. Ingest and the importer
are typed against ``PostStore``; a PostgreSQL implementation for deployments over several
machines is the next step, and tests/store is written as a contract suite that takes the
backend as a fixture (tests/store/conftest.py) so it can run against both.

``PostQueries`` is what the bot's commands and the CLI ask of the archive (its SQLite side
is bot/store/queries.py, reached as ``Archive.queries``). Its values (PostQuery, Page,
PostHistory, Stats, Overview, PeriodStats) are plain frozen dataclasses any backend returns,
in bot/store/values.py; this module and that one import no SQLite code
(tests/store/test_layering.py).
``CollectorStore`` is what bot/telegram needs; delivery's ports are bot/store/delivery_ports.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from bot.domain import AnalysedPost, Channel, StoredPost
from bot.store.values import (
    DayCounts,
    KnownChannel,
    Overview,
    Page,
    PeriodStats,
    PostHistory,
    PostQuery,
    Stats,
    StoreResult,
    Version,
    Window,
)


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

    async def channel_languages(self, channel_ids: Sequence[int]
                                ) -> dict[int, dict[str, int]]:
        """Posts stored per language of each channel (deleted ones included)."""
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


class PostQueries(Protocol):
    """Questions about stored posts; a channel filter is an id resolved by resolve_channel."""

    async def search(self, text: str, query: PostQuery = PostQuery(), *, limit: int = 10,
                     with_count: bool = True) -> Page:
        """The newest posts matching ``text``, with snippets; QueryError when it means nothing."""
        ...

    async def latest(self, query: PostQuery = PostQuery(), *, limit: int = 10,
                     with_count: bool = False) -> Page:
        """The newest posts that pass ``query`` (edited, deleted or all)."""
        ...

    def posts(self, query: PostQuery = PostQuery(), *, batch: int = 1000
              ) -> AsyncIterator[StoredPost]:
        """Every post that passes ``query``, oldest first, in bounded memory (export)."""
        ...

    async def post_history(self, channel_id: int, msg_id: int) -> PostHistory | None:
        """A post (by any message id of its album) with every version, or None."""
        ...

    async def versions_of(self, pids: Sequence[int]) -> dict[int, list[Version]]:
        """Every version of each post, oldest first."""
        ...

    async def deletion_times(self, pids: Sequence[int]) -> dict[int, datetime]:
        """When each deleted post of ``pids`` was noticed gone."""
        ...

    async def resolve_channel(self, ref: str) -> Channel:
        """The stored channel ``ref`` names; UsageError naming the closest ones otherwise."""
        ...

    async def channels(self) -> list[Channel]:
        """Every stored channel, by title."""
        ...

    async def stats(self) -> Stats:
        """Posts per channel and language, with date ranges, edits and deletions."""
        ...

    async def channel_overview(self) -> Overview:
        """Each channel's status, size, newest post and catch-up lag."""
        ...

    async def period_stats(self, window: Window) -> PeriodStats:
        """A window's posts by channel, local day and language, and its keyword groups."""
        ...

    async def mentions_by_day(self, window: Window, *, group: str | None = None,
                              term: str | None = None,
                              channel_ids: Sequence[int] = ()) -> DayCounts:
        """Posts per channel and local day that matched ``group`` or contain ``term``."""
        ...

    async def stored_groups(self) -> list[str]:
        """The names of every keyword group some post matched."""
        ...


class ChannelBookkeeping(Protocol):
    """The collector's own records: channel health, unresolved references, flood parks."""

    async def known_channel(self, *, ref: str | None = None,
                            channel_id: int | None = None) -> KnownChannel | None:
        """A channel by the config reference it came from, or by its marked id."""
        ...

    async def mark_channel(self, channel_id: int, *, ok: bool, detail: str | None = None,
                           backoff_base: int = 300, backoff_cap: int = 6 * 3600) -> int | None:
        """Record a channel's health; a failure doubles its retry delay. Returns retry_at."""
        ...

    async def unresolved_reason(self, ref: str) -> str | None:
        """Why a config reference did not resolve last time, or None."""
        ...

    async def mark_unresolved(self, ref: str, reason: str) -> None:
        """Remember that a config reference did not resolve, and why."""
        ...

    async def forget_unresolved(self, keep: set[str]) -> None:
        """Forget failures of references no longer in the config."""
        ...

    async def parked_until(self, request: str) -> int | None:
        """When a flood-parked kind of request may run again, or None."""
        ...

    async def park(self, request: str, seconds: int) -> int:
        """Park a kind of request for ``seconds``; return until when."""
        ...

    async def live_posts(self, channel_id: int, low: int, high: int) -> dict[int, set[int]]:
        """Stored, undeleted posts between two message ids: post id -> its message ids."""
        ...

    async def oldest_msg_id(self, channel_id: int) -> int | None:
        """The lowest message id stored for a channel, or None."""
        ...


class CollectorStore(PostStore, Protocol):
    """What the Telegram collector needs: posts and cursors, backfill marks, bookkeeping."""

    @property
    def book(self) -> ChannelBookkeeping:
        """The collector's records (ChannelBookkeeping)."""
        ...

    async def begin_backfill(self, channel_id: int, *, start: int, top: int) -> None:
        """Record a first sight: posts after ``start`` up to ``top`` are history, not news."""
        ...

    async def historic_until(self, channel_id: int) -> int:
        """The newest message id of a channel's first-sight backfill (0 if none)."""
        ...

    async def oldest_stored_id(self, channel_id: int) -> int | None:
        """The lowest message id stored for a channel (None if none is)."""
        ...

    async def cursors_moved(self) -> dict[int, int]:
        """When each channel's cursor last moved (the archive clock's unix seconds)."""
        ...
