"""The whole product in one process: a channel post becomes an alert and a search answer."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from tests.collector.harness import Harness
from tests.faketg import FakeWorld


@pytest.fixture
def with_bot(harness: Harness, world: FakeWorld) -> Harness:
    reader = world.create_user("reader", first_name="Reader")
    bot = world.create_bot("tgmon_bot")
    harness.bot_account = bot
    harness.secrets = harness.secrets.model_copy(update={
        "api_id": world.api_id, "api_hash": SecretStr(world.api_hash),
        "bot_token": SecretStr(world.bot_token(bot))})
    harness.config = harness.config.model_copy(update={
        "keywords": {**harness.config.keywords, "agents": harness.config.keywords[
            "president"].model_copy(update={"terms": ["иноагент"], "alert": True})},
        "bot": harness.config.bot.model_copy(update={
            "admins": [reader.id], "alert_batch_seconds": 1})})
    return harness


def texts_to(world: FakeWorld, user: str) -> list[str]:
    return [m.text for m in world.sent_messages("tgmon_bot", chat=user)]


async def test_a_watched_post_reaches_a_subscriber_as_an_alert_and_via_search(
        with_bot: Harness, world: FakeWorld) -> None:
    harness = with_bot
    news = world.channel("news")
    await harness.start()
    try:
        await harness.wait(lambda: harness.count("SELECT count(*) FROM cursors") == 2)
        world.user_sends_to_bot("reader", "/subscribe agents")
        await harness.wait(lambda: any("agents" in t for t in texts_to(world, "reader")))
        world.post(news, "Мажилис обсуждает закон об иноагентах <b>срочно</b>")
        await harness.wait(lambda: any("иноагентах" in t for t in texts_to(world, "reader")),
                           within=15)
        world.user_sends_to_bot("reader", "/search иноагент*")
        await harness.wait(lambda: sum("иноагентах" in t for t in texts_to(world, "reader"))
                           >= 2, within=15)
    finally:
        await harness.stop()
    alert = next(t for t in texts_to(world, "reader") if "иноагентах" in t)
    assert "<b>срочно</b>" in alert  # post markup arrives as literal text
    assert "https://t.me/news/1" in "".join(
        m.html for m in world.sent_messages("tgmon_bot", chat="reader"))
