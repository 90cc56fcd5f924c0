"""Digests and alerts through the real bot code and the fake Telegram, on a hand-moved clock."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from telethon import types

from bot.delivery.pacing import Rates
from bot.digest.text import utf16_len
from bot.errors import SessionError
from bot.metrics import REGISTRY
from bot.store import Archive
from bot.store.delivery_values import Window
from bot.telegram.botui import run_bot
from tests.bot.harness import ALERT_TERM, Bot, make_config, news_post, running_bot
from tests.delivery.helpers import ManualClock
from tests.faketg import Account, FakeWorld, FloodSleeps

DAY = 24 * 3600


async def subscribe_directly(bot: Bot, users: list[Account]) -> None:
    """Subscribe many users at once, as /subscribe would (the bot has not seen them)."""
    for user in users:
        peer = bot.world.input_peer(user, viewer=bot.account)
        await bot.archive.subscribers.subscribe(user.id, [], access_hash=peer.access_hash,
                                    now=int(bot.clock.now().timestamp()))


def send_requests(bot: Bot) -> int:
    return len(bot.world.requests("SendMessage", account=bot.account))


async def test_the_daily_digest_arrives_at_nine_local_time_once(
        world: FakeWorld, clients: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    alice = world.create_user("alice")
    async with running_bot(world, clients, tmp_path / "a.db", monkeypatch,
                           config=make_config(admins=[alice.id])) as bot:
        await bot.say(alice, "/subscribe")  # 02.03 09:00 Almaty
        start = bot.clock.now()
        await bot.store([news_post(1, "Токаев подписал указ", groups=["politics"])],
                        at=start + timedelta(hours=23))
        bot.jump(DAY - 2)  # 03.03 08:59:58
        await bot.advance(3)
        assert bot.sent(alice)[1:] == []  # due at 09:00, sent after the settle delay
        await bot.store([news_post(2, "Токаев после девяти", groups=["politics"])],
                        at=start + timedelta(seconds=DAY + 1))
        await bot.advance(3)
        await bot.wait(lambda: len(bot.sent(alice)) == 2)
        digest = bot.sent(alice)[1]
        assert digest.text.startswith("Digest: daily\n02.03 09:00 – 03.03 09:00 (Asia/Almaty)")
        assert "Токаев подписал указ" in digest.text
        # Stored before this digest was made (the window closes when it is made, by arrival
        # number, not at a clock second): in it, and in no later one.
        assert "после девяти" in digest.text
        await bot.advance(60, step=10)
        assert len(bot.sent(alice)) == 2


async def test_a_long_digest_is_split_into_numbered_parts_sent_in_order(
        world: FakeWorld, clients: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    alice = world.create_user("alice")
    async with running_bot(world, clients, tmp_path / "a.db", monkeypatch,
                           config=make_config(admins=[alice.id])) as bot:
        await bot.say(alice, "/subscribe")
        text = "Токаев " + "очень длинная новость про парламент и экономику " * 8
        await bot.store([news_post(i, f"{i} {text}", groups=["politics"]) for i in range(1, 61)],
                        at=bot.clock.now() - timedelta(minutes=5))
        before = len(bot.sent(alice))
        await bot.say(alice, "/digest")
        await bot.advance(30)
        parts = bot.sent(alice)[before:]
        assert len(parts) >= 3
        total = len(parts)
        for number, part in enumerate(parts, 1):
            assert part.text.startswith(f"Digest: daily ({number}/{total})\n")
            assert utf16_len(part.text) <= 4096
        links = [u for p in parts for u in _urls(p) if "/news24/" in u]
        assert sorted(links) == sorted(f"https://t.me/news24/{i}" for i in range(1, 61))
        assert [p.msg_id for p in parts] == sorted(p.msg_id for p in parts)


async def test_markup_in_posts_and_titles_is_shown_literally(
        world: FakeWorld, clients: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    alice = world.create_user("alice")
    evil = '<b>bold</b> & </a> <a href="javascript:alert(1)">click</a> &amp; Токаев'
    async with running_bot(world, clients, tmp_path / "a.db", monkeypatch,
                           config=make_config(admins=[alice.id])) as bot:
        await bot.say(alice, "/subscribe")
        await bot.store([news_post(7, evil, groups=["politics"])],
                        at=bot.clock.now() - timedelta(minutes=1))
        await bot.say(alice, "/digest")
        await bot.wait(lambda: len(bot.sent(alice)) == 2)
        digest = bot.sent(alice)[1]
        assert evil in digest.text
        assert "Новости <i>24</i> & Co" in digest.text
        assert all(u.startswith("https://t.me/") for u in _urls(digest))
        bold = [digest.text[e.offset:e.offset + e.length] for e in digest.entities
                if isinstance(e, types.MessageEntityBold)]
        assert "bold" not in bold


async def test_alert_posts_are_batched_and_sent_once(
        world: FakeWorld, clients: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    alice, bob = world.create_user("alice"), world.create_user("bob")
    async with running_bot(world, clients, tmp_path / "a.db", monkeypatch,
                           config=make_config(admins=[alice.id, bob.id])) as bot:
        await bot.say(alice, "/subscribe")
        await bot.say(bob, "/subscribe politics")  # follows no alert group
        now = bot.clock.now()
        await bot.store([news_post(1, f"Первый {ALERT_TERM} в городе", groups=["fires"])],
                        at=now + timedelta(seconds=1))
        await bot.store([news_post(2, f"Второй {ALERT_TERM} рядом", groups=["fires"]),
                         news_post(3, "Токаев без пожаров", groups=["politics"])],
                        at=now + timedelta(seconds=4))
        await bot.advance(10)
        await bot.wait(lambda: len(bot.sent(alice)) == 2)
        alert = bot.sent(alice)[1]
        assert alert.text.startswith("🔔 Keyword alert")
        assert "Первый" in alert.text and "Второй" in alert.text and "без пожаров" not in alert.text
        await bot.store([news_post(4, f"Третий {ALERT_TERM}", groups=["fires"])],
                        at=now + timedelta(seconds=12))
        await bot.advance(30)
        await bot.wait(lambda: len(bot.sent(alice)) == 3)
        third = bot.sent(alice)[2]
        assert "Третий" in third.text and "Первый" not in third.text
        assert len(bot.sent(bob)) == 1  # only the /subscribe reply


async def test_a_flood_wait_in_a_fan_out_to_fifty_holds_every_send_then_resumes(
        world: FakeWorld, clients: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        flood_sleeps: FloodSleeps) -> None:
    users = [world.create_user(f"user{i:02d}") for i in range(50)]
    sends = 0

    def eleventh(request: Any) -> bool:
        nonlocal sends
        sends += 1
        return sends == 11

    # Overall pacing off: a 1/30 s spacing would need 1/30 s steps of the hand-moved clock.
    async with running_bot(world, clients, tmp_path / "a.db", monkeypatch, flood=flood_sleeps,
                           rates=Rates(overall_per_second=10_000)) as bot:
        await subscribe_directly(bot, users)
        await bot.store([news_post(1, "Токаев", groups=["politics"])],
                        at=bot.clock.now() + timedelta(hours=1))
        world.inject_error("SendMessage", "FLOOD_WAIT_120", match=eleventh)
        bot.jump(DAY - 1)
        await bot.advance(5)
        await bot.wait(lambda: sends >= 11)
        await bot.advance(110, step=5)
        assert len(bot.sent()) == 10
        assert send_requests(bot) == 11  # nothing was tried while the wait lasted
        await bot.advance(20)
        await bot.wait(lambda: len(bot.sent()) == 50)
        assert sorted(m.chat_id for m in bot.sent()) == sorted(u.id for u in users)
        assert send_requests(bot) == 51
        assert flood_sleeps.sleeps == []  # Telethon raised it to us rather than sleeping


async def test_a_user_who_blocked_the_bot_is_unsubscribed_and_not_retried(
        world: FakeWorld, clients: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    alice, carol = world.create_user("alice"), world.create_user("carol")
    blocked = REGISTRY.get_sample_value("tgmon_unreachable_chats_total",
                                        {"reason": "UserIsBlockedError"}) or 0.0
    async with running_bot(world, clients, tmp_path / "a.db", monkeypatch,
                           config=make_config(admins=[alice.id, carol.id])) as bot:
        await bot.say(alice, "/subscribe")
        await bot.say(carol, "/subscribe")
        world.block(carol, bot.account)
        await bot.store([news_post(1, "Токаев", groups=["politics"])],
                        at=bot.clock.now() + timedelta(hours=1))
        bot.jump(DAY - 1)
        await bot.advance(5)
        await bot.wait(lambda: len(bot.sent(alice)) == 2)
        await bot.advance(5)
        assert [s.chat_id for s in await bot.archive.subscribers.active_subscriptions()] == [
            alice.id]
        assert await bot.archive.subscribers.disabled_reason(carol.id) == "UserIsBlockedError"
        assert REGISTRY.get_sample_value("tgmon_unreachable_chats_total",
                                         {"reason": "UserIsBlockedError"}) == blocked + 1
        requests = send_requests(bot)
        await bot.store([news_post(2, "Токаев снова", groups=["politics"])],
                        at=bot.clock.now() + timedelta(hours=1))
        bot.jump(DAY)
        await bot.advance(5)
        await bot.wait(lambda: len(bot.sent(alice)) == 3)
        assert send_requests(bot) == requests + 1  # alice only


def _urls(message: Any) -> list[str]:
    return [e.url for e in message.entities if isinstance(e, types.MessageEntityTextUrl)]


async def test_a_configured_channel_gets_its_scheduled_digest(
        world: FakeWorld, clients: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    owner = world.create_user("owner")
    board = world.create_channel("newsboard", title="Board", members=[owner])
    config = make_config()
    daily = config.digests["daily"].model_copy(update={"chats": ["@newsboard"],
                                                       "groups": ["politics"]})
    config = config.model_copy(update={"digests": {"daily": daily}})
    bot_account = world.create_bot("tgmon_bot")
    world.add_admin(board, bot_account)
    async with running_bot(world, clients, tmp_path / "a.db", monkeypatch, config=config,
                           account=bot_account) as bot:
        await bot.store([news_post(1, "Токаев", groups=["politics"]),
                         news_post(2, f"Только {ALERT_TERM}", groups=["fires"])],
                        at=bot.clock.now() + timedelta(hours=1))
        bot.jump(DAY - 1)
        await bot.advance(5)
        await bot.wait(lambda: len(bot.sent(board)) == 1)
        (digest,) = bot.sent(board)
        assert digest.text.startswith("Digest: daily") and "Токаев" in digest.text
        assert ALERT_TERM not in digest.text  # the digest covers its own groups only


async def test_a_revoked_bot_session_stops_the_bot_with_a_session_error(
        world: FakeWorld, clients: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    alice = world.create_user("alice")
    bot_account = world.create_bot("tgmon_bot")
    client = await clients(world, as_bot=bot_account)
    async with Archive.open(tmp_path / "a.db") as archive:
        await archive.subscribers.subscribe(alice.id, [], access_hash=world.input_peer(
            alice, viewer=bot_account).access_hash, now=0)
        await archive.outbox.create_windows([(Window(alice.id, "x", 0, 1), ["hi"])],
                                    now=0)
        world.inject_error("SendMessage", "AUTH_KEY_UNREGISTERED")
        with pytest.raises(SessionError):
            await asyncio.wait_for(run_bot(client, archive, make_config(),
                                           clock=ManualClock()), 5)
        assert await archive.subscribers.subscription(alice.id) is not None  # not blamed
        assert not client.list_event_handlers()
