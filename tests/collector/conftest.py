from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.collector.harness import Harness, make_config, make_secrets
from tests.faketg import FakeWorld
from tests.faketg.fixtures import fast_telethon_timers, flood_sleeps  # noqa: F401


@pytest.fixture
def world() -> Iterator[FakeWorld]:
    w = FakeWorld()
    yield w
    w.close()


@pytest.fixture
def harness(world: FakeWorld, tmp_path: Path, fast_telethon_timers: None  # noqa: F811
            ) -> Harness:
    """@news (monitor is a member) and @other (not a member), watched by @monitor."""
    monitor = world.create_user("monitor", first_name="Monitor")
    world.create_channel("news", title="News", members=[monitor])
    world.create_channel("other", title="Other")
    config = make_config(tmp_path / "archive.sqlite3", [{"ref": "@news"}, {"ref": "@other"}])
    return Harness(world, monitor, config, make_secrets(tmp_path))
