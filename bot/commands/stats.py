"""/stats [days]: posts per channel per day, the language mix and the top keyword groups."""

from __future__ import annotations

from datetime import timedelta

from bot.commands.args import is_number
from bot.commands.context import Context
from bot.commands.reply import MESSAGE_UNITS, Reply, text_reply
from bot.commands.router import CommandSpec
from bot.digest.render import HtmlBuilder
from bot.digest.text import clean, clip
from bot.errors import UsageError
from bot.store.values import PeriodStats, Window

DEFAULT_DAYS, MAX_DAYS = 7, 366
_BARS = "▁▂▃▄▅▆▇█"
_SHOWN = 15


def read_days(words: list[str], *, default: int) -> int:
    """The number of days a command names (1…366), or ``default``."""
    if not words:
        return default
    word = words[0] if len(words) == 1 else ""
    # The whole number counts, leading zeros and all: "0100000000" is not 100 days.
    days = int(word) if is_number(word) and len(word.lstrip("0")) <= 3 else 0
    if not 1 <= days <= MAX_DAYS:
        raise UsageError(f"give a number of days between 1 and {MAX_DAYS}")
    return days


def window_of(ctx: Context, days: int) -> Window:
    """The last ``days`` local days up to now, in the display zone."""
    offset = ctx.now.astimezone(ctx.tz).utcoffset() or timedelta()
    local = ctx.now.astimezone(ctx.tz)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return Window(midnight - timedelta(days=days - 1), ctx.now + timedelta(seconds=1),
                  int(offset.total_seconds()))


async def run_stats(ctx: Context, rest: str) -> list[Reply]:
    days = read_days(rest.split(), default=DEFAULT_DAYS)
    stats = await ctx.queries.period_stats(window_of(ctx, days))
    names = {c.id: c.title or str(c.id) for c in await ctx.queries.channels()}
    return [render_stats(stats, names, days)]


def render_stats(stats: PeriodStats, names: dict[int, str], days: int) -> Reply:
    out = HtmlBuilder().bold(f"Last {days} day{'' if days == 1 else 's'}")
    out.text(f": {stats.total:,} posts in {len(stats.per_channel)} channels\n")
    day_list = stats.window.days()
    ranked = sorted(stats.per_channel.items(), key=lambda kv: -sum(kv[1].values()))
    for channel_id, counts in ranked[:_SHOWN]:
        line = [counts.get(d, 0) for d in day_list]
        out.text("\n").bold(clip(clean(names.get(channel_id, str(channel_id))), 32))
        out.text(f" {sum(line):,}")
        if 1 < len(line) <= 31:
            out.text("  " + sparkline(line))
    if len(ranked) > _SHOWN:
        out.text(f"\n… and {len(ranked) - _SHOWN} more channels")
    if stats.languages:
        total = sum(stats.languages.values())
        mix = ", ".join(f"{lang} {count * 100 / total:.0f}%"
                        for lang, count in list(stats.languages.items())[:8])
        out.text("\n\n").bold("Languages").text(f": {mix}")
    if stats.groups:
        top = ", ".join(f"{clip(g, 32)} {n:,}" for g, n in list(stats.groups.items())[:10])
        out.text("\n").bold("Keyword groups").text(f": {top}")
    if out.length > MESSAGE_UNITS:  # cannot happen with the caps above; keep it safe anyway
        return text_reply(HtmlBuilder().text(f"{stats.total:,} posts"))
    return text_reply(out)


def sparkline(values: list[int]) -> str:
    """One bar per value, scaled to the largest."""
    top = max(values) or 1
    return "".join(_BARS[min(len(_BARS) - 1, v * (len(_BARS) - 1) // top)] if v else " "
                   for v in values)


SPECS = (CommandSpec("stats", "/stats [days]", "posts per channel and day, languages, groups",
                     run_stats),)
