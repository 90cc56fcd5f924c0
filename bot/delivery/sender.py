"""Send the outbox, paced, one part at a time, and act on what Telegram answers.

- A flood wait blocks every send of the account, so the whole outbox is held until it ends
  (in memory and in the archive, so a restart does not hammer either).
- A chat that blocked the bot, was deleted or threw it out has its parts dropped and its
  subscription disabled: retrying can only fail again.
- Other failures are retried with a growing delay, then given up. A lost connection is no
  failure: the part waits for it, and its attempts are not counted.
A part is marked sent only after Telegram answered; a crash in between resends it with the
same random_id, which Telegram drops. So the marks need not hold the sender up: it sends the
next part as soon as Telegram answered, while the marks of the parts sent meanwhile are
written in one transaction behind it (each waited behind the live writes' commits, which held
the sender to ~15 parts a second where a busy outbox needs 30). At most MAX_UNMARKED parts
are sent and not yet marked; before any other outcome is written, and when the outbox has
nothing due, the marks are written first.
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
from bot.store.delivery_values import OutboxMessage, SentPart

log = logging.getLogger(__name__)

#: Attempts before a part that keeps failing is given up.
MAX_ATTEMPTS = 8
#: Seconds between retries of one part grow from this, doubling, up to RETRY_CAP.
RETRY_BASE = 5.0
RETRY_CAP = 3600.0
#: Seconds to wait after a send found the connection gone (the transport then waits for it).
OFFLINE_PAUSE = 1.0
#: Parts sent whose marks may still be unwritten: what a crash resends (harmlessly) at most.
MAX_UNMARKED = 100
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
        #: Parts Telegram accepted whose marks are not written yet, by outbox id.
        self._unmarked: dict[int, SentPart] = {}
        self._marking: asyncio.Task[None] | None = None

    def wake(self) -> None:
        """Look at the outbox now (new parts were queued)."""
        self._wake.set()

    async def run(self) -> None:
        """Send forever; cancel to stop (a part in flight is resent, harmlessly, next time)."""
        try:
            while True:
                wait = await self.step()
                if wait > 0:
                    await self._nap(wait)
        finally:
            await self._write_marks_on_the_way_out()

    async def drain(self, *, max_wait: float = 60.0) -> bool:
        """Send what is pending, waiting at most ``max_wait`` at a time; True when all went."""
        try:
            while True:
                wait = await self.step()
                if wait <= 0:
                    continue
                await self.write_marks()
                if await self._archive.outbox.next_not_before() is None:
                    return True
                if wait > max_wait:
                    return False
                await self._clock.sleep(wait)
        finally:
            await self._write_marks_on_the_way_out()

    async def write_marks(self) -> None:
        """Return once every part sent so far is marked sent in the archive."""
        while True:
            self._start_marking()
            if self._marking is None:
                return
            # wait() leaves the task running if we are cancelled: its transaction is the
            # archive's to finish, and the way out waits for it.
            await asyncio.wait({self._marking})

    def _start_marking(self) -> None:
        self._take_marking()
        if self._unmarked and self._marking is None:
            self._marking = asyncio.create_task(self._mark(), name="outbox marks")

    async def _mark(self) -> None:
        """Write the marks of the parts sent so far, and of those sent meanwhile, in batches."""
        while self._unmarked:
            batch = list(self._unmarked.values())
            await self._archive.outbox.mark_sent(batch)
            for part in batch:
                del self._unmarked[part.id]

    def _take_marking(self) -> None:
        """Forget a finished marking task; raise its error (the supervisor restarts us)."""
        task = self._marking
        if task is None or not task.done():
            return
        self._marking = None
        if not task.cancelled():
            task.result()  # the marks it did not write are still in _unmarked

    async def _write_marks_on_the_way_out(self) -> None:
        try:
            await self.write_marks()
        except asyncio.CancelledError:
            if self._marking is not None:
                self._marking.cancel()
            raise
        except Exception:
            log.warning("could not mark %d sent parts; they are resent with their random_id, "
                        "which Telegram drops", len(self._unmarked), exc_info=True)

    async def step(self) -> float:
        """Send at most one part; return how long to wait before the next step (0: now)."""
        self._take_marking()  # a failed write of marks raises here
        now = self._clock.now().timestamp()
        if self._parked_until > now:
            return self._parked_until - now
        due = await self._archive.outbox.due_messages(now=int(now), skip=self._unmarked)
        if not due:
            await self.write_marks()  # idle: the archive catches up with what was sent
            upcoming = await self._archive.outbox.next_not_before()
            if upcoming is None:
                return self._idle_poll
            return min(self._idle_poll, max(upcoming - now, 0.05))
        message = min(due, key=lambda m: (self._pacer.ready_at(m.chat_id, now), m.id))
        ready = self._pacer.ready_at(message.chat_id, now)
        if ready > now + _TOLERANCE:
            return ready - now
        if len(self._unmarked) >= MAX_UNMARKED:
            await self.write_marks()
        result = await self._transport.send(message.chat_id, message.body, message.random_id)
        if result.kind is Outcome.OFFLINE:
            log.debug("send to %s waits for the connection (%s)", message.chat_id,
                      result.detail)
            return OFFLINE_PAUSE
        after = self._clock.now().timestamp()
        self._pacer.record(message.chat_id, after)
        if result.kind is Outcome.SENT:
            self._unmarked[message.id] = SentPart(message.id, result.msg_id, int(after))
            self._start_marking()
        else:
            # Written after the marks, as when each part waited for its own: a chat found
            # unreachable fails only the parts that were not delivered.
            await self.write_marks()
            await self._apply(message, result, after)
        return 0.0

    async def _apply(self, message: OutboxMessage, result: SendOutcome,
                     now: float) -> None:
        if result.kind is Outcome.FLOOD:
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
