"""Choosing, folding and grouping posts into a digest."""

from __future__ import annotations

from bot.domain import KeywordHit
from tests.digest.posts import digest, items_of, post


def test_album_is_one_item_linked_to_the_member_with_the_caption() -> None:
    album = [
        post(10, text="", grouped_id=7, media=("photo",)),
        post(11, text="Фото с митинга в Алматы сегодня", grouped_id=7, media=("photo",)),
        post(12, text="", grouped_id=7, media=("video",)),
    ]
    [item] = items_of(digest(album))
    assert item.msg_id == 11
    assert item.album_size == 3
    assert item.media == ("photo", "video")
    assert item.snippet == "Фото с митинга в Алматы сегодня"


def test_album_members_without_caption_follow_the_caption_into_its_group() -> None:
    album = [post(10, text="", grouped_id=7),
             post(11, text="Сайлау нәтижелері жарияланды бүгін", grouped_id=7,
                  groups=("elections",))]
    d = digest(album)
    assert [s.group for s in d.sections] == ["elections"]
    assert d.item_count == 1


def test_same_grouped_id_in_two_channels_is_two_albums() -> None:
    d = digest([post(1, channel=1, grouped_id=5), post(1, channel=2, grouped_id=5,
                                                       text="Совсем другой текст про нефть")])
    assert d.item_count == 2


def test_forward_of_a_post_in_the_window_collapses_into_the_original() -> None:
    original = post(5, channel=1, text="Оригинальная новость о выборах в парламент")
    forward = post(90, channel=2, minutes=3, text=original.text + " (переслано)",
                   fwd_from_id=original.channel_id, fwd_from_msg=5)
    [item] = items_of(digest([forward, original]))
    assert (item.channel_id, item.msg_id) == (original.channel_id, 5)
    assert [(c.channel_title, c.link) for c in item.also_in] == [
        ("Channel 2", "https://t.me/chan2/90")]


def test_forward_given_with_a_bare_channel_id_still_finds_its_original() -> None:
    original = post(5, channel=1)
    forward = post(9, channel=2, text="x", fwd_from_id=-original.channel_id - 10**12,
                   fwd_from_msg=5)
    assert digest([original, forward]).item_count == 1


def test_two_forwards_of_a_post_outside_the_window_become_one_item() -> None:
    first = post(1, channel=1, text="a", fwd_from_id=-1001999, fwd_from_msg=3, minutes=1)
    second = post(1, channel=2, text="b", fwd_from_id=-1001999, fwd_from_msg=3, minutes=2)
    [item] = items_of(digest([second, first]))
    assert item.channel_title == "Channel 1"
    assert [c.channel_title for c in item.also_in] == ["Channel 2"]


def test_identical_texts_in_three_channels_become_one_item_with_also_in() -> None:
    text = "Правительство объявило о повышении тарифов с первого апреля"
    posts = [post(i, channel=i, text=text, content_hash="same", minutes=10 - i)
             for i in (1, 2, 3)]
    [item] = items_of(digest(posts))
    assert item.channel_title == "Channel 3"  # the earliest copy leads
    assert [c.channel_title for c in item.also_in] == ["Channel 2", "Channel 1"]  # by time


def test_short_identical_captions_are_not_merged() -> None:
    posts = [post(i, channel=i, text="Фото дня", content_hash="same") for i in (1, 2)]
    assert digest(posts).item_count == 2


def test_posts_without_text_hash_are_not_merged() -> None:
    posts = [post(i, channel=i, text="x" * 40, content_hash="") for i in (1, 2)]
    assert digest(posts).item_count == 2


def test_repeated_post_in_the_input_is_shown_once() -> None:
    assert digest([post(1), post(1)]).item_count == 1


def test_post_matching_two_groups_appears_once_under_the_first_named_group() -> None:
    both = post(1, groups=("economy", "elections"))
    d = digest([both], groups=["elections", "economy"])
    assert [s.group for s in d.sections] == ["elections"]
    [item] = items_of(d)
    assert item.other_groups == ("economy",)
    assert item.terms == ("economy-term", "elections-term")


def test_named_groups_leave_out_posts_that_match_none_of_them() -> None:
    d = digest([post(1, groups=("economy",)), post(2), post(3, groups=("elections",))],
               groups=["elections"])
    assert [i.msg_id for i in items_of(d)] == [3]
    assert items_of(d)[0].terms == ("elections-term",)


def test_no_groups_named_shows_every_post_with_unmatched_ones_last() -> None:
    d = digest([post(1), post(2, groups=("security",)), post(3, groups=("economy",))])
    assert [s.group for s in d.sections] == ["economy", "security", None]


def test_terms_are_listed_once_in_first_seen_order() -> None:
    hits = (KeywordHit("g", "Токаев", "Токаеву"), KeywordHit("g", "Мажилис", "мажилисе"),
            KeywordHit("g", "Токаев", "Токаева"))
    [item] = items_of(digest([post(1, groups=("g",), hits=hits)]))
    assert item.terms == ("Токаев", "Мажилис")


def test_counts_are_given_per_channel_and_per_section() -> None:
    posts = [post(i, channel=1 + i % 2, text=f"Текст номер {i} про выборы и партии")
             for i in range(5)]
    d = digest(posts)
    [section] = d.sections
    assert [(b.title, b.count) for b in section.channels] == [("Channel 1", 3), ("Channel 2", 2)]
    assert section.count == 5
    assert d.channel_counts == {"Channel 1": 3, "Channel 2": 2}


def test_items_within_a_channel_run_oldest_first() -> None:
    d = digest([post(1, minutes=30), post(2, minutes=5), post(3, minutes=10)])
    assert [i.msg_id for i in items_of(d)] == [2, 3, 1]


def test_edited_and_deleted_posts_are_flagged() -> None:
    d = digest([post(1, edit_count=2), post(2, deleted=True), post(3)])
    assert [(i.edited, i.deleted) for i in items_of(d)] == [
        (True, False), (False, True), (False, False)]


def test_album_is_deleted_only_when_every_member_is() -> None:
    partly = [post(1, grouped_id=4, deleted=True), post(2, grouped_id=4, text="")]
    assert items_of(digest(partly))[0].deleted is False
    whole = [post(1, grouped_id=4, deleted=True), post(2, grouped_id=4, deleted=True)]
    assert items_of(digest(whole))[0].deleted is True


def test_channel_without_title_is_named_by_its_username() -> None:
    [item] = items_of(digest([post(1, channel_title="  ")]))
    assert item.channel_title == "@chan1"
