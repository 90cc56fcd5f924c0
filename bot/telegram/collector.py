"""The collector: live events for speed, cursor re-reads for completeness.

Live posts, edits and deletions go through one LiveWriter, so they are written in the order
they arrived. Live writes never move a cursor (a live post says nothing about the ones before
it); the history reader does, at start-up, after a reconnect and on a timer, so a post missed
by a dropped update or a failed handler is stored on the next read.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from functools import partial

from telethon import TelegramClient, events

from bot import metrics
from bot.clock import Clock, SystemClock, sleep_or_wake
from bot.config import ChannelConfig, Config
from bot.errors import ChannelUnavailable, FloodWait, SessionError
from bot.ingest import Analyse, LiveWriter
from bot.store.ports import CollectorStore
from bot.supervise import FATAL, Supervisor
from bot.telegram.backlog import watch_backlog
from bot.telegram.channels import Watched, join_if_needed, resolve_channels
from bot.telegram.connection import Backoff, KeepConnected
from bot.telegram.convert import to_post
from bot.telegram.history import HistoryReader

log = logging.getLogger(__name__)

#: Reconcile (re-read the recent window for offline edits and deletions) once this many
#: timer intervals have passed since the last one began (hourly by default), as well as at
#: start-up and after each reconnect. Counted in time, not rounds: the rounds a full live
#: queue asks for run back to back, and a reconcile every 12 of them re-read every
#: channel's window (up to 216,000 messages in the soak) many times an hour.
RECONCILE_EVERY = 12
_HISTORY = "history"


class Collector:
    """Watch the configured channels; ``run`` returns only by raising or by cancellation.

    It raises SessionError when Telegram no longer accepts the session, and LoopFailed when
    one of its loops keeps failing; any other error is logged and the loop restarted.
    """

    def __init__(self, client: TelegramClient, archive: CollectorStore, analyse: Analyse,
                 config: Config, *, clock: Clock | None = None,
                 backoff: Backoff | None = None, supervisor: Supervisor | None = None) -> None:
        self.client = client
        self.archive = archive
        self.config = config
        self.writer = LiveWriter(archive, analyse, on_overflow=self.wake)
        # Posts Telethon's full backlog queued without their message come from history too.
        watch_backlog(client, self.wake)
        self.clock: Clock = clock or SystemClock()
        self.history = HistoryReader(client, archive, analyse, config.collector,
                                     clock=self.clock)
        self.watched: dict[int, Watched] = {}
        self.supervisor = supervisor or Supervisor()
        self.connection = KeepConnected(client, "user", backoff=backoff,
                                        on_reconnect=self._after_reconnect)
        self._started = False
        #: True once a sync round read every channel to its end (readiness).
        self.caught_up = False
        #: When each channel's history was last read to its end (catch-up lag).
        self.last_read: dict[int, float] = {}
        self._wake = asyncio.Event()
        self._reconcile_next = False
        #: When the last reconcile began (None: none yet in this process).
        self._reconciled_at: float | None = None
        self._unresolved: dict[str, ChannelConfig] = {}
        # Unresolved channels are retried after one timer interval, then ever more slowly.
        self._retry_delay = float(config.collector.catchup_interval_seconds)
        self._retry_at = self._now() + self._retry_delay
        self.rounds = 0

    async def run(self) -> None:
        """Resolve, subscribe, catch up, then re-read on a timer and after reconnects."""
        supervise = self.supervisor.run
        async with asyncio.TaskGroup() as group:
            group.create_task(supervise("live writer", self.writer.run))
            group.create_task(supervise("user connection", self.connection.run))
            group.create_task(supervise("sync timer", self._timer))

    async def _timer(self) -> None:
        """Catch up, then sync every interval or when woken; never waits on live traffic."""
        if not self._started:
            await self.connection.wait_up()
            await self.start()
            self._started = True
        while True:
            await self.connection.wait_up()
            # Cleared before the sync: a reconnect noticed during it wakes the next one.
            self._wake.clear()
            began = self._now()
            every = RECONCILE_EVERY * self.config.collector.catchup_interval_seconds
            reconcile = (self._reconcile_next or self._reconciled_at is None
                         or began - self._reconciled_at >= every)
            self._reconcile_next = False
            if reconcile:
                self._reconciled_at = began
            await self.sync(reconcile=reconcile)
            self.rounds += 1
            await sleep_or_wake(self.clock, self.config.collector.catchup_interval_seconds,
                                self._wake)

    async def start(self) -> None:
        """Register the live handlers, then resolve the channels (by marked id, ourselves)."""
        # Handlers first: a channel is watched from the moment it is resolved (the handlers
        # look it up in self.watched), and its starting point is taken right then.
        self.client.add_event_handler(self._on_new, events.NewMessage())
        self.client.add_event_handler(self._on_edit, events.MessageEdited())
        self.client.add_event_handler(self._on_delete, events.MessageDeleted())
        await self._add_channels(self.config.channels)
        log.info("watching %d of %d configured channels", len(self.watched),
                 len(self.config.channels))

    async def _add_channels(self, configs: Sequence[ChannelConfig]) -> None:
        """Resolve and join channels, and take the new ones' starting points; keep the
        temporary failures for a later retry."""
        resolved = await resolve_channels(self.client, self.archive, configs)
        for watched in resolved.watched:
            await self._join(watched)
            self.watched[watched.channel.id] = watched
        by_ref = {c.parsed.canonical: c for c in configs}
        self._unresolved = {ref: by_ref[ref] for ref in resolved.retry if ref in by_ref}
        cursors = await self.archive.cursors()
        for watched in resolved.watched:
            if watched.channel.id not in cursors and not await self._first_sight(watched):
                break  # flood-limited or offline: the rest get theirs at their first read

    async def _first_sight(self, watched: Watched) -> bool:
        """Take a new channel's starting point now; False if reading has to wait."""
        try:
            await self.history.first_sight(watched)
        except ChannelUnavailable as exc:  # its first read reports it and retries it
            log.debug("%s: no starting point yet (%s)", watched.config.parsed, exc.message)
        except FloodWait as exc:
            await self._park_history(exc)
            return False
        except (ConnectionError, OSError) as exc:
            log.warning("taking the new channels' starting points was interrupted (%s)", exc)
            return False
        return True

    async def _join(self, watched: Watched) -> None:
        try:
            await join_if_needed(self.client, watched)
        except ChannelUnavailable as exc:
            metrics.CHANNEL_ERRORS.labels(exc.reason).inc()
            await self.archive.book.mark_channel(watched.channel.id, ok=False,
                                     detail=exc.message)
            log.error("%s: %s; retried later", watched.config.parsed, exc.message)
        except FloodWait as exc:
            metrics.FLOOD_WAITS.labels("join").inc()
            log.warning("joining is flood-limited for %ss; %s is read by the timer",
                        exc.seconds, watched.config.parsed)

    async def _retry_unresolved(self) -> None:
        """Try again, with a doubling pause, the channels that failed for a passing reason."""
        if not self._unresolved or self._now() < self._retry_at:
            return
        self._retry_delay = min(self._retry_delay * 2, 6 * 3600)
        self._retry_at = self._now() + self._retry_delay
        await self._add_channels(list(self._unresolved.values()))

    async def sync(self, *, reconcile: bool) -> None:
        """Read history after every cursor; with ``reconcile``, also the recent window."""
        if await self._sync(reconcile=reconcile):
            self.caught_up = True
            metrics.LAST_CATCHUP.set(self._now())

    async def _sync(self, *, reconcile: bool) -> bool:
        """One round; False when it stopped early (parked, interrupted)."""
        try:
            return await self._sync_channels(reconcile=reconcile)
        finally:
            await self.history.finish_round()

    async def _sync_channels(self, *, reconcile: bool) -> bool:
        await self._retry_unresolved()
        parked = await self.archive.book.parked_until(_HISTORY)
        if parked:
            log.info("history reads parked by a flood wait until %s", time.ctime(parked))
            return False
        due = []
        for watched in list(self.watched.values()):
            known = await self.archive.book.known_channel(channel_id=watched.channel.id)
            if not (known and known.retry_at and known.retry_at > self._now()):
                due.append((watched, known))
        # The channels whose history was read longest ago first: a round cut short (a kill,
        # an outage) is taken up where it stopped, instead of reading the same first
        # channels again while the last ones fall days behind (the soak, with a kill every
        # ~100 s: the last channels' posts waited up to 115 simulated hours).
        moved = await self.archive.cursors_moved()
        due.sort(key=lambda item: moved.get(item[0].channel.id, 0))
        read: list[Watched] = []
        for i, (watched, known) in enumerate(due):
            # The next channel is read ahead while this one's last pages are written.
            then = due[i + 1][0] if i + 1 < len(due) else None
            ok = await self._guarded(watched, partial(self.history.catch_up, watched, then=then))
            if ok is None:
                return False
            if not ok:
                continue
            self.last_read[watched.channel.id] = self._now()
            read.append(watched)
            if known and known.status != "ok":
                await self.archive.book.mark_channel(watched.channel.id, ok=True)
                log.info("%s is readable again", watched.config.parsed)
                await self._join(watched)  # it may have failed while the channel was closed
        # Every channel's new posts first, then the windows, which re-read far more (up to
        # reconcile_posts or reconcile_days each): a start-up stopped before its round ends
        # (a kill, an outage) no longer leaves the last channels' posts unread.
        for watched in read if reconcile else ():
            if await self._guarded(watched, partial(self.history.reconcile, watched)) is None:
                return False
        return True

    async def _guarded(self, watched: Watched, read: Callable[[], Awaitable[object]]
                       ) -> bool | None:
        """Run one channel's read: True if it succeeded, False if the round goes on without
        it, None if the round ends here (offline, or history reads are parked)."""
        try:
            await read()
        except ChannelUnavailable as exc:
            metrics.CHANNEL_ERRORS.labels(exc.reason).inc()
            retry = await self.archive.book.mark_channel(watched.channel.id, ok=False,
                                                         detail=exc.message)
            log.error("%s: %s; next try %s", watched.config.parsed, exc.message,
                      time.ctime(retry or 0), extra={"channel": watched.channel.id})
            return False
        except (ConnectionError, OSError) as exc:
            log.warning("history read interrupted (%s); resumed after reconnecting", exc)
            return None
        except FloodWait as exc:
            await self._park_history(exc)
            return None
        except SessionError:
            raise
        except Exception:
            # An error we have no rule for: this channel waits for the next round, the
            # others go on, and the cursor guarantees nothing is skipped meanwhile.
            log.exception("reading %s failed; retried on the next round",
                          watched.config.parsed, extra={"channel": watched.channel.id})
            return False
        return True

    async def _park_history(self, exc: FloodWait) -> None:
        metrics.FLOOD_WAITS.labels("history").inc()
        until = await self.archive.book.park(_HISTORY, exc.seconds)
        log.warning("flood wait of %ss on history reads: parked until %s; live updates "
                    "carry on", exc.seconds, time.ctime(until))

    def _now(self) -> float:
        return self.clock.now().timestamp()

    def wake(self) -> None:
        """Run a sync now (after a reconnect, a post the full live queue turned away, or from
        a test)."""
        self._wake.set()

    def _after_reconnect(self) -> None:
        log.info("reading history after each cursor, since the user client reconnected")
        self._reconcile_next = True
        self.wake()

    async def _on_new(self, event: events.NewMessage.Event) -> None:
        if event.chat_id in self.watched:
            post = to_post(event.message)
            if post is not None:
                self.writer.post(post)

    async def _on_edit(self, event: events.MessageEdited.Event) -> None:
        await self._on_new(event)

    async def _on_delete(self, event: events.MessageDeleted.Event) -> None:
        # Deletions in private chats and small groups carry no chat id; channels' do.
        if event.chat_id in self.watched:
            self.writer.delete(event.chat_id, event.deleted_ids)


def check_session_alive(exc: BaseException) -> None:
    """Re-raise a SessionError or LoopFailed hidden inside an exception group."""
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            check_session_alive(inner)
    elif isinstance(exc, FATAL):
        raise exc
