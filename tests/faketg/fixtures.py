"""Pytest fixtures for tests against the fake Telegram.

Import the ones you need into your directory's ``conftest.py``::

    from tests.faketg.fixtures import (  # noqa: F401
        clients, fast_telethon_timers, flood_sleeps, world)
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest
from telethon import TelegramClient
from telethon._updates import messagebox
from telethon.events import album

from .flood import FloodSleeps, patch_flood_sleep
from .sender import make_client
from .world import FakeWorld

ClientFactory = Callable[..., Awaitable[TelegramClient]]


@pytest.fixture
def world() -> Iterator[FakeWorld]:
    """An empty world (seed 0); closed (journal file included) after the test."""
    w = FakeWorld()
    yield w
    w.close()


@pytest.fixture
def flood_sleeps(monkeypatch: pytest.MonkeyPatch) -> FloodSleeps:
    """Make Telethon's flood-wait sleeps instant; ``.sleeps`` lists them."""
    return patch_flood_sleep(monkeypatch)


@pytest.fixture
def fast_telethon_timers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shrink Telethon's 0.5 s possible-gap wait and 0.5 s album collection delay to 0.05 s."""
    monkeypatch.setattr(messagebox, "POSSIBLE_GAP_TIMEOUT", 0.05)
    monkeypatch.setattr(album, "_HACK_DELAY", 0.05)


@pytest.fixture
async def clients() -> AsyncIterator[ClientFactory]:
    """``await clients(world, as_user=..., start=True, **client_kwargs)``: a connected client.

    Bots (``as_bot=``) are started with their token. All are disconnected at teardown.
    """
    made: list[TelegramClient] = []

    async def factory(w: FakeWorld, *, start: bool = True, **kwargs: Any) -> TelegramClient:
        client = make_client(w, **kwargs)
        made.append(client)
        bot = kwargs.get("as_bot")
        if start and bot is not None:
            await client.start(bot_token=w.bot_token(bot))
        else:
            await client.connect()
        return client

    yield factory
    for client in made:
        await client.disconnect()
