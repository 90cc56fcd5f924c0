"""A set of message ids kept as runs of consecutive ids, as a channel's history holds them.

What a catch-up read is kept for the reconcile that follows it in the round (which finds
deletions among the caught-up part by the ids missing from it). As a set of ints, a
round that caught up 300 channels after a long downtime held every id it read (~70 bytes
each) until the round ended: in the soak's final run, whose first round caught up ~250,000
posts, the Python heap grew by ~400,000 blocks and RSS by ~28 MB over it. As runs, a
channel without deletions is one pair of ints.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Iterator, Set


class IdRuns(Set[int]):
    """Message ids, best added in ascending order (as a reverse history read returns them);
    one out of order is kept aside."""

    __slots__ = ("_aside", "_ends", "_starts")

    def __init__(self) -> None:
        self._starts = array("q")
        self._ends = array("q")
        self._aside: set[int] = set()

    def add(self, msg_id: int) -> None:
        if self._ends and msg_id <= self._ends[-1]:
            if msg_id not in self:
                self._aside.add(msg_id)
            return
        if self._ends and msg_id == self._ends[-1] + 1:
            self._ends[-1] = msg_id
        else:
            self._starts.append(msg_id)
            self._ends.append(msg_id)

    def __contains__(self, msg_id: object) -> bool:
        if not isinstance(msg_id, int):
            return False
        k = bisect_right(self._starts, msg_id) - 1
        return (k >= 0 and msg_id <= self._ends[k]) or msg_id in self._aside

    def __iter__(self) -> Iterator[int]:
        for start, end in zip(self._starts, self._ends, strict=True):
            yield from range(start, end + 1)
        yield from self._aside

    def __len__(self) -> int:
        return len(self._aside) + sum(
            end - start + 1 for start, end in zip(self._starts, self._ends, strict=True))
