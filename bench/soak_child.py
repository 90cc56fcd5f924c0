"""One tgmon process of the soak: the real app (collector and bot), nothing else, against the
soak's fake Telegram in its own process (bench/soak_world.py), with every schedule on a
compressed clock shared by all the soak's processes.

    python bench/soak_child.py WORKDIR --clock-start UNIX --clock-origin UNIX --factor F
        [--channels N] [--subscribers N] [--rate POSTS_PER_SIM_MINUTE] [--days D] [--final]

Only ``client._sender`` of each Telethon client is replaced (tests/faketg/remote.py), so
this process's memory and event loop are tgmon's own. Prints one JSON line of its own
figures every real second. With --final it waits, once the plan's end is reached, until
every post is stored, alerted and digested and every outbox part sent, and exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import ctypes.util
import functools
import gc
import json
import sqlite3
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from telethon import TelegramClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.soak_plan import ALERT, RETENTION_DAYS, SOCKET, parse, plan_end, total_posts
from bot import app, metrics
from bot.clock import ScaledClock
from bot.config import Config, Secrets, validate_config
from bot.telegram.backlog import UpdateBacklog
from bot.telegram.client import create_client
from bot.telegram.connection import Backoff
from tests.faketg.guard import install_socket_guard
from tests.faketg.remote import RemoteWorld, attach_remote
from tests.faketg.spec import BOT, MONITOR


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


async def main(args: argparse.Namespace) -> None:
    install_socket_guard()
    clock = ScaledClock(start=datetime.fromtimestamp(args.clock_start, UTC), factor=args.factor,
                        origin=args.clock_origin)
    path = args.workdir / SOCKET
    world = RemoteWorld(path)  # a few questions at start-up; the clients have their own link
    admins = [world.account(f"subscriber{i:03d}") for i in range(args.subscribers)]
    secrets = Secrets(api_id=world.get("api_id"), api_hash=SecretStr(world.get("api_hash")),
                      bot_token=SecretStr(world.bot_token(BOT)),
                      session=args.workdir / "sessions" / "tgmon.session")
    world.close()
    config = make_config(args, admins)

    clients: list[TelegramClient] = []

    def factory(kind: str, secrets: Secrets, **options: Any) -> TelegramClient:
        client = create_client(kind, secrets, **options)  # type: ignore[arg-type]
        if kind == "bot":
            attach_remote(client, path, as_bot=BOT)
        else:
            attach_remote(client, path, as_user=MONITOR)
        clients.append(client)
        return client

    stop = asyncio.Event()
    tasks = [asyncio.create_task(_report(clock, clients))]
    if args.final:
        tasks.append(asyncio.create_task(_drain(args, clock, len(admins), stop)))
    print("started", flush=True)
    try:
        await app.run(config, secrets, client_factory=factory, stop=stop, clock=clock,
                      backoff=Backoff(first=0.2, cap=2.0))
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _drain(args: argparse.Namespace, clock: ScaledClock, chats: int,
                 stop: asyncio.Event) -> None:
    """After the plan's end: every post stored, alerted and digested, every part sent."""
    end = plan_end(args)
    db = args.workdir / "archive.sqlite3"
    while True:
        await asyncio.sleep(0.5)
        if clock.now().timestamp() >= end and _drained(db, total_posts(args), chats, end):
            stop.set()
            return


def _drained(db: Path, published: int, chats: int, end: float) -> bool:
    """Every post stored, alerted and in a digest of every chat; no part left to send."""
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
                "SELECT count(*) FROM (SELECT chat_id FROM digests WHERE name = 'hourly' "
                "GROUP BY chat_id HAVING max(window_end) >= ? AND max(seq_end) = ?)",
                (end, top)).fetchone()[0]
        finally:
            conn.close()
    except (sqlite3.Error, TypeError):
        return False
    return bool(stored >= published and pending == 0 and alerted == top
                and digested == chats)


class _GcTime:
    """Seconds the cyclic garbage collector has run, and its full collections, so far."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.full = 0
        self._began = 0.0
        gc.callbacks.append(self._on)

    def _on(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._began = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._began
            self.full += info["generation"] == 2


_GC = _GcTime()


async def _report(clock: ScaledClock, clients: list[TelegramClient]) -> None:
    """Each second: tasks, and what could hold memory (queues, Python's and C's heaps)."""
    while True:
        await asyncio.sleep(1)
        heap = _mallinfo()
        print(json.dumps({
            "tasks": len(asyncio.all_tasks()), "sim": clock.now().timestamp(),
            "live": metrics.REGISTRY.get_sample_value("tgmon_live_queue") or 0,
            "dropped": metrics.REGISTRY.get_sample_value("tgmon_live_dropped_total") or 0,
            # Telethon's own queue of received containers (unbounded), per client, and the
            # updates they hold: its backlog when the process lags the compressed week.
            "updates": [c._updates_queue.qsize() for c in clients],
            "queued_updates": sum(_updates_held(c) for c in clients),
            "py_blocks": sys.getallocatedblocks(),
            "c_used_mb": heap[0], "c_free_mb": heap[1], **_rss_parts(),
            "sqlite_mb": _sqlite_memory() / 2**20,
            "gc_s": round(_GC.seconds, 3), "gc_full": _GC.full,
        }), flush=True)


def _updates_held(client: TelegramClient) -> int:
    """Updates held in full (a post the bounded backlog queued light holds no message)."""
    if isinstance(client._updates_queue, UpdateBacklog):
        return client._updates_queue.held
    held = list(getattr(client._updates_queue, "_queue", ()))
    return sum(len(getattr(container, "updates", ())) or 1 for container in held)


@functools.cache
def _library(name: str, default: str) -> ctypes.CDLL | None:
    """A C library, found once: ``find_library`` runs ``ldconfig -p`` in a new process at
    each call, which the soak's second-by-second figures did twice a second (12 ms each)."""
    try:
        return ctypes.CDLL(ctypes.util.find_library(name) or default)
    except OSError:
        return None


def _sqlite_memory() -> int:
    """Bytes SQLite holds for every connection of the process (page caches, statements)."""
    library = _library("sqlite3", "libsqlite3.so.0")
    if library is None:
        return 0
    library.sqlite3_memory_used.restype = ctypes.c_int64
    return int(library.sqlite3_memory_used())


def _rss_parts() -> dict[str, float]:
    """Resident MB: anonymous (heaps) and file-backed (libraries, mapped models)."""
    parts = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("RssAnon", "RssFile", "RssShmem"):
            parts[key] = int(value.split()[0]) / 1024
    return parts


def _mallinfo() -> tuple[float, float]:
    """glibc's heap: MB in use and MB free but kept (in every arena), or zeros elsewhere."""
    libc = _library("c", "libc.so.6")
    info = getattr(libc, "mallinfo2", None)
    if info is None:
        return (0.0, 0.0)

    class MallInfo2(ctypes.Structure):
        _fields_ = [(name, ctypes.c_size_t) for name in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
            "uordblks", "fordblks", "keepcost")]

    info.restype = MallInfo2
    got = info()
    return ((got.uordblks + got.hblkhd) / 2**20, got.fordblks / 2**20)


if __name__ == "__main__":
    asyncio.run(main(parse(sys.argv[1:])))
