"""Frozen records of a built digest: sections (keyword groups) → channels → items."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo


@dataclass(frozen=True, slots=True)
class Copy:
    """Another place the same post appeared: a forward or an identical text."""

    channel_title: str
    link: str


@dataclass(frozen=True, slots=True)
class DigestItem:
    """One post as a digest shows it (an album or a set of duplicates is one item)."""

    channel_id: int
    msg_id: int
    channel_title: str
    date: datetime
    lang: str
    #: Matched terms of the groups this digest covers, in first-seen order.
    terms: tuple[str, ...]
    #: The other covered groups the post matched; it is shown once, under the first one.
    other_groups: tuple[str, ...]
    #: Plain text (not escaped), whitespace collapsed, cut at a word boundary.
    snippet: str
    link: str
    edited: bool
    deleted: bool
    media: tuple[str, ...]
    #: Messages in the album (1 for a single post).
    album_size: int
    also_in: tuple[Copy, ...]


@dataclass(frozen=True, slots=True)
class ChannelBlock:
    """A channel's shown items within one section, oldest first."""

    channel_id: int
    title: str
    items: tuple[DigestItem, ...]
    #: The channel's items in this section left out by the digest's cap.
    omitted: int = 0

    @property
    def count(self) -> int:
        """Return the items shown."""
        return len(self.items)

    @property
    def total(self) -> int:
        """Return the items the channel had in this section, shown or not."""
        return len(self.items) + self.omitted


@dataclass(frozen=True, slots=True)
class DigestSection:
    """The items of one keyword group; ``group`` None holds posts matching no group."""

    group: str | None
    channels: tuple[ChannelBlock, ...]
    #: False for a flat list (search results) that needs no section heading.
    headed: bool = True
    #: Items left out by the cap, including those of channels with nothing shown here.
    omitted: int = 0

    @property
    def count(self) -> int:
        """Return the items shown."""
        return sum(block.count for block in self.channels)

    @property
    def total(self) -> int:
        """Return the items the section had before the cap."""
        return self.count + self.omitted


@dataclass(frozen=True, slots=True)
class Digest:
    """A digest ready to render; ``empty`` says what to do when it has no items."""

    title: str
    window_start: datetime
    window_end: datetime
    tz: ZoneInfo
    sections: tuple[DigestSection, ...]
    empty: Literal["skip", "notice"]
    #: Posts given to the builder, before albums and duplicates were folded.
    post_count: int
    #: Channels whose every item in the window was left out by the cap.
    hidden_channels: int = 0

    @property
    def item_count(self) -> int:
        """Return the items shown."""
        return sum(section.count for section in self.sections)

    @property
    def omitted(self) -> int:
        """Return the items left out by the cap."""
        return sum(section.omitted for section in self.sections)

    @property
    def total_items(self) -> int:
        """Return the items before the cap."""
        return self.item_count + self.omitted

    @property
    def channel_counts(self) -> dict[str, int]:
        """Return shown items per channel title across all sections."""
        counts: dict[str, int] = {}
        for section in self.sections:
            for block in section.channels:
                counts[block.title] = counts.get(block.title, 0) + block.count
        return counts
