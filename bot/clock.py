"""The service's one time source, passed down from the composition root (bot/app.py).

Every schedule, timer and stamp of ours reads it: digest firings, the alert scan, the
sender's pacing and back-off, the sync timer, reconcile windows, channel retries, flood
parks, retention, and the times the archive stamps on rows (arrival numbers map to times
through them). So a bench can run a week in minutes (``ScaledClock``) and a test can move
time by hand. What measures the real process stays on the wall clock: Telethon's own timers,
reconnect and loop-restart back-off, the event-loop watchdog and the heartbeat file a
container's HEALTHCHECK compares with its own clock.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Tell the time and wait; tests substitute a clock they advance themselves."""

    def now(self) -> datetime:
        """Return the current moment, timezone-aware (safe to call from any thread)."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of this clock's time."""
        ...


class SystemClock:
    """The wall clock and asyncio's sleep."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(seconds, 0.0))


class ScaledClock:
    """Time that runs ``factor`` times faster than the wall clock, from ``start``.

    ``origin`` is the wall-clock moment (unix seconds) that ``start`` corresponds to; several
    processes given the same pair share one continuous simulated time, so a process that is
    killed and restarted finds the time that passed meanwhile, as it would in real life.
    """

    def __init__(self, *, start: datetime, factor: float, origin: float | None = None) -> None:
        if factor <= 0:
            raise ValueError("factor must be positive")
        self.start = start
        self.factor = factor
        self.origin = time.time() if origin is None else origin

    def now(self) -> datetime:
        return self.start + timedelta(seconds=(time.time() - self.origin) * self.factor)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(seconds, 0.0) / self.factor)


async def sleep_or_wake(clock: Clock, seconds: float, wake: asyncio.Event) -> None:
    """Sleep ``seconds`` of ``clock``'s time, or less if ``wake`` is set meanwhile."""
    sleeper = asyncio.ensure_future(clock.sleep(seconds))
    waker = asyncio.ensure_future(wake.wait())
    try:
        await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (sleeper, waker):
            task.cancel()
        await asyncio.gather(sleeper, waker, return_exceptions=True)


def unix(moment: datetime) -> int:
    """Return whole unix seconds, as the archive stores them."""
    return int(moment.timestamp())


def from_unix(seconds: int) -> datetime:
    """Return an aware UTC datetime for unix seconds."""
    return datetime.fromtimestamp(seconds, UTC)
