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
from itertools import pairwise

from bot.store.post_filters import PID_SHIFT

HOUR, DAY = 3_600, 86_400


@dataclass(frozen=True, slots=True)
class Split:
    """The whole hours the counters answer, by local day, and the pid ranges (inclusive)
    the posts answer."""

    #: (local day number, first hour, last hour): hours inside the window and that day.
    days: tuple[tuple[int, int, int], ...]
    pid_ranges: tuple[tuple[int, int], ...]

    def hour_ranges(self) -> list[tuple[int, int]]:
        """The counters' hours as few ranges: one, unless hours across midnight cut it."""
        merged: list[tuple[int, int]] = []
        for _day, first, last in self.days:
            if merged and merged[-1][1] + 1 == first:
                merged[-1] = (merged[-1][0], last)
            else:
                merged.append((first, last))
        return merged


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
        return Split((), _pids([(start, end)] if start < end else []))
    days = []
    for day in range((first * HOUR + utc_offset) // DAY, (last * HOUR + utc_offset) // DAY + 1):
        # The hours that begin and end inside this local day.
        low = max(first, -(-(day * DAY - utc_offset) // HOUR))
        high = min(last, ((day + 1) * DAY - utc_offset) // HOUR - 1)
        if low <= high:
            days.append((day, low, high))
    pieces = [(start, first * HOUR), ((last + 1) * HOUR, end)]
    # Hours between two days' ranges span a local midnight (zones off by part of an hour).
    pieces += [((a[2] + 1) * HOUR, b[1] * HOUR) for a, b in pairwise(days)]
    if days:
        pieces += [(first * HOUR, days[0][1] * HOUR),
                   ((days[-1][2] + 1) * HOUR, (last + 1) * HOUR)]
    else:
        pieces.append((first * HOUR, (last + 1) * HOUR))
    return Split(tuple(days), _pids([p for p in pieces if p[0] < p[1]]))


def _pids(pieces: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    return tuple((a << PID_SHIFT, (b << PID_SHIFT) - 1) for a, b in sorted(pieces))
