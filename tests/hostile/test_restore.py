"""`tgmon restore` over what a user really has: an archive with newer posts than the backup,
and the damaged archive the corrupt-archive message tells them to restore over."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.store import Archive, backup
from tests.ops.test_backup import NEWS, posts


async def count_posts(path: Path) -> int:
    async with Archive.open(path, mode="ro") as archive:
        return int((await archive.fetch_all("SELECT count(*) FROM posts"))[0][0])


def restore(backup: Path, archive: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["restore", str(backup), "--db", str(archive)])
    out, err = capsys.readouterr()
    assert "Traceback" not in err, err
    return code, out + err


async def fill(path: Path, first: int, count: int) -> None:
    async with Archive.open(path) as archive:
        await archive.upsert_channel(NEWS)
        await archive.store_posts(posts(first, count))


async def backed_up_then_written(folder: Path) -> tuple[Path, Path]:
    """An archive of 15 posts, and a backup of it taken when it held the first 10."""
    live, copy = folder / "live.sqlite3", folder / "copy.sqlite3"
    await fill(live, 1, 10)
    assert await asyncio.to_thread(main, ["backup", str(copy), "--db", str(live)]) == 0
    await fill(live, 11, 5)  # newer than the backup
    return live, copy


def names(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def replaced(archive: Path) -> Path:
    (aside,) = [p for p in archive.parent.glob(f"{archive.name}.replaced-*")
                if not p.name.endswith(("-wal", "-shm", "-journal"))]
    return aside


async def test_a_restore_keeps_the_archive_it_replaces(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    live, copy = await backed_up_then_written(tmp_path)
    code, said = await asyncio.to_thread(restore, copy, live, capsys)
    assert code == 0 and f"kept as {replaced(live)}" in said
    assert await count_posts(live) == 10
    assert await count_posts(replaced(live)) == 15  # the five newer posts are not lost


@pytest.mark.parametrize("damage", ["random bytes", "truncated"])
def test_a_damaged_archive_can_be_restored_over_and_is_kept_as_it_was(
        damage: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    live, copy = tmp_path / "live.sqlite3", tmp_path / "copy.sqlite3"
    asyncio.run(fill(live, 1, 10))
    assert main(["backup", str(copy), "--db", str(live)]) == 0
    broken = os.urandom(8192) if damage == "random bytes" else live.read_bytes()[:6000]
    live.write_bytes(broken)
    assert main(["stats", "--db", str(live)]) == 1
    assert "restore your latest backup" in capsys.readouterr().err
    code, said = restore(copy, live, capsys)
    assert code == 0 and "restored" in said
    assert asyncio.run(count_posts(live)) == 10
    assert replaced(live).read_bytes() == broken


def test_a_restore_that_fails_half_way_leaves_the_archive_as_it_was(
        tmp_path: Path) -> None:
    # A disk that fills during the copy, made here by a file size limit between the
    # archive's size and the backup's (Python ignores SIGXFSZ: the write fails instead).
    live, big, copy = (tmp_path / n for n in ("live.sqlite3", "big.sqlite3", "copy.sqlite3"))
    asyncio.run(fill(live, 1, 3))
    asyncio.run(fill(big, 1, 3000))
    assert main(["backup", str(copy), "--db", str(big)]) == 0
    before = asyncio.run(count_posts(live))
    room = 2 * sum(p.stat().st_size for p in tmp_path.glob("live.sqlite3*"))
    assert room < copy.stat().st_size

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (room, resource.RLIM_INFINITY))

    done = subprocess.run(
        [sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main(sys.argv[1:]))",
         "restore", str(copy), "--db", str(live)],
        cwd=tmp_path, capture_output=True, text=True, preexec_fn=limit, timeout=60,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])})
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "left as it was" in done.stderr
    assert not list(tmp_path.glob("live.sqlite3.replaced-*"))
    assert asyncio.run(count_posts(live)) == before == 3


# ---------------------------------------------------------------- the moment of the rename

#: Called with the rename's source and target whenever this process renames a file.
_on_rename: list[Callable[[Path, Path], None]] = []


def _audit(event: str, args: tuple[object, ...]) -> None:
    if event == "os.rename" and _on_rename:
        src, dst = args[0], args[1]
        if isinstance(src, str | Path) and isinstance(dst, str | Path):
            _on_rename[0](Path(src), Path(dst))


sys.addaudithook(_audit)  # audit hooks cannot be removed; it acts only while armed


@contextlib.contextmanager
def on_rename(action: Callable[[Path, Path], None]) -> Iterator[None]:
    _on_rename.append(action)
    try:
        yield
    finally:
        _on_rename.clear()


def handles_on(path: Path) -> int:
    """How many file descriptors of this process are open on ``path``."""
    fds = Path("/proc/self/fd")
    return sum(1 for fd in fds.iterdir()
               if os.path.realpath(fd) == str(path.resolve()))


async def test_nothing_can_write_the_archive_while_the_restore_renames_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    live, copy = await backed_up_then_written(tmp_path)
    seen: list[str] = []

    def try_to_write(src: Path, dst: Path) -> None:
        if dst != live:  # the copy taking the archive's name
            return
        with contextlib.closing(sqlite3.connect(live, timeout=0)) as other:
            try:
                other.execute("BEGIN IMMEDIATE")
                seen.append("a writer got in")
            except sqlite3.OperationalError as exc:
                seen.append(str(exc))

    with on_rename(try_to_write):
        code, said = await asyncio.to_thread(restore, copy, live, capsys)
    assert code == 0, said
    assert seen == ["database is locked"]
    assert await count_posts(live) == 10 and await count_posts(replaced(live)) == 15


async def test_a_tgmon_run_that_opens_the_archive_during_a_restore_gets_the_restored_one(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # `tgmon run` (a supervisor restarting it) opens the archive while the restore holds
    # it: it waits on the lock, and must then write to the restored archive, not to the
    # file renamed to ARCHIVE.replaced-STAMP under it.
    live, copy = await backed_up_then_written(tmp_path)
    opener: list[threading.Thread] = []
    stored: list[int] = []

    def open_and_write() -> None:
        async def write() -> None:
            async with Archive.open(live) as archive:
                await archive.store_posts(posts(100, 1))
                stored.append(int((await archive.fetch_all(
                    "SELECT count(*) FROM posts"))[0][0]))
        asyncio.run(write())

    def start_opener(src: Path, dst: Path) -> None:
        if dst != live or opener:  # the copy taking the archive's name
            return
        held = handles_on(live)
        opener.append(threading.Thread(target=open_and_write))
        opener[0].start()
        deadline = time.monotonic() + 10
        while handles_on(live) == held and time.monotonic() < deadline:
            time.sleep(0.005)  # until its connection has the file open
        time.sleep(0.1)  # and is waiting on the lock (or has got in)

    with on_rename(start_opener):
        code, said = await asyncio.to_thread(restore, copy, live, capsys)
    assert code == 0, said
    await asyncio.to_thread(opener[0].join, 30)
    assert stored == [11]  # the restored ten and its own post
    assert await count_posts(live) == 11
    assert await count_posts(replaced(live)) == 15  # the replaced archive, untouched


async def test_a_restore_leaves_nothing_beside_the_replaced_archive(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    live, copy = await backed_up_then_written(tmp_path)
    # A read-only reader (a search on a read-only archive) that closes last may not
    # delete the -wal and -shm it opened: they stay beside the archive.
    assert await count_posts(live) == 15
    assert names(tmp_path) >= {"live.sqlite3-wal", "live.sqlite3-shm"}
    code, said = await asyncio.to_thread(restore, copy, live, capsys)
    assert code == 0, said
    aside = replaced(live)
    assert names(tmp_path) == {"copy.sqlite3", "live.sqlite3", aside.name}
    assert await count_posts(aside) == 15 and await count_posts(live) == 10


def _foreign(path: Path, *, user_version: int = 0) -> None:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE places (url TEXT)")
        conn.execute(f"PRAGMA user_version = {user_version}")
        conn.commit()


@pytest.mark.parametrize(("backup", "problem"), [
    ("notes.txt", "not an SQLite database"),
    ("empty", "an empty file"),
    ("places.sqlite", "not a tgmon archive"),
    ("newer.sqlite3", "a backup of a newer tgmon (archive schema 99"),
    ("live.sqlite3", "is the archive itself"),
])
def test_what_is_not_a_backup_is_refused_and_the_archive_is_left_as_it_was(
        backup: str, problem: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    live, copy = tmp_path / "live.sqlite3", tmp_path / backup
    asyncio.run(fill(live, 1, 10))
    if backup == "notes.txt":
        copy.write_text("my notes\n" * 200)
    elif backup == "empty":
        copy.write_bytes(b"")
    elif backup == "places.sqlite":
        _foreign(copy)
    elif backup == "newer.sqlite3":
        _foreign(copy, user_version=99)
    before = names(tmp_path)
    code, said = restore(copy, live, capsys)
    assert code == 2 and said.startswith(f"tgmon: {copy}") and problem in said, said
    assert names(tmp_path) == before
    assert asyncio.run(count_posts(live)) == 10


@pytest.mark.parametrize("suffix", ["-wal", "-shm", "-journal"])
def test_a_backup_never_takes_the_name_of_the_archive_s_journal(
        suffix: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    live = tmp_path / "live.sqlite3"
    asyncio.run(fill(live, 1, 10))
    before = names(tmp_path)
    assert main(["backup", f"{live}{suffix}", "--db", str(live)]) == 2
    assert f"the name of the archive's own {suffix} file" in capsys.readouterr().err
    assert names(tmp_path) == before


def test_a_restore_into_a_missing_folder_is_named(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    live, copy = tmp_path / "live.sqlite3", tmp_path / "copy.sqlite3"
    asyncio.run(fill(live, 1, 10))
    assert main(["backup", str(copy), "--db", str(live)]) == 0
    code, said = restore(copy, tmp_path / "gone" / "live.sqlite3", capsys)
    assert code == 2 and f"{tmp_path / 'gone'}: no such folder" in said, said


# ------------------------------------------------------- a restore that fails or is killed

def test_a_failed_rename_of_the_copy_puts_the_replaced_archive_back(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    live, copy = asyncio.run(backed_up_then_written(tmp_path))
    before = names(tmp_path)

    def refuse(src: Path, dst: Path) -> None:
        if dst == live and ".restoring-" in src.name:
            raise OSError(errno.EIO, "Input/output error")

    with on_rename(refuse):
        code, said = restore(copy, live, capsys)
    assert code == 1 and "Input/output error" in said, said
    assert not list(tmp_path.glob("live.sqlite3.replaced-*"))
    assert not list(tmp_path.glob("live.sqlite3.restoring-*"))
    assert names(tmp_path) <= before and "live.sqlite3" in names(tmp_path)
    assert asyncio.run(count_posts(live)) == 15  # the archive as it was, at its own name


_KILLED_RESTORE = """
import os, signal, sys
from bot.cli import main

def die(event, args):
    # The copy is whole and the archive set aside: the copy is about to take its name, the
    # one moment in which the path could name no archive at all.
    if event == "os.rename" and ".restoring-" in os.fsdecode(args[0]):
        os.kill(os.getpid(), signal.SIGKILL)

sys.addaudithook(die)
main(["restore", sys.argv[1], "--db", sys.argv[2]])
"""


def test_a_restore_killed_as_the_copy_takes_the_name_leaves_the_archive_at_its_path(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    live, copy = asyncio.run(backed_up_then_written(tmp_path))
    done = subprocess.run(
        [sys.executable, "-c", _KILLED_RESTORE, str(copy), str(live)],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])})
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert asyncio.run(count_posts(live)) == 15  # still there, and still the archive it was
    (left,) = [p for p in tmp_path.glob("live.sqlite3.restoring-*")
               if not p.name.endswith(("-wal", "-shm", "-journal"))]
    second = replaced(live)
    assert second.samefile(live)  # set aside as a second name only
    time.sleep(1.1)  # the next restore's stamp is another second's
    code, said = restore(copy, live, capsys)
    assert code == 0, said
    assert f"removed {left}, a half-written copy" in said, said
    assert f"removed {second}, a second name of the archive" in said, said
    assert not second.exists() and not list(tmp_path.glob("live.sqlite3.restoring-*"))
    assert asyncio.run(count_posts(live)) == 10
    assert asyncio.run(count_posts(replaced(live))) == 15


def test_a_copy_another_restore_is_writing_is_not_left_over(tmp_path: Path) -> None:
    live = tmp_path / "live.sqlite3"
    asyncio.run(fill(live, 1, 3))
    busy = tmp_path / "live.sqlite3.restoring-20260101T000000Z"
    cut = tmp_path / "live.sqlite3.restoring-20250101T000000Z"
    cut.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)  # killed mid-copy
    with contextlib.closing(sqlite3.connect(busy)) as writing:
        writing.execute("PRAGMA locking_mode=EXCLUSIVE")
        writing.execute("CREATE TABLE t (x)")  # holds its lock, as a restore's copy does
        assert backup.leftover_copies(live) == [cut]
    assert backup.remove_leftover_copies(live) == [cut, busy]
    assert not list(tmp_path.glob("live.sqlite3.restoring-*"))  # nor their journals

