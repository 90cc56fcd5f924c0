"""Choose and group a digest's posts: fold albums, collapse duplicates, section by group.

Decisions (documented here because the renderer and the tests rely on them):
- A post that matches several of the digest's groups appears **once**, under the first of
  them (the order given by ``groups``, or alphabetical when every group is covered), and the
  item names the other groups. Repeating it would spend the 4096-unit budget on re-reading.
- ``groups`` empty or None covers every post: matched posts under their group, the rest under
  "Other posts". Named groups cover only posts matching one of them.
- Posts are not filtered by date: the caller chooses them (a post caught up late has an old
  date but still belongs in the next digest). The window is shown in the header.
- Identical texts are collapsed only when the text is long enough to be news rather than a
  stock caption ("Фото дня" under two different photos is not one story).
- ``max_items`` caps the items shown (after folding), so that a busy window cannot become
  hundreds of messages. The rule that picks what stays:
  1. Keyword groups come before "Other posts": posts matching no group only get the room
     the groups leave, so they are the first to go.
  2. The groups share the cap fairly (max-min): each gets an equal share, a group with fewer
     items than its share keeps them all and its spare room goes to the others; an odd unit
     goes to the group that comes first in the digest. One noisy group cannot crowd out a quiet one.
  3. Within a group, the newest items stay.
  What is left out is counted, per channel, per section and in total, so that every count
  the renderer prints stays truthful ("10 of 40").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from bot.digest.model import ChannelBlock, Copy, Digest, DigestItem, DigestSection
from bot.digest.text import clean, clip, cut_snippet
from bot.domain import StoredPost, marked_channel_id

#: Shorter normalised texts are not merged by content hash.
MIN_DUPLICATE_TEXT = 20
#: Telegram caps channel titles at 128 characters; data from elsewhere may not be.
TITLE_CHARS = 128

#: Items a digest shows unless its config says otherwise.
DEFAULT_MAX_ITEMS = 100
#: Items an alert message shows; a burst beyond that is summarised as "…and N more".
ALERT_MAX_ITEMS = 20

_Key = tuple[int, int]


@dataclass(slots=True)
class _Unit:
    """An album (or a single post): the member carrying the caption leads."""

    lead: StoredPost
    members: list[StoredPost]


def build_digest(
    posts: Sequence[StoredPost],
    *,
    title: str,
    window_start: datetime,
    window_end: datetime,
    tz: ZoneInfo,
    groups: Sequence[str] | None,
    empty: Literal["skip", "notice"],
    by_group: bool = True,
    max_items: int | None = None,
) -> Digest:
    """Build a digest of ``posts``; ``by_group=False`` gives one flat, unheaded section.

    ``max_items`` (None: no cap) keeps at most that many items, chosen as the module says.
    """
    if max_items is not None and max_items < 1:
        raise ValueError(f"max_items must be at least 1, not {max_items}")
    covered = tuple(dict.fromkeys(groups)) if groups else None
    sections: dict[str | None, dict[int, list[DigestItem]]] = {}
    kept_posts = 0  # the header counts what passed the group filter, not the whole window
    for cluster in _collapse_duplicates(_fold_albums(posts)):
        matched = _ordered(g for unit in cluster for m in unit.members for g in m.groups)
        shown = sorted(matched) if covered is None else [g for g in covered if g in matched]
        if covered is not None and not shown:
            continue
        kept_posts += sum(len(unit.members) for unit in cluster)
        item = _item(cluster, shown)
        section = (shown[0] if shown else None) if by_group else None
        sections.setdefault(section, {}).setdefault(item.channel_id, []).append(item)
    order = list(covered) if covered is not None else sorted(k for k in sections if k)
    names = [name for name in [*order, None] if name in sections]
    sizes = [sum(len(items) for items in sections[name].values()) for name in names]
    room = _share(sizes, [name is not None for name in names], max_items)
    built = [_section(name, sections[name], headed=by_group, keep=keep)
             for name, keep in zip(names, room, strict=True)]
    every = {cid for by_channel in sections.values() for cid in by_channel}
    visible = {block.channel_id for section in built for block in section.channels}
    return Digest(
        title=clean(title),
        window_start=window_start,
        window_end=window_end,
        tz=tz,
        sections=tuple(built),
        empty=empty,
        post_count=kept_posts,
        hidden_channels=len(every - visible),
    )


def _share(sizes: list[int], grouped: list[bool], cap: int | None) -> list[int]:
    """Return how many items each section keeps: groups share fairly, the rest get what's left."""
    if cap is None or sum(sizes) <= cap:
        return list(sizes)
    room = [0] * len(sizes)
    left = cap
    # Smallest first, so a small group's unused share passes on; among equal sizes the group
    # named later goes first and takes the floor, leaving the odd unit to the earlier one.
    waiting = sorted((i for i, g in enumerate(grouped) if g), key=lambda i: (sizes[i], -i))
    for position, index in enumerate(waiting):
        room[index] = min(sizes[index], left // (len(waiting) - position))
        left -= room[index]
    for index, is_group in enumerate(grouped):
        if not is_group:
            room[index] = min(sizes[index], left)
            left -= room[index]
    return room


def _newest_first(item: DigestItem) -> tuple[datetime, int, int]:
    return (item.date, item.msg_id, item.channel_id)


def _section(name: str | None, by_channel: dict[int, list[DigestItem]], *,
             headed: bool, keep: int) -> DigestSection:
    every = [item for items in by_channel.values() for item in items]
    capped = keep < len(every)
    kept = ({id(item) for item in sorted(every, key=_newest_first, reverse=True)[:keep]}
            if capped else set())
    blocks = []
    for channel_id, items in by_channel.items():
        shown = [item for item in items if id(item) in kept] if capped else items
        if shown:
            blocks.append(ChannelBlock(channel_id, items[0].channel_title,
                                       tuple(sorted(shown, key=lambda i: (i.date, i.msg_id))),
                                       omitted=len(items) - len(shown)))
    blocks.sort(key=lambda b: (b.title.casefold(), b.channel_id))
    return DigestSection(name, tuple(blocks), headed=headed, omitted=len(every) - keep)


def _fold_albums(posts: Iterable[StoredPost]) -> list[_Unit]:
    units: list[_Unit] = []
    albums: dict[tuple[int, int], _Unit] = {}
    seen: set[_Key] = set()
    for post in posts:
        if (post.channel_id, post.msg_id) in seen:
            continue
        seen.add((post.channel_id, post.msg_id))
        if post.grouped_id is None:
            units.append(_Unit(post, [post]))
            continue
        album = albums.get((post.channel_id, post.grouped_id))
        if album is None:
            albums[post.channel_id, post.grouped_id] = album = _Unit(post, [post])
            units.append(album)
        else:
            album.members.append(post)
    for album in albums.values():
        # The caption sits on one member, usually the first; link to that one.
        album.members.sort(key=lambda p: p.msg_id)
        album.lead = max(album.members, key=lambda p: (bool(p.text.strip()), -p.msg_id))
    return units


def _collapse_duplicates(units: list[_Unit]) -> list[list[_Unit]]:
    """Group units that are forwards of one post or share a text; the original leads."""
    parent = list(range(len(units)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        parent[find(i)] = find(j)

    own: dict[_Key, int] = {}
    for index, unit in enumerate(units):
        for member in unit.members:
            own[member.channel_id, member.msg_id] = index
    first_by_key: dict[object, int] = {}
    for index, unit in enumerate(units):
        keys: list[object] = []
        for member in unit.members:
            origin = _origin(member)
            if origin is not None:
                if origin in own:
                    union(index, own[origin])
                keys.append(("fwd", origin))
        lead = unit.lead
        if lead.content_hash and len(lead.text.strip()) >= MIN_DUPLICATE_TEXT:
            keys.append(("hash", lead.content_hash))
        for key in keys:
            if key in first_by_key:
                union(index, first_by_key[key])
            else:
                first_by_key[key] = index
    clusters: dict[int, list[_Unit]] = {}
    for index, unit in enumerate(units):
        clusters.setdefault(find(index), []).append(unit)
    return [sorted(c, key=_original_first) for c in clusters.values()]


def _origin(post: StoredPost) -> _Key | None:
    if post.fwd_from_id is None or post.fwd_from_msg is None:
        return None
    # Stored ids are marked (-100…); accept a bare id from an older import as well.
    return marked_channel_id(post.fwd_from_id), post.fwd_from_msg


def _original_first(unit: _Unit) -> tuple[bool, datetime, int, int]:
    lead = unit.lead
    return (lead.fwd_from_id is not None, lead.date, lead.channel_id, lead.msg_id)


def _item(cluster: list[_Unit], groups: list[str]) -> DigestItem:
    head, copies = cluster[0], cluster[1:]
    lead = head.lead
    members = [m for unit in cluster for m in unit.members]
    wanted = set(groups)
    terms = _ordered(h.term for m in members for h in m.hits if h.group in wanted)
    also: dict[int, Copy] = {}
    for unit in copies:
        channel = unit.lead.channel_id
        if channel != lead.channel_id and channel not in also:
            also[channel] = Copy(_title(unit.lead), unit.lead.link)
    return DigestItem(
        channel_id=lead.channel_id,
        msg_id=lead.msg_id,
        channel_title=_title(lead),
        date=lead.date,
        lang=lead.lang,
        terms=tuple(terms),
        other_groups=tuple(groups[1:]),
        snippet=cut_snippet(lead.text),
        link=lead.link,
        edited=any(m.edit_count > 0 for m in head.members),
        deleted=all(m.deleted for m in head.members),
        media=tuple(_ordered(kind for m in head.members for kind in m.media)),
        album_size=len(head.members),
        also_in=tuple(also.values()),
    )


def _title(post: StoredPost) -> str:
    title = clean(post.channel_title)
    if not title:
        title = f"@{post.channel_username}" if post.channel_username else str(post.channel_id)
    return clip(title, TITLE_CHARS)


def _ordered(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))
