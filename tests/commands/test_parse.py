"""Parsing what users type to the bot."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from telethon.extensions import html

from bot.commands import (
    CommandError,
    DigestNow,
    Help,
    Latest,
    Search,
    Start,
    Subscribe,
    Subscriptions,
    Unsubscribe,
    parse_command,
)

GROUPS = ["elections", "economy", "security"]


def parse(text: str, *, bot: str | None = "tgmon_bot") -> object:
    return parse_command(text, bot_username=bot, known_groups=GROUPS)


def reply_text(result: object) -> str:
    assert isinstance(result, CommandError), result
    return html.parse(result.reply)[0]


@pytest.mark.parametrize(("text", "expected"), [
    ("/start", Start()),
    ("/start deeplink-payload", Start()),
    ("/help", Help()),
    ("/subscriptions", Subscriptions()),
    ("/digest", DigestNow()),
    ("/subscribe", Subscribe(())),
    ("/subscribe all", Subscribe(())),
    ("/subscribe elections", Subscribe(("elections",))),
    ("/subscribe Elections, #economy elections", Subscribe(("elections", "economy"))),
    ("/unsubscribe all", Unsubscribe(())),
    ("/unsubscribe security", Unsubscribe(("security",))),
    ("/search Токаев выборы", Search("Токаев выборы")),
    ("/latest", Latest(None)),
    ("/latest @kaz_news", Latest("@kaz_news")),
    ("/latest  Новости   Казахстана ", Latest("Новости Казахстана")),
])
def test_commands_become_requests(text: str, expected: object) -> None:
    assert parse(text) == expected


def test_command_addressed_to_this_bot_is_understood_in_any_case() -> None:
    assert parse("/subscribe@TgMon_Bot economy") == Subscribe(("economy",))
    assert parse("/HELP@tgmon_bot") == Help()


def test_command_addressed_to_another_bot_is_ignored() -> None:
    assert parse("/start@other_bot") is None


def test_addressed_command_is_accepted_when_our_username_is_unknown() -> None:
    assert parse("/help@whoever", bot=None) == Help()


def test_arguments_may_follow_a_newline_or_a_no_break_space() -> None:
    assert parse("/search\nнефть") == Search("нефть")
    assert parse("/subscribe\u00a0economy") == Subscribe(("economy",))


@pytest.mark.parametrize("text", ["", "   ", "hello", "Токаев", "/", "/r/python is fun", "/ start"])
def test_text_that_is_not_a_command_yields_nothing(text: str) -> None:
    assert parse(text) is None


def test_unknown_command_suggests_the_closest_and_lists_all() -> None:
    text = reply_text(parse("/subscrbe economy"))
    assert "Unknown command /subscrbe" in text
    assert "Did you mean /subscribe?" in text
    assert "/latest" in text


def test_unknown_group_names_the_groups_that_exist() -> None:
    text = reply_text(parse("/subscribe electons"))
    assert "There is no group electons" in text
    assert "Did you mean elections?" in text
    assert "Groups: economy, elections, security" in text


def test_unknown_group_with_no_groups_configured_explains_why() -> None:
    result = parse_command("/subscribe x", bot_username=None, known_groups=[])
    assert "No keyword groups are configured" in reply_text(result)


def test_unsubscribe_without_names_asks_which_instead_of_dropping_all() -> None:
    assert "/unsubscribe all" in reply_text(parse("/unsubscribe"))


def test_search_without_words_explains_usage() -> None:
    assert "Usage: /search" in reply_text(parse("/search   "))


def test_overlong_search_is_refused() -> None:
    assert "keep it under" in reply_text(parse("/search " + "слово " * 100))


def test_markup_in_an_unknown_command_or_group_is_echoed_literally() -> None:
    assert "<b>x</b>" in reply_text(parse("/subscribe <b>x</b>"))
    assert "no group &amp&lt" in reply_text(parse("/subscribe &amp&lt"))
    assert reply_text(parse("/привет")).startswith("Unknown command /привет")


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_parse_command_never_raises(text: str) -> None:
    result = parse_command(text, bot_username="tgmon_bot", known_groups=GROUPS)
    if isinstance(result, CommandError):
        html.parse(result.reply)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["/subscribe ", "/unsubscribe ", "/search ", "/latest ", "/x@", "/"]),
       st.text())
def test_commands_with_arbitrary_arguments_never_raise(head: str, rest: str) -> None:
    result = parse_command(head + rest, bot_username=None, known_groups=GROUPS)
    if isinstance(result, CommandError):
        text = html.parse(result.reply)[0]
        assert len(text.encode("utf-16-le")) // 2 <= 4096
