"""Shared test tools for delivery: a clock moved by hand, a scripted transport, posts at times."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.delivery.sender import SendOutcome
from bot.domain import AnalysedPost
from bot.store import Archive

T0 = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)  # 09:00 in Asia/Almaty (UTC+5 since 2024)


class ManualClock:
    """A clock that moves only when the test says so; sleepers wake in deadline order."""

    def __init__(self, start: datetime = T0) -> None:
        self._now = start
        self._sleepers: list[tuple[datetime, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def now(self) -> datetime:
        return self._now

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        deadline = self._now + timedelta(seconds=seconds)
        heapq.heappush(self._sleepers, (deadline, next(self._order), future))
        await future

    def jump(self, seconds: float) -> None:
        """Move time forward and wake the sleepers whose time has come."""
        self._now += timedelta(seconds=seconds)
        while self._sleepers and self._sleepers[0][0] <= self._now:
            _, _, future = heapq.heappop(self._sleepers)
            if not future.done():
                future.set_result(None)


async def settle(rounds: int = 5) -> None:
    """Let tasks waiting on aiosqlite's thread and the fake network run."""
    for _ in range(rounds):
        await asyncio.sleep(0.005)


async def run_until(condition: Callable[[], bool], clock: ManualClock, *, step: float = 0.5,
                    limit: float = 3600.0) -> float:
    """Advance ``clock`` in steps until ``condition`` holds; return the clock time it took."""
    waited = 0.0
    await settle()
    while not condition():
        if waited >= limit:
            raise AssertionError(f"condition still false after {limit}s of clock time")
        clock.jump(step)
        waited += step
        await settle()
    return waited


@dataclass
class ScriptedTransport:
    """Record sends; answer from ``script`` (chat id → outcomes, consumed in order) or sent."""

    clock: ManualClock | None = None
    script: dict[int, list[SendOutcome]] = field(default_factory=dict)
    flood_on_send: dict[int, int] = field(default_factory=dict)  # nth send → seconds
    calls: list[tuple[int, str, int, datetime | None]] = field(default_factory=list)
    delivered: dict[int, list[int]] = field(default_factory=dict)  # chat → random_ids

    async def send(self, chat_id: int, html: str, random_id: int) -> SendOutcome:
        self.calls.append((chat_id, html, random_id, self.clock.now() if self.clock else None))
        seconds = self.flood_on_send.pop(len(self.calls), None)
        if seconds is not None:
            return SendOutcome.flood(seconds)
        scripted = self.script.get(chat_id)
        if scripted:
            return scripted.pop(0)
        received = self.delivered.setdefault(chat_id, [])
        if random_id not in received:  # Telegram drops a repeated random_id
            received.append(random_id)
        return SendOutcome.sent(len(self.calls))


async def store_at(archive: Archive, moment: datetime, items: Iterable[AnalysedPost]) -> None:
    """Store posts as if they arrived at ``moment`` (their first_seen and arrival time)."""
    kept = archive.clock
    archive.clock = ManualClock(moment)
    try:
        await archive.store_posts(list(items))
    finally:
        archive.clock = kept
