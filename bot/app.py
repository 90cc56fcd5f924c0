"""The composition root: open every resource in order, run the tasks, close in reverse.

Nothing here runs at import time. ``run`` is what `tgmon run` calls; tests call it too, with
a ``client_factory`` that gives the clients a fake network sender before they connect.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager, suppress

from telethon import TelegramClient

from bot.config import Config, Secrets
from bot.errors import SessionError
from bot.ingest import analyser_for
from bot.store import Archive
from bot.telegram.client import ClientFactory, create_client, secure_file, session_path
from bot.telegram.collector import Collector, check_session_alive
from bot.telegram.session_lock import session_lock

log = logging.getLogger(__name__)


async def run(config: Config, secrets: Secrets, *,
              client_factory: ClientFactory = create_client,
              stop: asyncio.Event | None = None) -> None:
    """Run the collector until ``stop`` is set, SIGTERM/SIGINT arrives, or the session dies."""
    secrets.require("TGMON_API_ID", "TGMON_API_HASH")
    stop = stop or asyncio.Event()
    analyse = analyser_for(config)  # loads language models before any network work
    async with AsyncExitStack() as stack:
        stack.enter_context(session_lock(session_path(secrets, "user")))
        archive = await stack.enter_async_context(Archive.open(config.storage.path))
        user = client_factory("user", secrets,
                              flood_sleep_threshold=config.collector.flood_sleep_threshold)
        await stack.enter_async_context(connected(user))
        if not await user.is_user_authorized():
            raise SessionError(
                f"{session_path(secrets, 'user')}: not logged in, or the session was revoked; "
                "run `tgmon login` (tgmon run never prompts)")
        secure_file(session_path(secrets, "user"))
        collector = Collector(user, archive, analyse, config)
        _stop_on_signals(stop)
        work = asyncio.create_task(collector.run(), name="collector")
        stopper = asyncio.create_task(stop.wait(), name="stop")
        try:
            await asyncio.wait({work, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (work, stopper):
                task.cancel()
            results = await asyncio.gather(work, stopper, return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException) and not isinstance(result,
                                                                    asyncio.CancelledError):
                check_session_alive(result)
                raise result
        log.info("stopped cleanly")


@asynccontextmanager
async def connected(client: TelegramClient) -> AsyncIterator[TelegramClient]:
    """Connect a client for the life of the block and always disconnect it."""
    await client.connect()
    try:
        yield client
    finally:
        await client.disconnect()


def _stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signum, stop.set)
