"""Collector benchmark: live latency and catch-up throughput of the real app on a fake Telegram.

    python bench/collect.py [--channels 200] [--rate 100] [--seconds 20] [--missed 100000]
                            [--missed-channels 10] [--threads] [--quick]

Runs ``bot.app.run`` (the real Telethon client, collector, analyser and archive) in this
process against the fake Telegram of tests/faketg, and prints one table:

1. Live: the monitor account is a member of ``--channels`` channels; posts are published at a
   steady ``--rate`` per second (round-robin over the channels) for ``--seconds``. Latency runs
   from just before ``world.post`` (which serialises the update and hands it to the client,
   as the socket would) until a separate observer process, polling the archive read-only
   every millisecond (``PRAGMA data_version``, then an indexed read), first sees the committed
   row. Both ends use CLOCK_MONOTONIC.
2. Catch-up, against the fake Telegram in a process of its own (tests/faketg/remote.py:
   requests and answers cross a Unix socket as bytes, and Telethon parses them in this
   process as it would a socket's), so the server's work of building and serialising 100,000
   posts' pages is not counted as tgmon's: a first run sets the cursors of
   ``--missed-channels`` channels; then ``--missed`` posts (dated over the previous 7 days)
   are published silently while tgmon is down, and a restart is timed from the start of the
   first channel's history read to the end of the last one's (every cursor at the last post).
   App start-up (analyser, archive, connect, resolving channels; the models are already in
   memory from the first run) is excluded and shown separately. The reconcile that runs
   between channels in the first round is included in that wall time (it is part of how long
   catching up takes) and is also shown on its own.
   With ``--threads``, each thread's CPU (user + system) and its time waiting for a core over
   that wall time, for this process, its analysis workers and the fake server.
3. A bare executemany of the very rows the catch-up stored (read back from its archive), into a
   fresh archive with the same schema (bench/bare.py), and the ratio of the two rates.

In the live part the fake server shares this process with Telethon and tgmon (it must
publish on a schedule measured by this process's clock); the catch-up's server runs apart,
but on the same machine (2 cores here), so its CPU is still taken from the same cores.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import gc
import multiprocessing
import os
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from telethon import TelegramClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bare import prepare_rows, time_bare_insert
from synthetic import KEYWORDS, make_post

from bot import ingest
from bot.config import Config, Secrets, validate_config
from bot.store import Archive
from bot.telegram.client import create_client
from bot.telegram.collector import Collector
from bot.telegram.history import HistoryReader
from bot.workers import OnDemandPool
from tests.collector.harness import Harness, make_secrets
from tests.faketg import FakeWorld, install_socket_guard
from tests.faketg.remote import FakeServer, attach_remote

Key = tuple[int, int]  # (marked channel id, msg_id), as the archive stores them
DAY = 86_400


def make_config(db: Path, usernames: list[str]) -> Config:
    """The shipped defaults (timer every 300 s, reconcile 200 posts / 3 days), our keywords."""
    return validate_config({
        "storage": {"path": str(db)},
        "channels": [{"ref": f"@{name}"} for name in usernames],
        "keywords": KEYWORDS,
    }, source="bench")


# ---------------------------------------------------------------- instrumentation

@dataclass
class Spans:
    """Wall-clock spans of the collector's own steps, recorded by wrapping its methods."""

    items: list[tuple[str, float, float]] = field(default_factory=list)
    first_sync: asyncio.Event = field(default_factory=asyncio.Event)
    #: With ``--threads``: every thread's CPU as the first history read starts and as the
    #: latest one ends (this process, its workers and the fake server).
    threads: bool = False
    cpu_first: dict[tuple[int, int], ThreadTimes] | None = None
    cpu_last: dict[tuple[int, int], ThreadTimes] | None = None

    def total(self, *names: str, within: tuple[float, float] = (0, float("inf"))) -> float:
        """Seconds during which any of ``names`` ran (nested or overlapping calls count once)."""
        spans = sorted((start, end) for n, start, end in self.items
                       if n in names and start >= within[0] and end <= within[1])
        covered, reach = 0.0, float("-inf")
        for start, end in spans:
            if end > reach:
                covered += end - max(start, reach)
                reach = end
        return covered

    def first(self, name: str) -> float:
        return min(start for n, start, _ in self.items if n == name)

    def last(self, name: str) -> float:
        return max(end for n, _, end in self.items if n == name)


def instrument(spans: Spans) -> Callable[[], None]:
    """Time the collector's steps (history reads, analysis, archive writes); returns the undo."""
    originals: list[tuple[Any, str, Any]] = []

    def wrap(owner: Any, name: str, after: Callable[[], None] | None = None) -> None:
        original = getattr(owner, name)
        sampled = spans.threads and name == "catch_up"

        @functools.wraps(original)
        async def timed(*args: Any, **kwargs: Any) -> Any:
            if sampled and spans.cpu_first is None:
                spans.cpu_first = thread_times()
            start = time.monotonic()
            try:
                return await original(*args, **kwargs)
            finally:
                spans.items.append((name, start, time.monotonic()))
                if sampled:
                    spans.cpu_last = thread_times()
                if after:
                    after()

        originals.append((owner, name, original))
        setattr(owner, name, timed)

    wrap(HistoryReader, "catch_up")
    wrap(HistoryReader, "reconcile")
    wrap(Collector, "sync", spans.first_sync.set)
    wrap(ingest, "analyse_posts")  # looked up as a module global by store_history
    wrap(OnDemandPool, "analyse")  # catch-up pages: in worker processes once they run
    wrap(Archive, "store_posts")

    def undo() -> None:
        for owner, name, original in originals:
            setattr(owner, name, original)

    return undo


@dataclass(frozen=True)
class ThreadTimes:
    name: str
    cpu_s: float  # user + system
    sys_s: float
    waited_s: float  # runnable but waiting for a core (schedstat)


def thread_times() -> dict[tuple[int, int], ThreadTimes]:
    """(pid, tid) -> times of every thread of this process and its descendants (Linux)."""
    tick = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        with suppress(OSError, ValueError, IndexError):
            if entry.isdigit():
                stat = Path(f"/proc/{entry}/stat").read_text()
                children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(
                    int(entry))
    pids, names = [os.getpid()], {t.native_id: t.name for t in threading.enumerate()}
    for pid in pids:
        pids.extend(children.get(pid, []))
    found = {}
    for pid in pids:
        with suppress(OSError):
            for tid in os.listdir(f"/proc/{pid}/task"):
                stat = Path(f"/proc/{pid}/task/{tid}/stat").read_text()
                fields = stat.rsplit(")", 1)[1].split()
                waited = int(Path(f"/proc/{pid}/task/{tid}/schedstat").read_text().split()[1])
                name = names.get(int(tid)) or stat[stat.index("(") + 1 : stat.rindex(")")]
                found[(pid, int(tid))] = ThreadTimes(
                    name if pid == os.getpid() else f"{name} (pid {pid})",
                    (int(fields[11]) + int(fields[12])) / tick, int(fields[12]) / tick,
                    waited / 1e9)
    return found


def print_threads(first: dict[tuple[int, int], ThreadTimes],
                  last: dict[tuple[int, int], ThreadTimes], wall_s: float) -> None:
    """Each thread's CPU over the catch-up, busiest first (workers and server included)."""
    print(f"\nper thread over the catch-up ({wall_s:.1f} s wall): CPU s (system), "
          "waiting for a core s")
    total = 0.0
    rows = []
    for key, end in last.items():
        begin = first.get(key, ThreadTimes(end.name, 0, 0, 0))
        if end.cpu_s - begin.cpu_s >= 0.05:
            rows.append((end.cpu_s - begin.cpu_s, end.sys_s - begin.sys_s,
                         end.waited_s - begin.waited_s, end.name))
    for cpu, sys_s, waited, name in sorted(rows, reverse=True):
        total += cpu
        print(f"  {name[:48]:<48}{cpu:8.2f} ({sys_s:5.2f}){waited:8.2f}")
    print(f"  {'all':<48}{total:8.2f}")


# ---------------------------------------------------------------- observer process

def observe(db: str, pipe: Connection) -> None:
    """Record when each published (channel, msg_id) is first visible in the archive.

    Messages in: ("pub", [(channel_id, msg_id, date), ...]) and ("stop",). Out: ("ready",)
    once the archive is open, then on stop {key: monotonic time first seen} and the number
    of reads.
    """
    conn: sqlite3.Connection | None = None
    pending: dict[Key, int] = {}  # published, not yet seen -> post date (for the index bound)
    seen: dict[Key, float] = {}
    last_date = 0
    version = None
    reads = 0
    stopping = False
    while True:
        while pipe.poll():
            message = pipe.recv()
            if message[0] == "stop":
                stopping = True
                break
            for channel_id, msg_id, date in message[1]:
                if (channel_id, msg_id) not in seen:
                    pending[(channel_id, msg_id)] = date
                last_date = max(last_date, date)
        if conn is None:
            try:
                conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
                conn.execute("SELECT 1 FROM posts LIMIT 1")
            except sqlite3.Error:
                conn = None
                time.sleep(0.01)
                continue
            pipe.send(("ready",))
        now_version = conn.execute("PRAGMA data_version").fetchone()[0]
        if now_version != version or stopping:
            version = now_version
            # Dates never go backwards, so every unseen post is at or after this bound.
            low = min(pending.values(), default=last_date)
            rows = conn.execute("SELECT channel_id, msg_id FROM posts WHERE date >= ?",
                                (low,)).fetchall()
            now = time.monotonic()
            reads += 1
            for key in rows:
                if key not in seen:
                    seen[key] = now
                    pending.pop(key, None)
        if stopping:
            break
        time.sleep(0.001)
    if conn is not None:
        conn.close()
    pipe.send((seen, reads))
    pipe.close()


# ---------------------------------------------------------------- 1. live latency

@dataclass
class LiveResult:
    published: int
    stored: int
    latencies_ms: list[float]
    achieved_rate: float
    reads: int


async def live(tmp: Path, n_channels: int, rate: float, seconds: float) -> LiveResult:
    world = FakeWorld(seed=1)
    monitor = world.create_user("monitor", first_name="Monitor")
    channels = [world.create_channel(f"live{c:04d}", title=f"Live {c}", members=[monitor])
                for c in range(n_channels)]
    db = tmp / "live.sqlite3"
    harness = Harness(world, monitor, make_config(db, [str(c.username) for c in channels]),
                      make_secrets(tmp / "live"))
    rng = random.Random(11)
    total = max(1, round(rate * seconds))
    texts = [make_post(rng) for _ in range(min(total, 2000))]

    spans = Spans()
    undo = instrument(spans)
    ctx = multiprocessing.get_context("spawn")
    ours, theirs = ctx.Pipe()
    observer = ctx.Process(target=observe, args=(str(db), theirs), daemon=True)
    observer.start()
    published: dict[Key, float] = {}
    try:
        await harness.start()
        try:
            # Resolve, subscribe and the first sync (catch-up + reconcile of empty channels).
            await wait_for(spans.first_sync.wait(), harness, within=120)
            await wait_for(observer_ready(ours), harness, within=90)
            started = time.monotonic()
            for i in range(total):
                delay = started + i / rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                channel = channels[i % n_channels]
                t = time.monotonic()
                msg_id = world.post(channel, texts[i % len(texts)])
                published[(channel.marked_id, msg_id)] = t
                ours.send(("pub", [(channel.marked_id, msg_id, channel.posts[-1].date)]))
            achieved = (total - 1) / (time.monotonic() - started) if total > 1 else rate
            # Let the last posts land; a post still missing after 30 s counts as not stored.
            with suppress(AssertionError):
                await harness.wait(lambda: harness.count("SELECT count(*) FROM posts") >= total,
                                   within=30)
            await asyncio.sleep(0.2)  # the observer polls every millisecond
        finally:
            await harness.stop()
    finally:
        undo()
        world.close()
        seen, reads = stop_observer(observer, ours)
    latencies = [(seen[k] - t) * 1000 for k, t in published.items() if k in seen]
    return LiveResult(len(published), len(latencies), latencies, achieved, reads)


async def observer_ready(pipe: Connection) -> None:
    """Wait until the observer has started and opened the archive (spawning takes a second)."""
    if not await asyncio.to_thread(pipe.poll, 60):
        raise TimeoutError("the observer process did not start")
    assert pipe.recv() == ("ready",)


def stop_observer(observer: multiprocessing.process.BaseProcess,
                  pipe: Connection) -> tuple[dict[Key, float], int]:
    """Ask the observer for what it saw; never hang if it died."""
    try:
        pipe.send(("stop",))
        if not pipe.poll(30):
            raise RuntimeError("the observer process did not answer")
        result: tuple[dict[Key, float], int] = pipe.recv()
        return result
    finally:
        observer.join(5)
        if observer.is_alive():
            observer.kill()
            observer.join()


async def wait_for(awaitable: Awaitable[Any], harness: Harness, *, within: float) -> None:
    """Await, but surface the app's own failure instead of hanging."""
    waiter = asyncio.ensure_future(awaitable)
    assert harness.task is not None
    done, _ = await asyncio.wait({waiter, harness.task}, timeout=within,
                                 return_when=asyncio.FIRST_COMPLETED)
    if waiter not in done:
        waiter.cancel()
        if harness.task in done:
            harness.task.result()
            raise RuntimeError("the app stopped on its own")
        raise TimeoutError(f"not done within {within} s")


# ---------------------------------------------------------------- 2. catch-up

@dataclass
class CatchUpResult:
    missed: int
    stored: int
    wall_s: float  # first history read starts -> last channel's cursor at its last post
    catch_up_s: float  # the catch_up calls alone
    reconcile_s: float  # reconcile calls inside that wall time
    analyse_s: float  # analysis of history pages inside that wall time (reconcile's included)
    store_s: float  # archive writes of those pages
    startup_s: float  # app.run starts -> first history read
    populate_s: float
    cpu: tuple[dict[tuple[int, int], ThreadTimes], dict[tuple[int, int], ThreadTimes]] | None


@dataclass
class RemoteHarness(Harness):
    """The app's clients attached to the fake Telegram server at ``socket``, as @monitor."""

    socket: Path = Path()

    def factory(self, kind: str, secrets: Secrets, **options: Any) -> TelegramClient:
        client = create_client(kind, secrets, **options)  # type: ignore[arg-type]
        attach_remote(client, self.socket, as_user="monitor")
        self.clients.append(client)
        return client


def serve_catch_up_world(socket: str, n_channels: int, pipe: Connection) -> None:
    """The catch-up's fake Telegram, in a process of its own.

    Messages in: ("publish", missed) while tgmon is down, ("stop",). Out: ("ready",
    usernames) once it listens, ("published", {marked id: last msg id}, seconds).
    """
    install_socket_guard()
    asyncio.run(_serve(socket, n_channels, pipe))


async def _serve(socket: str, n_channels: int, pipe: Connection) -> None:
    clock = [time.time()]
    world = FakeWorld(seed=2, clock=lambda: clock[0])
    monitor = world.create_user("monitor", first_name="Monitor")
    channels = [world.create_channel(f"busy{c:03d}", title=f"Busy {c}", members=[monitor])
                for c in range(n_channels)]
    server = FakeServer(world)
    await server.start(socket)
    pipe.send(("ready", [str(c.username) for c in channels]))
    try:
        while (message := await asyncio.to_thread(pipe.recv))[0] != "stop":
            missed = message[1]
            # Down time: ``missed`` posts over the last 7 days, round-robin, not pushed.
            began = time.perf_counter()
            rng = random.Random(22)
            clock[0] = time.time() - 7 * DAY
            step = 7 * DAY / missed
            for i in range(missed):
                clock[0] += step
                world.post(channels[i % n_channels], make_post(rng), push=False)
            world.clock = time.time
            pipe.send(("published", {c.marked_id: len(c.posts) for c in channels},
                       time.perf_counter() - began))
    finally:
        await server.close()
        world.close()


async def catch_up(tmp: Path, n_channels: int, missed: int, *,
                   threads: bool = False) -> CatchUpResult:
    ctx = multiprocessing.get_context("spawn")
    ours, theirs = ctx.Pipe()
    socket = tmp / "telegram.sock"
    server = ctx.Process(target=serve_catch_up_world, args=(str(socket), n_channels, theirs),
                         daemon=True)
    server.start()
    try:
        _ready, usernames = await asyncio.to_thread(ours.recv)
        db = tmp / "catchup.sqlite3"
        # The clients attach to the server; Harness only keeps a world and account for
        # in-process ones.
        unused = FakeWorld()
        harness = RemoteHarness(unused, unused.create_user("monitor", first_name="Monitor"),
                                make_config(db, usernames), make_secrets(tmp / "catchup"),
                                socket=socket)
        # First run: sets every cursor (to 0: the channels are empty).
        spans = Spans()
        undo = instrument(spans)
        try:
            await harness.start()
            try:
                await wait_for(spans.first_sync.wait(), harness, within=120)
            finally:
                await harness.stop()
        finally:
            undo()

        ours.send(("publish", missed))
        _published, last_ids, populate_s = await asyncio.to_thread(ours.recv)

        spans = Spans(threads=threads)
        undo = instrument(spans)
        gc.collect()
        try:
            launched = time.monotonic()
            await harness.start()
            try:
                await wait_for(spans.first_sync.wait(), harness, within=3600)
            finally:
                await harness.stop()
        finally:
            undo()
        cursors = dict(harness.query("SELECT channel_id, last_msg_id FROM cursors"))
        if cursors != last_ids:
            raise RuntimeError(f"catch-up incomplete: cursors {cursors} != {last_ids}")
        stored = harness.count("SELECT count(*) FROM posts")
        window = (spans.first("catch_up"), spans.last("catch_up"))
        return CatchUpResult(missed, stored, window[1] - window[0], spans.total("catch_up"),
                             spans.total("reconcile", within=window),
                             spans.total("analyse_posts", "analyse", within=window),
                             spans.total("store_posts", within=window), window[0] - launched,
                             populate_s,
                             (spans.cpu_first, spans.cpu_last)
                             if spans.cpu_first and spans.cpu_last else None)
    finally:
        ours.send(("stop",))
        server.join(10)
        if server.is_alive():
            server.kill()
            server.join()


def archived_posts(db: Path) -> list[tuple[int, int, int, str]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        # In the order the catch-up wrote them (channel by channel), not pid order: pid
        # order inserts 1.8x faster and would make the baseline unfair to tgmon.
        return conn.execute("SELECT channel_id, msg_id, date, text FROM posts "
                            "ORDER BY channel_id, msg_id").fetchall()
    finally:
        conn.close()


# ---------------------------------------------------------------- main

def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--channels", type=int, default=200, help="live channels (200)")
    parser.add_argument("--rate", type=float, default=100, help="live posts per second (100)")
    parser.add_argument("--seconds", type=float, default=20, help="live duration (20)")
    parser.add_argument("--missed", type=int, default=100_000,
                        help="posts published while down (100,000)")
    parser.add_argument("--missed-channels", type=int, default=10,
                        help="channels they are spread over (10)")
    parser.add_argument("--threads", action="store_true",
                        help="also show each thread's CPU over the catch-up (Linux)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 20 channels, 3 s, 5,000 missed posts")
    args = parser.parse_args()
    if args.quick:
        args.channels, args.seconds, args.missed = 20, 3, 5_000
    install_socket_guard()

    with tempfile.TemporaryDirectory(prefix="tgmon-bench-collect-") as name:
        tmp = Path(name)
        lv = asyncio.run(live(tmp, args.channels, args.rate, args.seconds))
        cu = asyncio.run(catch_up(tmp, args.missed_channels, args.missed,
                                  threads=args.threads))
        rows = prepare_rows(archived_posts(tmp / "catchup.sqlite3"))
        bare_s = time_bare_insert(tmp / "bare.sqlite3", rows)
        n_bare = len(rows)
        del rows
    max_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    lat = sorted(lv.latencies_ms)
    median = statistics.median(lat) if lat else float("nan")
    p99 = lat[min(len(lat) - 1, int(0.99 * len(lat)))] if lat else float("nan")
    wall_rate = cu.missed / cu.wall_s
    pure_rate = cu.missed / cu.catch_up_s
    bare_rate = n_bare / bare_s
    w = 58
    print(f"{'measure':<{w}}{'value':>14}")
    print("-" * (w + 14))
    title = f"live: {args.channels} channels, {lv.achieved_rate:.0f} posts/s for {args.seconds:g} s"
    print(f"{title:<{w}}{f'{lv.stored}/{lv.published} rows':>14}")
    print(f"{'  event -> committed row, median (ms)':<{w}}{median:>14.1f}")
    print(f"{'  event -> committed row, p99 (ms)':<{w}}{p99:>14.1f}")
    print(f"{'  event -> committed row, max (ms)':<{w}}{(lat[-1] if lat else float('nan')):>14.1f}")
    print(f"{f'catch-up: {cu.missed:,} missed posts in {args.missed_channels} channels':<{w}}"
          f"{f'{cu.stored:,} rows':>14}")
    print(f"{'  app start-up before the first read (s, excluded)':<{w}}{cu.startup_s:>14.1f}")
    print(f"{'  first read -> last cursor at the end (s)':<{w}}{cu.wall_s:>14.1f}")
    print(f"{'    of which reconcile between channels (s)':<{w}}{cu.reconcile_s:>14.1f}")
    print(f"{'    analysis of the pages read (s)':<{w}}{cu.analyse_s:>14.1f}")
    print(f"{'    archive writes of the pages read (s)':<{w}}{cu.store_s:>14.1f}")
    print(f"{'  catch-up throughput, wall (posts/s)':<{w}}{wall_rate:>14,.0f}")
    print(f"{'  catch-up throughput, history reads only (posts/s)':<{w}}{pure_rate:>14,.0f}")
    print(f"{f'bare executemany of the same {n_bare:,} rows (posts+FTS), s':<{w}}{bare_s:>14.2f}")
    print(f"{'  bare insert throughput (posts/s)':<{w}}{bare_rate:>14,.0f}")
    print(f"{'ratio catch-up wall / bare (target >= 0.5)':<{w}}{wall_rate / bare_rate:>14.3f}")
    print(f"{'ratio history reads only / bare':<{w}}{pure_rate / bare_rate:>14.3f}")
    print(f"{'peak RSS of this process (MB)':<{w}}{max_rss_mb:>14,.0f}")
    if cu.cpu:
        print_threads(*cu.cpu, cu.wall_s)


if __name__ == "__main__":
    main()
