"""A digest's cap: which items stay, how what was left out is counted, and that parts still fit."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.digest import ALERT_MAX_ITEMS, Digest, alert_message, render_digest
from bot.digest.render import MORE_HINT
from bot.domain import StoredPost
from tests.digest.posts import digest, items_of, parsed, post, units
from tests.digest.test_split import assert_parts_are_sound, marked_post

MORE = re.compile(r"…and [\d,]+ more items?")


def grouped(msg_id: int, group: str | None, *, channel: int = 1) -> StoredPost:
    """A post ``msg_id`` minutes after T0 (so a higher id is newer) in ``group``, or in none."""
    return post(msg_id, channel=channel, minutes=msg_id, groups=(group,) if group else ())


def visible(parts: list[str]) -> str:
    return "".join(parsed(part)[0] for part in parts)


def shown_ids(d: Digest) -> set[int]:
    return {item.msg_id for item in items_of(d)}


def test_the_cap_bounds_the_items_shown_and_counts_the_rest() -> None:
    d = digest([grouped(i, "g" if i % 2 else None) for i in range(1, 301)], max_items=50)
    assert d.item_count == 50
    assert d.omitted == 250
    assert d.total_items == 300


def test_a_digest_within_its_cap_is_unchanged_and_has_no_more_line() -> None:
    posts = [grouped(i, "g" if i % 2 else None, channel=1 + i % 3) for i in range(1, 41)]
    assert render_digest(digest(posts, max_items=40)) == render_digest(digest(posts))
    assert "more item" not in visible(render_digest(digest(posts, max_items=40)))


def test_the_more_line_is_exact() -> None:
    posts = ([grouped(i, "president") for i in range(1, 21)]
             + [grouped(i, "economy") for i in range(21, 31)]
             + [grouped(i, None) for i in range(31, 61)])
    parts = render_digest(digest(posts, groups=None, max_items=10))
    last_line = parsed(parts[-1])[0].rstrip("\n").splitlines()[-1]
    # Economy and president share 10 (5 each); the 30 other posts get no room.
    assert last_line == (f"…and 50 more items (5 in #economy, 15 in #president, 30 other)"
                         f" — {MORE_HINT}.")


def test_one_left_out_item_is_singular() -> None:
    parts = render_digest(digest([grouped(1, "g"), grouped(2, "g")], max_items=1))
    assert "…and 1 more item (1 in #g) — " in visible(parts)


def test_other_posts_are_dropped_before_any_group_item() -> None:
    posts = [grouped(i, "g") for i in range(1, 8)] + [grouped(i, None) for i in range(8, 100)]
    d = digest(posts, max_items=10)
    assert shown_ids(d) == set(range(1, 8)) | {99, 98, 97}  # all 7 group items, 3 newest others
    other = next(s for s in d.sections if s.group is None)
    assert (other.count, other.omitted) == (3, 89)


def test_other_posts_section_without_room_is_not_rendered() -> None:
    posts = [grouped(i, "g") for i in range(1, 6)] + [grouped(i, None) for i in range(6, 20)]
    text = visible(render_digest(digest(posts, max_items=5)))
    assert "Other posts" not in text
    assert "(14 other)" in text


def test_groups_share_the_cap_so_a_noisy_group_cannot_crowd_out_a_quiet_one() -> None:
    quiet = [grouped(i, "quiet") for i in range(1, 4)]  # oldest of all
    noisy = [grouped(i, "noisy") for i in range(100, 400)]
    d = digest(quiet + noisy, max_items=20)
    counts = {s.group: s.count for s in d.sections}
    assert counts == {"quiet": 3, "noisy": 17}  # the quiet group's spare room went to noisy


def test_an_odd_unit_goes_to_the_group_that_comes_first() -> None:
    posts = [grouped(1000 * ord(g) + i, g) for g in ("b", "a", "c") for i in range(50)]
    alphabetical = digest(posts, max_items=10)
    assert [(s.group, s.count) for s in alphabetical.sections] == [("a", 4), ("b", 3), ("c", 3)]
    named = digest(posts, groups=["c", "b", "a"], max_items=11)
    assert [(s.group, s.count) for s in named.sections] == [("c", 4), ("b", 4), ("a", 3)]


def test_the_newest_items_of_a_group_stay_and_are_shown_oldest_first() -> None:
    posts = [grouped(i, "g", channel=1 + i % 2) for i in range(1, 31)]
    d = digest(posts, max_items=6)
    assert shown_ids(d) == set(range(25, 31))
    for block in d.sections[0].channels:
        dates = [item.date for item in block.items]
        assert dates == sorted(dates)


def test_counts_say_how_many_are_shown_of_how_many() -> None:
    posts = [grouped(i, "g", channel=1 + i % 3) for i in range(1, 31)]  # 10 per channel
    posts += [grouped(i, "g", channel=4) for i in range(1, 6)]  # channel 4: oldest, dropped
    d = digest(posts, max_items=6)
    text = visible(render_digest(d))
    assert "6 of 35 items shown from 4 channels" in text
    assert "▌ #g · 6 of 35 items" in text
    for channel in (1, 2, 3):
        assert f"Channel {channel} · 2 of 10" in text
    assert "Channel 4" not in text
    assert d.hidden_channels == 1
    section = d.sections[0]
    assert sum(b.total for b in section.channels) + 5 == section.total == d.total_items


def test_shown_counts_match_the_items_in_each_heading() -> None:
    posts = [grouped(i, ("a", "b", None)[i % 3], channel=1 + i % 4) for i in range(1, 200)]
    d = digest(posts, max_items=37)
    assert d.item_count == 37
    for section in d.sections:
        assert section.count == sum(len(b.items) for b in section.channels)
        assert section.total == section.count + section.omitted
        for block in section.channels:
            assert block.total == block.count + block.omitted
    assert sum(s.total for s in d.sections) == 199


def test_a_flat_digest_gives_the_total_without_a_breakdown() -> None:
    parts = render_digest(digest([grouped(i, None) for i in range(1, 30)], max_items=4,
                                 by_group=False))
    assert f"…and 25 more items — {MORE_HINT}." in visible(parts)


def test_a_cap_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        digest([post(1)], max_items=0)


def test_markup_in_group_names_is_escaped_in_the_more_line() -> None:
    posts = [grouped(i, "<b>&x") for i in range(1, 5)]
    [part] = render_digest(digest(posts, max_items=1))
    assert "&lt;b&gt;&amp;x" in part
    assert "(3 in #<b>&x)" in parsed(part)[0]


def test_many_cut_groups_are_summed_after_five() -> None:
    posts = [grouped(100 * g + i, f"g{g}") for g in range(8) for i in range(3)]
    text = visible(render_digest(digest(posts, max_items=8)))
    assert "…and 16 more items (2 in #g0, 2 in #g1, 2 in #g2, 2 in #g3, 2 in #g4, 6 elsewhere)" \
        in text


def test_a_capped_digest_still_splits_into_sound_numbered_parts() -> None:
    posts = [marked_post(i, channel=1 + i % 5, groups=("g",) if i % 4 else ())
             for i in range(2000)]
    parts = render_digest(digest(posts, max_items=300))  # type: ignore[arg-type]
    texts = assert_parts_are_sound(parts)
    assert len(parts) > 5
    n = len(parts)
    for number, text in enumerate(texts, 1):
        assert text.startswith(f"Daily ({number}/{n})\n")
    assert sum(t.count("START") for t in texts) == 300
    assert "300 of 2,000 items shown" in texts[0]  # thousands separated, as everywhere
    assert [bool(MORE.search(t)) for t in texts] == [False] * (n - 1) + [True]
    assert "…and 1,700 more items" in texts[-1]
    assert texts[-1].rstrip().endswith(f"{MORE_HINT}.")


def test_the_more_line_takes_a_part_of_its_own_when_the_last_part_is_full() -> None:
    for count in range(5, 40):
        posts = [marked_post(i, channel=1, words=40) for i in range(count)]
        parts = render_digest(digest(posts, max_items=count - 1))  # type: ignore[arg-type]
        texts = assert_parts_are_sound(parts)
        if "START" not in texts[-1]:
            assert MORE.search(texts[-1])
            assert len(parts) > 1
            return
    raise AssertionError("no last part was ever full")


@settings(max_examples=60, deadline=None)
@given(cap=st.integers(1, 120), sizes=st.lists(st.integers(0, 60), min_size=1, max_size=4),
       limit=st.sampled_from([1024, 2048, 4096]))
def test_any_cap_keeps_parts_sound_and_the_arithmetic_right(cap: int, sizes: list[int],
                                                            limit: int) -> None:
    posts: list[StoredPost] = []
    for index, size in enumerate(sizes):
        group = None if index == 3 else f"g{index}"
        for j in range(size):
            n = len(posts) + 1
            posts.append(post(n, channel=1 + j % 3, minutes=j, text=f"ITEM{n} новость",
                              groups=(group,) if group else ()))
    d = digest(posts, max_items=cap)
    total = len(posts)
    assert d.item_count == min(cap, total)
    assert d.total_items == total
    texts = assert_parts_are_sound(render_digest(d, limit=limit), limit=limit)
    joined = "".join(texts)
    assert len(re.findall(r"\nITEM\d+ ", joined)) == d.item_count
    more = MORE.findall(joined)
    assert more == ([f"…and {total - cap} more item{'s' if total - cap > 1 else ''}"]
                    if total > cap else [])
    assert all(units(t) <= limit for t in texts)


def test_an_alert_burst_shows_twenty_items_and_counts_the_rest() -> None:
    burst = [grouped(i, "security", channel=1 + i % 9) for i in range(1, 201)]
    parts = alert_message(burst, tz=ZoneInfo("Asia/Almaty"))
    texts = assert_parts_are_sound(parts)
    joined = "".join(texts)
    assert ALERT_MAX_ITEMS == 20
    assert joined.count("• ") == 20
    assert f"…and 180 more items (180 in #security) — {MORE_HINT}." in joined
    assert len(parts) <= 2


def test_a_small_alert_is_not_capped() -> None:
    [message] = alert_message([grouped(i, "security") for i in range(1, 6)],
                              tz=ZoneInfo("UTC"))
    assert "more item" not in parsed(message)[0]
