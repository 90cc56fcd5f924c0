"""Read the moments people type (a date, a date and time, or an age) in a display zone.

``2026-03-14`` means midnight of that day *in the zone*, so "since the 14th" covers the day
the reader calls the 14th, not the UTC one.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.errors import UsageError

_AGE = re.compile(r"(\d+)\s*([mhdw])")
_AGE_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
#: A date's year, month and day, to say which part of a date-shaped value is wrong.
_DATE_SHAPE = re.compile(r"[+-]?([0-9]+)-([0-9][0-9])-([0-9][0-9])")
#: What the archive can hold: nothing before Telegram, nothing absurdly far ahead.
_EARLIEST, _LATEST = datetime(2013, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)


def parse_when(text: str, what: str, *, tz: ZoneInfo, now: datetime) -> datetime:
    """Return the aware moment ``text`` names, or raise UsageError saying what is accepted.

    A moment before Telegram existed means "from the start"; one past 2100, "to the end".
    Only a value the calendar cannot hold at all (``99999999999d``, year 0 or 10000) is an
    error, and it says so rather than that the value is not a date.
    """
    return _within_archive(_read_when(text, what, tz=tz, now=now))


def parse_window(since: str | None, until: str | None, names: tuple[str, str], *,
                 tz: ZoneInfo, now: datetime) -> tuple[datetime | None, datetime | None]:
    """Return the moments ``since`` and ``until`` name (None when not given), in order.

    The order is checked on the moments as typed: 2010 to 2012 is a window in which the
    archive holds nothing, not one whose ends are the wrong way round (both became 2013).
    """
    start = None if since is None else _read_when(since, names[0], tz=tz, now=now)
    end = None if until is None else _read_when(until, names[1], tz=tz, now=now)
    if start is not None and end is not None and start >= end:
        raise UsageError(f"{names[0]} must be before {names[1]}")
    return (None if start is None else _within_archive(start),
            None if end is None else _within_archive(end))


def _within_archive(moment: datetime) -> datetime:
    return min(max(moment, _EARLIEST), _LATEST)


def _read_when(text: str, what: str, *, tz: ZoneInfo, now: datetime) -> datetime:
    value = text.strip()
    age = _AGE.fullmatch(value.lower())
    if age:
        return _ago(now, age[1], age[2], text, what)
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            moment = datetime(day.year, day.month, day.day, tzinfo=tz)
        else:
            moment = datetime.fromisoformat(value)
            moment = moment if moment.tzinfo else moment.replace(tzinfo=tz)
    except ValueError as exc:
        raise UsageError(_not_a_moment(value, text, what, exc)) from None
    return moment


def looks_like_when(text: str) -> bool:
    """Whether ``text`` has the shape of an age or a date, right or wrong (not a channel)."""
    value = text.strip().lower()
    return bool(_AGE.fullmatch(value) or _DATE_SHAPE.match(value))


def _ago(now: datetime, digits: str, unit: str, text: str, what: str) -> datetime:
    # int() of thousands of digits is itself an error (and slow): no calendar needs them.
    try:
        if len(digits) > 12:
            raise OverflowError
        return now - timedelta(**{_AGE_UNITS[unit]: int(digits)})
    except OverflowError:
        raise UsageError(_too_far_back(text, what)) from None


def _not_a_moment(value: str, text: str, what: str, exc: ValueError) -> str:
    shape = _DATE_SHAPE.match(value)
    if shape and (value.startswith("-") or int(shape[1][:6]) == 0):
        return _too_far_back(text, what)
    if shape and len(shape[1]) > 4:
        return (f"{what} {_clip(text)!r}: too far ahead; the archive holds nothing after "
                f"{_LATEST.year - 1} (a year has four digits)")
    reason = f"no such date or time ({exc}); " if shape else ""
    return (f"{what} {_clip(text)!r}: {reason}use a date (2026-03-14), a date and time "
            "(2026-03-14T18:00) or an age (30m, 12h, 7d, 2w)")


def _too_far_back(text: str, what: str) -> str:
    return (f"{what} {_clip(text)!r}: too far back; the archive holds nothing before "
            f"{_EARLIEST.year} (give a date from {_EARLIEST.date().isoformat()} on, or a "
            "smaller age)")


def _clip(text: str) -> str:
    return text if len(text) <= 32 else text[:31] + "…"
