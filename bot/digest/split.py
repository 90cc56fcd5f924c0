"""Pack a rendered digest into numbered messages that Telegram accepts.

Telethon does not split messages: over 4096 UTF-16 units after parsing the formatting, a send
fails with MessageTooLongError. Parts are cut between items only; a part that continues a
group or a channel repeats its heading, marked "(continued)", so that every item still shows
its channel. A digest cut by its cap ends with a line saying what was left out; it goes
in the last part, or in a part of its own when the last part is full.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.digest.build import ALERT_MAX_ITEMS, build_digest
from bot.digest.model import ChannelBlock, Digest, DigestSection
from bot.digest.render import (
    Chunk,
    channel_header,
    intro,
    item_chunk,
    more_line,
    nothing_new,
    part_header,
    section_header,
    spans_days,
)
from bot.domain import StoredPost

MESSAGE_LIMIT = 4096
#: Telethon's split_text keeps at most 100 entities per message; stay within that too.
MAX_ENTITIES = 100
#: Below this, the headings and an item's fixed fields might not fit beside each other.
MIN_LIMIT = 1024
_WORST_NUMBERING = 9999


@dataclass(frozen=True, slots=True)
class _Entry:
    section_index: int
    section: DigestSection
    block: ChannelBlock
    item: Chunk


def render_digest(digest: Digest, *, limit: int = MESSAGE_LIMIT,
                  show_intro: bool = True) -> list[str]:
    """Render ``digest`` as HTML messages for Telethon's ``parse_mode='html'``; [] to skip."""
    if limit < MIN_LIMIT:
        raise ValueError(f"limit {limit} is below the minimum of {MIN_LIMIT} UTF-16 units")
    head = [intro(digest)] if show_intro else []
    if digest.item_count == 0:
        if digest.empty == "skip":
            return []
        chunks = [part_header(digest.title, 1, 1), *head, nothing_new()]
        return ["".join(c.html for c in chunks)]
    entries = _entries(digest, limit=limit - sum(c.length for c in head))
    tail = more_line(digest)
    total = 1
    while True:
        reserve = part_header(digest.title, total, total)
        parts = _pack(entries, head, tail, length_budget=limit - reserve.length,
                      entity_budget=MAX_ENTITIES - reserve.entities)
        if len(parts) <= total:
            break
        # More parts than assumed: "(10/12)" is longer than "(9/9)", so pack again.
        total = len(parts)
    return [
        part_header(digest.title, number, len(parts)).html + "".join(c.html for c in chunks)
        for number, chunks in enumerate(parts, 1)
    ]


def alert_message(
    posts: Sequence[StoredPost],
    *,
    tz: ZoneInfo,
    groups: Sequence[str] | None = None,
    title: str = "🔔 Keyword alert",
    limit: int = MESSAGE_LIMIT,
    max_items: int = ALERT_MAX_ITEMS,
) -> list[str]:
    """Render a batch of just-matched posts as one message (more if long); [] when none match.

    At most ``max_items`` items are shown, chosen as a digest's are; the rest are summed up in
    an "…and N more" line, so that a burst cannot become dozens of messages.
    """
    if not posts:
        return []
    dates = [p.date for p in posts]
    digest = build_digest(posts, title=title, window_start=min(dates), window_end=max(dates),
                          tz=tz, groups=groups, empty="skip", max_items=max_items)
    return render_digest(digest, limit=limit, show_intro=False)


def _entries(digest: Digest, *, limit: int) -> list[_Entry]:
    """Render every item, shortening any that could not share a part with all the headings."""
    with_date = spans_days(digest)
    fixed = part_header(digest.title, _WORST_NUMBERING, _WORST_NUMBERING).length
    entries: list[_Entry] = []
    for index, section in enumerate(digest.sections):
        section_cost = section_header(section, continued=True).length if section.headed else 0
        for block in section.channels:
            room = limit - fixed - section_cost - channel_header(block, continued=True).length
            entries.extend(
                _Entry(index, section, block,
                       item_chunk(item, tz=digest.tz, with_date=with_date, max_length=room))
                for item in block.items
            )
    return entries


def _pack(entries: list[_Entry], head: list[Chunk], tail: Chunk | None, *, length_budget: int,
          entity_budget: int) -> list[list[Chunk]]:
    """Fill parts greedily, never splitting an item from its headings; ``tail`` goes last."""
    parts: list[list[Chunk]] = []
    current: list[Chunk] = list(head)
    length = sum(c.length for c in head)
    entities = sum(c.entities for c in head)
    has_item = False
    shown_section: int | None = None
    shown_block: tuple[int, int] | None = None
    started_sections: set[int] = set()
    started_blocks: set[tuple[int, int]] = set()
    for entry in entries:
        block_key = (entry.section_index, entry.block.channel_id)
        for attempt in range(2):
            prefix: list[Chunk] = []
            if entry.section.headed and shown_section != entry.section_index:
                prefix.append(section_header(
                    entry.section, continued=entry.section_index in started_sections))
            if shown_block != block_key:
                prefix.append(channel_header(entry.block, continued=block_key in started_blocks))
            chunks = [*prefix, entry.item]
            cost = sum(c.length for c in chunks)
            cost_entities = sum(c.entities for c in chunks)
            fits = length + cost <= length_budget and entities + cost_entities <= entity_budget
            if fits or attempt == 1 or not current:
                break
            parts.append(current)
            current, length, entities, has_item = [], 0, 0, False
            shown_section = shown_block = None
        current.extend(chunks)
        length += cost
        entities += cost_entities
        has_item = True
        shown_section, shown_block = entry.section_index, block_key
        started_sections.add(entry.section_index)
        started_blocks.add(block_key)
    if tail is not None and has_item and not (
            length + tail.length <= length_budget and entities + tail.entities <= entity_budget):
        parts.append(current)
        current, has_item = [], False
    if tail is not None:
        current.append(tail)
        has_item = True
    if current and (has_item or not parts):
        parts.append(current)
    return parts
