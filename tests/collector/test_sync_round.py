"""A sync round reads every channel's new posts before any channel's reconcile window, and
the hourly reconcile is counted in time, not in rounds (rounds can run back to back)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot import ingest
from tests.collector.harness import Harness, make_config, make_secrets
from tests.faketg import FakeWorld
from tests.faketg.handlers import messages, registry


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Each history page served, in order: "new" (read oldest first, after a cursor, as
    catch-ups read) or "window" (newest first, as reconciles read)."""
    served: list[str] = []
    original = registry.history_window

    def window(*args: Any, **kwargs: Any) -> list[int]:
        ids: list[int] = original(*args, **kwargs)
        served.append("new" if kwargs["add_offset"] < 0 else "window")
        return ids

    monkeypatch.setattr(messages, "history_window", window)
    yield served


async def test_every_channels_new_posts_are_read_before_any_reconcile_window(
        world: FakeWorld, tmp_path: Path, reads: list[str]) -> None:
    monitor = world.create_user("monitor", first_name="Monitor")
    news = world.create_channel("news", title="News", members=[monitor])
    other = world.create_channel("other", title="Other", members=[monitor])
    config = make_config(tmp_path / "archive.sqlite3", [{"ref": "@news"}, {"ref": "@other"}],
                         interval=3600)
    harness = Harness(world, monitor, config, make_secrets(tmp_path))
    old = [world.post(news, f"старый пост {n}") for n in range(150)]
    await harness.run_once(until=lambda: harness.cursor(news.marked_id) == old[-1]
                           and harness.cursor(other.marked_id) == 0, within=30)
    # While down: a few posts in the first channel, more than a read ahead holds in the
    # second (its catch-up would otherwise end after the first channel's window).
    world.post_batch([(news, f"новый пост {n}", world.now()) for n in range(5)], push=False)
    last = world.post_batch([(other, f"другой пост {n}", world.now()) for n in range(2000)],
                            push=False)[-1]
    reads.clear()
    await harness.run_once(until=lambda: harness.cursor(other.marked_id) == last
                           and "window" in reads, within=30)
    # Both catch-ups (1 page and 20 pages of 100) came before the first window read.
    assert reads[:reads.index("window")].count("new") >= 21
    assert harness.count("SELECT count(*) FROM posts") == 150 + 5 + 2000


async def test_rounds_asked_for_back_to_back_reconcile_once_an_interval(
        harness: Harness, world: FakeWorld, reads: list[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Every live post is turned away and asks for a round at once.
    monkeypatch.setattr(ingest, "LIVE_QUEUE_LIMIT", 0)
    harness.config = make_config(harness.config.storage.path, [{"ref": "@news"}],
                                 interval=3600)
    news = world.channel("news")
    await harness.start()
    try:
        await harness.wait(lambda: harness.cursor(news.marked_id) == 0)
        for n in range(30):
            msg_id = world.post(news, f"новость {n}")
            await harness.wait(lambda msg_id=msg_id: harness.cursor(news.marked_id) == msg_id)
    finally:
        await harness.stop()
    assert reads.count("new") >= 30
    # The first sight's look at the newest message and the start-up's reconcile; none every
    # 12 rounds.
    assert reads.count("window") <= 2


async def test_a_round_begins_with_the_channels_read_longest_ago(
        world: FakeWorld, tmp_path: Path) -> None:
    monitor = world.create_user("monitor", first_name="Monitor")
    names = ["first", "second", "third"]
    channels = [world.create_channel(n, title=n, members=[monitor]) for n in names]
    db = tmp_path / "archive.sqlite3"
    config = make_config(db, [{"ref": f"@{n}"} for n in names], interval=3600)
    harness = Harness(world, monitor, config, make_secrets(tmp_path))
    await harness.run_once(until=lambda: all(harness.cursor(c.marked_id) == 0
                                             for c in channels), within=30)
    # As a round cut short by a kill leaves them: the last channels not read for longest.
    with sqlite3.connect(db) as conn:
        for age, channel in enumerate(channels):
            conn.execute("UPDATE cursors SET updated_at = ? WHERE channel_id = ?",
                         (3000 - 1000 * age, channel.marked_id))
    conn.close()
    for channel in channels:  # published while tgmon was down
        world.post_batch([(channel, f"пост {n}", world.now()) for n in range(3)], push=False)
    await harness.run_once(until=lambda: harness.count("SELECT count(*) FROM posts") == 9)
    order = harness.query("SELECT p.channel_id FROM arrivals a JOIN posts p ON p.pid = a.pid "
                          "GROUP BY p.channel_id ORDER BY min(a.seq)")
    assert [r[0] for r in order] == [c.marked_id for c in reversed(channels)]
