"""The soak's Telegram: one fake world in its own process for the whole simulated week.

    python bench/soak_world.py WORKDIR --clock-start UNIX --clock-origin UNIX --factor F
        [--channels N] [--subscribers N] [--rate POSTS_PER_SIM_MINUTE] [--days D]

Serves the world on WORKDIR/telegram.sock (tests/faketg/remote.py) to each tgmon process
the soak starts and kills, publishes the plan's posts as simulated time reaches them
(whether or not a tgmon process is running, as Telegram would), cuts the network during the
plan's outages, and has each subscriber send /subscribe until the bot has answered. Posts
due in the same tick go out in one ``Updates`` container, as Telegram batches them. On
SIGTERM it writes WORKDIR/telegram.json: what was published and what the bot sent.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.soak_plan import (
    ALERT,
    SOCKET,
    SUMMARY,
    due,
    outage_windows,
    parse,
    post_number,
)
from bot.clock import ScaledClock
from tests.faketg import FakeWorld, WorldSpec, build_world, install_socket_guard
from tests.faketg.server import FakeServer
from tests.faketg.spec import BOT

#: A subscriber whose /subscribe got no answer yet asks again after this many real seconds.
ASK_AGAIN = 5.0


def spec(args: argparse.Namespace) -> WorldSpec:
    return WorldSpec(seed=11, channels=args.channels, messages_per_channel=0,
                     subscribers=args.subscribers)


class Plan:
    """Publish the plan's posts as simulated time reaches them; cut the network on time."""

    def __init__(self, world: FakeWorld, args: argparse.Namespace, clock: ScaledClock) -> None:
        self.world = world
        self.args = args
        self.clock = clock
        self.channels = [world.channel(f"channel{c:03d}") for c in range(args.channels)]
        self.published = 0
        self.down = False

    def publish_due(self) -> None:
        now = self.clock.now().timestamp()
        upto = due(self.args, now)
        posts = []
        for k in range(self.published, upto):
            channel, text = post_number(self.args, k)
            posts.append((self.channels[channel % len(self.channels)], text,
                          int(self.args.clock_start + k * 60 / self.args.rate)))
        if posts:
            self.world.post_batch(posts)
        self.published = upto

    def set_network(self) -> None:
        now = self.clock.now().timestamp()
        down = any(start <= now < end for start, end in outage_windows(self.args))
        if down and not self.down:
            self.world.outage()
        elif self.down and not down:
            self.world.end_outage()
        self.down = down


class Subscribers:
    """Each subscriber sends /subscribe while the bot is online until it has been answered."""

    def __init__(self, world: FakeWorld, count: int) -> None:
        self.world = world
        self.bot = world.account(BOT)
        self.users = [world.account(f"subscriber{i:03d}") for i in range(count)]
        self.asked: dict[int, float] = {}

    def ask(self, now: float) -> None:
        if not any(s.account_id == self.bot.id for s in self.world.senders):
            return
        answered = {m.chat_id for m in self.world.sent_messages(self.bot)}
        for user in self.users:
            if user.id not in answered and now - self.asked.get(user.id, -ASK_AGAIN) >= ASK_AGAIN:
                self.world.user_sends_to_bot(user, "/subscribe", bot=self.bot)
                self.asked[user.id] = now


def summary(world: FakeWorld, plan: Plan) -> dict[str, object]:
    """What the soak's parent checks the archive and the outbox against."""
    return {
        "published": [[c.marked_id, len(c.posts)] for c in world.channels.values()],
        "alert_posts": {n: p.date for c in world.channels.values() for p in c.posts
                        for n in re.findall(rf"Сообщение (\d+): {ALERT}", p.text)},
        "sent": [[m.random_id, m.chat_id, [int(n) for n in re.findall(r"Сообщение (\d+):",
                                                                    m.text)]]
                 for m in world.sent_messages(BOT)],
        "refused_connections": world.refused_connections,
        "planned": plan.published,
    }


async def main(args: argparse.Namespace) -> None:
    install_socket_guard()
    clock = ScaledClock(start=datetime.fromtimestamp(args.clock_start, UTC), factor=args.factor,
                        origin=args.clock_origin)
    world = build_world(spec(args), clock=lambda: clock.now().timestamp())
    server = FakeServer(world)
    await server.start(args.workdir / SOCKET)
    plan = Plan(world, args, clock)
    subscribers = Subscribers(world, args.subscribers)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print("listening", flush=True)
    while not stop.is_set():
        plan.set_network()
        plan.publish_due()
        subscribers.ask(loop.time())
        await asyncio.sleep(0.02)
    await server.close()
    (args.workdir / SUMMARY).write_text(json.dumps(summary(world, plan)))


if __name__ == "__main__":
    asyncio.run(main(parse(sys.argv[1:])))
