"""/trend <group | term> [days] [@channel…]: daily mentions per channel, as a PNG chart.

The chart is drawn in a worker thread (matplotlib holds the CPU for a few hundred ms), so the
bot keeps answering while it draws; ``tgmon trend`` draws the same chart from the same code.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.commands.args import is_number
from bot.commands.context import Context
from bot.commands.filters import find_group
from bot.commands.reply import Reply
from bot.commands.router import CommandSpec
from bot.digest.render import HtmlBuilder
from bot.digest.text import clean, clip
from bot.domain import Channel
from bot.errors import UsageError
from bot.store.ports import PostQueries
from bot.store.values import Window

USAGE = "/trend <group | term> [days] [@channel …]"
DEFAULT_DAYS, MAX_DAYS = 30, 366


@dataclass(frozen=True, slots=True)
class TrendRequest:
    """What to chart: a keyword group or a search term, over how many days, where."""

    subject: str
    group: str | None
    days: int
    channels: tuple[Channel, ...] = ()


@dataclass(frozen=True, slots=True)
class Trend:
    """A drawn chart and what it shows."""

    png: bytes
    title: str
    total: int
    top: list[tuple[str, int]]


async def read_request(queries: PostQueries, words: list[str], groups: list[str]) -> TrendRequest:
    """Read ``subject [days] [@channel …]``; the subject is a group when one is called so."""
    days = DEFAULT_DAYS
    channels: list[Channel] = []
    subject: list[str] = []
    for word in words:
        if is_number(word):
            if not 1 <= int(word[:4]) <= MAX_DAYS or len(word) > 3:
                raise UsageError(f"days must be between 1 and {MAX_DAYS}")
            days = int(word)
        elif word.startswith(("@", "-100")) or "t.me/" in word.lower():
            channels.append(await queries.resolve_channel(word))
        else:
            subject.append(word)
    text = " ".join(subject)
    if not text:
        raise UsageError("name a keyword group or a word to chart")
    group = await find_group(queries, text, groups)
    return TrendRequest(group or text, group, days, tuple(dict.fromkeys(channels)))


async def draw_trend(queries: PostQueries, request: TrendRequest, *, tz: ZoneInfo,
                     now: datetime) -> Trend:
    """Count mentions per channel and local day, and draw them (in a thread)."""
    local = now.astimezone(tz)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    window = Window(midnight - timedelta(days=request.days - 1), now + timedelta(seconds=1),
                    int((local.utcoffset() or timedelta()).total_seconds()))
    counts = await queries.mentions_by_day(
        window, group=request.group,
        term=None if request.group else request.subject,
        channel_ids=[c.id for c in request.channels])
    names = {c.id: c.title or str(c.id) for c in await queries.channels()}
    days = window.days()
    series = {names.get(cid, str(cid)): [per_day.get(d, 0) for d in days]
              for cid, per_day in counts.items()}
    for channel in request.channels:  # a named channel with no mentions is a flat line
        series.setdefault(channel.title or str(channel.id), [0] * len(days))
    kind = "group" if request.group else "term"
    title = f"{request.subject} ({kind}), last {request.days} days"
    from bot.charts.trend import render_trend

    png = await asyncio.to_thread(render_trend, title, days, series)
    top = sorted(((name, sum(v)) for name, v in series.items()), key=lambda kv: -kv[1])
    return Trend(png, title, sum(n for _, n in top), top[:5])


async def run_trend(ctx: Context, rest: str) -> list[Reply]:
    request = await read_request(ctx.queries, rest.split(), list(ctx.config.keywords))
    trend = await draw_trend(ctx.queries, request, tz=ctx.tz, now=ctx.now)
    caption = HtmlBuilder().bold(clip(clean(trend.title), 120))
    caption.text(f"\n{trend.total:,} posts")
    for name, count in trend.top:
        caption.text(f"\n{clip(clean(name), 40)}: {count:,}")
    chunk = caption.chunk()
    return [Reply(chunk.html, chunk.length, photo=trend.png, filename="trend.png")]


SPECS = (CommandSpec("trend", USAGE, "a chart of daily mentions per channel", run_trend),)
