"""Telethon's queue of received updates is bounded: a burst that arrives before its update
loop runs is held in full only up to the bound, the rest queued without their messages, and
history stores every post of the burst, once each, with no difference asked for."""

from __future__ import annotations

import time

import pytest
from telethon import types

from bot.telegram import backlog
from tests.collector.harness import Harness, make_config
from tests.faketg import FakeWorld


def _messages_held(queue: object) -> int:
    """Messages held in full by the containers waiting in Telethon's queue."""
    return sum(isinstance(getattr(update, "message", None), types.Message)
               for container in list(queue._queue)
               for update in getattr(container, "updates", ()))


async def test_a_burst_past_the_update_backlog_is_held_light_and_read_from_history(
        harness: Harness, world: FakeWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backlog, "UPDATE_BACKLOG_LIMIT", 10)
    # The timer alone would read history again only in an hour.
    harness.config = make_config(harness.config.storage.path,
                                 [{"ref": "@news"}, {"ref": "@other"}], interval=3600)
    news, other = world.channel("news"), world.channel("other")
    await harness.start()
    try:
        await harness.wait(lambda: harness.count("SELECT count(*) FROM cursors") == 2)
        user = harness.clients[0]
        differences = len(world.requests("GetChannelDifference"))
        now = int(time.time())
        texts: dict[tuple[int, int], str] = {}
        # 30 containers of 5 posts arrive before Telethon's update loop takes the first.
        for burst in range(30):
            batch = [(news if n % 2 else other, f"Токаев, новость {burst}-{n}", now)
                     for n in range(5)]
            for (channel, text, _), msg_id in zip(batch, world.post_batch(batch), strict=True):
                texts[(channel.marked_id, msg_id)] = text
        held = _messages_held(user._updates_queue)
        # The start-up's reconcile may store some of them too (reading from the top); the
        # catch-up the light posts asked for moves the cursors past them all.
        tops = {c.marked_id: max(m for k, m in texts if k == c.marked_id) for c in (news, other)}
        await harness.wait(lambda: harness.count("SELECT count(*) FROM posts") == 150
                           and all(harness.cursor(c) == top for c, top in tops.items()))
    finally:
        await harness.stop()
    assert held <= 10 + 5  # the bound, and the container that reached it
    stored = harness.query("SELECT channel_id, msg_id, text FROM posts")
    assert {(c, m): t for c, m, t in stored} == texts
    # The light posts kept their place in the channels' update sequence: no gap was seen.
    assert len(world.requests("GetChannelDifference")) == differences
