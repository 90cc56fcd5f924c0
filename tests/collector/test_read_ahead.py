"""A sync round reads the next channel while the one before is still being written.

Each channel's catch-up ends with pages that are only analysed and written: read one channel
at a time, the reads (and the analysis of the next channel's first pages) waited for those.
The next channel is read ahead, and nothing about what is stored changes: each page is still
written with its own cursor, in the channel's turn.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from telethon.tl import functions

from bot.store import Archive
from tests.collector.harness import Harness, make_config, make_secrets
from tests.faketg import FakeWorld
from tests.faketg.handlers.registry import HANDLERS

MISSED = 1600  # pages of 100, 200, 400, 800 and 100


@pytest.fixture
def two_channels(world: FakeWorld, tmp_path: Path, fast_telethon_timers: None) -> Harness:
    monitor = world.create_user("monitor", first_name="Monitor")
    for name in ("first", "second"):
        world.create_channel(name, title=name, members=[monitor])
    config = make_config(tmp_path / "archive.sqlite3", [{"ref": "@first"}, {"ref": "@second"}])
    return Harness(world, monitor, config, make_secrets(tmp_path))


async def test_the_next_channel_is_read_before_the_last_page_of_the_one_before_is_stored(
        two_channels: Harness, world: FakeWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    harness = two_channels
    first, second = world.channel("first"), world.channel("second")
    await harness.run_once(until=lambda: harness.cursor(second.marked_id) == 0)
    for channel in (first, second):
        world.post_many(channel, MISSED, text="пропущенный пост {id} в " + channel.title)

    # What happened, in order: each history request the fake Telegram answered (by
    # channel) and each page the archive stored (by the cursor it moved).
    events: list[tuple[str, int]] = []
    answer = HANDLERS[functions.messages.GetHistoryRequest]

    def get_history(ctx: Any, request: Any) -> Any:
        events.append(("read", request.peer.channel_id))
        return answer(ctx, request)

    store = Archive.store_posts

    async def store_posts(self: Archive, *args: Any, **kwargs: Any) -> Any:
        cursors = kwargs.get("cursors") or {}
        if cursors.get(first.marked_id) == MISSED:
            # The first channel's last page waits (up to 10 s) for the second channel's first
            # read: read one channel at a time, that read only comes after this write.
            for _ in range(1000):
                if ("read", second.id) in events:
                    break
                await asyncio.sleep(0.01)
        events.extend(("store", channel_id) for channel_id in cursors)
        return await store(self, *args, **kwargs)

    monkeypatch.setitem(HANDLERS, functions.messages.GetHistoryRequest, get_history)
    monkeypatch.setattr(Archive, "store_posts", store_posts)
    await harness.run_once(until=lambda: harness.cursor(second.marked_id) == MISSED,
                           within=60)

    last_store_of_first = max(i for i, e in enumerate(events)
                              if e == ("store", first.marked_id))
    first_read_of_second = events.index(("read", second.id))
    assert first_read_of_second < last_store_of_first
    # Still written in turn, each page with its cursor: every post once.
    stores = [channel_id for kind, channel_id in events if kind == "store"]
    assert stores == sorted(stores, key=[first.marked_id, second.marked_id].index)
    for channel in (first, second):
        ids = [r[0] for r in harness.query(
            "SELECT msg_id FROM posts WHERE channel_id = ? ORDER BY msg_id",
            (channel.marked_id,))]
        assert ids == list(range(1, MISSED + 1))
