"""kill -9 during a large catch-up, 20 times: nothing lost, nothing doubled, no gaps."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
POSTS_PER_CHANNEL = 12_000
KILLS = 20


def spawn(workdir: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.collector.crash_child", str(workdir),
         str(POSTS_PER_CHANNEL), *extra],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,  # so kill -9 reaches the whole process group
        env={**os.environ, "PYTHONPATH": str(ROOT)})


def stored(db: Path) -> int:
    if not db.exists():
        return 0
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM posts").fetchone()[0])
    except sqlite3.Error:
        return 0
    finally:
        conn.close()


def test_kill_9_during_a_large_catch_up_loses_and_doubles_nothing(tmp_path: Path) -> None:
    rng = random.Random(20261127)
    db = tmp_path / "archive.sqlite3"
    progress = []
    for _ in range(KILLS):
        child = spawn(tmp_path)
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "started", child.stderr.read()
        # A random moment once this run has written something (a loaded machine can take
        # seconds to get there; killing earlier would test nothing).
        before = progress[-1] if progress else 0
        deadline = time.monotonic() + 60
        while stored(db) <= before < 2 * POSTS_PER_CHANNEL and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.3))
        os.killpg(child.pid, signal.SIGKILL)
        child.communicate(timeout=30)
        progress.append(stored(db))
    final = spawn(tmp_path, "--until-done")
    _out, err = final.communicate(timeout=240)
    assert final.returncode == 0, err

    # The kills landed mid-way: the archive grew across restarts, not in one go.
    assert 0 < progress[KILLS // 2] < 2 * POSTS_PER_CHANNEL, progress
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    for channel in conn.execute("SELECT DISTINCT channel_id FROM posts").fetchall():
        ids = [r[0] for r in conn.execute(
            "SELECT msg_id FROM posts WHERE channel_id = ? ORDER BY msg_id", channel)]
        assert ids == list(range(1, POSTS_PER_CHANNEL + 1))  # 0 lost, 0 doubled, no gaps
    totals = conn.execute(
        "SELECT (SELECT count(*) FROM posts), (SELECT count(*) FROM post_texts),"
        " (SELECT count(*) FROM posts_fts), (SELECT count(*) FROM cursors)").fetchone()
    assert totals == (2 * POSTS_PER_CHANNEL, 2 * POSTS_PER_CHANNEL, 2 * POSTS_PER_CHANNEL, 2)
    # FTS5's own check raises sqlite3.DatabaseError when the index disagrees with its rows.
    conn.execute("INSERT INTO posts_fts(posts_fts) VALUES ('integrity-check')")
    conn.close()


def test_sigterm_or_sigint_mid_catch_up_stops_cleanly_within_ten_seconds(tmp_path: Path) -> None:
    db = tmp_path / "archive.sqlite3"
    for signum in (signal.SIGTERM, signal.SIGINT):
        before = stored(db)
        child = spawn(tmp_path)
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "started"
        deadline = time.monotonic() + 60
        while stored(db) <= before:  # the handlers are in place once posts are being written
            assert time.monotonic() < deadline and child.poll() is None
            time.sleep(0.05)
        sent = time.monotonic()
        child.send_signal(signum)
        _out, err = child.communicate(timeout=30)
        assert time.monotonic() - sent < 10, f"{signum!r} took too long"
        assert child.returncode == 0, err
        assert "Traceback" not in err
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
