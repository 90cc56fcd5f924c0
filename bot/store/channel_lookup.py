"""Resolve what a person types for a channel (@name, title, t.me link, ids) to a stored channel.

Every query that filters by channel resolves the reference here first and then filters
``posts`` by ``channel_id``, so no query matches names against a join of every post.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from bot.domain import Channel, marked_channel_id
from bot.errors import UsageError
from bot.store.archive import Archive

_LINK = re.compile(
    r"^(?:https?://)?(?:www\.)?(?:t|telegram)\.(?:me|dog)/(?:s/)?(?P<path>[^?#]+?)/?(?:[?#].*)?$",
    re.IGNORECASE)
_MAX_REF = 200


@dataclass(frozen=True, slots=True)
class PostRef:
    """A channel reference with the post id a link may carry."""

    channel: str
    msg_id: int | None = None


def split_post_link(text: str) -> PostRef:
    """Split ``https://t.me/name/123`` or ``t.me/c/4567/123`` into channel and post id.

    A forum topic's post link has the topic between them (``t.me/name/TOPIC/123``,
    ``t.me/c/4567/TOPIC/123``): the post is always the last number.
    """
    link = _LINK.match(text.strip())
    if not link:
        return PostRef(text.strip())
    parts = link.group("path").split("/")
    private = parts[0].lower() == "c" and len(parts) >= 2
    after = parts[2:] if private else parts[1:]
    msg = after[-1] if after else ""
    return PostRef(parts[1] if private else "@" + parts[0],
                   int(msg) if _digits(msg) and len(msg) < 11 else None)


async def all_channels(archive: Archive) -> list[Channel]:
    """Every stored channel (a few hundred rows at most), by title."""
    rows = await archive.fetch_all(
        "SELECT id, title, username, access_hash FROM channels ORDER BY title COLLATE NOCASE, id")
    return [Channel(r[0], r[1], r[2], r[3]) for r in rows]


async def resolve_channel(archive: Archive, ref: str) -> Channel:
    """Find the stored channel ``ref`` names, or raise UsageError naming the closest ones."""
    text = split_post_link(ref).channel.strip()
    if not text or len(text) > _MAX_REF:
        raise UsageError("name a channel by @username, title, t.me link or -100… id")
    by_id = _as_id(text)
    if by_id is not None:
        rows = await archive.fetch_all(
            "SELECT id, title, username, access_hash FROM channels WHERE id = ?", (by_id,))
        if rows:
            return Channel(*rows[0])
    name = text.removeprefix("@")
    rows = await archive.fetch_all(
        """SELECT id, title, username, access_hash FROM channels
           WHERE username = ? COLLATE NOCASE ORDER BY id LIMIT 1""", (name,))
    if rows:
        return Channel(*rows[0])
    known = await all_channels(archive)
    wanted = text.casefold()
    for channel in known:
        if channel.title.casefold() == wanted:
            return channel
    raise UsageError(unknown_channel_message(text, known))


def unknown_channel_message(text: str, known: list[Channel]) -> str:
    """Say that no stored channel is called ``text``, suggesting the nearest names."""
    names = {f"@{c.username}": c for c in known if c.username}
    names.update({c.title: c for c in known if c.title})
    close = difflib.get_close_matches(text, list(names), n=3, cutoff=0.5)
    if not close:
        close = difflib.get_close_matches("@" + text.lstrip("@"), list(names), n=3, cutoff=0.5)
    shown = text if len(text) <= 48 else text[:47] + "…"
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    if not known:
        return f"no channel {shown!r} is stored; the archive has no channels yet"
    return f"no stored channel is called {shown!r}{hint}"


def _as_id(text: str) -> int | None:
    """A marked id (-100…), or the bare id of a t.me/c/ link."""
    if re.fullmatch(r"-100\d{1,13}", text):
        return int(text)
    if re.fullmatch(r"\d{1,13}", text):
        return marked_channel_id(int(text))
    return None


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit()  # isdigit alone accepts '²'
