"""What a digest looks like once Telethon has parsed its HTML."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from telethon.tl.types import MessageEntityTextUrl

from bot.digest import alert_message, render_digest
from bot.digest.text import clean, cut_snippet
from tests.digest.posts import digest, parsed, post

INJECTIONS = [
    "<b>bold</b> & co",
    "</a></b></i> closing tags",
    '<a href="javascript:alert(1)">click</a>',
    "<a href=javascript:alert(1)>x",
    "&amp; &lt; &#x27; &nbsp; entity soup",
    "<script>alert(1)</script><pre>",
    "5 < 6 > 4 \" ' `",
]


def only_ours(entities: list[object]) -> bool:
    urls = [e.url for e in entities if isinstance(e, MessageEntityTextUrl)]
    return all(url.startswith("https://t.me/") for url in urls)


@pytest.mark.parametrize("payload", INJECTIONS)
def test_markup_in_text_title_and_terms_comes_out_literally(payload: str) -> None:
    from bot.domain import KeywordHit

    evil = post(1, text=payload, channel_title=payload, groups=("g",),
                hits=(KeywordHit("g", payload, payload),))
    [part] = render_digest(digest([evil]))
    text, entities = parsed(part)
    assert text.count(payload) == 3  # the title, the matched term and the snippet
    assert only_ours(entities)


@settings(max_examples=200, deadline=None)
@given(text=st.text(min_size=1, max_size=400), title=st.text(max_size=60))
def test_any_post_text_survives_parsing_unchanged(text: str, title: str) -> None:
    [part] = render_digest(digest([post(1, text=text, channel_title=title or "t")]))
    visible, entities = parsed(part)
    assert cut_snippet(text) in visible or not clean(text)
    assert only_ours(entities)


def test_lone_surrogate_in_text_renders_as_replacement_character() -> None:
    [part] = render_digest(digest([post(1, text="broken \udc80 emoji here")]))
    assert "broken \ufffd emoji here" in parsed(part)[0]
    part.encode("utf-8")  # would raise if the surrogate had been kept


def test_snippet_is_cut_at_a_word_boundary_near_300_characters() -> None:
    words = " ".join(f"слово{i}" for i in range(200))
    snippet = cut_snippet(words)
    assert 250 <= len(snippet) <= 300
    assert snippet.endswith("…")
    assert snippet[:-1].split(" ")[-1] in words.split(" ")  # last word is whole


def test_short_text_is_kept_whole_with_whitespace_collapsed() -> None:
    assert cut_snippet("  Первая строка\n\n  вторая\tстрока ") == "Первая строка вторая строка"


def test_text_without_spaces_is_cut_hard_but_not_inside_a_combined_letter() -> None:
    text = "й" * 298 + "и\u0306" * 10  # й written as и + combining breve
    snippet = cut_snippet(text)
    assert snippet.endswith("…")
    assert not snippet[:-1].endswith("и")  # the breve was not cut off its letter
    assert len(snippet) <= 300


def test_link_uses_the_username_when_the_channel_has_one() -> None:
    [part] = render_digest(digest([post(42, channel=1)]))
    assert '<a href="https://t.me/chan1/42">' in part


def test_link_uses_the_c_form_for_a_channel_without_username() -> None:
    private = post(42, channel_id=-1001234567890, channel_username=None)
    [part] = render_digest(digest([private]))
    urls = [e.url for e in parsed(part)[1] if isinstance(e, MessageEntityTextUrl)]
    assert urls == ["https://t.me/c/1234567890/42"]


def test_times_are_shown_in_the_chat_timezone() -> None:
    # T0 is 03:00 UTC: 08:00 in Tashkent (UTC+5), 05:00 in Kyiv (UTC+2 in winter).
    [tashkent] = render_digest(digest([post(1, minutes=15)]))
    [kyiv] = render_digest(digest([post(1, minutes=15)], tz=ZoneInfo("Europe/Kyiv")))
    assert "• 08:15 · ru" in parsed(tashkent)[0]
    assert "• 05:15 · ru" in parsed(kyiv)[0]
    assert "(Asia/Tashkent)" in parsed(tashkent)[0]


def test_item_times_carry_the_date_when_the_window_crosses_midnight() -> None:
    [part] = render_digest(digest([post(1, minutes=15)], hours=30))
    assert "• 01.03 08:15 · ru" in parsed(part)[0]


def test_summer_time_is_applied_to_posts_after_the_change() -> None:
    summer = post(1, minutes=60 * 24 * 40)  # 10 April: Kyiv is on UTC+3
    [part] = render_digest(digest([summer], tz=ZoneInfo("Europe/Kyiv"), hours=24 * 41))
    assert "• 10.04 06:00 · ru" in parsed(part)[0]


def test_edited_and_deleted_posts_are_marked() -> None:
    [part] = render_digest(digest([post(1, edit_count=1), post(2, deleted=True, minutes=1)]))
    first, second = parsed(part)[0].split("• ")[1:]
    assert "edited" in first and "deleted" not in first
    assert "deleted" in second and "edited" not in second


def test_duplicates_show_where_else_they_appeared() -> None:
    text = "Правительство объявило о повышении тарифов с первого апреля"
    posts = [post(1, channel=1, text=text, content_hash="x"),
             post(7, channel=2, text=text, content_hash="x", minutes=1)]
    [part] = render_digest(digest(posts))
    visible, entities = parsed(part)
    assert "also in: Channel 2" in visible
    assert visible.count(text) == 1
    assert "https://t.me/chan2/7" in [getattr(e, "url", None) for e in entities]


def test_many_copies_are_summarised_after_five() -> None:
    text = "Одна и та же новость разошлась по всем каналам региона"
    posts = [post(1, channel=c, text=text, content_hash="x", minutes=c) for c in range(1, 10)]
    [part] = render_digest(digest(posts))
    assert "+3 more" in parsed(part)[0]


def test_channel_and_section_headings_give_counts() -> None:
    posts = [post(i, channel=1, groups=("economy",)) for i in range(1, 4)]
    [part] = render_digest(digest(posts))
    visible = parsed(part)[0]
    assert "▌ #economy · 3 items" in visible
    assert "Channel 1 · 3" in visible


def test_empty_digest_is_skipped_when_configured_so() -> None:
    assert render_digest(digest([], empty="skip")) == []


def test_empty_digest_says_nothing_new_when_configured_so() -> None:
    [part] = render_digest(digest([post(1)], groups=["elections"], empty="notice"))
    assert "Nothing new." in parsed(part)[0]


def test_alert_batches_several_posts_into_one_message() -> None:
    posts = [post(i, channel=i, groups=("security",)) for i in (1, 2, 3)]
    [message] = alert_message(posts, tz=ZoneInfo("Asia/Almaty"))
    visible = parsed(message)[0]
    assert visible.startswith("🔔 Keyword alert")
    assert all(f"Channel {i}" in visible for i in (1, 2, 3))


def test_alert_with_no_matching_post_sends_nothing() -> None:
    assert alert_message([], tz=ZoneInfo("UTC")) == []
    assert alert_message([post(1)], tz=ZoneInfo("UTC"), groups=["security"]) == []


def test_a_group_limited_header_counts_only_the_posts_of_its_groups() -> None:
    from bot.digest.render import intro

    politics = [post(i, groups=("politics",), text=f"Политика {i}") for i in range(1, 3)]
    album = [post(10, text="", grouped_id=7, media=("photo",)),
             post(11, text="Фото с митинга", grouped_id=7, media=("photo",),
                  groups=("politics",)),
             post(12, text="", grouped_id=7, media=("video",))]
    others = [post(100 + i, channel=2, groups=("sport",), text=f"Спорт {i}") for i in range(50)]
    built = digest([*politics, *album, *others], groups=["politics"])
    text, _ = parsed(intro(built).html)
    assert "3 items from 1 channel (5 posts before folding albums and copies)" in text
