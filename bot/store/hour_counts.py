"""Which part of a window the hour counters answer, and which part only the posts can.

``post_hours`` and ``group_hours`` (schema 4) count posts per whole UTC hour. A window of
local days is whole hours in the middle, but its ends need not be (``until`` is "now"), and
in a zone whose offset is not whole hours (India, Nepal…) one hour a day spans a local
midnight and belongs to two days. Those pieces are counted from the posts themselves, so
every answer is exact; they hold at most a few hours of posts.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.store.post_filters import PID_SHIFT

HOUR, DAY = 3_600, 86_400
#: SQL that is true when an hour (column ``hour``) lies inside one local day of offset ?.
WITHIN_A_DAY = f"(hour * {HOUR} + ?) % {DAY} <= {DAY - HOUR}"


@dataclass(frozen=True, slots=True)
class Split:
    """Whole hours ``first_hour``…``last_hour`` (those inside one local day) for the
    counters, and inclusive pid ranges for the posts."""

    first_hour: int
    last_hour: int
    pid_ranges: tuple[tuple[int, int], ...]


def split(start: int, end: int, utc_offset: int) -> Split:
    """Split the dates ``start`` <= date < ``end`` (unix seconds) between counters and posts."""
    start, end = max(0, start), max(0, end)
    first, last = -(-start // HOUR), end // HOUR - 1  # the whole hours inside the window
    if first > last:
        return Split(first, last, _pids([(start, end)] if start < end else []))
    pieces = [(start, first * HOUR), ((last + 1) * HOUR, end)]
    pieces += [(h * HOUR, (h + 1) * HOUR) for h in across_midnight(first, last, utc_offset)]
    return Split(first, last, _pids([p for p in pieces if p[0] < p[1]]))


def across_midnight(first: int, last: int, utc_offset: int) -> range:
    """The hours first…last that span a local midnight: none when the offset is whole hours."""
    if utc_offset % HOUR == 0:
        return range(0)
    # One hour a day; the first one is at most 23 hours after ``first``.
    start = next(h for h in range(first, first + 24) if (h * HOUR + utc_offset) % DAY
                 > DAY - HOUR)
    return range(start, last + 1, 24)


def _pids(pieces: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    return tuple((a << PID_SHIFT, (b << PID_SHIFT) - 1) for a, b in sorted(pieces))
