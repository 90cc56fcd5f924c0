"""A long catch-up analyses in worker processes: the same results, each post stored once.

The workers start in the background once a round has read enough posts; pages go on in a
thread until they answer, so both paths meet inside one catch-up. A write that fails while
pages are analysing in the workers (a full disk, raised inside the real archive) loses
nothing: the cursor stays on the last page stored, and the next round stores the rest once.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import workers
from bot.config import validate_config
from bot.domain import Analysis, Post
from bot.ingest import analyse_posts, analyser_for
from tests.collector.harness import Harness
from tests.faketg import Channel, FakeWorld

KEYWORDS = {"president": {"terms": ["Токаев"]}}
MISSED = 1500
FAILING_ID = 900
DATE = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.fixture
def two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "CATCH_UP_WORKERS_AFTER", 0)  # from the first page
    monkeypatch.setattr(os, "cpu_count", lambda: 2)


async def test_batches_move_to_the_workers_once_they_answer_with_the_same_analysis() -> None:
    analyser = analyser_for(validate_config({"keywords": KEYWORDS}, source="test"))
    posts = [Post(channel_id=-1001, msg_id=n, date=DATE, text=f"Токаев, пост {n}")
             for n in range(1, 41)]
    expected = await analyse_posts(posts, analyser)
    pool = workers.OnDemandPool(analyser, after=20)
    try:
        assert await pool.analyse(posts[:10]) == expected[:10]
        assert not pool.running  # below the threshold: a thread
        assert await pool.analyse(posts[10:20]) == expected[10:20]  # starts them
        for _ in range(600):
            if pool.running:
                break
            assert await pool.analyse(posts[20:30]) == expected[20:30]  # the thread, meanwhile
            await asyncio.sleep(0.05)
        assert pool.running
        assert await pool.analyse(posts[30:]) == expected[30:]
    finally:
        await pool.close()
    assert not pool.running


async def test_a_plain_function_never_starts_workers() -> None:
    pool = workers.OnDemandPool(lambda text: Analysis("ru", 1.0), after=0)
    post = Post(channel_id=-1001, msg_id=1, date=DATE, text="текст")
    await pool.analyse([post])
    assert not pool.running
    await pool.close()


async def test_a_long_catch_up_in_workers_stores_every_post_once_with_its_hits(
        harness: Harness, world: FakeWorld, two_cores: None) -> None:
    news = await missed_while_down(harness, world)
    await harness.run_once(until=lambda: harness.cursor(news.marked_id) == MISSED + 1,
                           within=120)
    assert_each_post_once(harness, news.marked_id)


async def test_a_write_failing_during_a_catch_up_in_workers_loses_and_doubles_nothing(
        harness: Harness, world: FakeWorld, two_cores: None) -> None:
    news = await missed_while_down(harness, world)
    db = harness.config.storage.path
    _run(db, f"""CREATE TRIGGER full_disk BEFORE INSERT ON posts WHEN new.msg_id = {FAILING_ID}
                 BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END""")
    await harness.start()
    try:
        # The page holding the failing post never commits; the rounds retry it.
        await harness.wait(lambda: 1 < (harness.cursor(news.marked_id) or 0) < FAILING_ID
                           and harness.count("SELECT count(*) FROM posts") > 1, within=120)
        await asyncio.sleep(1)
        assert (harness.cursor(news.marked_id) or 0) < FAILING_ID
        assert harness.count("SELECT max(msg_id) FROM posts") == harness.cursor(news.marked_id)
        _run(db, "DROP TRIGGER full_disk")
        await harness.wait(lambda: harness.cursor(news.marked_id) == MISSED + 1, within=120)
    finally:
        await harness.stop()
    assert_each_post_once(harness, news.marked_id)


async def missed_while_down(harness: Harness, world: FakeWorld) -> Channel:
    """A first run sets @news's cursor; then MISSED posts arrive while tgmon is down."""
    news = world.channel("news")
    world.post(news, "before the first start")
    await harness.run_once(until=lambda: harness.cursor(news.marked_id) == 1)
    world.post_many(news, MISSED, text="Токаев провёл встречу {id}")
    return news


def assert_each_post_once(harness: Harness, channel_id: int) -> None:
    ids = [r[0] for r in harness.query(
        "SELECT msg_id FROM posts WHERE channel_id = ? ORDER BY msg_id", (channel_id,))]
    assert ids == list(range(1, MISSED + 2))
    assert harness.count("SELECT count(*) FROM post_texts") == MISSED + 1
    assert harness.count("SELECT count(*) FROM posts_fts") == MISSED + 1
    # Every missed post names the president: one hit each, from whichever path analysed it.
    assert harness.count("SELECT count(*) FROM keyword_hits") == MISSED
    assert harness.count("SELECT count(DISTINCT pid) FROM keyword_hits") == MISSED


def _run(db: Path, sql: str) -> None:
    conn = sqlite3.connect(db)
    try:
        conn.execute(sql)
        conn.commit()
    finally:
        conn.close()


