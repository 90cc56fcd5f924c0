"""Run the real tgmon app (bot.app.run) against a fake Telegram world."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from telethon import TelegramClient

from bot import app
from bot.clock import Clock
from bot.config import Config, Secrets, validate_config
from bot.supervise import Supervisor
from bot.telegram.client import create_client
from bot.telegram.connection import Backoff
from tests.faketg import Account, FakeWorld, attach


def make_config(db: Path, channels: list[dict[str, Any]], *, interval: float = 0.3,
                **collector: Any) -> Config:
    config = validate_config({
        "storage": {"path": str(db)},
        "channels": channels,
        "keywords": {"president": {"terms": ["Токаев"]}},
    }, source="test")
    # Below the validated minimum of 10 s, so the timer fires within a test.
    tuned = config.collector.model_copy(update={"catchup_interval_seconds": interval,
                                                **collector})
    return config.model_copy(update={"collector": tuned})


def make_secrets(tmp: Path) -> Secrets:
    return Secrets(api_id=12345, api_hash=SecretStr("0123456789abcdef"),
                   session=tmp / "sessions" / "tgmon.session")


@dataclass
class Harness:
    """One tgmon process's worth of state: config, secrets, archive path, running task."""

    world: FakeWorld
    account: Account
    config: Config
    secrets: Secrets
    bot_account: Account | None = None
    clients: list[TelegramClient] = field(default_factory=list)
    task: asyncio.Task[None] | None = None
    stop_event: asyncio.Event | None = None
    backoff: Backoff | None = None
    supervisor: Supervisor | None = None
    clock: Clock | None = None

    def factory(self, kind: str, secrets: Secrets, **options: Any) -> TelegramClient:
        """The app's client factory with the network sender swapped for the fake world's."""
        client = create_client(kind, secrets, **options)  # type: ignore[arg-type]
        if kind == "bot":
            attach(client, self.world, as_bot=self.bot_account)
        else:
            attach(client, self.world, as_user=self.account)
        self.clients.append(client)
        return client

    async def start(self) -> None:
        self.stop_event = asyncio.Event()
        self.task = asyncio.create_task(app.run(self.config, self.secrets,
                                                client_factory=self.factory,
                                                stop=self.stop_event, backoff=self.backoff,
                                                supervisor=self.supervisor,
                                                clock=self.clock))

    async def stop(self) -> None:
        assert self.task and self.stop_event
        self.stop_event.set()
        await asyncio.wait_for(self.task, 10)
        self.task = None

    async def run_once(self, *, until: Callable[[], bool], within: float = 10) -> None:
        await self.start()
        try:
            await self.wait(until, within=within)
        finally:
            await self.stop()

    async def wait(self, condition: Callable[[], bool], *, within: float = 10) -> None:
        deadline = time.monotonic() + within
        while not condition():
            if self.task and self.task.done():
                self.task.result()  # surface the app's exception
                raise AssertionError("the app stopped before the condition held")
            if time.monotonic() > deadline:
                raise AssertionError("timed out waiting for the condition")
            await asyncio.sleep(0.02)

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        path = self.config.storage.path
        if not path.exists():
            return []
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return conn.execute(sql, params).fetchall()
        except sqlite3.OperationalError:  # schema not created yet
            return []
        finally:
            conn.close()

    def texts(self, channel_id: int) -> dict[int, str]:
        return dict(self.query("SELECT msg_id, text FROM posts WHERE channel_id = ?",  # type: ignore[arg-type]
                               (channel_id,)))

    def cursor(self, channel_id: int) -> int | None:
        rows = self.query("SELECT last_msg_id FROM cursors WHERE channel_id = ?", (channel_id,))
        return rows[0][0] if rows else None

    def count(self, sql: str, params: tuple[Any, ...] = ()) -> int:
        rows = self.query(sql, params)
        return int(rows[0][0]) if rows else 0
