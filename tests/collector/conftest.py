from __future__ import annotations

from pathlib import Path

import pytest

from tests.collector.harness import Harness, make_config, make_secrets
from tests.faketg import FakeWorld
from tests.faketg.fixtures import fast_telethon_timers, flood_sleeps, world  # noqa: F401


@pytest.fixture
def harness(world: FakeWorld, tmp_path: Path,  # noqa: F811
            fast_telethon_timers: None) -> Harness:  # noqa: F811
    """@news (monitor is a member) and @other (not a member), watched by @monitor."""
    monitor = world.create_user("monitor", first_name="Monitor")
    world.create_channel("news", title="News", members=[monitor])
    world.create_channel("other", title="Other")
    config = make_config(tmp_path / "archive.sqlite3", [{"ref": "@news"}, {"ref": "@other"}])
    return Harness(world, monitor, config, make_secrets(tmp_path))
