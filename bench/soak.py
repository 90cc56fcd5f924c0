"""Soak: a simulated week of the whole service (collector and bot) against the fake Telegram,
on a compressed clock, through network outages and kill -9 restarts; checks that nothing is
lost or doubled and that memory and tasks stay flat.

    python bench/soak.py [--seconds 570] [--channels 300] [--subscribers 50] [--rate 50]
                         [--kills 5] [--quick]

Every schedule of the service runs on one ScaledClock (bot/clock.py) shared by all runs:
``--seconds`` of real time hold 7 simulated days (570 s: one simulated hour in 3.4 s), with
hourly digests for every subscriber, alert scans every 10 simulated minutes and hourly
retention passes keeping 2 days of sent parts. The fake Telegram runs in its own process for
the whole week (bench/soak_world.py): it publishes the plan and cuts the network for three
simulated hours. bench/soak_child.py (the real ``bot.app.run`` and nothing else, so its RSS
is tgmon's own) is started ``--kills`` + 1 times: each run but the last is ended by kill -9
at a random moment, the last one runs to the end of the week and drains. While it runs,
this process reads every outbox row and digest window as they are written (retention
deletes them later), then compares them with what the fake Telegram received. Prints one
table.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.soak_plan import RETENTION_DAYS, SUMMARY, total_posts  # noqa: E402

CLOCK_START = datetime(2026, 3, 2, tzinfo=UTC).timestamp()
#: Real seconds from the soak's start to the simulated week's start.
WARM_UP = 10.0


def rss_mb(pid: int | str) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def cpu_seconds(pid: int) -> float | None:
    """User and system CPU time a process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Child:
    """One run of a soak script (soak_child.py by default), its RSS sampled on each of its
    JSON lines and its task counts read."""

    def __init__(self, workdir: Path, child_args: list[str],
                 script: str = "soak_child.py") -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / script), str(workdir), *child_args],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)})
        self.listening = threading.Event()
        self.cpu = 0.0  # CPU seconds used, as of its last JSON line
        self.rss: list[float] = []
        self.tasks: list[int] = []
        #: Every JSON line, with the RSS read beside it (written out with --keep).
        self.samples: list[dict[str, Any]] = []
        self.errors: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._stderr = threading.Thread(target=self._read_errors, daemon=True)
        self._stderr.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.strip() == "listening":
                self.listening.set()
            if line.startswith("{"):
                figures = json.loads(line)
                self.tasks.append(int(figures["tasks"]))
                self.cpu = cpu_seconds(self.proc.pid) or self.cpu
                value = rss_mb(self.proc.pid)
                if value is not None:
                    self.rss.append(value)
                    self.samples.append({"t": round(time.time(), 1), "rss": round(value, 1),
                                         **figures})

    def _read_errors(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.errors.append(line.rstrip())

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.wait()

    def wait(self, timeout: float | None = None) -> int:
        code = self.proc.wait(timeout=timeout)
        self._reader.join(5)
        self._stderr.join(5)
        return code


class OutboxLog:
    """Every outbox row and digest window ever committed, read before retention prunes them."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.parts: dict[int, tuple[Any, ...]] = {}  # id -> (digest_id, chat, part, parts, rid)
        self.windows: dict[int, tuple[Any, ...]] = {}  # id -> (chat, name, start, end)
        self.failed: set[int] = set()
        self.most_rows = 0
        #: (time, arrivals numbered, pending parts) at each sample, when asked for.
        self.timeline: list[tuple[float, ...]] | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self.sample()

    def sample(self) -> None:
        if not self.db.exists():
            return
        try:
            conn = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=5)
            try:
                last_part = max(self.parts, default=0)
                for row in conn.execute(
                        "SELECT id, digest_id, chat_id, part, parts, random_id FROM outbox "
                        "WHERE id > ?", (last_part,)):
                    self.parts[row[0]] = row[1:]
                last_window = max(self.windows, default=0)
                for row in conn.execute(
                        "SELECT id, chat_id, name, window_start, window_end FROM digests "
                        "WHERE id > ?", (last_window,)):
                    self.windows[row[0]] = row[1:]
                self.failed |= {r[0] for r in conn.execute(
                    "SELECT id FROM outbox WHERE status = 'failed'")}
                rows = conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
                self.most_rows = max(self.most_rows, int(rows))
                if self.timeline is not None:
                    self.timeline.append((time.time(), *conn.execute(
                        "SELECT (SELECT seq FROM sqlite_sequence WHERE name = 'arrivals'), "
                        "(SELECT count(*) FROM outbox WHERE status = 'pending')").fetchone()))
            finally:
                conn.close()
        except sqlite3.Error:
            return  # not created yet, or busy: the next sample reads it

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)
        self.sample()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=570.0,
                        help="real seconds for the simulated week")
    parser.add_argument("--channels", type=int, default=300)
    parser.add_argument("--subscribers", type=int, default=50)
    parser.add_argument("--rate", type=float, default=50.0, help="posts per simulated minute")
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--days", type=float, default=7.0)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="work in this new folder and keep it")
    parser.add_argument("--quick", action="store_true",
                        help="30 channels, 5 subscribers, 2 simulated days in 120 s, 2 kills")
    args = parser.parse_args()
    if args.quick:
        args.channels, args.subscribers, args.kills = 30, 5, 2
        args.days, args.seconds = 2.0, 120.0
    factor = args.days * 86400 / args.seconds
    began = time.time()
    # The simulated week begins once the fake Telegram and tgmon's first run are up (their
    # start-up is counted in the wall time all the same); the restarts after each kill -9
    # happen inside the week.
    origin = began + WARM_UP
    common = ["--clock-start", str(CLOCK_START), "--clock-origin", str(origin),
              "--factor", str(factor), "--channels", str(args.channels),
              "--subscribers", str(args.subscribers), "--rate", str(args.rate),
              "--days", str(args.days)]
    rng = random.Random(args.seed)
    # One kill in the middle 60 % of each of ``kills`` equal stretches of the week.
    stretch = 0.9 * args.seconds / max(args.kills, 1)
    kills = [0.05 * args.seconds + stretch * (i + rng.uniform(0.2, 0.8))
             for i in range(args.kills)]
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="tgmon-soak-") as tmp:
        workdir = Path(tmp)
        if args.keep is not None:
            args.keep.mkdir(parents=True)
            workdir = args.keep
        log = OutboxLog(workdir / "archive.sqlite3")
        if args.keep is not None:
            log.timeline = []
        telegram = Child(workdir, common, script="soak_world.py")
        if not telegram.listening.wait(60):
            sys.exit("the fake Telegram did not start:\n" + "\n".join(telegram.errors))
        telegram_rss = [rss_mb(telegram.proc.pid) or 0.0]
        runs: list[Child] = []
        for moment in kills:
            child = Child(workdir, common)
            time.sleep(max(0.0, origin + moment - time.time()))
            child.kill()
            runs.append(child)
        # `tgmon run` that cannot reach Telegram while it starts exits 1, for its supervisor
        # to start it again (Compose's restart: unless-stopped, systemd's Restart=): a final
        # run that starts during an outage is restarted the same way.
        restarted = 0
        while True:
            final = Child(workdir, [*common, "--final"])
            code = final.wait(timeout=args.seconds + 300)
            runs.append(final)
            if code != 1 or not any("cannot reach Telegram" in line for line in final.errors) \
                    or restarted == 10:
                break
            restarted += 1
            time.sleep(1.0)
        wall = time.time() - began
        telegram_rss.append(rss_mb(telegram.proc.pid) or 0.0)
        telegram_cpu = cpu_seconds(telegram.proc.pid) or 0.0
        telegram.proc.send_signal(signal.SIGTERM)
        telegram.wait(timeout=60)
        log.stop()
        report(workdir, args, factor, runs, log, wall, code,
               {"telegram_rss": telegram_rss, "load": (load, os.getloadavg()),
                "restarted": restarted,
                "telegram_cpu": telegram_cpu,
                "telegram_errors": telegram.errors})


def report(workdir: Path, args: argparse.Namespace, factor: float, runs: list[Child],
           log: OutboxLog, wall: float, final_code: int, extra: dict[str, Any]) -> None:
    telegram = json.loads((workdir / SUMMARY).read_text())
    published = {(channel, msg_id) for channel, count in telegram["published"]
                 for msg_id in range(1, count + 1)}
    alert_posts = {int(n): date for n, date in telegram["alert_posts"].items()}
    received = [(rid, chat, mentioned) for rid, chat, mentioned in telegram["sent"]]
    db = workdir / "archive.sqlite3"
    conn = sqlite3.connect(db)
    stored = {(r[0], r[1]) for r in conn.execute("SELECT channel_id, msg_id FROM posts")}
    status = dict(conn.execute("SELECT status, count(*) FROM outbox GROUP BY status").fetchall())
    (end_sim,) = conn.execute("SELECT max(window_end) FROM digests").fetchone()
    (oldest_done,) = conn.execute(
        "SELECT min(created_at) FROM outbox WHERE status != 'pending'").fetchone()
    integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    subscribed = dict(conn.execute(
        "SELECT chat_id, min(created_at) FROM subscribers GROUP BY chat_id"))
    conn.close()

    # What the outbox said against what Telegram received, part by part.
    by_random = Counter(rid for rid, _, _ in received)
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    for digest_id, _chat, _part, _parts, random_id in log.parts.values():
        kind = "alert" if log.windows.get(digest_id, (0, "!alert"))[1] == "!alert" else "digest"
        seen = by_random[random_id]
        kinds[kind]["once" if seen == 1 else "missing" if seen == 0 else "doubled"] += 1
    rows_rids = {p[4] for p in log.parts.values()}
    replies = sum(1 for rid, _, _ in received if rid not in rows_rids)
    parts_of: dict[int, list[int]] = defaultdict(list)
    expected: dict[int, int] = {}
    for digest_id, _chat, part, parts, _rid in log.parts.values():
        parts_of[digest_id].append(part)
        expected[digest_id] = parts
    incomplete = sum(1 for d, got in parts_of.items()
                     if sorted(got) != list(range(1, expected[d] + 1)))

    # Digest windows per chat: contiguous, none repeated; long ones are catch-ups.
    windows: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for chat, name, start, end in log.windows.values():
        if name == "hourly":
            windows[chat].append((start, end))
    gaps = overlaps = caught_up = 0
    for spans in windows.values():
        spans.sort(key=lambda s: s[1])
        for (_, prev_end), (start, end) in itertools.pairwise(spans):
            gaps += start > prev_end
            overlaps += start < prev_end
            caught_up += end - start > 3600
    per_chat = [len(s) for s in windows.values()] or [0]

    # Each alert post, for each chat subscribed before it, in exactly one alert message.
    alert_rids = {p[4] for p in log.parts.values()
                  if log.windows.get(p[0], (0, "!alert"))[1] == "!alert"}
    mentions = Counter((chat, n) for rid, chat, mentioned in received if rid in alert_rids
                       for n in mentioned)
    doubled = sum(1 for count in mentions.values() if count > 1)
    missed = sum(1 for chat, since in subscribed.items() for n, date in alert_posts.items()
                 if date > since and (chat, n) not in mentions)

    final_rss = runs[-1].rss or [0.0]
    first_rss = [run.rss[0] for run in runs if run.rss]
    every_rss = [v for run in runs for v in run.rss] or [0.0]
    tasks = [t for run in runs for t in run.tasks[3:]]  # after start-up
    final_tasks = runs[-1].tasks[3:] or [0]
    age_h = (end_sim - oldest_done) / 3600 if end_sim and oldest_done else 0.0
    rows = [
        ("wall time", f"{wall:.0f} s ({WARM_UP:.0f} s of start-up, then {args.days:g} "
                      f"simulated days in {args.seconds:.0f} s at x{factor:.0f}: one "
                      f"hour in {3600 / factor:.1f} s), {args.kills} kill -9 restarts, "
                      "3 one-hour outages"
                      + (f"; the final run started {extra['restarted']} more time(s), "
                         "having met an outage as it started" if extra["restarted"] else "")),
        ("channels / subscribers / rate", f"{args.channels} / {args.subscribers} / "
                                          f"{args.rate:g} posts a simulated minute"),
        ("posts published", f"{len(published):,} (planned {total_posts(args):,})"),
        ("posts stored", f"{len(stored):,} (missing {len(published - stored)}, "
                         f"extra {len(stored - published)})"),
        ("digest windows", f"{sum(per_chat):,} ({min(per_chat)}-{max(per_chat)} a chat), "
                           f"gaps {gaps}, overlaps {overlaps}, catch-ups over 1 h "
                           f"{caught_up}"),
        ("digest parts: once / missing / doubled", _once(kinds["digest"])),
        ("digest windows with a part missing", str(incomplete)),
        ("alert parts: once / missing / doubled", _once(kinds["alert"])),
        ("alert posts, per chat: missed / doubled", f"{missed} / {doubled} "
                                                   f"({len(alert_posts)} alert posts)"),
        ("bot messages outside the outbox", f"{replies} (command replies; "
                                            f"{args.subscribers} /subscribe)"),
        ("parts ever failed", str(len(log.failed))),
        ("outbox rows at the end", ", ".join(f"{k} {v}" for k, v in sorted(status.items()))
         + f"; most during the run {log.most_rows:,}; oldest sent {age_h:.0f} h old "
           f"(retention {RETENTION_DAYS * 24} h, pruned hourly)"),
        ("tgmon RSS, final run: first / last / max", f"{final_rss[0]:.0f} / "
                                                     f"{final_rss[-1]:.0f} / "
                                                     f"{max(final_rss):.0f} MB"),
        ("tgmon RSS, all runs: max", f"{max(every_rss):.0f} MB (the tgmon process alone: "
                                     "the fake Telegram has its own)"),
        ("tgmon RSS at each run's start", " ".join(f"{v:.0f}" for v in first_rss) + " MB"),
        ("fake Telegram's process RSS: start / end",
         " / ".join(f"{v:.0f}" for v in extra["telegram_rss"]) + " MB"),
        ("queues, most: live writer / Telethon's updates (containers)",
         f"{max((s['live'] for r in runs for s in r.samples), default=0):,.0f} / "
         f"{max((s['queued_updates'] for r in runs for s in r.samples), default=0):,} "
         f"({max((max(s['updates'], default=0) for r in runs for s in r.samples), default=0):,})"
         f" (live events read from history instead: "
         f"{sum(max((s['dropped'] for s in r.samples), default=0) for r in runs):,.0f})"),
        ("final run: Python blocks / C heap used / free, first -> last",
         _heap_line(runs[-1].samples)),
        ("final run: garbage collector's time / full collections",
         f"{runs[-1].samples[-1].get('gc_s', 0):.1f} s / "
         f"{runs[-1].samples[-1].get('gc_full', 0)}" if runs[-1].samples else "-"),
        ("asyncio tasks: all runs / final run", f"{min(tasks or [0])}-{max(tasks or [0])} / "
                                                f"first {final_tasks[0]}, last "
                                                f"{final_tasks[-1]}"),
        ("archive size", f"{db.stat().st_size / 1e6:.1f} MB, integrity {integrity}"),
        ("final run exit code", str(final_code)),
        ("CPU seconds: tgmon (all runs) / fake Telegram",
         f"{sum(run.cpu for run in runs):.0f} / {extra['telegram_cpu']:.0f} s"),
        ("load average (1/5/15 min): start / end",
         " / ".join(", ".join(f"{v:.1f}" for v in load) for load in extra["load"])),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'soak':<{width}}  result")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    errors = [line for run in runs for line in run.errors if line.strip()]
    errors += extra["telegram_errors"]
    if args.keep is not None:
        (args.keep / "stderr.txt").write_text("\n".join(errors))
        (args.keep / "samples.jsonl").write_text("".join(
            json.dumps({"run": n, **sample}) + "\n"
            for n, run in enumerate(runs) for sample in run.samples))
        (args.keep / "timeline.txt").write_text("".join(
            f"{t:.1f} {pid} {pending}\n" for t, pid, pending in log.timeline or []))
    if errors:
        print(f"\n{len(errors)} lines on the children's stderr; the last ones:")
        print("\n".join(errors[-15:]))


def _heap_line(samples: list[dict[str, Any]]) -> str:
    if not samples:
        return "-"
    first, last = samples[0], samples[-1]
    return (f"{first['py_blocks'] / 1e6:.2f}M -> {last['py_blocks'] / 1e6:.2f}M / "
            f"{first['c_used_mb']:.0f} -> {last['c_used_mb']:.0f} MB / "
            f"{first['c_free_mb']:.0f} -> {last['c_free_mb']:.0f} MB; of the C heap SQLite's "
            f"{first['sqlite_mb']:.1f} -> {last['sqlite_mb']:.1f} MB")


def _once(counts: Counter[str]) -> str:
    return f"{counts['once']:,} / {counts['missing']} / {counts['doubled']}"


if __name__ == "__main__":
    main()
