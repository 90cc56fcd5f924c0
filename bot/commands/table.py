"""The query commands, one module each; adding a command touches its module and this list."""

from __future__ import annotations

from bot.commands import changes, channels, keywords, latest, post, search, stats, trend
from bot.commands.router import CommandSpec

QUERY_COMMANDS: tuple[CommandSpec, ...] = (
    *search.SPECS, *latest.SPECS, *post.SPECS, *changes.SPECS, *channels.SPECS,
    *stats.SPECS, *trend.SPECS, *keywords.SPECS,
)
