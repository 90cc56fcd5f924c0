"""An archive on a read-only file, folder or mount (a backup snapshot) can still be searched,
counted and exported; writing to it is refused with one clear line."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from tests.importer.exports import FIXTURE

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def read_only_db() -> Iterator[Path]:
    """An imported archive in a folder its reader cannot write (no -shm can be made)."""
    folder = Path(tempfile.mkdtemp(prefix="tgmon-ro-"))
    db = folder / "archive.sqlite3"
    assert main(["import", str(FIXTURE), "--db", str(db), "--quiet"]) in (0, 1)
    for extra in folder.glob("archive.sqlite3-*"):
        extra.unlink()  # a clean snapshot: the WAL was checkpointed when it closed
    db.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    folder.chmod(0o555)
    try:
        yield db
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)


def run_as_reader(*args: str) -> subprocess.CompletedProcess[str]:
    # root writes anywhere whatever the modes say, unless it drops the capability to.
    prefix: list[str] = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without util-linux's setpriv")
        caps = "-dac_override,-dac_read_search"
        prefix = [setpriv, f"--bounding-set={caps}", f"--inh-caps={caps}"]
    return subprocess.run([*prefix, sys.executable, "-m", "bot", *args], capture_output=True,
                          text=True, cwd=tempfile.gettempdir(), check=False, timeout=60,
                          env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT),
                               "HOME": tempfile.gettempdir()})


def test_search_stats_and_export_work_on_a_read_only_archive(read_only_db: Path) -> None:
    found = run_as_reader("search", "бюджет", "--db", str(read_only_db), "--json")
    assert found.returncode == 0, found.stderr
    assert [p["id"] for p in json.loads(found.stdout)] == [3]
    counted = run_as_reader("stats", "--db", str(read_only_db), "--json")
    assert counted.returncode == 0, counted.stderr
    assert json.loads(counted.stdout)["posts"] == 6
    exported = run_as_reader("export", "--db", str(read_only_db), "--format", "jsonl")
    assert exported.returncode == 0, exported.stderr
    assert len(exported.stdout.splitlines()) == 6


def test_writing_to_a_read_only_archive_says_so_without_a_traceback(read_only_db: Path) -> None:
    result = run_as_reader("import", str(FIXTURE), "--db", str(read_only_db))
    assert result.returncode == 1
    assert "cannot be written" in result.stderr and "Traceback" not in result.stderr


@pytest.fixture
def live_snapshot() -> Iterator[Path]:
    """A read-only copy of a running archive: its file, -wal and -shm as a snapshot of the
    folder catches them, with a channel renamed after the last checkpoint."""
    source, folder = (Path(tempfile.mkdtemp(prefix=f"tgmon-{name}-")) for name in ("live", "snap"))
    db = source / "archive.sqlite3"
    assert main(["import", str(FIXTURE), "--db", str(db), "--quiet"]) in (0, 1)
    writer = sqlite3.connect(db, isolation_level=None)
    try:
        writer.execute("PRAGMA wal_autocheckpoint = 0")
        writer.execute("UPDATE channels SET title = 'Renamed after the checkpoint'")
        for suffix in ("", "-wal", "-shm"):
            shutil.copy(f"{db}{suffix}", folder / f"archive.sqlite3{suffix}")
    finally:
        writer.close()
        shutil.rmtree(source)
    for copy in folder.iterdir():
        copy.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    folder.chmod(0o555)
    try:
        yield folder / "archive.sqlite3"
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)


def test_a_snapshot_of_a_running_archive_shows_the_writes_in_its_wal(live_snapshot: Path) -> None:
    # Opened immutable, SQLite ignored the -wal file: the newest writes silently missing.
    counted = run_as_reader("stats", "--db", str(live_snapshot), "--json")
    assert counted.returncode == 0, counted.stderr
    titles = [c["title"] for c in json.loads(counted.stdout)["channels"]]
    assert titles == ["Renamed after the checkpoint"]
    assert counted.stderr == ""


def test_a_snapshot_without_its_shm_file_says_what_it_cannot_show(live_snapshot: Path) -> None:
    folder = live_snapshot.parent
    folder.chmod(0o755)
    (folder / "archive.sqlite3-shm").unlink()
    folder.chmod(0o555)
    counted = run_as_reader("stats", "--db", str(live_snapshot), "--json")
    assert counted.returncode == 0, counted.stderr
    assert "the newest writes" in counted.stderr and "missing from what you see" in counted.stderr
    assert "Traceback" not in counted.stderr


@pytest.mark.parametrize("command", [["stats"], ["search", "бюджет"], ["export"], ["channels"],
                                     ["import", str(FIXTURE)], ["reanalyze", "--quiet"]])
def test_an_archive_in_a_folder_this_user_cannot_enter_is_named(
        command: list[str], read_only_db: Path) -> None:
    read_only_db.parent.chmod(0o000)  # another user's 0700 data folder, say
    try:
        result = run_as_reader(*command, "--db", str(read_only_db))
    finally:
        read_only_db.parent.chmod(0o555)
    assert result.returncode == 1, result.stderr
    assert result.stderr.strip() == (
        f"tgmon: {read_only_db}: permission denied on the archive or a folder above it; run "
        f"tgmon as the user who owns it (see `ls -ld {read_only_db.parent}`), or give this "
        "user access")


@pytest.mark.parametrize("command", [["export", "--out"], ["trend", "бюджет", "--out"],
                                     ["backup"]])
def test_an_output_in_a_folder_this_user_cannot_enter_is_one_line(
        command: list[str], read_only_db: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "blocked"
    blocked.mkdir(mode=0o000)
    try:
        result = run_as_reader(*command, str(blocked / "out"), "--db", str(read_only_db))
    finally:
        blocked.chmod(0o755)
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith(f"tgmon: {blocked / 'out'}: permission denied")
    assert "Traceback" not in result.stderr


def test_a_read_only_snapshot_can_be_backed_up(read_only_db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.sqlite3"
    result = run_as_reader("backup", str(copy), "--db", str(read_only_db))
    assert result.returncode == 0, result.stderr
    assert "integrity check ok" in result.stdout
    counted = run_as_reader("stats", "--db", str(copy), "--json")
    assert json.loads(counted.stdout)["posts"] == 6
