"""Commands against the real bot code and the fake Telegram: access, subscriptions, queries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.bot.harness import make_config, news_post, running_bot
from tests.faketg import FakeWorld


async def test_admin_subscribes_checks_and_unsubscribes(
        world: FakeWorld, clients: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    alice = world.create_user("alice")
    config = make_config(admins=[alice.id])
    async with running_bot(world, clients, tmp_path / "a.db", monkeypatch,
                           config=config) as bot:
        (reply,) = await bot.say(alice, "/subscribe politics")
        assert reply.text.startswith("Subscribed to politics.")
        sub = await bot.archive.subscribers.subscription(alice.id)
        assert sub is not None and sub.groups == ("politics",) and sub.access_hash

        (reply,) = await bot.say(alice, "/subscriptions")
        assert "Subscribed to politics." in reply.text
        assert "Next digest: 03.03 09:00 (Asia/Almaty)" in reply.text

        (reply,) = await bot.say(alice, "/subscribe")
        assert reply.text.startswith("Subscribed to every keyword group.")

        (reply,) = await bot.say(alice, "/unsubscribe fires")
        assert "Still subscribed to politics." in reply.text

        (reply,) = await bot.say(alice, "/unsubscribe all")
        assert "This chat gets no digests now" in reply.text
        assert await bot.archive.subscribers.subscription(alice.id) is None


async def test_a_user_who_is_not_allowed_is_refused_politely(
        world: FakeWorld, clients: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    admin, stranger = world.create_user("admin"), world.create_user("stranger")
    async with running_bot(world, clients, tmp_path / "a.db", monkeypatch,
                           config=make_config(admins=[admin.id])) as bot:
        for command in ("/subscribe", "/digest", "/search токаев", "/latest"):
            (reply,) = await bot.say(stranger, command)
            assert reply.text.startswith("Subscriptions on this bot are limited"), command
        (start,) = await bot.say(stranger, "/start")
        assert "limited to its admins" in start.text
        assert await bot.archive.subscribers.active_subscriptions() == []


async def test_an_allowed_user_may_subscribe(
        world: FakeWorld, clients: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    admin, friend = world.create_user("admin"), world.create_user("friend")
    config = make_config(admins=[admin.id], allowed_users=[friend.id])
    async with running_bot(world, clients, tmp_path / "a.db", monkeypatch,
                           config=config) as bot:
        (reply,) = await bot.say(friend, "/subscribe")
        assert reply.text.startswith("Subscribed")
        (start,) = await bot.say(friend, "/start")
        assert "Новости <i>24</i> & Co (@news24)" in start.text  # a title is shown literally
        assert "/subscribe to get every group" in start.text


async def test_help_and_unknown_commands_list_the_commands(
        world: FakeWorld, clients: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    someone = world.create_user("someone")
    async with running_bot(world, clients, tmp_path / "a.db", monkeypatch) as bot:
        (reply,) = await bot.say(someone, "/help")
        assert "/subscribe [group …]" in reply.text
        (reply,) = await bot.say(someone, "/subscrbe")
        assert "Did you mean /subscribe?" in reply.text


async def test_search_finds_posts_and_a_bad_query_gets_its_reason(
        world: FakeWorld, clients: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    alice = world.create_user("alice")
    async with running_bot(world, clients, tmp_path / "a.db", monkeypatch,
                           config=make_config(admins=[alice.id])) as bot:
        await bot.store([news_post(1, "Токаев открыл сессию парламента")])
        (reply,) = await bot.say(alice, "/search токаев")
        assert "Токаев открыл сессию" in reply.text and "t.me/news24/1" in reply.text
        (reply,) = await bot.say(alice, "/search -только -минусы")
        assert reply.text.startswith(
            "the query only excludes words; add at least one word to look for\nUsage: /search")
        (reply,) = await bot.say(alice, "/latest @news24")
        assert "Latest in Новости <i>24</i> & Co" in reply.text and "Токаев" in reply.text


async def test_the_command_menu_is_published_when_the_bot_starts(
        world: FakeWorld, clients: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async with running_bot(world, clients, tmp_path / "a.db", monkeypatch) as bot:
        menu = dict(bot.account.bot_commands)
    assert set(menu) == {"start", "help", "subscribe", "unsubscribe", "subscriptions",
                         "digest", "search", "more", "latest", "post", "edits", "deleted",
                         "channels", "stats", "trend", "keywords"}
    assert menu["subscribe"].startswith("get digests")
