"""Each hostile case gets an empty working folder and a copy of a seeded archive."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hostile.harness import run, snapshot

FIXTURE = Path(__file__).resolve().parents[1] / "importer" / "fixtures" / "channel_export.json"


@pytest.fixture(autouse=True)
def own_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Each case in its own folder (tests/conftest.py already keeps TGMON_* variables out)."""
    monkeypatch.chdir(tmp_path)
    yield tmp_path


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("seed") / "seed.sqlite3"
    outcome = run(["import", "--quiet", "--db", str(db), str(FIXTURE)])
    assert outcome.code == 1, outcome.err  # the fixture holds one deliberately broken entry
    return db


@pytest.fixture
def archive(seeded_template: Path, tmp_path: Path) -> Path:
    """An archive holding the fixture channel's posts, edits and analysis."""
    db = tmp_path / "archive.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{seeded_template}{suffix}")
        if source.exists():
            shutil.copy(source, f"{db}{suffix}")
    return db


@pytest.fixture
def stored(archive: Path) -> dict[str, set[tuple[object, ...]]]:
    """What the archive holds before the case runs."""
    return snapshot(archive)
