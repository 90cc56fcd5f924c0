"""Turn due windows into outbox rows: choose posts by arrival, build, render, store at once."""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from bot.digest import DEFAULT_MAX_ITEMS, alert_message, build_digest, render_digest
from bot.domain import StoredPost
from bot.store import arrivals, outbox
from bot.store.archive import Archive
from bot.store.subscribers import Subscription

from .clock import from_unix, unix
from .scheduler import FIRST_WINDOW, SETTLE, DueDigest

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DigestContent:
    """What a digest holds and how it reads: groups (None: every post), empty policy, zone,
    and the most items it shows."""

    title: str
    groups: tuple[str, ...] | None
    empty: Literal["skip", "notice"]
    tz: ZoneInfo
    max_items: int = DEFAULT_MAX_ITEMS


def render_window(posts: Sequence[StoredPost], content: DigestContent, *, start: datetime,
                  end: datetime) -> list[str]:
    """Render the parts of one digest; [] when it is empty and empty digests are skipped."""
    digest = build_digest(posts, title=content.title, window_start=start, window_end=end,
                          tz=content.tz, groups=content.groups, empty=content.empty,
                          max_items=content.max_items)
    return render_digest(digest)


async def digest_parts(archive: Archive, content: DigestContent, *, start: datetime,
                       end: datetime, include_history: bool = False) -> list[str]:
    """Read the posts first seen in (start, end] and render them (history too, to preview)."""
    posts = await arrivals.posts_arrived(archive, after=unix(start), until=unix(end),
                                         include_history=include_history)
    return render_window(posts, content, start=start, end=end)


async def create_due_digests(
    archive: Archive, due: Sequence[tuple[DueDigest, DigestContent]], *, now: datetime
) -> list[int]:
    """Create every due digest with its parts; return the ids of those that were new."""
    created: list[int] = []
    cache: dict[tuple[int, int], list[StoredPost]] = {}
    for item, content in due:
        key = (unix(item.start), unix(item.end))
        if key not in cache:  # fifty subscribers share one window: read it once
            cache[key] = await arrivals.posts_arrived(archive, after=key[0], until=key[1])
        parts = render_window(cache[key], content, start=item.start, end=item.end)
        window = outbox.Window(item.target.chat_id, item.target.name, *key)
        # One transaction per digest keeps the write lock short for the collector.
        created += await outbox.create_windows(archive, [(window, parts)], now=unix(now))
    return created


async def create_digest_now(archive: Archive, chat_id: int, name: str,
                            content: DigestContent, *, now: datetime) -> int | None:
    """Create a digest for one chat covering the time since its last one; None if a twin exists."""
    end = now - SETTLE
    last = await outbox.last_window_end(archive, chat_id, name)
    start = from_unix(last) if last is not None else end - FIRST_WINDOW
    if unix(end) <= unix(start):
        return None
    parts = await digest_parts(archive, content, start=start, end=end)
    window = outbox.Window(chat_id, name, unix(start), unix(end))
    created = await outbox.create_windows(archive, [(window, parts)], now=unix(now))
    return created[0] if created else None


async def create_alerts(
    archive: Archive,
    subscriptions: Sequence[Subscription],
    *,
    alert_groups: Collection[str],
    tz: ZoneInfo,
    now: datetime,
) -> int:
    """Batch posts first seen since the last scan into one alert per subscribed chat.

    The scan's watermark moves in the transaction that queues the alerts, so every post is
    alerted once: never lost by a crash, never repeated by a restart. Returns alerts queued.
    """
    end = unix(now - SETTLE)
    watermark = await outbox.alert_watermark(archive)
    if watermark is None:
        # First run: start from now rather than alerting the whole archive.
        await outbox.create_windows(archive, [], now=unix(now), alert_watermark=end)
        return 0
    if end <= watermark:
        return 0
    posts = await arrivals.posts_arrived(archive, after=watermark, until=end,
                                         groups=alert_groups)
    if not posts:
        # Leave the watermark: a post whose commit was slower than SETTLE is caught next time.
        return 0
    windows: list[tuple[outbox.Window, list[str]]] = []
    for sub in subscriptions:
        covered = [g for g in sorted(alert_groups) if not sub.groups or g in sub.groups]
        chosen = [p for p in posts if any(g in covered for g in p.groups)]
        parts = alert_message(chosen, tz=tz, groups=covered)
        if parts:
            windows.append((outbox.Window(sub.chat_id, outbox.ALERT_NAME, watermark, end), parts))
    await outbox.create_windows(archive, windows, now=unix(now), alert_watermark=end)
    if windows:
        log.info("queued alerts of %d posts for %d chats", len(posts), len(windows))
    return len(windows)


def default_title(name: str) -> str:
    """Return a digest's title from its config name."""
    return f"Digest: {name}"


