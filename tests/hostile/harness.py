"""Run tgmon against hostile input and check that it fails well.

Every case asserts the exit code (2 bad input, 1 failure), a message that names the problem
and what to do, no traceback, a time bound and a memory bound, and that nothing already
stored was lost. Most cases run in-process through ``bot.cli.main`` (fast); a representative
set runs as child processes under ``resource.setrlimit``, several at a time.
"""

from __future__ import annotations

import contextlib
import io
import os
import resource
import sqlite3
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bot.cli import main

ROOT = Path(__file__).resolve().parents[2]
#: A child's address space: a clean import of a small export needs 700-900 MB of it (thread
#: stacks, the language models), and the old parser took 2.3 GB for 30,000 levels of nesting
#: (the deep-nesting child has a million).
CHILD_MEMORY = 1536 * 2**20
CHILD_SECONDS = 30
#: In-process cases: wall time, and growth of the process's peak resident size.
CASE_SECONDS = 15
CASE_MEMORY_KB = 300_000


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str
    seconds: float
    grew_kb: int = 0


def run(argv: Sequence[str], *, stdin: bytes | None = None) -> Outcome:
    """Run ``tgmon argv`` in this process and capture what a user would see."""
    out, err = io.StringIO(), io.StringIO()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.monotonic()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    seconds = time.monotonic() - start
    grew = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak
    return Outcome(code, out.getvalue(), err.getvalue(), seconds, grew)


@dataclass(frozen=True)
class Child:
    """A tgmon command to run as a child process."""

    argv: tuple[str, ...]
    cwd: Path
    stdin: bytes | None = None
    env: Mapping[str, str] | None = None


def run_children(children: Sequence[Child]) -> list[Outcome]:
    """Run the children two at a time (the CI machine has two cores)."""
    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(_run_child, children))


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY, CHILD_MEMORY))
    resource.setrlimit(resource.RLIMIT_CPU, (CHILD_SECONDS, CHILD_SECONDS))


def _run_child(child: Child) -> Outcome:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT),
           "HOME": str(child.cwd), "LANG": "C.UTF-8", **(child.env or {})}
    start = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bot", *child.argv], cwd=child.cwd, env=env,
            input=child.stdin, capture_output=True, timeout=CHILD_SECONDS,
            preexec_fn=_limit, check=False,
        )
    except subprocess.TimeoutExpired:
        return Outcome(-9, "", f"timed out after {CHILD_SECONDS} s", CHILD_SECONDS)
    return Outcome(done.returncode, done.stdout.decode("utf-8", "replace"),
                   done.stderr.decode("utf-8", "replace"), time.monotonic() - start)


def assert_fails_well(outcome: Outcome, code: int, *needles: str,
                      seconds: float = CASE_SECONDS) -> None:
    """Exit ``code``, one clear message holding every needle, no traceback, within bounds."""
    shown = f"exit {outcome.code}\nstderr: {outcome.err[-2000:]}\nstdout: {outcome.out[-500:]}"
    assert "Traceback" not in outcome.err + outcome.out, shown
    assert outcome.code == code, shown
    message = outcome.err.lower()
    for needle in needles:
        assert needle.lower() in message, f"{needle!r} not in the message\n{shown}"
    assert outcome.seconds < seconds, f"took {outcome.seconds:.1f} s\n{shown}"
    assert outcome.grew_kb < CASE_MEMORY_KB, f"peak memory grew {outcome.grew_kb} kB\n{shown}"


# ---------------------------------------------------------------- what is stored

_SHADOW = ("posts_fts_", "sqlite_")


def snapshot(db: Path) -> dict[str, set[tuple[object, ...]]]:
    """Every row of every table (the search index through its content), and checks it."""
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        tables = [name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master "
            "WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'")
            if not name.startswith(_SHADOW)]
        rows = {t: set(conn.execute(f'SELECT * FROM "{t}"').fetchall()) for t in tables}
        rows["posts_fts"] = set(conn.execute("SELECT rowid, body FROM posts_fts").fetchall())
    with contextlib.closing(sqlite3.connect(db)) as conn:
        # FTS5's own check that the index matches its content (it writes nothing).
        conn.execute("INSERT INTO posts_fts(posts_fts) VALUES ('integrity-check')")
    return rows


def assert_unchanged(db: Path, before: dict[str, set[tuple[object, ...]]]) -> None:
    """The archive holds exactly what it held before, and is sound."""
    assert snapshot(db) == before


def assert_kept(db: Path, before: dict[str, set[tuple[object, ...]]]) -> None:
    """Every row stored before is still there unchanged (new rows may have been added)."""
    after = snapshot(db)
    for table, rows in before.items():
        lost = rows - after.get(table, set())
        assert not lost, f"{table} lost or changed {len(lost)} rows: {sorted(lost, key=str)[:3]}"
