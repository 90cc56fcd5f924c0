"""A loop that fails is logged and restarted; one that keeps failing ends the run."""

from __future__ import annotations

import asyncio
import logging
import sqlite3

import pytest

from bot.errors import LoopFailed
from bot.supervise import Supervisor
from tests.collector.harness import Harness
from tests.faketg import FakeWorld


def quick(*, max_failures: int, healthy_after: float = 300.0) -> Supervisor:
    """A supervisor that restarts within milliseconds."""
    return Supervisor(max_failures=max_failures, healthy_after=healthy_after,
                      first_delay=0.01, max_delay=0.05)


def rename_table(harness: Harness, old: str, new: str) -> None:
    """Break (or mend) the archive under the running app, as a damaged file would."""
    conn = sqlite3.connect(harness.config.storage.path)
    try:
        conn.execute(f"ALTER TABLE {old} RENAME TO {new}")
        conn.commit()
    finally:
        conn.close()


async def test_a_failing_sync_timer_is_logged_restarted_and_catches_up(
        harness: Harness, world: FakeWorld, caplog: pytest.LogCaptureFixture) -> None:
    news = world.channel("news")
    harness.supervisor = supervisor = quick(max_failures=1000)
    await harness.start()
    try:
        await harness.wait(lambda: harness.cursor(news.marked_id) == 0)
        rename_table(harness, "flood_parks", "flood_parks_away")
        await harness.wait(lambda: supervisor.restarts["sync timer"] >= 2)
        missed = world.post(news, "posted while the timer was failing", push=False)
        rename_table(harness, "flood_parks_away", "flood_parks")
        await harness.wait(lambda: missed in harness.texts(news.marked_id))
    finally:
        await harness.stop()
    failures = [r for r in caplog.records if "the sync timer loop failed" in r.getMessage()]
    assert failures and all(r.exc_info for r in failures)  # logged with the error's context
    assert all(getattr(r, "loop", None) == "sync timer" for r in failures)


async def test_a_sync_timer_that_keeps_failing_ends_the_run_with_one_clear_error(
        harness: Harness, world: FakeWorld) -> None:
    news = world.channel("news")
    harness.supervisor = supervisor = quick(max_failures=4)
    await harness.start()
    assert harness.task is not None
    await harness.wait(lambda: harness.cursor(news.marked_id) == 0)
    rename_table(harness, "flood_parks", "flood_parks_away")
    with pytest.raises(LoopFailed, match=r"sync timer loop failed 4 times in a row.*flood_parks"):
        await asyncio.wait_for(harness.task, 10)
    assert supervisor.restarts["sync timer"] == 3


async def test_a_loop_that_returns_is_a_broken_invariant() -> None:
    async def returns() -> None:
        return None

    with pytest.raises(LoopFailed, match="stopped by itself"):
        await Supervisor().run("example", returns)


async def test_restarts_back_off_and_a_long_healthy_run_resets_the_count(
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR)
    runs = 0

    async def flaky() -> None:
        nonlocal runs
        runs += 1
        if runs == 3:
            await asyncio.sleep(0.06)  # ran longer than healthy_after: counting starts over
        if runs < 5:
            raise RuntimeError(f"run {runs}")
        raise asyncio.CancelledError

    supervisor = quick(max_failures=3, healthy_after=0.05)
    with pytest.raises(asyncio.CancelledError):
        await supervisor.run("flaky", flaky)
    assert runs == 5 and supervisor.restarts["flaky"] == 4
