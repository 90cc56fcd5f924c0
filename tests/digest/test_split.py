"""Splitting a long digest into numbered messages Telegram accepts, checked with Telethon."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.digest import Digest, DigestItem, render_digest
from bot.digest.model import ChannelBlock, DigestSection
from tests.digest.posts import T0, TASHKENT, digest, parsed, post, units

LIMIT = 4096


def marked_post(i: int, *, channel: int, words: int = 45, word: str = "слово",
                **fields: object) -> object:
    """A post whose snippet starts with START<i> and, if whole, ends with END<i>."""
    body = " ".join([word] * words)
    return post(i, channel=channel, minutes=i, text=f"START{i} {body} END{i}", **fields)


def assert_parts_are_sound(parts: list[str], *, limit: int = LIMIT) -> list[str]:
    texts = []
    for part in parts:
        text, entities = parsed(part)
        assert units(text) <= limit
        assert len(entities) <= 100
        texts.append(text)
    return texts


def test_long_digest_splits_into_parts_under_the_limit_without_cutting_items() -> None:
    posts = [marked_post(i, channel=1 + i % 4, groups=("g",) if i % 3 else ())
             for i in range(300)]
    parts = render_digest(digest(posts))
    texts = assert_parts_are_sound(parts)
    assert len(parts) > 5
    for i in range(300):
        holding = [t for t in texts if f"START{i} " in t]
        assert len(holding) == 1, i
        assert re.search(rf"START{i} [^•]*END{i}", holding[0]), i  # whole item, one part


def test_parts_are_numbered_in_order() -> None:
    parts = render_digest(digest([marked_post(i, channel=1) for i in range(100)]))
    n = len(parts)
    assert n > 1
    for number, part in enumerate(parts, 1):
        assert parsed(part)[0].startswith(f"Daily ({number}/{n})\n")


def test_single_part_digest_has_no_numbering() -> None:
    [part] = render_digest(digest([post(1)]))
    assert parsed(part)[0].startswith("Daily\n")


def test_numbering_that_grows_to_two_digits_still_fits() -> None:
    # Emoji take two units each, so one item fills a part; "(10/14)" must fit too.
    posts = [marked_post(i, channel=1, words=55, word="😀😀😀😀") for i in range(14)]
    parts = render_digest(digest(posts), limit=1024)
    assert len(parts) >= 10
    texts = assert_parts_are_sound(parts, limit=1024)
    assert texts[-1].startswith(f"Daily ({len(parts)}/{len(parts)})")


def test_continued_part_repeats_the_group_and_channel_headings() -> None:
    parts = render_digest(digest([marked_post(i, channel=1, groups=("economy",))
                                  for i in range(40)]))
    second = parsed(parts[1])[0]
    assert "▌ #economy (continued)" in second
    assert "Channel 1 (continued)" in second


def test_every_item_lands_under_its_own_channel_heading() -> None:
    posts = [marked_post(i, channel=1 + i % 3) for i in range(90)]
    for text in assert_parts_are_sound(render_digest(digest(posts))):
        current = None
        for line in text.splitlines():
            if line.startswith("Channel "):
                current = line.split(" ")[1]
            if line.startswith("START"):
                i = int(line.split(" ")[0].removeprefix("START"))
                assert current == str(1 + i % 3)


def test_many_tiny_posts_keep_each_part_within_100_entities() -> None:
    posts = [post(i, channel=i % 7, text=f"#{i}", groups=("g",), minutes=i, deleted=True)
             for i in range(400)]
    parts = render_digest(digest(posts))
    assert_parts_are_sound(parts)
    assert len(parts) > 1


def test_astral_characters_count_as_two_units() -> None:
    posts = [post(i, channel=1, text="😀 " * 140, content_hash=f"e{i}") for i in range(60)]
    parts = render_digest(digest(posts))
    texts = assert_parts_are_sound(parts)
    assert max(units(t) for t in texts) > max(len(t) for t in texts)


def test_oversized_item_has_its_snippet_shortened_to_fit() -> None:
    huge = DigestItem(
        channel_id=-1001, msg_id=1, channel_title="Big", date=T0, lang="ru", terms=(),
        other_groups=(), snippet="длинный текст " * 800, link="https://t.me/big/1",
        edited=False, deleted=False, media=(), album_size=1, also_in=(),
    )
    d = Digest("Daily", T0, T0 + timedelta(hours=1), TASHKENT,
               (DigestSection(None, (ChannelBlock(-1001, "Big", (huge,)),)),), "skip", 1)
    [part] = render_digest(d)
    text = assert_parts_are_sound([part])[0]
    assert "длинный текст" in text and "…" in text
    assert "t.me/big/1" in text  # the link survives the cut


def test_limit_below_the_minimum_is_refused() -> None:
    with pytest.raises(ValueError, match="minimum"):
        render_digest(digest([post(1)]), limit=500)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 5), st.text(max_size=500), st.booleans()),
                min_size=1, max_size=60))
def test_any_digest_fits_and_shows_every_item_once(rows: list[tuple[int, str, bool]]) -> None:
    posts = [post(i, channel=c, text=t, deleted=d, minutes=i, content_hash="")
             for i, (c, t, d) in enumerate(rows)]
    parts = render_digest(digest(posts), limit=1024)
    links = [e.url for part in parts for e in parsed(part)[1] if hasattr(e, "url")]
    assert_parts_are_sound(parts, limit=1024)
    assert sorted(links) == sorted(p.link for p in posts)
