"""The fake Telegram in its own process (tests/faketg/remote.py) carries the real app: a live
post is stored once, the bot answers a command, and an outage is survived."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from telethon import TelegramClient

from bot import app
from bot.config import Secrets
from bot.telegram.client import create_client
from bot.telegram.connection import Backoff
from tests.collector.harness import make_config
from tests.faketg import WorldSpec
from tests.faketg.remote import ServerProcess, attach_remote, spawn_server
from tests.faketg.spec import BOT, MONITOR

POST = "Токаев открыл новый мост"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    spec = WorldSpec(seed=3, channels=1, messages_per_channel=5, subscribers=1)
    with spawn_server(tmp_path / "tg.sock", spec, journal=tmp_path / "tg.jsonl") as server:
        yield server


def count(db: Path, sql: str) -> int:
    if not db.exists():
        return 0
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return int(conn.execute(sql).fetchone()[0])
    except sqlite3.OperationalError:  # schema not created yet
        return 0
    finally:
        conn.close()


async def wait(condition: Callable[[], bool], task: asyncio.Task[None], within: float = 15) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if task.done():
            task.result()
            raise AssertionError("the app stopped before the condition held")
        assert time.monotonic() < deadline, "timed out waiting for the condition"
        await asyncio.sleep(0.05)


async def test_the_real_app_runs_against_a_fake_telegram_in_another_process(
        server: ServerProcess, tmp_path: Path) -> None:
    world = server.world
    subscriber = world.account("subscriber000")
    db = tmp_path / "archive.sqlite3"
    # No sync timer within the test: the live post can only come as a pushed update.
    config = make_config(db, [{"ref": "@channel000"}], interval=3600)
    config = config.model_copy(update={"bot": config.bot.model_copy(
        update={"admins": [subscriber]})})
    secrets = Secrets(api_id=world.get("api_id"), api_hash=SecretStr(world.get("api_hash")),
                      bot_token=SecretStr(world.bot_token(BOT)),
                      session=tmp_path / "sessions" / "tgmon.session")
    senders = []

    def factory(kind: str, secrets: Secrets, **options: Any) -> TelegramClient:
        client = create_client(kind, secrets, **options)  # type: ignore[arg-type]
        senders.append(attach_remote(client, server.path, **(
            {"as_bot": BOT} if kind == "bot" else {"as_user": MONITOR})))
        return client

    stop = asyncio.Event()
    task = asyncio.create_task(app.run(config, secrets, client_factory=factory, stop=stop,
                                       backoff=Backoff(first=0.1, cap=0.5)))
    try:
        # History read at start-up, then a live post pushed by the other process.
        await wait(lambda: count(db, "SELECT count(*) FROM posts") == 5, task)
        world.post("channel000", POST)
        await wait(lambda: count(db, "SELECT count(*) FROM posts") == 6, task)
        world.user_sends_to_bot("subscriber000", "/start", bot=BOT)
        await wait(lambda: bool(world.sent_messages(BOT, chat="subscriber000")), task)
        # The network goes: both clients drop, come back, and a post from the outage arrives.
        world.outage()
        await wait(lambda: not any(s.is_connected() for s in senders), task)
        world.post("channel000", "Пост во время обрыва")  # nobody is online to get it
        await wait(lambda: world.get("refused_connections") > 0, task)
        world.end_outage()
        await wait(lambda: count(db, "SELECT count(*) FROM posts") == 7, task)
        world.user_sends_to_bot("subscriber000", "/start", bot=BOT)  # answered again
        await wait(lambda: len(world.sent_messages(BOT, chat="subscriber000")) == 2, task)
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)
    assert count(db, f"SELECT count(*) FROM posts WHERE text = '{POST}'") == 1
    replies = world.sent_messages(BOT, chat="subscriber000")
    assert all("@channel000" in r["text"] for r in replies)  # /start lists what is watched
    assert replies[0]["random_id"] != replies[1]["random_id"]
