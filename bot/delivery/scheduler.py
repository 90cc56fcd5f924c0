"""Which digests are due at a given instant. Pure: the caller supplies the clock's reading."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.digest.schedule import Schedule

#: Posts are stamped first_seen before their transaction commits; waiting this long after
#: a window's end lets a commit in flight land inside the window instead of being missed.
SETTLE = timedelta(seconds=2)
#: A chat's first digest covers this much time back.
FIRST_WINDOW = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class DigestTarget:
    """A chat that gets the digest ``name`` on ``schedule``, counted from ``since`` at first."""

    chat_id: int
    name: str
    schedule: Schedule
    tz: ZoneInfo
    #: When the chat started to want this digest: a first digest is due at the first
    #: firing after it.
    since: datetime


@dataclass(frozen=True, slots=True)
class DueDigest:
    """A digest to create now, for posts first seen in (start, end]."""

    target: DigestTarget
    start: datetime
    end: datetime


def due_digests(
    targets: Iterable[DigestTarget],
    last_ends: Mapping[tuple[int, str], datetime],
    now: datetime,
) -> list[DueDigest]:
    """Return a digest for every target whose next firing (plus SETTLE) has passed.

    A target that missed several firings (the bot was down) gets one digest, ending at the
    latest firing, that covers everything since its previous digest. The latest firing is
    found directly (one step back from now), however long the outage and however dense the
    schedule, so the event loop never walks the missed firings one by one.
    """
    due: list[DueDigest] = []
    for target in targets:
        last = last_ends.get((target.chat_id, target.name))
        firing = _latest_firing(target, last, now)
        if firing is None:
            continue
        start = last if last is not None else firing - FIRST_WINDOW
        due.append(DueDigest(target, start, firing))
    return due


def next_firing(
    targets: Iterable[DigestTarget], last_ends: Mapping[tuple[int, str], datetime],
    now: datetime,
) -> datetime | None:
    """Return the moment (SETTLE included) the next digest becomes due, if any."""
    moments = []
    for target in targets:
        base = _base(target, last_ends.get((target.chat_id, target.name)))
        moments.append(target.schedule.next_after(base, target.tz) + SETTLE)
    return min(moments, default=None)


def _base(target: DigestTarget, last: datetime | None) -> datetime:
    # The window starts at the last digest, or when the chat began to want this digest;
    # a firing long past (a monthly digest missed in an outage) is still found and sent.
    return last if last is not None else target.since


def _latest_firing(target: DigestTarget, last: datetime | None, now: datetime) -> datetime | None:
    firing = target.schedule.latest_until(now - SETTLE, target.tz)
    if firing is None or firing <= _base(target, last):
        return None
    return firing
