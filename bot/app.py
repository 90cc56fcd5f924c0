"""The composition root: open every resource in order, run the tasks, close in reverse.

Nothing here runs at import time. ``run`` is what `tgmon run` calls; tests call it too, with
a ``client_factory`` that gives the clients a fake network sender before they connect.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from contextlib import AsyncExitStack, suppress
from functools import partial

from telethon import TelegramClient

from bot import metrics
from bot.clock import Clock, SystemClock
from bot.config import Config, Secrets
from bot.config_network import ProxySpec
from bot.errors import SessionError
from bot.health import LoopWatchdog, Readiness, serve_health
from bot.ingest import analyser_for
from bot.memory import release_startup_memory
from bot.permissions import require_writable
from bot.store import Archive, gauges
from bot.store.retention import run_upkeep
from bot.supervise import Supervisor
from bot.telegram.botui import run_bot
from bot.telegram.client import (
    ClientFactory,
    connected,
    create_client,
    log_in_bot,
    network_edge,
    secure_file,
    session_path,
)
from bot.telegram.collector import Collector, check_session_alive
from bot.telegram.connection import Backoff
from bot.telegram.session_lock import session_lock

log = logging.getLogger(__name__)


async def run(
    config: Config,
    secrets: Secrets,
    *,
    client_factory: ClientFactory = create_client,
    stop: asyncio.Event | None = None,
    backoff: Backoff | None = None,
    supervisor: Supervisor | None = None,
    clock: Clock | None = None,
) -> None:
    """Run the collector and the bot until ``stop``, SIGTERM/SIGINT, or a fatal error.

    ``backoff`` paces reconnects and ``supervisor`` restarts failing loops (tests shrink
    both); ``clock`` is the time every schedule, timer and stamp reads (the wall clock
    unless a bench compresses it: see bot/clock.py). A session Telegram refuses, or a loop
    that keeps failing, ends it by raising.
    """
    supervisor = supervisor or Supervisor()
    clock = clock or SystemClock()
    secrets.require("TGMON_API_ID", "TGMON_API_HASH")
    stop = stop or asyncio.Event()
    starting = _StartUp(stop)
    try:
        await _run(config, secrets, client_factory, stop, backoff, supervisor, clock,
                   starting)
    except asyncio.CancelledError:
        if not starting.interrupted:
            raise
        log.info("stopped during start-up")
    finally:
        starting.close()


class _StartUp:
    """SIGTERM/SIGINT set ``stop``; before the jobs run they cancel the start-up instead.

    A start-up can wait long (connecting through an outage), and a signal that only set an
    event nobody looks at yet would leave ``docker stop`` to time out and kill.
    """

    def __init__(self, stop: asyncio.Event) -> None:
        self.running = False
        self.interrupted = False
        self._stop = stop
        self._task = asyncio.current_task()
        self._loop = asyncio.get_running_loop()
        self._signals: list[signal.Signals] = []
        for signum in (signal.SIGTERM, signal.SIGINT):
            with suppress(NotImplementedError, RuntimeError, ValueError):
                self._loop.add_signal_handler(signum, self._on_signal)
                self._signals.append(signum)

    def _on_signal(self) -> None:
        self._stop.set()
        if not self.running and self._task is not None and not self.interrupted:
            self.interrupted = True
            self._task.cancel()

    def close(self) -> None:
        for signum in self._signals:
            self._loop.remove_signal_handler(signum)


async def _run(config: Config, secrets: Secrets, client_factory: ClientFactory,
               stop: asyncio.Event, backoff: Backoff | None, supervisor: Supervisor,
               clock: Clock, starting: _StartUp) -> None:
    require_writable(config.storage.path.parent, holds="the archive")
    require_writable(session_path(secrets, "user").parent, holds="the session files")
    analyse = analyser_for(config)  # language models load before any network work
    release_startup_memory()
    async with AsyncExitStack() as stack:
        stack.enter_context(session_lock(session_path(secrets, "user")))
        archive = await stack.enter_async_context(Archive.open(config.storage.path, clock=clock))
        readiness = Readiness()
        collector_box: list[Collector] = []
        if config.network.health_port:
            await stack.enter_async_context(serve_health(
                config.network.health_port, readiness,
                lambda: _refresh_gauges(archive, collector_box, clock)))
        watchdog = asyncio.create_task(
            LoopWatchdog(heartbeat=config.network.heartbeat_file).run(), name="watchdog")
        stack.push_async_callback(_cancel, watchdog)
        proxy = config.network.proxy_spec
        user = client_factory("user", secrets, proxy=proxy,
                              flood_sleep_threshold=config.collector.flood_sleep_threshold)
        await stack.enter_async_context(connected(user))
        async with network_edge():
            authorized = await user.is_user_authorized()
        if not authorized:
            raise SessionError(
                f"{session_path(secrets, 'user')}: not logged in, or the session was revoked; "
                "run `tgmon login` (tgmon run never prompts)"
            )
        secure_file(session_path(secrets, "user"))
        readiness.authorized = True
        collector = Collector(user, archive, analyse, config, clock=clock, backoff=backoff,
                              supervisor=supervisor)
        collector_box.append(collector)
        readiness.clients["user"] = collector.connection
        readiness.caught_up = lambda: collector.caught_up
        jobs = {asyncio.create_task(collector.run(), name="collector")}
        keep = config.storage.outbox_retention_days
        jobs.add(asyncio.create_task(
            supervisor.run("retention", partial(run_upkeep, archive, keep_days=keep, clock=clock)),
            name="retention"))
        if secrets.bot_token is None:
            log.warning("TGMON_BOT_TOKEN is not set: digests, alerts and bot commands are off")
        else:
            bot = await _start_bot(stack, client_factory, secrets, proxy)
            jobs.add(asyncio.create_task(
                run_bot(bot, archive, config, clock=clock, backoff=backoff,
                        supervisor=supervisor, readiness=readiness), name="bot"))
        starting.running = True
        await _run_until_stopped(jobs, stop)
        log.info("stopped cleanly")


async def _refresh_gauges(archive: Archive, collectors: list[Collector], clock: Clock) -> None:
    """Read what the metrics show as levels rather than counts, just before a scrape."""
    for channel, posts in (await gauges.posts_per_channel(archive)).items():
        metrics.POSTS_STORED.labels(str(channel)).set(posts)
    parts = await archive.outbox.status_counts()
    for status in ("pending", "sent", "failed"):
        metrics.OUTBOX_PARTS.labels(status).set(parts.get(status, 0))
    now = clock.now().timestamp()
    for collector in collectors:
        for channel, at in collector.last_read.items():
            metrics.CATCHUP_AGE.labels(str(channel)).set(now - at)


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with suppress(asyncio.CancelledError):
        await task


async def _start_bot(
    stack: AsyncExitStack, client_factory: ClientFactory, secrets: Secrets,
    proxy: ProxySpec | None,
) -> TelegramClient:
    """Log the bot in with its token (no prompt is possible) and keep it connected."""
    assert secrets.bot_token is not None
    stack.enter_context(session_lock(session_path(secrets, "bot")))
    # Every flood wait reaches the outbox, which reschedules instead of sleeping mid-send.
    bot = client_factory("bot", secrets, flood_sleep_threshold=0, proxy=proxy)
    await stack.enter_async_context(connected(bot))
    await log_in_bot(bot, secrets)
    return bot


async def _run_until_stopped(jobs: set[asyncio.Task[None]], stop: asyncio.Event) -> None:
    """Wait for ``stop`` or the first job to end; then cancel the rest and re-raise."""
    stopper = asyncio.create_task(stop.wait(), name="stop")
    everything = {*jobs, stopper}
    try:
        await asyncio.wait(everything, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in everything:
            task.cancel()
        results = await asyncio.gather(*everything, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException) and not isinstance(result, asyncio.CancelledError):
            check_session_alive(result)
            raise result
