"""Child process of test_crash: queue a 3-part digest for 50 subscribers and send it.

Modes: ``slow`` (paced, for kills from outside), ``die-after:N`` (kill itself right after
the N-th accepted send), ``held-marks:N`` (the same, while another connection holds the
archive's write lock, so none of the N parts is marked sent: the sender goes on without
waiting for its marks), ``fast`` (finish).

Every step is safe to repeat, so the parent can kill -9 this process at any moment and
start it again: the digest windows are unique, the posts and subscriptions idempotent, and
the outbox resends with stored random_ids, which the (journaled) fake Telegram de-duplicates.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.clock import SystemClock, from_unix
from bot.delivery.assemble import DigestContent, digest_parts
from bot.delivery.pacing import Rates
from bot.delivery.sender import Sender, SendOutcome, Transport
from bot.domain import AnalysedPost, Analysis, Channel, KeywordHit, Post
from bot.store import Archive
from bot.store.delivery_values import Window
from bot.telegram.botui import BotTransport
from bot.telegram.client import open_session
from tests.faketg import WorldSpec, build_world, install_socket_guard, make_client
from tests.faketg.spec import BOT

SPEC = WorldSpec(seed=7, channels=0, messages_per_channel=0, subscribers=50)
NEWS = Channel(id=-1001000000001, title="News", username="news")
WINDOW = (0, 2_000_000_000)
CONTENT = DigestContent("Crash digest", None, "skip", ZoneInfo("UTC"))
# Paced slowly (a fresh process may burst a second's worth) so that the kills land
# inside the fan-out.
RATES = Rates(per_chat_interval=0.2, overall_per_second=5)
#: For the last, uninterrupted run, which only has to finish.
FAST = Rates(per_chat_interval=0.0, overall_per_second=1000)


class KillAfterSends:
    """Die by SIGKILL right after Telegram accepted the n-th part, before it is marked sent:
    the worst moment, which random kills from outside hit only by luck."""

    def __init__(self, inner: Transport, sends: int) -> None:
        self._inner = inner
        self._left = sends

    async def send(self, chat_id: int, html: str, random_id: int) -> SendOutcome:
        outcome = await self._inner.send(chat_id, html, random_id)
        self._left -= 1
        if self._left <= 0:
            os.kill(os.getpid(), signal.SIGKILL)
        return outcome


def posts() -> list[AnalysedPost]:
    body = "Токаев " + "длинная новость о парламенте и бюджете " * 12
    return [AnalysedPost(Post(NEWS.id, i, datetime(2026, 1, 1, tzinfo=UTC), f"{i} {body}"),
                         Analysis("ru", 0.9, (KeywordHit("politics", "x", "x"),)))
            for i in range(1, 31)]


async def main(workdir: Path, mode: str) -> None:
    print("started", flush=True)
    world = build_world(SPEC, persist_path=workdir / "telegram.jsonl")
    users = [world.account(f"subscriber{i:03d}") for i in range(SPEC.subscribers)]
    async with Archive.open(workdir / "archive.sqlite3") as archive:
        await archive.upsert_channel(NEWS)
        await archive.store_posts(posts())
        start, end = from_unix(WINDOW[0]), from_unix(WINDOW[1])
        parts = await digest_parts(archive, CONTENT, start=start, end=end)
        for user in users:
            peer = world.input_peer(user, viewer=BOT)
            await archive.subscribers.subscribe(user.id, [], access_hash=peer.access_hash,
                                        now=1)
            window = Window(user.id, "crash", *WINDOW)
            await archive.outbox.create_windows([(window, parts)], now=1)
        # As tgmon opens it: a kill while Telethon created the file leaves it half made.
        client = make_client(world, as_bot=BOT,
                             session=open_session(workdir / "bot.session"))
        await client.start(bot_token=world.bot_token(BOT))
        print("sending", flush=True)
        transport: Transport = BotTransport(client, archive)
        if mode.startswith(("die-after:", "held-marks:")):
            transport = KillAfterSends(transport, int(mode.split(":")[1]))
        if mode.startswith("held-marks:"):
            blocker = sqlite3.connect(workdir / "archive.sqlite3", isolation_level=None)
            blocker.execute("BEGIN IMMEDIATE")  # released by the kill
        rates = RATES if mode == "slow" else FAST
        sender = Sender(archive, transport, clock=SystemClock(), rates=rates)
        await sender.drain()
        await client.disconnect()
    world.close()
    print("done", flush=True)


if __name__ == "__main__":
    install_socket_guard()
    asyncio.run(main(Path(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else "slow"))
