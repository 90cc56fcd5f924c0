"""Read the moments people type (a date, a date and time, or an age) in a display zone.

``2026-03-14`` means midnight of that day *in the zone*, so "since the 14th" covers the day
the reader calls the 14th, not the UTC one.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.errors import UsageError

_AGE = re.compile(r"(\d{1,6})\s*([mhdw])")
_AGE_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
#: What the archive can hold: nothing before Telegram, nothing absurdly far ahead.
_EARLIEST, _LATEST = datetime(2013, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)


def parse_when(text: str, what: str, *, tz: ZoneInfo, now: datetime) -> datetime:
    """Return the aware moment ``text`` names, or raise UsageError saying what is accepted."""
    value = text.strip()
    age = _AGE.fullmatch(value.lower())
    if age:
        moment = now - timedelta(**{_AGE_UNITS[age[2]]: int(age[1])})
        return max(moment, _EARLIEST)
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            moment = datetime(day.year, day.month, day.day, tzinfo=tz)
        else:
            moment = datetime.fromisoformat(value)
            moment = moment if moment.tzinfo else moment.replace(tzinfo=tz)
    except ValueError:
        raise UsageError(f"{what} {_clip(text)!r}: use a date (2026-03-14), a date and time "
                         "(2026-03-14T18:00) or an age (30m, 12h, 7d, 2w)") from None
    return min(max(moment, _EARLIEST), _LATEST)


def _clip(text: str) -> str:
    return text if len(text) <= 32 else text[:31] + "…"
