"""Run the real bot (run_bot) against the fake Telegram, with a clock the test moves."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from telethon import TelegramClient

from bot.config import Config, validate_config
from bot.delivery.pacing import Rates
from bot.domain import AnalysedPost, Analysis, Channel, KeywordHit, Post
from bot.store import Archive
from bot.telegram.botui import run_bot
from bot.telegram.connection import Backoff
from tests.delivery.helpers import ManualClock, settle, store_at
from tests.faketg import Account, FakeWorld, FloodSleeps, SentMessage
from tests.faketg import Channel as FakeChannel

NEWS = Channel(id=-1001000000001, title="Новости <i>24</i> & Co", username="news24")
ALERT_TERM = "пожар"


def make_config(**bot: Any) -> Config:
    return validate_config({
        "keywords": {
            "politics": {"terms": ["Токаев"]},
            "fires": {"terms": [ALERT_TERM], "alert": True},
        },
        "bot": {"timezone": "Asia/Almaty", "alert_batch_seconds": 10,
                "subscriber_digest": "daily", **bot},
        "digests": {"daily": {"schedule": "09:00", "timezone": "Asia/Almaty"}},
    }, source="test")


def news_post(msg_id: int, text: str, *, groups: Sequence[str] = (),
              date: datetime | None = None) -> AnalysedPost:
    hits = tuple(KeywordHit(g, g, g) for g in groups)
    post = Post(channel_id=NEWS.id, msg_id=msg_id, date=date or datetime(2026, 3, 1),
                text=text)
    return AnalysedPost(post, Analysis("ru", 0.9, hits))


@dataclass
class Bot:
    """A running bot: its world, client, archive and clock."""

    world: FakeWorld
    account: Account
    client: TelegramClient
    archive: Archive
    clock: ManualClock
    monkeypatch: pytest.MonkeyPatch
    flood: FloodSleeps | None = None

    def sent(self, chat: Account | FakeChannel | None = None) -> list[SentMessage]:
        return self.world.sent_messages(self.account, chat=chat) if chat else \
            self.world.sent_messages(self.account)

    async def say(self, user: Account, text: str) -> list[SentMessage]:
        """Send ``text`` to the bot as ``user``; return the replies it caused."""
        before = len(self.sent(user))
        self.world.user_sends_to_bot(user, text, bot=self.account)
        await self.wait(lambda: len(self.sent(user)) > before)
        await settle()
        return self.sent(user)[before:]

    async def store(self, items: Sequence[AnalysedPost], *, at: datetime | None = None) -> None:
        await store_at(self.archive, at or self.clock.now(), items)

    def jump(self, seconds: float) -> None:
        """Move the bot's clock (and Telethon's flood-wait clock) forward."""
        self.clock.jump(seconds)
        if self.flood is not None:
            self.flood.offset += seconds

    async def advance(self, seconds: float, *, step: float = 1.0) -> None:
        """Move time forward in steps, letting the bot work after each."""
        done = 0.0
        while done < seconds:
            self.jump(min(step, seconds - done))
            done += step
            await settle()

    async def wait(self, condition: Callable[[], bool], *, within: float = 5.0) -> None:
        """Wait in real time (the fake network answers asynchronously)."""
        deadline = time.monotonic() + within
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError("condition not met in time")
            await asyncio.sleep(0.01)


@asynccontextmanager
async def running_bot(world: FakeWorld, clients: Any, archive_path: Any,
                      monkeypatch: pytest.MonkeyPatch, *, config: Config | None = None,
                      clock: ManualClock | None = None, rates: Rates | None = None,
                      flood: FloodSleeps | None = None, account: Account | None = None,
                      backoff: Backoff | None = None) -> AsyncIterator[Bot]:
    """Start run_bot on a connected bot client; cancel it and check it stopped cleanly."""
    account = account or world.create_bot("tgmon_bot")
    client = await clients(world, as_bot=account)
    clock = clock or ManualClock()
    async with Archive.open(archive_path) as archive:
        await archive.upsert_channel(NEWS)
        task = asyncio.create_task(run_bot(client, archive, config or make_config(),
                                           clock=clock, rates=rates, backoff=backoff))
        await settle()
        try:
            yield Bot(world, account, client, archive, clock, monkeypatch, flood)
        finally:
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
        assert not client.list_event_handlers()
