"""A short post read by the real Telethon client leans to the language its channel writes."""

from __future__ import annotations

from bot.analysis.channel_prior import MIN_POSTS
from tests.collector.harness import Harness
from tests.faketg import FakeWorld

# Written for this test; the name (from a Kyrgyz news headline) reads as kk context-free.
KYRGYZ = "Президент өкмөт мүчөлөрү менен жыйын өткөрүп, күйүүчү майдын баасын талкуулады."
NAME = "Тилек Текебаев"


async def test_a_live_short_post_takes_its_channels_language(harness: Harness,
                                                            world: FakeWorld) -> None:
    news, other = world.channel("news"), world.channel("other")
    for _ in range(MIN_POSTS):
        world.post(news, KYRGYZ)
    await harness.start()
    try:
        await harness.wait(lambda: harness.count("SELECT count(*) FROM posts") == MIN_POSTS)
        world.post(news, NAME)
        world.post(other, NAME)
        await harness.wait(lambda: harness.count("SELECT count(*) FROM posts") == MIN_POSTS + 2)
    finally:
        await harness.stop()
    langs = dict(harness.query("SELECT channel_id, lang FROM posts WHERE text = ?", (NAME,)))
    assert langs == {news.marked_id: "ky", other.marked_id: "kk"}
