"""A burst of live posts beyond the live queue's bound: the queue stays bounded, and what it
turned away is stored by the history read it asks for, once each."""

from __future__ import annotations

import time

import pytest

from bot import ingest, metrics
from tests.collector.harness import Harness, make_config
from tests.faketg import FakeWorld


def _dropped() -> float:
    return metrics.REGISTRY.get_sample_value("tgmon_live_dropped_total") or 0.0


async def test_posts_the_full_live_queue_turned_away_come_from_history(
        harness: Harness, world: FakeWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest, "LIVE_QUEUE_LIMIT", 5)
    # The timer alone would read history again only in an hour.
    harness.config = make_config(harness.config.storage.path, [{"ref": "@news"}],
                                 interval=3600)
    news = world.channel("news")
    before = _dropped()
    await harness.start()
    try:
        await harness.wait(lambda: harness.count("SELECT count(*) FROM cursors") == 1)
        now = int(time.time())
        ids = world.post_batch([(news, f"Токаев, новость {n}", now) for n in range(60)])
        await harness.wait(lambda: harness.count("SELECT count(*) FROM posts") == 60)
    finally:
        await harness.stop()
    assert _dropped() - before >= 50  # the queue took at most a handful of the 60
    stored = harness.query("SELECT msg_id, text FROM posts ORDER BY msg_id")
    assert stored == [(i, f"Токаев, новость {n}") for n, i in enumerate(ids)]
    assert harness.cursor(news.marked_id) == ids[-1]

