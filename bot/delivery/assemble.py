"""Turn due windows into outbox rows: choose posts by arrival, build, render, store at once."""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from bot.clock import from_unix, unix
from bot.digest import DEFAULT_MAX_ITEMS, alert_message, build_digest, render_digest
from bot.domain import StoredPost
from bot.store.delivery_ports import DeliveryStore
from bot.store.delivery_values import ALERT_NAME, Subscription, Window

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


async def window_posts(archive: DeliveryStore, *, start: datetime, end: datetime
                       ) -> tuple[list[StoredPost], int]:
    """Posts that arrived between two moments, and the arrival number the window ends at.

    For previews and windows given by time (`tgmon digest --since`); scheduled windows
    continue from the previous window's arrival number instead, which is exact.
    """
    after = await archive.arrivals.seq_at(unix(start))
    until = await archive.arrivals.seq_at(unix(end))
    return await archive.arrivals.posts_arrived(after=after, until=until), until


async def digest_parts(archive: DeliveryStore, content: DigestContent, *, start: datetime,
                       end: datetime, include_history: bool = False) -> list[str]:
    """Read the posts that arrived in (start, end] and render them.

    ``include_history`` previews imported and backfilled posts too (they take no arrival
    number, so it reads the window by the time each post was stored).
    """
    if include_history:
        posts = await archive.arrivals.posts_stored(after=unix(start), until=unix(end))
    else:
        posts, _ = await window_posts(archive, start=start, end=end)
    return render_window(posts, content, start=start, end=end)


async def create_due_digests(
    archive: DeliveryStore, due: Sequence[tuple[DueDigest, DigestContent]], *, now: datetime
) -> list[int]:
    """Create every due digest with its parts; return the ids of those that were new.

    Each holds what arrived since its chat's previous window, up to the newest arrival
    committed now: nothing that arrives meanwhile can fall between two windows.
    """
    created: list[int] = []
    top = await archive.arrivals.current_seq()
    reached = await archive.outbox.last_seq_ends()
    cache: dict[tuple[int, int], list[StoredPost]] = {}
    rendered: dict[tuple[int, int, DigestContent, datetime, datetime], list[str]] = {}
    for item, content in due:
        key = (item.target.chat_id, item.target.name)
        after = reached.get(key)
        if after is None:
            after = await archive.arrivals.seq_at(unix(item.start))
        if (after, top) not in cache:  # fifty subscribers share one window: read it once
            cache[(after, top)] = await archive.arrivals.posts_arrived(after=after, until=top)
        # ...and build it once: a digest depends on its posts, content and window only, and
        # building one of an hour's 3,000 posts took 50 ms of the event loop, per chat.
        same = (after, top, content, item.start, item.end)
        if same not in rendered:
            rendered[same] = render_window(cache[(after, top)], content, start=item.start,
                                           end=item.end)
        parts = rendered[same]
        window = Window(*key, unix(item.start), unix(item.end), seq_end=top)
        # One transaction per digest keeps the write lock short for the collector.
        created += await archive.outbox.create_windows([(window, parts)], now=unix(now))
        reached[key] = top  # a second due firing of the same chat starts here
    return created


async def create_digest_now(archive: DeliveryStore, chat_id: int, name: str,
                            content: DigestContent, *, now: datetime) -> int | None:
    """Create a digest for one chat covering the time since its last one; None if a twin exists."""
    end = now - SETTLE
    last = await archive.outbox.last_window_end(chat_id, name)
    start = from_unix(last) if last is not None else end - FIRST_WINDOW
    if unix(end) <= unix(start):
        return None
    after = (await archive.outbox.last_seq_ends()).get((chat_id, name))
    if after is None:
        after = await archive.arrivals.seq_at(unix(start))
    top = await archive.arrivals.current_seq()
    posts = await archive.arrivals.posts_arrived(after=after, until=top)
    parts = render_window(posts, content, start=start, end=end)
    window = Window(chat_id, name, unix(start), unix(end), seq_end=top)
    created = await archive.outbox.create_windows([(window, parts)], now=unix(now))
    return created[0] if created else None


async def create_alerts(
    archive: DeliveryStore,
    subscriptions: Sequence[Subscription],
    *,
    alert_groups: Collection[str],
    tz: ZoneInfo,
    now: datetime,
) -> int:
    """Batch posts that arrived since the last scan into one alert per subscribed chat.

    The scan's watermark (an arrival number) moves in the transaction that queues the
    alerts, so every post is alerted once: never lost by a crash, never repeated by a
    restart. An edit that brings a post new alert groups is alerted once, for those groups.
    Returns alerts queued.
    """
    watermark = await archive.outbox.alert_watermark()
    top = await archive.arrivals.current_seq()
    if watermark is None:
        # First run: start from now rather than alerting the whole archive.
        await archive.outbox.create_windows([], now=unix(now), alert_watermark=top)
        return 0
    if top <= watermark:
        return 0
    posts = await archive.arrivals.posts_arrived(after=watermark, until=top,
                                         groups=alert_groups, include_edits=True)
    windows: list[tuple[Window, list[str]]] = []
    for sub in subscriptions:
        covered = [g for g in sorted(alert_groups) if not sub.groups or g in sub.groups]
        chosen = [p for p in posts if any(g in covered for g in p.groups)]
        parts = alert_message(chosen, tz=tz, groups=covered)
        if parts:
            windows.append((Window(sub.chat_id, ALERT_NAME, watermark, top,
                                          seq_end=top), parts))
    await archive.outbox.create_windows(windows, now=unix(now), alert_watermark=top)
    if windows:
        log.info("queued alerts of %d posts for %d chats", len(posts), len(windows))
    return len(windows)


def default_title(name: str) -> str:
    """Return a digest's title from its config name."""
    return f"Digest: {name}"


