"""Frozen records that flow between layers. Telethon types never get past bot/telegram."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Channel:
    """A watched channel, keyed by its marked id (-100…)."""

    id: int
    title: str = ""
    username: str | None = None
    access_hash: int | None = None


@dataclass(frozen=True, slots=True)
class Post:
    """One channel post as Telegram or an export describes it (an album is one post)."""

    channel_id: int
    msg_id: int
    date: datetime
    text: str
    edit_date: datetime | None = None
    views: int | None = None
    forwards: int | None = None
    replies: int | None = None
    fwd_from_id: int | None = None
    fwd_from_msg: int | None = None
    fwd_from_name: str | None = None
    grouped_id: int | None = None
    media: tuple[str, ...] = ()
    author: str | None = None
    #: For an album: the ids of all its messages, ``media`` then holds one kind per id.
    album_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class KeywordHit:
    """A keyword group's term found in a post, with the surface form that matched."""

    group: str
    term: str
    form: str


@dataclass(frozen=True, slots=True)
class Analysis:
    """What analysis says about a post's text."""

    lang: str = "und"
    lang_confidence: float = 0.0
    hits: tuple[KeywordHit, ...] = ()
    #: The folded copy of the text for the search index, and the hash that spots copies.
    #: Computed with the analysis so that the work runs wherever analysis runs.
    search_text: str | None = None
    content_hash: str | None = None

    @property
    def groups(self) -> tuple[str, ...]:
        return tuple(sorted({hit.group for hit in self.hits}))


@dataclass(frozen=True, slots=True)
class AnalysedPost:
    """A post with its analysis, ready to be stored."""

    post: Post
    analysis: Analysis = field(default_factory=Analysis)


@dataclass(frozen=True, slots=True)
class StoredPost:
    """A post as read back from the archive."""

    channel_id: int
    msg_id: int
    date: datetime
    text: str
    lang: str
    channel_title: str
    channel_username: str | None
    views: int | None
    edit_count: int
    deleted: bool
    groups: tuple[str, ...]
    hits: tuple[KeywordHit, ...] = ()
    media: tuple[str, ...] = ()
    fwd_from_id: int | None = None
    fwd_from_msg: int | None = None
    grouped_id: int | None = None
    content_hash: str = ""
    #: Distinct texts stored; an imported edit whose earlier text is unknown counts one.
    versions: int = 1
    #: When Telegram (or the export) last dated an edit.
    edit_date: datetime | None = None
    forwards: int | None = None
    fwd_from_name: str | None = None

    @property
    def link(self) -> str:
        """A t.me link: public by username, or the /c/ form for channels without one."""
        if self.channel_username:
            return f"https://t.me/{self.channel_username}/{self.msg_id}"
        return f"https://t.me/c/{bare_channel_id(self.channel_id)}/{self.msg_id}"


def marked_channel_id(bare_id: int) -> int:
    """Turn a bare channel id into Telegram's marked form (-100…)."""
    if bare_id < 0:
        return bare_id
    return -(10**12) - bare_id


def bare_channel_id(marked_id: int) -> int:
    """Turn a marked channel id (-100…) back into the bare id used in t.me/c links."""
    if marked_id >= 0:
        return marked_id
    return -marked_id - 10**12
