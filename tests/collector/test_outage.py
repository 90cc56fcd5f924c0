"""A long network outage of the user client, with time compressed: nothing is lost."""

from __future__ import annotations

from bot.telegram.connection import Backoff
from tests.collector.harness import Harness
from tests.faketg import FakeWorld

#: Real back-off (1 s doubling to 60 s) a thousand times faster: 15 failed attempts are
#: the first ten minutes of an outage.
COMPRESSED = Backoff(first=0.001, cap=0.06)
TEN_MINUTES_OF_ATTEMPTS = 15


async def test_a_ten_minute_outage_of_the_user_client_loses_no_post(
        harness: Harness, world: FakeWorld) -> None:
    news = world.channel("news")
    harness.backoff = COMPRESSED
    before = [world.post(news, f"before {n}") for n in range(3)]
    await harness.start()
    try:
        await harness.wait(lambda: set(before) <= set(harness.texts(news.marked_id)))
        world.outage(harness.account)
        missed = [world.post(news, f"during the outage {n}") for n in range(150)]
        await harness.wait(lambda: world.refused_connections >= TEN_MINUTES_OF_ATTEMPTS)
        assert not harness.clients[0].is_connected()
        world.end_outage(harness.account)
        await harness.wait(lambda: set(missed) <= set(harness.texts(news.marked_id)))
        await harness.wait(lambda: harness.clients[0].is_connected())
        after = world.post(news, "live again")  # pushed: the update loop runs again
        await harness.wait(lambda: after in harness.texts(news.marked_id))
        await harness.wait(lambda: harness.cursor(news.marked_id) == after)  # timer reads go on
    finally:
        await harness.stop()
    stored = harness.count("SELECT count(*) FROM posts WHERE channel_id = ?", (news.marked_id,))
    assert stored == len(before) + len(missed) + 1
