"""/channels: every watched channel with its status, posts stored, newest post and lag."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.commands.context import Context
from bot.commands.reply import MESSAGE_UNITS, Reply, text_reply
from bot.commands.router import CommandSpec
from bot.digest.render import HtmlBuilder, local_time
from bot.digest.text import clean, clip
from bot.store.values import ChannelRow, Overview

_BUDGET = MESSAGE_UNITS - 300


async def run_channels(ctx: Context, rest: str) -> list[Reply]:
    overview = await ctx.queries.channel_overview()
    return [render_channels(overview, tz=ctx.tz, now=ctx.now)]


def render_channels(overview: Overview, *, tz: ZoneInfo, now: datetime) -> Reply:
    rows = overview.channels
    out = HtmlBuilder().bold(f"Channels ({len(rows)})")
    if overview.parked_until:
        out.text(f"\nReads paused by a flood wait until "
                 f"{local_time(overview.parked_until, tz, with_date=True)}")
    if not rows and not overview.unresolved:
        return text_reply(out.text("\nNone stored yet."))
    for index, row in enumerate(rows):
        line = _line(row, tz, now)
        if out.length + line.length > _BUDGET:
            out.text(f"\n… and {len(rows) - index} more: tgmon channels lists them all")
            break
        out.parts.append(line.chunk().html)
        out.length += line.length
    for ref, reason in overview.unresolved[:20]:
        out.text("\n").bold(clip(ref, 48)).text(f" · unresolved · {clip(reason, 80)}")
    return text_reply(out)


def _line(row: ChannelRow, tz: ZoneInfo, now: datetime) -> HtmlBuilder:
    channel = row.channel
    name = clip(clean(channel.title), 40) or str(channel.id)
    out = HtmlBuilder().text("\n").bold(name)
    if channel.username:
        out.text(f" @{channel.username}")
    status = row.status if not row.detail else f"{row.status} ({clip(row.detail, 40)})"
    last = local_time(row.last_post, tz, with_date=True) if row.last_post else "no posts"
    lag = row.lag_seconds(now)
    out.text(f"\n  {status} · {row.posts:,} posts · last {last}"
             f" · read {age(lag) + ' ago' if lag is not None else 'never'}")
    return out


def age(seconds: int) -> str:
    """A short age: 45 s, 12 min, 3 h, 5 d."""
    for unit, size in (("d", 86_400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"


SPECS = (CommandSpec("channels", "/channels", "watched channels, their health and lag",
                     run_channels),)
