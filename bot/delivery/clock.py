"""The time source of delivery, injectable so that tests can move time by hand."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    """Tell the time and wait; tests substitute a clock they advance themselves."""

    def now(self) -> datetime:
        """Return the current moment, timezone-aware."""
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


def unix(moment: datetime) -> int:
    """Return whole unix seconds, as the archive stores them."""
    return int(moment.timestamp())


def from_unix(seconds: int) -> datetime:
    """Return an aware UTC datetime for unix seconds."""
    return datetime.fromtimestamp(seconds, UTC)
