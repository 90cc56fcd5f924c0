"""kill -9 of an import leaves none of its analysis workers behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.importer.exports import write_export

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie waiting for init to reap it has ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def test_kill_9_of_a_big_import_leaves_no_worker_running(tmp_path: Path) -> None:
    export = write_export(tmp_path / "export.json", 60_000)
    err = tmp_path / "stderr.txt"
    with err.open("w") as sink:
        child = subprocess.Popen(
            [sys.executable, "-m", "tests.importer.orphan_child", str(export),
             str(tmp_path / "a.sqlite3")], cwd=ROOT, stdout=subprocess.DEVNULL,
            stderr=sink, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        deadline = time.monotonic() + 60
        workers: list[int] = []
        while len(workers) < 2:  # the two analysis workers (the spawn helper is no child)
            assert child.poll() is None, err.read_text()
            assert time.monotonic() < deadline, "the import never started its workers"
            time.sleep(0.05)
            workers = [p for p in children(child.pid)
                       if "spawn_main" in Path(f"/proc/{p}/cmdline").read_text(errors="replace")]
        time.sleep(1.0)  # they are busy analysing by now
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    deadline = time.monotonic() + 10
    while any(alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [p for p in workers if alive(p)]
    for pid in left:  # don't leave them to the next test either
        os.kill(pid, signal.SIGKILL)
    assert left == [], "analysis workers outlived the killed import"
