"""The bot's replies, as Telethon parses them, and who may subscribe."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from telethon.extensions import html

from bot.commands import (
    format_help,
    format_latest,
    format_not_allowed,
    format_search_results,
    format_start,
    format_subscribed,
    format_subscriptions,
    format_unsubscribed,
    may_subscribe,
)
from bot.domain import Channel
from tests.digest.posts import post

ALMATY = ZoneInfo("Asia/Almaty")


def visible(reply: str) -> str:
    text = html.parse(reply)[0]
    assert len(text.encode("utf-16-le")) // 2 <= 4096
    return text


def test_start_lists_channels_and_groups_and_how_to_subscribe() -> None:
    channels = [Channel(-1001, "Казахстан <сегодня>", "kz_today"), Channel(-1002, "Orda & Co")]
    text = visible(format_start(channels, ["economy", "elections"], can_subscribe=True))
    assert "Казахстан <сегодня> (@kz_today); Orda & Co" in text
    assert "Keyword groups (2)\neconomy; elections" in text
    assert "/subscribe economy" in text


def test_start_for_a_user_who_may_not_subscribe_says_so_politely() -> None:
    text = visible(format_start([], [], can_subscribe=False))
    assert "limited to its admins" in text
    assert "/subscribe to get" not in text


def test_start_with_thousands_of_channels_stays_one_message() -> None:
    channels = [Channel(-1000 - i, "Очень длинное название канала " * 5) for i in range(3000)]
    text = visible(format_start(channels, [f"g{i}" for i in range(500)], can_subscribe=True))
    assert "more" in text


def test_help_lists_every_command() -> None:
    text = visible(format_help())
    for command in ("/start", "/help", "/subscribe", "/unsubscribe", "/subscriptions",
                    "/digest", "/search", "/latest"):
        assert command in text


def test_refusal_is_polite_and_says_what_to_do() -> None:
    assert "ask the person who runs it" in visible(format_not_allowed())


def test_subscription_replies_name_the_groups_or_say_every_group() -> None:
    assert "Subscribed to economy, elections." in visible(format_subscribed(["economy",
                                                                             "elections"]))
    assert "Subscribed to every keyword group." in visible(format_subscribed([]))
    text = visible(format_unsubscribed(["economy"], remaining=["elections"]))
    assert "Unsubscribed from economy. Still subscribed to elections." in text
    assert "no digests now" in visible(format_unsubscribed([], remaining=None))


def test_subscriptions_show_times_in_the_chat_timezone() -> None:
    text = visible(format_subscriptions(
        ["security"], tz=ALMATY, last_digest=datetime(2025, 3, 1, 4, tzinfo=UTC),
        next_digest=datetime(2025, 3, 2, 4, tzinfo=UTC)))
    assert "Last digest: 01.03 09:00 (Asia/Almaty)" in text
    assert "Next digest: 02.03 09:00 (Asia/Almaty)" in text


def test_chat_without_subscription_is_told_how_to_start() -> None:
    assert "/subscribe" in visible(format_subscriptions(None, tz=ALMATY))


def test_search_results_show_the_posts_and_the_query_literally() -> None:
    [reply] = format_search_results([post(5, text="Нефть & газ <b>"), post(6, channel=2)],
                                    query="нефть <b>", tz=ALMATY)
    text = visible(reply)
    assert text.startswith("Search: нефть <b>\n")
    assert "Нефть & газ <b>" in text
    assert "Other posts" not in text  # a flat list, not sections


def test_search_with_no_hits_says_so() -> None:
    [reply] = format_search_results([], query="xyz", tz=ALMATY)
    assert "Nothing matches." in visible(reply)


def test_latest_names_the_channel() -> None:
    [reply] = format_latest([post(1)], channel="@chan1", tz=ALMATY)
    assert visible(reply).startswith("Latest in @chan1")


@pytest.mark.parametrize(("user", "admins", "allowed", "expected"), [
    (1, {1}, set(), True),     # an admin, with no allow-list
    (2, {1}, set(), False),    # empty allow-list means admins only
    (2, {1}, {2}, True),       # listed
    (3, {1}, {2}, False),      # not listed
    (1, {1}, {2}, True),       # admins stay allowed when a list exists
])
def test_who_may_subscribe(user: int, admins: set[int], allowed: set[int],
                           expected: bool) -> None:
    assert may_subscribe(user, admins=admins, allowed_users=allowed) is expected
