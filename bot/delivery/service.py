"""Run delivery: the digest schedule, the alert scan and the sender, as one task group."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock, from_unix
from bot.config import Config
from bot.digest import DEFAULT_MAX_ITEMS
from bot.digest.schedule import parse_schedule
from bot.store.delivery_ports import DeliveryStore
from bot.store.delivery_values import Subscription
from bot.supervise import Supervisor

from .assemble import (
    DigestContent,
    create_alerts,
    create_digest_now,
    create_due_digests,
    default_title,
)
from .pacing import Rates
from .scheduler import DigestTarget, due_digests, next_firing
from .sender import Sender, Transport

log = logging.getLogger(__name__)

#: Digest name for subscribers when the config names no ``bot.subscriber_digest``.
SUBSCRIBER_DIGEST = "subscriber"
#: The schedule loop looks again at least this often (subscriptions change meanwhile).
_SCHEDULE_POLL = 30.0


class Delivery:
    """Everything that makes digests and alerts reach chats, over one Transport."""

    def __init__(self, archive: DeliveryStore, config: Config, transport: Transport, *,
                 clock: Clock, digest_chats: Mapping[str, Sequence[int]],
                 rates: Rates | None = None, supervisor: Supervisor | None = None) -> None:
        self._archive = archive
        self._supervisor = supervisor or Supervisor()
        self._config = config
        self._clock = clock
        self._digest_chats = digest_chats
        self._started = clock.now()
        self.sender = Sender(archive, transport, clock=clock, rates=rates)

    @property
    def subscriber_digest(self) -> str:
        return self._config.bot.subscriber_digest or SUBSCRIBER_DIGEST

    async def run(self) -> None:
        """Schedule, scan and send until cancelled; a loop's error restarts it (bot/supervise).

        What ends it (SessionError, LoopFailed) is raised as itself.
        """
        try:
            supervise = self._supervisor.run
            async with asyncio.TaskGroup() as tasks:
                tasks.create_task(supervise("outbox sender", self.sender.run))
                tasks.create_task(supervise("digest schedule", self._schedule_loop))
                if self._alert_groups():
                    tasks.create_task(supervise("alert scan", self._alert_loop))
        except BaseExceptionGroup as group:
            # Callers catch SessionError, not a group of one: unwrap the first failure.
            raise group.exceptions[0] from group

    async def digest_now(self, chat_id: int) -> int | None:
        """Queue a digest for ``chat_id`` since its last one; None if one was just queued."""
        sub = await self._archive.subscribers.subscription(chat_id)
        content = self._subscriber_content(sub)
        content = replace(content, empty="notice")
        created = await create_digest_now(self._archive, chat_id, self.subscriber_digest,
                                          content, now=self._clock.now())
        self.sender.wake()
        return created

    async def next_digest(self, chat_id: int) -> tuple[datetime | None, datetime | None]:
        """Return (last, next) scheduled digest moments of a subscribed chat."""
        last = await self._archive.outbox.last_window_end(chat_id, self.subscriber_digest)
        targets = [t for t, _ in await self.targets() if t.chat_id == chat_id]
        last_ends = {(chat_id, self.subscriber_digest): from_unix(last)} if last else {}
        upcoming = next_firing(targets, last_ends, self._clock.now())
        return (from_unix(last) if last else None), upcoming

    async def targets(self) -> list[tuple[DigestTarget, DigestContent]]:
        """Return every chat that gets scheduled digests, with what each digest holds."""
        found: list[tuple[DigestTarget, DigestContent]] = []
        for name, spec in self._config.digests.items():
            tz = ZoneInfo(spec.timezone)
            content = DigestContent(default_title(name), tuple(spec.groups) or None,
                                    spec.empty, tz, spec.max_items)
            schedule = parse_schedule(spec.schedule)
            for chat_id in self._digest_chats.get(name, ()):
                found.append((DigestTarget(chat_id, name, schedule, tz, self._started), content))
        spec_name = self._config.bot.subscriber_digest
        if spec_name is not None:
            spec = self._config.digests[spec_name]
            schedule = parse_schedule(spec.schedule)
            for sub in await self._archive.subscribers.active_subscriptions():
                target = DigestTarget(sub.chat_id, spec_name, schedule, ZoneInfo(spec.timezone),
                                      from_unix(sub.created_at))
                found.append((target, self._subscriber_content(sub)))
        return found

    async def run_schedule_once(self) -> float:
        """Create the digests due now; return seconds until the next check."""
        now = self._clock.now()
        targets = await self.targets()
        ends = await self._archive.outbox.last_window_ends()
        last_ends = {key: from_unix(end) for key, end in ends.items()}
        content = {(t.chat_id, t.name): c for t, c in targets}
        due = due_digests([t for t, _ in targets], last_ends, now)
        if due:
            created = await create_due_digests(
                self._archive, [(d, content[d.target.chat_id, d.target.name]) for d in due],
                now=now)
            log.info("%d digests due, %d queued", len(due), len(created))
            self.sender.wake()
        upcoming = next_firing([t for t, _ in targets], last_ends, self._clock.now())
        if upcoming is None:
            return _SCHEDULE_POLL
        wait = (upcoming - self._clock.now()) / timedelta(seconds=1)
        return min(max(wait, 0.5), _SCHEDULE_POLL)

    async def run_alerts_once(self) -> int:
        """Queue alerts for posts that arrived since the last scan; return alerts queued."""
        subs = await self._archive.subscribers.active_subscriptions()
        queued = await create_alerts(self._archive, subs, alert_groups=self._alert_groups(),
                                     tz=ZoneInfo(self._config.bot.timezone),
                                     now=self._clock.now())
        if queued:
            self.sender.wake()
        return queued

    async def _schedule_loop(self) -> None:
        while True:
            await self._clock.sleep(await self.run_schedule_once())

    async def _alert_loop(self) -> None:
        interval = max(float(self._config.bot.alert_batch_seconds), 1.0)
        while True:
            await self.run_alerts_once()
            await self._clock.sleep(interval)

    def _alert_groups(self) -> list[str]:
        return sorted(name for name, group in self._config.keywords.items() if group.alert)

    def _subscriber_content(self, sub: Subscription | None) -> DigestContent:
        spec_name = self._config.bot.subscriber_digest
        spec = self._config.digests.get(spec_name) if spec_name else None
        if sub is not None and sub.groups:
            groups: tuple[str, ...] | None = sub.groups
        else:
            groups = tuple(spec.groups) or None if spec else None
        return DigestContent(default_title(self.subscriber_digest), groups,
                             spec.empty if spec else "notice",
                             ZoneInfo(self._config.bot.timezone),
                             spec.max_items if spec else DEFAULT_MAX_ITEMS)
