"""The values the store's query ports take and return: plain frozen dataclasses.

Any backend returns these (bot/store/ports.py): none of them holds a connection or knows
SQL. The SQLite implementation builds them in the modules named after each query
(post_search, post_history, reads, trends, channel_overview, state, post_writes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.analysis.snippet import Segment
from bot.domain import Channel, StoredPost

_DAY = 86_400

@dataclass(frozen=True, slots=True)
class StoreResult:
    """What one ``store_posts`` call did."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.inserted + self.updated + self.unchanged

    def __add__(self, other: StoreResult) -> StoreResult:
        return StoreResult(
            self.inserted + other.inserted,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
        )


@dataclass(frozen=True, slots=True)
class PostQuery:
    """Which posts a query is about; every field is optional."""

    channel_id: int | None = None
    lang: str | None = None
    group: str | None = None
    since: datetime | None = None
    until: datetime | None = None  # exclusive
    edited: bool | None = None
    deleted: bool | None = None
    before_pid: int | None = None  # paging: only posts older than this one


@dataclass(frozen=True, slots=True)
class Found:
    """One post of a page, with the snippet around its first match (search only)."""

    post: StoredPost
    pid: int
    snippet: tuple[Segment, ...] = ()


@dataclass(frozen=True, slots=True)
class Page:
    """A page of posts; ``total`` is capped at COUNT_CAP (``capped`` says so)."""

    items: list[Found]
    total: int
    capped: bool
    next_before: int | None  # pass as PostQuery.before_pid for the next page

    @property
    def count_text(self) -> str:
        return f"{self.total:,}" + ("+" if self.capped else "")


@dataclass(frozen=True, slots=True)
class Version:
    """One text a post has had; ``at`` is when it was published or edited."""

    number: int
    text: str
    at: datetime


@dataclass(frozen=True, slots=True)
class PostHistory:
    """A stored post and its versions, oldest first."""

    post: StoredPost
    versions: list[Version]
    deleted_at: datetime | None
    forwards: int | None
    fwd_from_name: str | None


@dataclass(frozen=True, slots=True)
class ChannelStats:
    channel_id: int
    title: str
    username: str | None
    posts: int
    first: datetime | None
    last: datetime | None
    edited: int
    deleted: int


@dataclass(frozen=True, slots=True)
class Stats:
    posts: int
    channels: list[ChannelStats]
    languages: dict[str, int]
    groups: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class KnownChannel:
    """A channel as the archive remembers it, with its health."""

    channel: Channel
    ref: str | None
    status: str
    detail: str | None
    failures: int
    retry_at: int | None


@dataclass(frozen=True, slots=True)
class ChannelRow:
    """One watched channel: its status, posts stored, newest post and last catch-up read."""

    channel: Channel
    status: str  # ok | unavailable | flood-parked
    detail: str | None
    posts: int
    last_post: datetime | None
    last_read: datetime | None

    def lag_seconds(self, now: datetime) -> int | None:
        """Seconds since the collector last read this channel (its catch-up lag)."""
        if self.last_read is None:
            return None
        return max(0, int((now - self.last_read).total_seconds()))


@dataclass(frozen=True, slots=True)
class Overview:
    """Every stored channel, the references that never resolved, and active flood parks."""

    channels: list[ChannelRow]
    unresolved: list[tuple[str, str]]  # (config reference, reason)
    parked_until: datetime | None


#: Posts per (channel, local day).
DayCounts = dict[int, dict[date, int]]


@dataclass(frozen=True, slots=True)
class Window:
    """A span of time and the zone offset that decides where its days begin."""

    since: datetime
    until: datetime
    utc_offset: int = 0

    def days(self) -> list[date]:
        first, last = self.day_of(self.since), self.day_of(self.until - timedelta(seconds=1))
        return [first + timedelta(days=i) for i in range((last - first).days + 1)]

    def day_of(self, moment: datetime) -> date:
        return date.fromordinal(date(1970, 1, 1).toordinal()
                                + (int(moment.timestamp()) + self.utc_offset) // _DAY)


@dataclass(frozen=True, slots=True)
class PeriodStats:
    """What was stored in a window: posts per channel per day, languages, keyword groups."""

    window: Window
    per_channel: DayCounts
    languages: dict[str, int] = field(default_factory=dict)
    groups: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(sum(days.values()) for days in self.per_channel.values())
