"""One tgmon process of the soak: the real app (collector and bot) on a journaled fake world.

    python bench/soak_child.py WORKDIR --channels N --subscribers N --rate POSTS_PER_MIN
                               [--seconds S] [--outage-every S] [--outage-for S]

Every start rebuilds the same world and replays its journal, as Telegram would still hold
everything published before a kill -9. While it runs it publishes posts (every tenth one an
alert term) and, on a timer, cuts the network; it prints one JSON line of its own figures
every second. With --seconds it stops publishing after that long, waits until every post is
stored and every outbox part sent, and exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import sys
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from telethon import TelegramClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot import app
from bot.config import Secrets, validate_config
from bot.telegram.client import create_client
from bot.telegram.connection import Backoff
from tests.faketg import WorldSpec, attach, build_world, install_socket_guard
from tests.faketg.spec import BOT, MONITOR

ALERT = "пожар"


def spec(args: argparse.Namespace) -> WorldSpec:
    return WorldSpec(seed=11, channels=args.channels, messages_per_channel=0,
                     subscribers=args.subscribers)


async def main(args: argparse.Namespace) -> None:
    install_socket_guard()
    world = build_world(spec(args), persist_path=args.workdir / "telegram.jsonl")
    subscribers = [world.account(f"subscriber{i:03d}") for i in range(args.subscribers)]
    config = validate_config({
        "storage": {"path": str(args.workdir / "archive.sqlite3")},
        "channels": [{"ref": f"@channel{c:03d}"} for c in range(args.channels)],
        "keywords": {"fires": {"terms": [ALERT], "alert": True},
                     "politics": {"terms": ["Токаев"]}},
        "bot": {"admins": [s.id for s in subscribers], "alert_batch_seconds": 2},
        "logging": {"level": "WARNING"},
    }, source="soak")
    tuned = config.collector.model_copy(update={"catchup_interval_seconds": 5})
    config = config.model_copy(update={"collector": tuned})
    secrets = Secrets(api_id=world.api_id, api_hash=SecretStr(world.api_hash),
                      bot_token=SecretStr(world.bot_token(BOT)),
                      session=args.workdir / "sessions" / "tgmon.session")

    def factory(kind: str, secrets: Secrets, **options: Any) -> TelegramClient:
        client = create_client(kind, secrets, **options)  # type: ignore[arg-type]
        if kind == "bot":
            attach(client, world, as_bot=BOT)
        else:
            attach(client, world, as_user=MONITOR)
        return client

    stop = asyncio.Event()
    tasks = [asyncio.create_task(_drive(world, args, subscribers, stop)),
             asyncio.create_task(_report(args))]
    print("started", flush=True)
    try:
        await app.run(config, secrets, client_factory=factory, stop=stop,
                      backoff=Backoff(first=0.2, cap=2.0))
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        world.close()


async def _drive(world: Any, args: argparse.Namespace, subscribers: list[Any],
                 stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    await asyncio.sleep(3)
    for user in subscribers:  # idempotent: a repeat /subscribe changes nothing
        if not world.sent_messages(BOT, chat=user):
            world.user_sends_to_bot(user, "/subscribe", bot=BOT)
    rng = random.Random()
    interval = 60.0 / args.rate
    next_outage = loop.time() + args.outage_every
    while args.seconds is None or loop.time() - started < args.seconds:
        channel = world.channel(f"channel{rng.randrange(args.channels):03d}")
        number = sum(len(c.posts) for c in world.channels.values()) + 1
        text = (f"Сообщение {number}: {ALERT} на складе" if number % 10 == 0
                else f"Сообщение {number}: Токаев и новости дня")
        world.post(channel, text)
        if loop.time() >= next_outage:
            world.outage()
            await asyncio.sleep(args.outage_for)
            world.end_outage()
            next_outage = loop.time() + args.outage_every
        await asyncio.sleep(interval)
    published = sum(len(c.posts) for c in world.channels.values())
    db = args.workdir / "archive.sqlite3"
    while True:  # drain: every post stored, every outbox part sent
        await asyncio.sleep(1)
        stored, pending = _counts(db)
        if stored >= published and pending == 0:
            stop.set()
            return


def _counts(db: Path) -> tuple[int, int]:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            stored = conn.execute("SELECT count(*) FROM posts").fetchone()[0]
            pending = conn.execute(
                "SELECT count(*) FROM outbox WHERE status = 'pending'").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0, 0
    return int(stored), int(pending)


async def _report(args: argparse.Namespace) -> None:
    while True:
        await asyncio.sleep(1)
        print(json.dumps({"tasks": len(asyncio.all_tasks())}), flush=True)


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--channels", type=int, default=300)
    parser.add_argument("--subscribers", type=int, default=50)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--seconds", type=float)
    parser.add_argument("--outage-every", type=float, default=60.0)
    parser.add_argument("--outage-for", type=float, default=5.0)
    return parser.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse(sys.argv[1:])))
