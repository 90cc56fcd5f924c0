"""A reconcile right after a catch-up re-reads none of what the catch-up just read, and still
finds every edit and deletion made while tgmon was down."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.collector.harness import Harness, make_config, make_secrets
from tests.faketg import FakeWorld
from tests.faketg.handlers import messages, registry


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[int]]:
    """How many times each message id of a channel's history was sent to the client."""
    counts: Counter[int] = Counter()
    original = registry.history_window

    def window(*args: Any, **kwargs: Any) -> list[int]:
        ids: list[int] = original(*args, **kwargs)
        counts.update(ids)
        return ids

    monkeypatch.setattr(messages, "history_window", window)
    yield counts


def deleted_ids(harness: Harness) -> set[int]:
    return {r[0] for r in harness.query("SELECT msg_id FROM posts WHERE deleted_at IS NOT NULL")}


def versions(harness: Harness, msg_id: int) -> list[str]:
    return [r[0] for r in harness.query(
        "SELECT t.text FROM post_texts t JOIN posts p ON p.pid = t.pid WHERE p.msg_id = ?"
        " ORDER BY t.version", (msg_id,))]


async def test_the_reconcile_after_a_catch_up_reads_only_below_it_and_loses_nothing(
        harness: Harness, world: FakeWorld, served: Counter[int]) -> None:
    news = world.channel("news")
    old = [world.post(news, f"старый пост {n}") for n in range(150)]
    await harness.run_once(until=lambda: harness.cursor(news.marked_id) == old[-1])
    # While down: edits and deletions of stored posts, new posts (one edited, one deleted).
    world.edit(news, old[120], "старый пост исправлен", push=False)
    world.delete(news, [old[140], old[10]], push=False)
    new = [world.post(news, f"новый пост {n}") for n in range(600)]
    world.edit(news, new[5], "новый пост исправлен", push=False)
    world.delete(news, [new[7]], push=False)
    served.clear()
    await harness.run_once(until=lambda: deleted_ids(harness) == {old[10], old[140]}
                           and harness.cursor(news.marked_id) == new[-1])

    # Nothing lost: the downtime's edits and deletions are all in the archive.
    assert versions(harness, old[120]) == ["старый пост 120", "старый пост исправлен"]
    assert versions(harness, new[5]) == ["новый пост исправлен"]  # read in its edited form
    stored = set(harness.texts(news.marked_id))
    assert stored == set(old) | set(new) - {new[7]}
    # The caught-up messages were read once (by the catch-up), the older ones by the
    # reconcile, whose window (all within 3 days here) reaches the channel's start.
    assert {served[i] for i in new if i != new[7]} == {1}
    assert all(served[i] >= 1 for i in old if i not in (old[10], old[140]))


async def test_the_window_ends_where_a_read_from_the_top_would_end(
        world: FakeWorld, tmp_path: Path, served: Counter[int]) -> None:
    # 250 posts or older than 0 days: the newest 250 messages. The catch-up reads 100 of
    # them, so the reconcile takes the next 150 below the catch-up's start (one of them
    # deleted: the window reaches one further, as from the top), and no more.
    harness, old = await first_run(world, tmp_path, 400, reconcile_posts=250,
                                   reconcile_days=0)
    news = world.channel("news")
    inside, outside = old[-151], old[-152]
    world.edit(news, inside, "в окне", push=False)
    world.edit(news, outside, "за окном", push=False)
    world.delete(news, [old[-140]], push=False)
    new = [world.post(news, f"новый пост {n}") for n in range(100)]
    served.clear()
    await harness.run_once(until=lambda: deleted_ids(harness) == {old[-140]}
                           and harness.cursor(news.marked_id) == new[-1])
    assert versions(harness, inside) == ["старый пост 249", "в окне"]
    assert versions(harness, outside) == ["старый пост 248"]  # as from the top
    assert {served[i] for i in new} == {1}


async def test_when_the_caught_up_part_holds_the_whole_window_nothing_is_read_again(
        world: FakeWorld, tmp_path: Path, served: Counter[int]) -> None:
    harness, _ = await first_run(world, tmp_path, 100, reconcile_posts=50, reconcile_days=0)
    news = world.channel("news")
    new = [world.post(news, f"новый пост {n}") for n in range(300)]
    served.clear()
    await harness.run_once(until=lambda: harness.cursor(news.marked_id) == new[-1])
    assert set(served) == set(new)  # the catch-up's reads, and no reconcile read
    assert set(served.values()) == {1}


async def test_an_edit_made_after_the_catch_up_read_is_found_by_the_next_reconcile(
        harness: Harness, world: FakeWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.telegram import collector

    monkeypatch.setattr(collector, "RECONCILE_EVERY", 3)
    news = world.channel("news")
    await harness.run_once(until=lambda: harness.cursor(news.marked_id) == 0)
    new = [world.post(news, f"новый пост {n}", push=False) for n in range(300)]
    await harness.start()
    try:
        await harness.wait(lambda: harness.cursor(news.marked_id) == new[-1])
        # Changed just after the catch-up read them, and the live updates were lost.
        world.edit(news, new[200], "исправлен позже", push=False)
        world.delete(news, [new[250]], push=False)
        await harness.wait(lambda: deleted_ids(harness) == {new[250]}
                           and harness.texts(news.marked_id)[new[200]] == "исправлен позже")
    finally:
        await harness.stop()


async def first_run(world: FakeWorld, tmp_path: Path, posts: int, **collector: Any
                    ) -> tuple[Harness, list[int]]:
    """@news with ``posts`` posts, all stored by a first run with these collector settings."""
    monitor = world.create_user("monitor", first_name="Monitor")
    news = world.create_channel("news", title="News", members=[monitor])
    config = make_config(tmp_path / "archive.sqlite3", [{"ref": "@news"}],
                         default_backfill=10_000, **collector)
    harness = Harness(world, monitor, config, make_secrets(tmp_path))
    old = [world.post(news, f"старый пост {n}") for n in range(posts)]
    await harness.run_once(until=lambda: harness.cursor(news.marked_id) == old[-1])
    return harness, old


async def test_a_post_stored_live_and_deleted_while_down_is_marked_deleted_after_the_catch_up(
        world: FakeWorld, tmp_path: Path) -> None:
    # Live writes never move the cursor: posts stored live sit above it until the next
    # history read, which finds the deleted one missing among what it read.
    monitor = world.create_user("monitor", first_name="Monitor")
    news = world.create_channel("news", title="News", members=[monitor])
    config = make_config(tmp_path / "archive.sqlite3", [{"ref": "@news"}], interval=3600,
                         default_backfill=10_000)
    harness = Harness(world, monitor, config, make_secrets(tmp_path))
    old = [world.post(news, f"старый пост {n}") for n in range(20)]
    await harness.start()
    try:
        await harness.wait(lambda: harness.cursor(news.marked_id) == old[-1])
        live = [world.post(news, f"живой пост {n}") for n in range(5)]
        await harness.wait(lambda: set(live) <= set(harness.texts(news.marked_id)))
    finally:
        await harness.stop()
    assert harness.cursor(news.marked_id) == old[-1]
    world.delete(news, [live[2]], push=False)  # while down
    await harness.run_once(until=lambda: harness.cursor(news.marked_id) == live[-1]
                           and deleted_ids(harness) == {live[2]})
    assert set(harness.texts(news.marked_id)) == set(old) | set(live)  # nothing lost
