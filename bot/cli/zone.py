"""The zone the terminal shows times in: --tz, else [display].timezone, else [bot].timezone."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.commands.when import parse_window
from bot.config import Config
from bot.errors import UsageError


def display_zone(args: argparse.Namespace, config: Config) -> ZoneInfo:
    """Return the zone to show times in; an unknown --tz is a usage error."""
    name = getattr(args, "tz", None) or config.display.timezone or config.bot.timezone
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"--tz {name!r}: unknown zone; use an IANA name such as "
                         "Asia/Almaty or UTC") from None


def window(args: argparse.Namespace, tz: ZoneInfo) -> tuple[datetime | None, datetime | None]:
    """--since and --until (None when not given): a date means midnight of that day in ``tz``."""
    return parse_window(getattr(args, "since", None), getattr(args, "until", None),
                        ("--since", "--until"), tz=tz, now=datetime.now(UTC))


def shown(when: datetime, tz: ZoneInfo) -> str:
    """A time as the terminal shows it, with its zone."""
    return when.astimezone(tz).strftime("%Y-%m-%d %H:%M ") + _abbrev(when, tz)


def _abbrev(when: datetime, tz: ZoneInfo) -> str:
    name = when.astimezone(tz).tzname() or tz.key
    # Zones without an abbreviation name their offset ("+05"); the key is clearer then.
    return tz.key if name[:1] in "+-" else name
