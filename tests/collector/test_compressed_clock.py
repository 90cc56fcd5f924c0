"""The injected clock reaches every schedule: a compressed clock fires an hourly digest of
the whole app (collector and bot) on the fake Telegram within seconds."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from pydantic import SecretStr

from bot.clock import ScaledClock, from_unix
from bot.config import DigestConfig
from tests.collector.harness import Harness, make_config
from tests.faketg import FakeWorld

#: One simulated hour passes in three real seconds.
FACTOR = 1200.0
POST = "Токаев провёл совещание по паводкам"


def texts_to(world: FakeWorld, user: str) -> list[str]:
    return [m.text for m in world.sent_messages("tgmon_bot", chat=user)]


async def test_a_compressed_clock_drives_the_hourly_digest_end_to_end(
        harness: Harness, world: FakeWorld) -> None:
    reader = world.create_user("reader", first_name="Reader")
    bot = world.create_bot("tgmon_bot")
    clock = ScaledClock(start=datetime(2026, 3, 2, 3, 0, tzinfo=UTC), factor=FACTOR)
    world.clock = lambda: clock.now().timestamp()  # Telegram's dates follow the same time
    harness.bot_account = bot
    harness.clock = clock
    harness.secrets = harness.secrets.model_copy(update={
        "api_id": world.api_id, "api_hash": SecretStr(world.api_hash),
        "bot_token": SecretStr(world.bot_token(bot))})
    config = make_config(harness.config.storage.path, [{"ref": "@news"}], interval=60.0)
    harness.config = config.model_copy(update={
        "digests": {"hourly": DigestConfig(schedule="0 * * * *", timezone="UTC",
                                           empty="notice")},
        "bot": config.bot.model_copy(update={"admins": [reader.id],
                                             "subscriber_digest": "hourly"})})
    started = time.monotonic()
    await harness.start()
    try:
        await harness.wait(lambda: harness.count("SELECT count(*) FROM cursors") == 1)
        world.user_sends_to_bot("reader", "/subscribe")
        await harness.wait(lambda: harness.count("SELECT count(*) FROM subscribers") == 1)
        world.post(world.channel("news"), POST)
        await harness.wait(lambda: harness.count("SELECT count(*) FROM posts") == 1)
        # Two hourly firings: the first digest holds the post, the next one says nothing new.
        await harness.wait(lambda: harness.count(
            "SELECT count(*) FROM outbox WHERE status = 'sent' AND chat_id = ?",
            (reader.id,)) >= 2, within=20)
    finally:
        await harness.stop()
    elapsed = time.monotonic() - started
    windows = harness.query("SELECT window_start, window_end FROM digests "
                            "WHERE chat_id = ? ORDER BY window_end", (reader.id,))
    (subscribed,) = harness.query("SELECT created_at FROM subscribers")[0]
    first_end = from_unix(windows[0][1])
    # The firings are the schedule's, in the clock's time: on the hour, the first one after
    # the subscription, each next one an hour later, each window starting where the last ended.
    assert first_end.minute == first_end.second == 0
    assert from_unix(subscribed) < first_end <= from_unix(subscribed) + timedelta(hours=1)
    assert [from_unix(end) - first_end for _, end in windows[:2]] == [
        timedelta(0), timedelta(hours=1)]
    assert windows[1][0] == windows[0][1]
    # The archive stamps rows with the same clock (arrival times map windows to numbers).
    (seen, arrived), = harness.query("SELECT p.first_seen, a.at FROM posts p "
                                     "JOIN arrivals a ON a.pid = p.pid")
    assert from_unix(subscribed) <= from_unix(seen) == from_unix(arrived) < first_end
    digests = [t for t in texts_to(world, "reader") if "Digest: hourly" in t]
    assert len(digests) >= 2
    assert sum(POST in t for t in texts_to(world, "reader")) == 1  # delivered once
    assert POST in digests[0]
    # Two simulated hours and more in far less than one real minute.
    assert elapsed < 60, elapsed
