"""A tgmon process for the kill -9 test: the real app against a rebuilt fake world.

    python -m tests.collector.crash_child WORKDIR POSTS_PER_CHANNEL [--until-done]

Every start rebuilds the same world (same seed, same posts), as Telegram would still hold
them. With --until-done it exits 0 once every channel's cursor reached the last post.
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from pathlib import Path
from typing import Any

from telethon import TelegramClient

from bot import app
from bot.analysis.language import make_detector
from bot.config import Secrets
from bot.telegram.client import create_client
from tests.collector.harness import make_config, make_secrets
from tests.faketg import WorldSpec, attach, build_world, install_socket_guard

CHANNELS = 2


async def main(workdir: Path, posts: int, until_done: bool) -> None:
    install_socket_guard()
    world = build_world(WorldSpec(seed=1, channels=CHANNELS, messages_per_channel=posts,
                                  subscribers=0), persist_path=workdir / "telegram.jsonl")
    db = workdir / "archive.sqlite3"
    refs = [{"ref": f"@channel{c:03d}", "backfill": posts} for c in range(CHANNELS)]
    config = make_config(db, refs, interval=0.5)
    secrets = make_secrets(workdir)

    def factory(kind: str, secrets: Secrets, **options: Any) -> TelegramClient:
        client = create_client(kind, secrets, **options)  # type: ignore[arg-type]
        attach(client, world, as_user="monitor")
        return client

    stop = asyncio.Event()
    if until_done:
        asyncio.get_running_loop().create_task(_stop_when_done(db, posts, stop))
    # The models load once per process (1.5 s); the kills are timed to land in the catch-up.
    make_detector("auto")
    print("started", flush=True)
    try:
        await app.run(config, secrets, client_factory=factory, stop=stop)
    finally:
        world.close()


async def _stop_when_done(db: Path, posts: int, stop: asyncio.Event) -> None:
    while True:
        await asyncio.sleep(0.1)
        try:
            conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
            done = conn.execute("SELECT count(*) FROM cursors WHERE last_msg_id >= ?",
                                (posts,)).fetchone()[0]
            conn.close()
        except sqlite3.Error:
            continue
        if done == CHANNELS:
            stop.set()
            return


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), int(sys.argv[2]), "--until-done" in sys.argv))
