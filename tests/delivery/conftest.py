from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.store import Archive
from tests.store.conftest import CHANNEL, OTHER


@pytest.fixture
async def archive(tmp_path: Path) -> AsyncIterator[Archive]:
    async with Archive.open(tmp_path / "archive.sqlite3") as opened:
        await opened.upsert_channel(CHANNEL)
        await opened.upsert_channel(OTHER)
        yield opened
