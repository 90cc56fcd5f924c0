"""Small helpers for waiting on Telethon events in tests."""

from __future__ import annotations

import asyncio
from typing import Any

from telethon import TelegramClient


class Inbox:
    """Collects events from a handler; ``await inbox.get()`` waits for the next one."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[Any] = asyncio.Queue()

    async def __call__(self, event: Any) -> None:
        self.queue.put_nowait(event)

    async def get(self, wait: float = 2.0) -> Any:
        return await asyncio.wait_for(self.queue.get(), wait)

    async def nothing(self, wait: float = 0.2) -> None:
        await asyncio.sleep(wait)
        assert self.queue.empty(), f"unexpected event: {self.queue.get_nowait()!r}"


def listen(client: TelegramClient, event: Any) -> Inbox:
    inbox = Inbox()
    client.add_event_handler(inbox, event)
    return inbox
