"""The query commands against the real bot and the fake Telegram: filters, paging (the
button and /more), post history with diffs, charts, access and the rate limit."""

from __future__ import annotations

import struct
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from telethon.tl import types

from tests.bot.harness import Bot, make_config, running_bot
from tests.bot.query_data import fill
from tests.faketg import Account, FakeWorld, SentMessage


def bold(message: SentMessage) -> list[str]:
    """The texts of a message's bold entities (UTF-16 offsets)."""
    units = message.text.encode("utf-16-le")
    return [units[e.offset * 2:(e.offset + e.length) * 2].decode("utf-16-le")
            for e in message.entities if isinstance(e, types.MessageEntityBold)]


def struck(message: SentMessage) -> list[str]:
    units = message.text.encode("utf-16-le")
    return [units[e.offset * 2:(e.offset + e.length) * 2].decode("utf-16-le")
            for e in message.entities if isinstance(e, types.MessageEntityStrike)]


async def press(bot: Bot, user: Account, message: SentMessage) -> list[SentMessage]:
    before = len(bot.sent(user))
    bot.world.press_button(user, message)
    await bot.wait(lambda: len(bot.sent(user)) > before)
    return bot.sent(user)[before:]


async def expect_replies(bot: Bot, user: Account, expected: dict[str, str]) -> None:
    """Each command gets one reply containing its expected text (and is no error)."""
    for command, text in expected.items():
        (reply,) = await bot.say(user, command)
        assert text in reply.text, (command, reply.text)
        assert "went wrong" not in reply.text, command


@pytest.fixture
def alice(world: FakeWorld) -> Account:
    return world.create_user("alice")


def config_for(user: Account, **bot: Any) -> Any:
    return make_config(admins=[user.id], commands_per_minute=1000, **bot)


@pytest.fixture
async def bot(world: FakeWorld, clients: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
              alice: Account) -> AsyncIterator[Bot]:
    """The running bot with alice as its admin, over the query test archive."""
    async with running_bot(world, clients, tmp_path / "a.db", monkeypatch,
                           config=config_for(alice)) as running:
        await fill(running.archive)
        yield running


async def test_search_pages_with_the_button_and_with_more(bot: Bot, alice: Account) -> None:
    (first,) = await bot.say(alice, "/search токаев")
    # 12 Russian posts and the Kazakh one: Тоқаев folds onto токаев.
    assert "Search: токаев — 1–10 of 13" in first.text
    assert "Токаев" in bold(first) and "t.me/news24/11" in first.text
    assert first.buttons == (("More ▸", first.buttons[0][1]),)
    (second,) = await press(bot, alice, first)
    assert "— 11–13 of 13" in second.text and "Тоқаев" in bold(second)
    assert "t.me/kazakh_voice/1" in second.text and not second.buttons
    assert bot.world.callback_answers  # the button's spinner was stopped
    (again,) = await bot.say(alice, "/search токаев")
    (more,) = await bot.say(alice, "/more")
    assert more.text == second.text != again.text


async def test_more_after_the_last_page_never_goes_back_to_an_older_listing(
        bot: Bot, alice: Account) -> None:
    await bot.say(alice, "/search токаев")  # two pages
    (last,) = await bot.say(alice, "/more")
    assert "— 11–13 of 13" in last.text
    (after,) = await bot.say(alice, "/more")
    assert after.text == "That was the last page of “Search: токаев”; nothing more to show."
    # A one-page search after a longer one: /more is about the newest, not the older one.
    await bot.say(alice, "/search токаев")
    (single,) = await bot.say(alice, "/search ветер")
    assert "1 of 1" in single.text
    (more,) = await bot.say(alice, "/more")
    assert more.text == "That was the last page of “Search: ветер”; nothing more to show."


async def test_search_filters_narrow_the_results(bot: Bot, alice: Account) -> None:
    expectations = {
        "/search токаев lang:kk": "1 of 1",
        "/search токаев channel:@kazakh_voice": "1 of 1",
        "/search токаев channel:https://t.me/news24": "1–10 of 12",
        "/search токаев deleted:yes": "1 of 1",
        "/search ветер edited:yes": "1 of 1",
        "/search ветер edited:no": "Nothing matches",
        "/search group:politics since:2026-02-27": "1–2 of 2",
        "/search токаев until:2026-02-22": "1–4 of 4",
        "/search deleted:yes": "1 of 1",
    }
    await expect_replies(bot, alice, expectations)
    (reply,) = await bot.say(alice, "/search токаев chanel:@news24")
    assert "did you mean channel:?" in reply.text and "Usage: /search" in reply.text
    (reply,) = await bot.say(alice, "/search токаев channel:@news25")
    assert "did you mean @news24?" in reply.text
    (reply,) = await bot.say(alice, "/search токаев lang:russian")
    assert "1–10 of 12" in reply.text
    (reply,) = await bot.say(alice, "/search токаев lang:xx")
    assert "unknown language 'xx'" in reply.text


async def test_search_takes_a_group_the_config_has_since_dropped(
        world: FakeWorld, clients: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        alice: Account) -> None:
    # The archive's posts matched "politics" under an older config: the group still filters.
    config = config_for(alice)
    config = config.model_copy(update={"keywords": {"fires": config.keywords["fires"]}})
    async with running_bot(world, clients, tmp_path / "a.db", monkeypatch,
                           config=config) as bot:
        await fill(bot.archive)
        (reply,) = await bot.say(alice, "/search group:politics since:2026-02-27")
        assert "1–2 of 2" in reply.text, reply.text
        (reply,) = await bot.say(alice, "/search токаев group:politic")
        assert "did you mean politics?" in reply.text
        assert "/keywords lists them; the archive also holds politics" in reply.text


async def test_post_shows_every_version_with_a_word_diff_and_the_deletion(
        bot: Bot, alice: Account) -> None:
    (reply,) = await bot.say(alice, "/post https://t.me/news24/20")
    assert "3 versions" in reply.text and "original · 01.03" in reply.text
    assert "edit 1 · 01.03 12:00" in reply.text and "edit 2" in reply.text
    changes = [b.strip() for b in bold(reply)]
    assert "сильный" in changes and "ливень" in changes
    assert "дождь" in struck(reply)
    (topic,) = await bot.say(alice, "/post https://t.me/news24/5/20")  # a forum topic's link
    assert topic.text == reply.text
    (reply,) = await bot.say(alice, "/post @news24 12")
    assert "deleted · noticed 01.03 14:00" in reply.text and "112 views" in reply.text
    assert "keyword groups: politics" in reply.text
    (reply,) = await bot.say(alice, "/post @news24 999")
    assert "post 999 of Новости <i>24</i> & Co is not in the archive" in reply.text


async def test_latest_edits_deleted_channels_stats_and_keywords(bot: Bot, alice: Account) -> None:
    (reply,) = await bot.say(alice, "/latest @kazakh_voice 1")
    assert "Latest in Қазақ үні 🇰🇿 — 1 of 2" in reply.text and reply.buttons
    assert "t.me/kazakh_voice/2" in reply.text
    (reply,) = await bot.say(alice, "/edits @news24")
    assert "Edited posts in" in reply.text and "edit 2" in reply.text
    assert struck(reply) == ["сильный дождь"] or "дождь" in struck(reply)[0]
    (reply,) = await bot.say(alice, "/deleted")
    assert "t.me/news24/12" in reply.text and "deleted · noticed" in reply.text
    (reply,) = await bot.say(alice, "/edits 2026-03-01")
    assert "Edited posts since 01.03 00:00" in reply.text and "t.me/news24/20" in reply.text
    (reply,) = await bot.say(alice, "/channels")
    assert "Channels (2)" in reply.text and "13 posts" in reply.text
    assert "Қазақ үні" in reply.text and "read never" in reply.text
    (reply,) = await bot.say(alice, "/stats 14")
    assert "Last 14 days: 15 posts in 2 channels" in reply.text
    assert "ru 87%" in reply.text and "politics 13" in reply.text
    (reply,) = await bot.say(alice, "/stats 0")
    assert "between 1 and 366" in reply.text
    (reply,) = await bot.say(alice, "/keywords")
    assert "fires (alert): пожар" in reply.text and "politics: Токаев" in reply.text


async def test_absurd_moments_and_day_counts_get_a_clear_refusal(
        bot: Bot, alice: Account) -> None:
    replies = {
        "/search токаев since:999999d": "since: '999999d': too far back",
        "/search токаев until:99999999999w": "until: '99999999999w': too far back",
        "/search токаев since:2026-02-30": "no such date or time",
        # Both ends before Telegram: a window that holds nothing, not a reversed one.
        "/search токаев since:2010-01-01 until:2012-01-01": "Nothing matches.",
        "/search токаев since:3000d until:2000d": "Nothing matches.",
        "/search токаев since:2012-01-01 until:2010-01-01": "since: must be before until:",
        # The last word reads as an age, so it is reported as one, not as a channel name.
        "/edits @news24 999999d": "since '999999d': too far back",
        "/deleted @news24 0000-01-01": "since '0000-01-01': too far back",
        # /search's spelling of a start works in /edits and /deleted too.
        "/deleted since:2026-02-01": "Deleted posts since 01.02",
        "/edits @news24 since:2026-02-01": "Edited posts in Новости",
        "/edits @news24 since:soon": "since 'soon': use a date",
        "/stats 0100000000": "between 1 and 366",
        "/stats 0366": "Last 366 days",
    }
    await expect_replies(bot, alice, replies)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


async def test_trend_sends_a_png_chart_as_a_photo(bot: Bot, alice: Account) -> None:
    (photo,) = await bot.say(alice, "/trend politics 14")
    assert photo.media_kind == "photo" and photo.media is not None
    assert png_size(photo.media) == (1200, 800)
    assert "politics (group), last 14 days" in photo.text and "13 posts" in photo.text
    (photo,) = await bot.say(alice, "/trend ветер 14 @news24")
    assert photo.media_kind == "photo" and "ветер (term)" in photo.text
    assert "1 posts" in photo.text
    (reply,) = await bot.say(alice, "/trend")
    assert "name a keyword group or a word" in reply.text and reply.media is None


async def test_strangers_are_refused_in_private_and_in_a_group(bot: Bot, alice: Account) -> None:
    stranger = bot.world.create_user("stranger")
    for command in ("/search токаев", "/post @news24 1", "/trend politics", "/channels",
                    "/latest", "/edits", "/stats", "/keywords", "/more"):
        (reply,) = await bot.say(stranger, command)
        assert reply.text.startswith("Subscriptions on this bot are limited"), command
    (start,) = await bot.say(stranger, "/start")
    assert "Новости" not in start.text and "politics" not in start.text
    group = bot.world.create_group("analysts", members=[alice, stranger, bot.account])
    bot.world.user_sends_to_group(stranger, group, "/search токаев")
    await bot.wait(lambda: len(bot.sent(group)) == 1)
    assert bot.sent(group)[0].text.startswith("Subscriptions on this bot are limited")
    bot.world.user_sends_to_group(alice, group, "/search@tgmon_bot токаев")
    await bot.wait(lambda: len(bot.sent(group)) == 2)
    answer = bot.sent(group)[1]
    assert "1–10 of 13" in answer.text
    bot.world.press_button(stranger, answer)  # a stranger's press is refused too
    await bot.wait(lambda: len(bot.sent(group)) == 3)
    assert bot.sent(group)[2].text.startswith("Subscriptions on this bot are limited")
    bot.world.user_sends_to_group(stranger, group, "/subscriptions")
    await bot.wait(lambda: len(bot.sent(group)) == 4)
    assert bot.sent(group)[3].text.startswith("Subscriptions on this bot are limited")


async def test_too_many_commands_get_one_slow_down_then_silence(
        world: FakeWorld, clients: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        alice: Account) -> None:
    config = make_config(admins=[alice.id], commands_per_minute=3)
    async with running_bot(world, clients, tmp_path / "a.db", monkeypatch,
                           config=config) as bot:
        for _ in range(3):
            (reply,) = await bot.say(alice, "/keywords")
            assert reply.text.startswith("Keyword groups")
        (reply,) = await bot.say(alice, "/keywords")
        assert reply.text.startswith("Slow down: at most 3 commands a minute.")
        before = len(bot.sent(alice))
        world.user_sends_to_bot(alice, "/keywords", bot=bot.account)
        for _ in range(20):
            await bot.advance(0)
        assert len(bot.sent(alice)) == before


async def test_unknown_commands_and_bad_arguments_get_usage_help(
        world: FakeWorld, clients: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        alice: Account) -> None:
    async with running_bot(world, clients, tmp_path / "a.db", monkeypatch,
                           config=config_for(alice)) as bot:
        (reply,) = await bot.say(alice, "/lates")
        assert "Unknown command /lates. Did you mean /latest?" in reply.text
        assert "/trend <group | term>" in reply.text
        (reply,) = await bot.say(alice, "/latest @news24 500")
        assert "n must be between 1 and 10" in reply.text
        assert "Usage: /latest [@channel] [n]" in reply.text
        (reply,) = await bot.say(alice, "/latest <b>x</b>")
        assert "no stored channel is called '<b>x</b>'" in reply.text and not bold(reply)


async def test_a_post_too_long_for_one_message_also_comes_as_a_text_file(
        bot: Bot, alice: Account) -> None:
    from datetime import timedelta

    from tests.bot.harness import NEWS
    from tests.bot.query_data import DAY0, item

    for n in range(12):  # twelve long edits: far more than 4,096 characters in all
        text = f"Версия {n}: " + " ".join(f"слово{n}x{i}" for i in range(80))
        await bot.archive.store_posts([item(NEWS, 30, text, day=9,
                                            edit=DAY0 + timedelta(days=9, minutes=n))])
    before = len(bot.sent(alice))
    bot.world.user_sends_to_bot(alice, "/post @news24 30", bot=bot.account)
    await bot.wait(lambda: len(bot.sent(alice)) >= before + 2)
    summary, document = bot.sent(alice)[before:before + 2]
    assert "12 versions" in summary.text and "more versions in the file" in summary.text
    assert document.media_kind == "document" and document.media is not None
    assert document.filename == "post-1000000001-30.txt"
    full = document.media.decode()
    assert full.count("--- edit") == 11 and "Версия 11:" in full
    assert document.text == "Every version of post 30, in full"
