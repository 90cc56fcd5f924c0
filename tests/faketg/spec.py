"""Deterministic worlds from a small spec, so every process can rebuild the same one."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass

from .world import FakeWorld

MONITOR = "monitor"  # username of the user account that reads channels
BOT = "tgmon_bot"  # username of the bot


@dataclass(frozen=True)
class WorldSpec:
    """Counts and a seed; :func:`build_world` turns them into the same world every time.

    Accounts: user ``@monitor`` (member of every channel if ``join``), users
    ``@subscriber000``…, bot ``@tgmon_bot``. Channels ``@channel000``… titled
    ``Channel 0``…, each with ``messages_per_channel`` posts
    ``"Channel {c} post {id}"`` dated from ``start_date`` every ``step`` seconds.
    """

    seed: int = 0
    channels: int = 3
    messages_per_channel: int = 100
    subscribers: int = 2
    join: bool = True
    start_date: int = 1_700_000_000
    step: int = 60


def build_world(
    spec: WorldSpec,
    *,
    persist_path: str | os.PathLike[str] | None = None,
    clock: Callable[[], float] = time.time,
    sync_journal: bool = True,
) -> FakeWorld:
    """Build the world of ``spec``; with ``persist_path``, replay and keep its journal."""
    world = FakeWorld(seed=spec.seed, clock=lambda: spec.start_date)
    monitor = world.create_user(MONITOR, first_name="Monitor")
    for i in range(spec.subscribers):
        world.create_user(f"subscriber{i:03d}", first_name=f"Subscriber {i}")
    world.create_bot(BOT, first_name="tgmon")
    for c in range(spec.channels):
        channel = world.create_channel(f"channel{c:03d}", title=f"Channel {c}",
                                       members=[monitor] if spec.join else ())
        world.post_many(channel, spec.messages_per_channel, text=f"Channel {c} post {{id}}",
                        start_date=spec.start_date + c, step=spec.step)
    world.clock = clock
    if persist_path is not None:
        world.open_journal(persist_path, sync=sync_journal)
    return world
