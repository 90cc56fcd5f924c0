"""Send the outbox, paced, one part at a time, and act on what Telegram answers.

- A flood wait blocks every send of the account, so the whole outbox is held until it ends
  (in memory and in the archive, so a restart does not hammer either).
- A chat that blocked the bot, was deleted or threw it out has its parts dropped and its
  subscription disabled: retrying can only fail again.
- Other failures are retried with a growing delay, then given up. A lost connection is no
  failure: the part waits for it, and its attempts are not counted.
A part is marked sent only after Telegram answered; a crash in between resends it with the
same random_id, which Telegram drops.
"""

from __future__ import annotations

import asyncio
import logging
import math
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from bot import metrics
from bot.clock import Clock, sleep_or_wake
from bot.delivery.pacing import Pacer, Rates
from bot.store.delivery_ports import DeliveryStore
from bot.store.delivery_values import OutboxMessage

log = logging.getLogger(__name__)

#: Attempts before a part that keeps failing is given up.
MAX_ATTEMPTS = 8
#: Seconds between retries of one part grow from this, doubling, up to RETRY_CAP.
RETRY_BASE = 5.0
RETRY_CAP = 3600.0
#: Seconds to wait after a send found the connection gone (the transport then waits for it).
OFFLINE_PAUSE = 1.0
#: Clocks count in microseconds; a wait shorter than this is no wait.
_TOLERANCE = 0.001


class Outcome(Enum):
    SENT = "sent"
    FLOOD = "flood"
    UNREACHABLE = "unreachable"
    RETRY = "retry"
    REJECTED = "rejected"
    OFFLINE = "offline"


@dataclass(frozen=True, slots=True)
class SendOutcome:
    """What happened to one send; build it with the class methods."""

    kind: Outcome
    msg_id: int | None = None
    seconds: int = 0
    detail: str = ""

    @classmethod
    def sent(cls, msg_id: int | None) -> SendOutcome:
        return cls(Outcome.SENT, msg_id=msg_id)

    @classmethod
    def flood(cls, seconds: int) -> SendOutcome:
        return cls(Outcome.FLOOD, seconds=seconds, detail=f"flood wait {seconds}s")

    @classmethod
    def unreachable(cls, detail: str) -> SendOutcome:
        return cls(Outcome.UNREACHABLE, detail=detail)

    @classmethod
    def retry(cls, detail: str) -> SendOutcome:
        return cls(Outcome.RETRY, detail=detail)

    @classmethod
    def rejected(cls, detail: str) -> SendOutcome:
        return cls(Outcome.REJECTED, detail=detail)

    @classmethod
    def offline(cls, detail: str) -> SendOutcome:
        """The connection dropped: not an attempt, the part is sent once it is back."""
        return cls(Outcome.OFFLINE, detail=detail)


class Transport(Protocol):
    """Send one HTML message with a given random_id; never raise for a per-chat problem."""

    async def send(self, chat_id: int, html: str, random_id: int) -> SendOutcome: ...


class Sender:
    """Deliver pending outbox parts; ``run`` forever, or ``drain`` what is due."""

    def __init__(self, archive: DeliveryStore, transport: Transport, *, clock: Clock,
                 rates: Rates | None = None, idle_poll: float = 1.0) -> None:
        self._archive = archive
        self._transport = transport
        self._clock = clock
        self._pacer = Pacer(rates or Rates())
        self._idle_poll = idle_poll
        self._parked_until = 0.0
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Look at the outbox now (new parts were queued)."""
        self._wake.set()

    async def run(self) -> None:
        """Send forever; cancel to stop (a part in flight is resent, harmlessly, next time)."""
        while True:
            wait = await self.step()
            if wait > 0:
                await self._nap(wait)

    async def drain(self, *, max_wait: float = 60.0) -> bool:
        """Send what is pending, waiting at most ``max_wait`` at a time; True when all went."""
        while True:
            wait = await self.step()
            if wait <= 0:
                continue
            if await self._archive.outbox.next_not_before() is None:
                return True
            if wait > max_wait:
                return False
            await self._clock.sleep(wait)

    async def step(self) -> float:
        """Send at most one part; return how long to wait before the next step (0: now)."""
        now = self._clock.now().timestamp()
        if self._parked_until > now:
            return self._parked_until - now
        due = await self._archive.outbox.due_messages(now=int(now))
        if not due:
            upcoming = await self._archive.outbox.next_not_before()
            if upcoming is None:
                return self._idle_poll
            return min(self._idle_poll, max(upcoming - now, 0.05))
        message = min(due, key=lambda m: (self._pacer.ready_at(m.chat_id, now), m.id))
        ready = self._pacer.ready_at(message.chat_id, now)
        if ready > now + _TOLERANCE:
            return ready - now
        result = await self._transport.send(message.chat_id, message.body, message.random_id)
        if result.kind is Outcome.OFFLINE:
            log.debug("send to %s waits for the connection (%s)", message.chat_id,
                      result.detail)
            return OFFLINE_PAUSE
        after = self._clock.now().timestamp()
        self._pacer.record(message.chat_id, after)
        await self._apply(message, result, after)
        return 0.0

    async def _apply(self, message: OutboxMessage, result: SendOutcome,
                     now: float) -> None:
        if result.kind is Outcome.SENT:
            await self._archive.outbox.mark_sent(message.id, msg_id=result.msg_id, now=int(now))
        elif result.kind is Outcome.FLOOD:
            self._parked_until = now + result.seconds
            metrics.FLOOD_WAITS.labels("send").inc()
            held = await self._archive.outbox.postpone_all(
                until=math.ceil(self._parked_until), error=result.detail)
            log.warning("flood wait of %ss: holding %d parts until it ends", result.seconds,
                        held)
        elif result.kind is Outcome.UNREACHABLE:
            metrics.UNREACHABLE_CHATS.labels(result.detail).inc()
            dropped = await self._archive.outbox.mark_unreachable(message.chat_id,
                                                    reason=result.detail)
            log.info("chat %s is unreachable (%s): subscription disabled, %d parts dropped",
                     message.chat_id, result.detail, dropped, extra={"chat": message.chat_id})
        elif result.kind is Outcome.RETRY and message.attempts + 1 < MAX_ATTEMPTS:
            delay = min(RETRY_BASE * 2 ** message.attempts, RETRY_CAP)
            await self._archive.outbox.postpone(message.id, until=math.ceil(now + delay),
                                  error=result.detail)
            log.info("send to %s failed (%s); retrying in %.0fs", message.chat_id,
                     result.detail, delay, extra={"chat": message.chat_id})
        else:
            await self._archive.outbox.mark_failed(message.id, error=result.detail)
            log.warning("gave up on part %d/%d for chat %s: %s", message.part, message.parts,
                        message.chat_id, result.detail, extra={"chat": message.chat_id})

    async def _nap(self, seconds: float) -> None:
        """Sleep ``seconds``, or less when woken, but never wake inside a flood wait."""
        if self._parked_until > self._clock.now().timestamp():
            await self._clock.sleep(seconds)
            return
        if self._wake.is_set():
            self._wake.clear()
            return
        await sleep_or_wake(self._clock, seconds, self._wake)
        self._wake.clear()
