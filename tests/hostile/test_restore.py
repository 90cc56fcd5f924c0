"""`tgmon restore` over what a user really has: an archive with newer posts than the backup,
and the damaged archive the corrupt-archive message tells them to restore over."""

from __future__ import annotations

import asyncio
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.store import Archive
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


def replaced(archive: Path) -> Path:
    (aside,) = [p for p in archive.parent.glob(f"{archive.name}.replaced-*")
                if not p.name.endswith(("-wal", "-shm", "-journal"))]
    return aside


async def test_a_restore_keeps_the_archive_it_replaces(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    live, copy = tmp_path / "live.sqlite3", tmp_path / "copy.sqlite3"
    await fill(live, 1, 10)
    assert await asyncio.to_thread(main, ["backup", str(copy), "--db", str(live)]) == 0
    await fill(live, 11, 5)  # newer than the backup
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
