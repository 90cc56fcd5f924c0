"""Soak: the whole service (collector and bot) against the fake Telegram, with outages and
kill -9 restarts, checking that nothing is lost or doubled and that memory stays flat.

    python bench/soak.py [--channels 300] [--subscribers 50] [--rate 50] [--segments 6]
                         [--segment-seconds 40] [--final-seconds 60] [--quick]

Runs bench/soak_child.py (the real ``bot.app.run``) in a child process ``--segments`` times,
each ended by kill -9 at a random moment of its segment, then once more until it drains and
exits by itself. The child publishes ``--rate`` posts a minute over ``--channels`` channels
(every tenth an alert term that ``--subscribers`` subscribers get at once) and cuts the whole
network for 5 s every minute. Time is real, not compressed: digest schedules are not
exercised here (tests/bot covers them on a hand-moved clock). Prints one table.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.soak_child import parse as parse_child  # noqa: E402
from bench.soak_child import spec  # noqa: E402
from tests.faketg import build_world  # noqa: E402
from tests.faketg.spec import BOT  # noqa: E402


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class Child:
    """One run of soak_child.py, with its RSS sampled and its task counts read."""

    def __init__(self, workdir: Path, child_args: list[str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / "soak_child.py"), str(workdir), *child_args],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)})
        self.rss: list[float] = []
        self.tasks: list[int] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.startswith("{"):
                self.tasks.append(int(json.loads(line)["tasks"]))
                value = rss_mb(self.proc.pid)
                if value is not None:
                    self.rss.append(value)

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self._reader.join(5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--channels", type=int, default=300)
    parser.add_argument("--subscribers", type=int, default=50)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--segments", type=int, default=6)
    parser.add_argument("--segment-seconds", type=float, default=40.0)
    parser.add_argument("--final-seconds", type=float, default=60.0)
    parser.add_argument("--quick", action="store_true", help="30 channels, short segments")
    args = parser.parse_args()
    if args.quick:
        args.channels, args.subscribers, args.segments = 30, 5, 3
        args.segment_seconds, args.final_seconds = 15.0, 20.0
    common = ["--channels", str(args.channels), "--subscribers", str(args.subscribers),
              "--rate", str(args.rate), "--outage-every", "60", "--outage-for", "5"]
    rng = random.Random(5)
    with tempfile.TemporaryDirectory(prefix="tgmon-soak-") as tmp:
        workdir = Path(tmp)
        started = time.monotonic()
        runs: list[Child] = []
        for _ in range(args.segments):
            child = Child(workdir, common)
            time.sleep(rng.uniform(0.5, 1.0) * args.segment_seconds)
            child.kill()
            runs.append(child)
        final = Child(workdir, [*common, "--seconds", str(args.final_seconds)])
        final.proc.wait(timeout=args.final_seconds + 600)
        final._reader.join(5)
        runs.append(final)
        wall = time.monotonic() - started
        report(workdir, args, runs, wall, final.proc.returncode)


def report(workdir: Path, args: argparse.Namespace, runs: list[Child], wall: float,
           final_code: int) -> None:
    world = build_world(spec(parse_child([str(workdir), "--channels", str(args.channels),
                                          "--subscribers", str(args.subscribers)])),
                        persist_path=workdir / "telegram.jsonl")
    published = {(c.marked_id, p.id) for c in world.channels.values() for p in c.posts}
    alerts = [m for m in world.sent_messages(BOT) if m.text.startswith("🔔")]
    alert_posts = {int(n): p.date for c in world.channels.values() for p in c.posts
                   for n in re.findall(r"Сообщение (\d+): пожар", p.text)}
    world.close()
    db = workdir / "archive.sqlite3"
    conn = sqlite3.connect(db)
    stored = {(r[0], r[1]) for r in conn.execute("SELECT channel_id, msg_id FROM posts")}
    outbox = dict(conn.execute("SELECT status, count(*) FROM outbox GROUP BY status").fetchall())
    sent_ids = [r[0] for r in conn.execute(
        "SELECT random_id FROM outbox WHERE status = 'sent'")]
    integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    subscribed = dict(conn.execute(
        "SELECT chat_id, min(created_at) FROM subscribers GROUP BY chat_id"))
    conn.close()
    # Each alert post, for each subscriber, must appear in exactly one alert message.
    mentions = Counter((m.chat_id, n) for m in alerts
                       for n in re.findall(r"Сообщение (\d+):", m.text))
    doubled = sum(1 for count in mentions.values() if count > 1)
    # ... and none is missing: every alert post published after a chat subscribed.
    missed = sum(1 for chat, since in subscribed.items() for n, date in alert_posts.items()
                 if date > since and (chat, str(n)) not in mentions)
    sent_once = len(sent_ids) == len(set(sent_ids))
    all_rss = [v for run in runs for v in run.rss]
    final_rss = runs[-1].rss or [0.0]
    tasks = [t for run in runs for t in run.tasks]
    rows = [
        ("wall time", f"{wall:.0f} s ({len(runs) - 1} kill -9 restarts, outages every 60 s)"),
        ("channels / subscribers / rate", f"{args.channels} / {args.subscribers} / "
                                          f"{args.rate:.0f} posts a minute"),
        ("posts published", f"{len(published):,}"),
        ("posts stored", f"{len(stored):,} (missing {len(published - stored)}, "
                         f"extra {len(stored - published)})"),
        ("alert messages delivered", f"{len(alerts):,} to {len(subscribed)} chats"),
        ("alert posts, per chat: missed / doubled", f"{missed} / {doubled} "
                                                   f"(outbox random_ids unique: {sent_once})"),
        ("outbox rows", ", ".join(f"{k} {v}" for k, v in sorted(outbox.items())) or "none"),
        ("RSS, final run: first / last / max", f"{final_rss[0]:.0f} / {final_rss[-1]:.0f} / "
                                               f"{max(final_rss):.0f} MB"),
        ("RSS over all runs: max", f"{max(all_rss or [0.0]):.0f} MB"),
        ("asyncio tasks: min / max", f"{min(tasks or [0])} / {max(tasks or [0])}"),
        ("archive size", f"{db.stat().st_size / 1e6:.1f} MB, integrity {integrity}"),
        ("final run exit code", str(final_code)),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'soak':<{width}}  result")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
