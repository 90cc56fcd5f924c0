"""One tgmon process of the soak: the real app (collector and bot) on a journaled fake world,
with every schedule on a compressed clock shared by all the soak's processes.

    python bench/soak_child.py WORKDIR --clock-start UNIX --clock-origin UNIX --factor F
        [--channels N] [--subscribers N] [--rate POSTS_PER_SIM_MINUTE] [--days D] [--final]

Every start rebuilds the same world and replays its journal, as Telegram would still hold
everything published before a kill -9. The publishing plan is a function of simulated time
(post k at ``clock start + 60 k / rate``), so the posts due while no process ran are
published at start, dated when they were due, and the service must find them by catch-up.
The network outages are fixed simulated hours too. Prints one JSON line of its own figures
every real second. With --final it stops publishing at the end of the plan, waits until
every post is stored, alerted and digested and every outbox part sent, and exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from telethon import TelegramClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot import app
from bot.clock import ScaledClock
from bot.config import Config, Secrets, validate_config
from bot.telegram.client import create_client
from bot.telegram.connection import Backoff
from tests.faketg import FakeWorld, WorldSpec, attach, build_world, install_socket_guard
from tests.faketg.spec import BOT, MONITOR

ALERT = "пожар"
#: Every this many posts one carries the alert term.
ALERT_EVERY = 500
#: Outages: (start as a fraction of the plan, length in simulated seconds).
OUTAGES = ((0.21, 3600.0), (0.52, 3600.0), (0.83, 3600.0))
RETENTION_DAYS = 2
DAY = 86400


def spec(args: argparse.Namespace) -> WorldSpec:
    return WorldSpec(seed=11, channels=args.channels, messages_per_channel=0,
                     subscribers=args.subscribers)


def plan_end(args: argparse.Namespace) -> float:
    return float(args.clock_start + args.days * DAY)


def post_number(k: int) -> tuple[int, str]:
    """The channel and text of the plan's post ``k`` (0-based), the same in every process."""
    channel = random.Random(k).randrange(1 << 30)
    text = (f"Сообщение {k + 1}: {ALERT} на складе" if (k + 1) % ALERT_EVERY == 0
            else f"Сообщение {k + 1}: Токаев и новости дня")
    return channel, text


def outage_windows(args: argparse.Namespace) -> list[tuple[float, float]]:
    span = args.days * DAY
    return [(args.clock_start + share * span, args.clock_start + share * span + length)
            for share, length in OUTAGES]


def make_config(args: argparse.Namespace, admins: list[int]) -> Config:
    config = validate_config({
        "storage": {"path": str(args.workdir / "archive.sqlite3"),
                    "outbox_retention_days": RETENTION_DAYS},
        "channels": [{"ref": f"@channel{c:03d}"} for c in range(args.channels)],
        "keywords": {"fires": {"terms": [ALERT], "alert": True},
                     "politics": {"terms": ["Токаев"]}},
        "bot": {"admins": admins, "alert_batch_seconds": 600, "subscriber_digest": "hourly"},
        # Ten items a digest (one or two parts): 50 chats' hourly parts, sent one by one with
        # a commit each, must keep up with a simulated hour every 3.4 s.
        "digests": {"hourly": {"schedule": "0 * * * *", "timezone": "UTC", "max_items": 10}},
        "logging": {"level": "WARNING"},
    }, source="soak")
    # The sync timer reads 300 channels a round; at the default 300 s of simulated time a
    # compressed week would make about a thousand history reads per real second.
    tuned = config.collector.model_copy(update={"catchup_interval_seconds": 3600})
    return config.model_copy(update={"collector": tuned})


class Plan:
    """Publish the plan's posts as simulated time reaches them; cut the network on time."""

    def __init__(self, world: FakeWorld, args: argparse.Namespace, clock: ScaledClock) -> None:
        self.world = world
        self.args = args
        self.clock = clock
        self.channels = [world.channel(f"channel{c:03d}") for c in range(args.channels)]
        self.published = sum(len(c.posts) for c in world.channels.values())
        self.total = int(args.days * 24 * 60 * args.rate)
        self.down = False

    def due(self, now: float) -> int:
        return min(self.total, int((now - self.args.clock_start) * self.args.rate / 60))

    def publish_due(self) -> None:
        due = self.due(self.clock.now().timestamp())
        wall = self.world.clock
        try:
            while self.published < due:
                when = self.args.clock_start + self.published * 60 / self.args.rate
                self.world.clock = lambda when=when: when
                channel, text = post_number(self.published)
                self.world.post(self.channels[channel % len(self.channels)], text)
                self.published += 1
        finally:
            self.world.clock = wall

    def set_network(self) -> None:
        now = self.clock.now().timestamp()
        down = any(start <= now < end for start, end in outage_windows(self.args))
        if down and not self.down:
            self.world.outage()
        elif self.down and not down:
            self.world.end_outage()
        self.down = down


async def main(args: argparse.Namespace) -> None:
    install_socket_guard()
    clock = ScaledClock(start=datetime.fromtimestamp(args.clock_start, UTC), factor=args.factor,
                        origin=args.clock_origin)
    world = build_world(spec(args), persist_path=args.workdir / "telegram.jsonl",
                        clock=lambda: clock.now().timestamp(), sync_journal=False)
    subscribers = [world.account(f"subscriber{i:03d}") for i in range(args.subscribers)]
    config = make_config(args, [s.id for s in subscribers])
    secrets = Secrets(api_id=world.api_id, api_hash=SecretStr(world.api_hash),
                      bot_token=SecretStr(world.bot_token(BOT)),
                      session=args.workdir / "sessions" / "tgmon.session")
    plan = Plan(world, args, clock)
    plan.set_network()
    plan.publish_due()  # what Telegram got while no process ran

    def factory(kind: str, secrets: Secrets, **options: Any) -> TelegramClient:
        client = create_client(kind, secrets, **options)  # type: ignore[arg-type]
        if kind == "bot":
            attach(client, world, as_bot=BOT)
        else:
            attach(client, world, as_user=MONITOR)
        return client

    stop = asyncio.Event()
    tasks = [asyncio.create_task(_drive(plan, subscribers, stop)),
             asyncio.create_task(_report(clock))]
    print("started", flush=True)
    try:
        await app.run(config, secrets, client_factory=factory, stop=stop, clock=clock,
                      backoff=Backoff(first=0.2, cap=2.0))
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        world.close()


async def _drive(plan: Plan, subscribers: list[Any], stop: asyncio.Event) -> None:
    world, args = plan.world, plan.args
    await asyncio.sleep(3)
    for user in subscribers:  # idempotent: a repeat /subscribe changes nothing
        if not world.sent_messages(BOT, chat=user):
            world.user_sends_to_bot(user, "/subscribe", bot=BOT)
    end = plan_end(args)
    while not (args.final and plan.clock.now().timestamp() >= end):
        plan.set_network()
        plan.publish_due()
        await asyncio.sleep(0.02)
    plan.set_network()
    plan.publish_due()
    db = args.workdir / "archive.sqlite3"
    while True:  # drain: every post stored, alerted and digested, every part sent
        await asyncio.sleep(0.5)
        if _drained(db, plan.published, len(subscribers), end):
            stop.set()
            return


def _drained(db: Path, published: int, chats: int, end: float) -> bool:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            stored = conn.execute("SELECT count(*) FROM posts").fetchone()[0]
            pending = conn.execute(
                "SELECT count(*) FROM outbox WHERE status = 'pending'").fetchone()[0]
            top = conn.execute(
                "SELECT seq FROM sqlite_sequence WHERE name = 'arrivals'").fetchone()[0]
            alerted = conn.execute(
                "SELECT max(seq_end) FROM digests WHERE chat_id = 0").fetchone()[0]
            digested = conn.execute(
                "SELECT count(DISTINCT chat_id) FROM digests WHERE name = 'hourly' "
                "AND window_end >= ?", (end,)).fetchone()[0]
        finally:
            conn.close()
    except (sqlite3.Error, TypeError):
        return False
    return bool(stored >= published and pending == 0 and alerted == top
                and digested == chats)


async def _report(clock: ScaledClock) -> None:
    while True:
        await asyncio.sleep(1)
        print(json.dumps({"tasks": len(asyncio.all_tasks()),
                          "sim": clock.now().timestamp()}), flush=True)


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--clock-start", type=float, required=True)
    parser.add_argument("--clock-origin", type=float, required=True)
    parser.add_argument("--factor", type=float, required=True)
    parser.add_argument("--channels", type=int, default=300)
    parser.add_argument("--subscribers", type=int, default=50)
    parser.add_argument("--rate", type=float, default=5.0, help="posts per simulated minute")
    parser.add_argument("--days", type=float, default=7.0)
    parser.add_argument("--final", action="store_true")
    return parser.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse(sys.argv[1:])))
