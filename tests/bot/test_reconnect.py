"""A long outage of the bot, with time compressed: it comes back, answers, delivers once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.telegram.connection import Backoff
from tests.bot.harness import make_config, news_post, running_bot
from tests.faketg import FakeWorld

DAY = 24 * 3600
#: Real back-off (1 s doubling to 60 s) a thousand times faster: 15 failed attempts are
#: the first ten minutes of an outage.
COMPRESSED = Backoff(first=0.001, cap=0.06)
TEN_MINUTES_OF_ATTEMPTS = 15


async def test_after_a_ten_minute_outage_the_bot_answers_and_delivers_the_digest_once(
        world: FakeWorld, clients: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    alice = world.create_user("alice")
    async with running_bot(world, clients, tmp_path / "a.db", monkeypatch, backoff=COMPRESSED,
                           config=make_config(admins=[alice.id])) as bot:
        await bot.say(alice, "/subscribe")  # 02.03 09:00 Almaty
        await bot.store([news_post(1, "Токаев подписал указ", groups=["politics"])],
                        at=bot.clock.now() + timedelta(hours=23))
        sends_before = len(world.requests("SendMessage", account=bot.account))
        world.outage(bot.account)
        world.user_sends_to_bot(alice, "/help", bot=bot.account)  # lands while it is away
        bot.jump(DAY - 2)
        await bot.advance(120, step=5)  # the 09:00 digest falls due during the outage
        await bot.wait(lambda: world.refused_connections >= TEN_MINUTES_OF_ATTEMPTS)
        assert not bot.client.is_connected()
        assert len(world.requests("SendMessage", account=bot.account)) == sends_before

        world.end_outage(bot.account)
        await bot.wait(lambda: bot.client.is_connected())
        await bot.advance(5)
        await bot.wait(lambda: len(bot.sent(alice)) == 3)  # the /help reply and the digest
        texts = [m.text for m in bot.sent(alice)[1:]]
        assert sum(t.startswith("Digest: daily") for t in texts) == 1
        assert any("/search" in t for t in texts)  # the missed /help was answered

        replies = await bot.say(alice, "/help")  # and new commands are answered too
        assert replies and "/search" in replies[0].text
        await bot.advance(120, step=10)
        digests = [m for m in bot.sent(alice) if m.text.startswith("Digest: daily")]
        assert len(digests) == 1
        # The outage cost no attempt: each part went out on its first real try.
        rows = await bot.archive.fetch_all("SELECT status, attempts FROM outbox")
        assert rows and all((r[0], r[1]) == ("sent", 1) for r in rows)
