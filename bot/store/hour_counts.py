"""Which part of a window the hour counters answer, and which part only the posts can.

``post_hours`` and ``group_hours`` (schema 4) count posts per whole UTC hour. A window of
local days is whole hours in the middle, but its ends need not be (``until`` is "now"), and
in a zone whose offset is not whole hours (India, Nepal…) one hour a day spans a local
midnight and belongs to two days. Those pieces are counted from the posts themselves, so
every answer is exact; they hold at most a few hours of posts, and an end whose hour holds
no post beyond it (the usual "now") is no piece at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.store.post_filters import PID_SHIFT

HOUR, DAY = 3_600, 86_400


@dataclass(frozen=True, slots=True)
class Split:
    """Whole hours ``first_hour``…``last_hour`` (those inside one local day) for the
    counters, and inclusive pid ranges for the posts."""

    first_hour: int
    last_hour: int
    pid_ranges: tuple[tuple[int, int], ...]

    def hours(self, utc_offset: int) -> tuple[str, list[int]]:
        """SQL over column ``hour`` for the counters' part, and its parameters."""
        if utc_offset % HOUR == 0:  # every hour lies inside one local day
            return "hour BETWEEN ? AND ?", [self.first_hour, self.last_hour]
        return (f"hour BETWEEN ? AND ? AND (hour * {HOUR} + ?) % {DAY} <= {DAY - HOUR}",
                [self.first_hour, self.last_hour, utc_offset])


def split(start: int, end: int, utc_offset: int,
          empty: Callable[[int, int], bool] | None = None) -> Split:
    """Split the dates ``start`` <= date < ``end`` (unix seconds) between counters and posts.

    ``empty(a, b)`` says whether no post is dated a <= date < b. An end that cuts an hour
    whose other part holds no post takes the whole hour from the counters: "now" ends most
    windows, and nothing is dated after now.
    """
    start, end = max(0, start), max(0, end)
    if empty is not None:
        if start % HOUR and empty(start - start % HOUR, start):
            start -= start % HOUR
        if end % HOUR and empty(end, end - end % HOUR + HOUR):
            end += HOUR - end % HOUR
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
