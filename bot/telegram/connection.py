"""Keep a client connected for months: reconnect without limit, gently, and say so.

Telethon retries a dropped connection a few times by itself (``connection_retries``), then
gives up: ``client.disconnected`` resolves and every request fails with ConnectionError.
``KeepConnected`` takes over from there and reconnects forever, with capped exponential
back-off and jitter, so a long outage costs one attempt a minute, not a busy loop, and many
tgmon instances do not hammer Telegram in step when the network comes back.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telethon import TelegramClient

from bot import metrics
from bot.errors import SessionError

log = logging.getLogger(__name__)

OnReconnect = Callable[[], Awaitable[None] | None]


@dataclass(frozen=True, slots=True)
class Backoff:
    """Seconds between reconnect attempts: ``first``, doubling, up to ``cap``, ± ``jitter``."""

    first: float = 1.0
    cap: float = 60.0
    jitter: float = 0.2

    def delay(self, attempt: int, *, rand: Callable[[], float] = random.random) -> float:
        """The pause before attempt number ``attempt`` (1 is the first)."""
        base = min(self.cap, self.first * 2.0 ** min(attempt - 1, 32))
        return base * (1 - self.jitter + 2 * self.jitter * rand())


class KeepConnected:
    """Watch one connected client and bring it back whenever Telethon gave up on it."""

    def __init__(self, client: TelegramClient, name: str, *, backoff: Backoff | None = None,
                 on_reconnect: OnReconnect | None = None) -> None:
        self.client = client
        self.name = name
        self.backoff = backoff or Backoff()
        self.reconnects = 0
        self._on_reconnect = on_reconnect
        self._up = asyncio.Event()
        if client.is_connected():
            self._up.set()

    @property
    def is_up(self) -> bool:
        """True while the client is connected as far as tgmon knows."""
        return self._up.is_set() and self.client.is_connected()

    async def wait_up(self) -> None:
        """Return once the client is connected (at once if it is)."""
        while not self.is_up:
            await self._up.wait()
            if not self.client.is_connected():
                await asyncio.sleep(0.05)  # dropped meanwhile: run() clears _up shortly

    async def run(self) -> None:
        """Reconnect forever; return only by cancellation or raise SessionError."""
        while True:
            if self.client.is_connected():
                self._up.set()
                reason = await self._wait_for_drop()
                self._up.clear()
                log.warning("%s client lost its connection (%s); reconnecting", self.name,
                            reason, extra={"client": self.name})
            await self._reconnect()

    async def _wait_for_drop(self) -> str:
        try:
            await self.client.disconnected
        except Exception as exc:  # Telethon resolves it with the error that ended it
            return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        return "disconnected"

    async def _reconnect(self) -> None:
        down_since = time.monotonic()
        # Cancel the old update and keep-alive loops before starting new ones with connect().
        await self.client.disconnect()
        attempt = 0
        while True:
            attempt += 1
            pause = self.backoff.delay(attempt)
            await asyncio.sleep(pause)
            try:
                await self.client.connect()
            except (OSError, asyncio.IncompleteReadError, TimeoutError) as exc:
                log.warning("%s client: reconnect attempt %d failed (%s); next in about %.3gs",
                            self.name, attempt, type(exc).__name__,
                            self.backoff.delay(attempt + 1, rand=lambda: 0.5))
                continue
            if self.client.is_connected():
                break
        if not await self.client.is_user_authorized():
            raise SessionError(f"the {self.name} session is no longer accepted after "
                               "reconnecting; run `tgmon login` again")
        self.reconnects += 1
        metrics.RECONNECTS.labels(self.name).inc()
        self._up.set()
        log.info("%s client reconnected after %d attempts (%.0fs offline)", self.name,
                 attempt, time.monotonic() - down_since, extra={"client": self.name})
        if self._on_reconnect is not None:
            result = self._on_reconnect()
            if result is not None:
                await result
