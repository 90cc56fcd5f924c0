"""Builders for digest tests: stored posts, and what Telethon's parser makes of our HTML."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from telethon.extensions import html

from bot.digest import Digest, build_digest
from bot.domain import KeywordHit, StoredPost

T0 = datetime(2025, 3, 1, 3, 0, tzinfo=UTC)
TASHKENT = ZoneInfo("Asia/Tashkent")  # UTC+5 all year


def post(msg_id: int = 1, *, channel: int = 1, text: str = "Новость дня о выборах в парламент",
         minutes: int = 0, groups: tuple[str, ...] = (), **fields: Any) -> StoredPost:
    """Make a stored post in channel -100000000000<channel>, ``minutes`` after T0."""
    hits = tuple(KeywordHit(g, f"{g}-term", f"{g}-term") for g in groups)
    defaults: dict[str, Any] = dict(
        channel_id=-1_000_000_000_000 - 1000 - channel, msg_id=msg_id,
        date=T0 + timedelta(minutes=minutes), text=text, lang="ru",
        channel_title=f"Channel {channel}", channel_username=f"chan{channel}", views=None,
        edit_count=0, deleted=False, groups=groups, hits=hits, content_hash=f"h{channel}-{msg_id}",
    )
    defaults.update(fields)
    return StoredPost(**defaults)


def digest(posts: list[StoredPost], *, groups: list[str] | None = None,
           empty: str = "skip", tz: ZoneInfo = TASHKENT, hours: int = 12,
           max_items: int | None = None, by_group: bool = True) -> Digest:
    return build_digest(posts, title="Daily", window_start=T0,
                        window_end=T0 + timedelta(hours=hours), tz=tz, groups=groups,
                        empty=empty, max_items=max_items,  # type: ignore[arg-type]
                        by_group=by_group)


def parsed(part: str) -> tuple[str, list[Any]]:
    """Return Telethon's own reading of an HTML part: visible text and entities."""
    text, entities = html.parse(part)
    return text, entities


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def items_of(d: Digest) -> list[Any]:
    return [i for s in d.sections for b in s.channels for i in b.items]
