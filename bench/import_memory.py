"""Peak memory of `tgmon import` of a big export, summed over its process tree, per number of
analysis workers.

    python bench/import_memory.py [-n 40000] [--workers 0,1,2,4]

Writes bench/ingest.py's synthetic export (40,000 posts, ~107 MB: past the size that starts
workers), imports it once per worker count (``[analysis] workers``) as a child process, and
samples every process of the tree ten times a second. Prints one table: the peak of the
tree's summed RSS, of its summed PSS (shared pages counted once: near what a cgroup's
``MemoryMax`` charges), the largest single process, the time, and posts/s.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingest import write_export

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Peak:
    rss_kb: int = 0
    pss_kb: int = 0
    largest_kb: int = 0
    processes: int = 0


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{name}/stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        kids.setdefault(parent, []).append(int(name))
    return kids


def _tree(root: int) -> list[int]:
    kids, found, todo = _children(), [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += kids.get(pid, [])
    return found


def _memory_kb(pid: int) -> tuple[int, int]:
    rss = pss = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss = int(line.split()[1])
            elif line.startswith("Pss:"):
                pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


def measure(argv: list[str], env: dict[str, str]) -> tuple[Peak, float]:
    peak = Peak()
    started = time.perf_counter()
    child = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL)
    while child.poll() is None:
        sizes = [_memory_kb(pid) for pid in _tree(child.pid)]
        peak.rss_kb = max(peak.rss_kb, sum(s[0] for s in sizes))
        peak.pss_kb = max(peak.pss_kb, sum(s[1] for s in sizes))
        peak.largest_kb = max([peak.largest_kb, *(s[0] for s in sizes)])
        peak.processes = max(peak.processes, len(sizes))
        time.sleep(0.1)
    if child.returncode != 0:
        raise SystemExit(f"tgmon import exited {child.returncode}")
    return peak, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=40_000, help="posts (default 40,000)")
    parser.add_argument("--workers", default="0,1,2,4", help="worker counts to try")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    rows = []
    with tempfile.TemporaryDirectory(prefix="tgmon-bench-") as tmp:
        export = Path(tmp) / "result.json"
        write_export(export, args.n)
        size_mb = export.stat().st_size / 1e6
        for count in (int(w) for w in args.workers.split(",")):
            config = Path(tmp) / f"w{count}.toml"
            config.write_text(f"[analysis]\nworkers = {count}\n", encoding="utf-8")
            db = Path(tmp) / f"w{count}.sqlite3"
            peak, seconds = measure([sys.executable, "-m", "bot", "import", str(export),
                                     "--db", str(db), "--config", str(config), "--quiet"], env)
            rows.append((count, peak, seconds))
            for path in Path(tmp).glob(f"w{count}.sqlite3*"):
                path.unlink()
    print(f"tgmon import of {args.n:,} posts ({size_mb:.0f} MB), {os.cpu_count()} cores; "
          "peaks over the process tree")
    print(f"{'workers':>7}{'processes':>11}{'tree RSS MB':>13}{'tree PSS MB':>13}"
          f"{'largest MB':>12}{'seconds':>9}{'posts/s':>9}")
    for count, peak, seconds in rows:
        print(f"{count:>7}{peak.processes:>11}{peak.rss_kb / 1024:>13,.0f}"
              f"{peak.pss_kb / 1024:>13,.0f}{peak.largest_kb / 1024:>12,.0f}"
              f"{seconds:>9.1f}{args.n / seconds:>9,.0f}")


if __name__ == "__main__":
    main()
