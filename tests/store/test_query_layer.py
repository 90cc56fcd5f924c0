"""The query layer shared by the bot and the CLI, on a real archive file."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.analysis.snippet import marked_words, snippet
from bot.analysis.word_diff import changed_only, word_diff
from bot.errors import UsageError
from bot.store import Archive
from bot.store.channel_lookup import resolve_channel
from bot.store.post_filters import PID_SHIFT, pid_bounds
from bot.store.post_search import latest_page, search_page
from bot.store.values import PostQuery
from tests.bot.harness import NEWS
from tests.bot.query_data import KAZ, fill, item


async def test_a_channel_is_found_by_every_way_people_name_it(tmp_path: Path) -> None:
    async with Archive.open(tmp_path / "a.db") as archive:
        await fill(archive)
        for ref in ("@KAZAKH_VOICE", "kazakh_voice", "https://t.me/kazakh_voice",
                    "t.me/kazakh_voice/5", "-1001000000002", "1000000002",
                    "https://t.me/c/1000000002/7", "қазақ үні 🇰🇿"):
            assert (await resolve_channel(archive, ref)).id == KAZ.id, ref
        with pytest.raises(UsageError, match=r"did you mean @kazakh_voice\?"):
            await resolve_channel(archive, "@kazak_voice")
        with pytest.raises(UsageError, match="did you mean"):
            await resolve_channel(archive, "Новости 24")


async def test_search_snippets_mark_the_original_words_the_folded_index_matched(
        tmp_path: Path) -> None:
    async with Archive.open(tmp_path / "a.db") as archive:
        await fill(archive)
        page = await search_page(archive, "токаев*", PostQuery(channel_id=KAZ.id))
        (found,) = page.items
        assert [s.text for s in found.snippet if s.match] == ["Тоқаев"]
        assert "".join(s.text for s in found.snippet) == found.post.text
        assert (page.total, page.capped, page.next_before) == (1, False, None)


async def test_paging_goes_on_below_the_last_pid_and_dates_bound_the_pids(
        tmp_path: Path) -> None:
    async with Archive.open(tmp_path / "a.db") as archive:
        await fill(archive)
        first = await latest_page(archive, PostQuery(channel_id=NEWS.id), limit=5,
                                  with_count=True)
        assert first.total == 13 and first.next_before == first.items[-1].pid
        rest = await latest_page(archive, PostQuery(channel_id=NEWS.id,
                                                    before_pid=first.next_before), limit=50)
        seen = [f.post.msg_id for f in first.items + rest.items]
        assert len(seen) == len(set(seen)) == 13 and rest.next_before is None
    since, until = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 2, tzinfo=UTC)
    low, high = pid_bounds(PostQuery(since=since, until=until, before_pid=None))
    assert low >> PID_SHIFT == int(since.timestamp())
    assert (high + 1) >> PID_SHIFT == int(until.timestamp())


def test_snippet_cuts_around_the_first_match_and_bolds_each_one() -> None:
    text = "начало " * 60 + "Токаев сказал, что ТОКАЕВ " + "конец " * 60
    segments = snippet(text, marked_words("\x02токаев\x03 сказал"), width=120)
    assert segments[0].text == "…" and segments[-1].text == "…"
    assert [s.text for s in segments if s.match] == ["Токаев", "ТОКАЕВ"]
    assert sum(len(s.text) for s in segments) < 140


def test_word_diff_names_what_an_edit_removed_and_added() -> None:
    changes = word_diff("завтра будет дождь и ветер", "завтра будет сильный ливень и ветер")
    assert [(c.kind, c.text.strip()) for c in changes if c.kind != "same"] == [
        ("removed", "дождь"), ("added", "сильный ливень")]
    long_same = " ".join(f"w{i}" for i in range(100))
    kept = changed_only(word_diff(long_same + " old", long_same + " new"), context=3)
    assert kept[0].text.startswith(" … ") and len(kept[0].text) < 40


def test_word_diff_rebuilds_both_versions_of_a_rewritten_post() -> None:
    rng = random.Random(3)
    words = ["и", "в", "на", "Токаев", "мажилис", "закон", "принят", "депутаты"]
    for _ in range(200):
        old, new = ("".join(rng.choice(words) + rng.choice([" ", " ", "  ", "\n"])
                            for _ in range(rng.randint(1, 40))) for _ in range(2))
        changes = word_diff(old, new)
        # Word for word (a space that opens a change is shown with the shared text before).
        assert "".join(c.text for c in changes if c.kind != "added").split() == old.split()
        assert "".join(c.text for c in changes if c.kind != "removed").split() == new.split()
        assert all(c.text for c in changes)


async def test_edited_and_unedited_searches_split_the_matches(tmp_path: Path) -> None:
    async with Archive.open(tmp_path / "a.db") as archive:
        await fill(archive)
        await archive.store_posts([item(NEWS, 3, "Токаев провёл встречу номер 3 (правка)",
                                        day=1, edit=datetime(2026, 3, 1, tzinfo=UTC))])
        every = await search_page(archive, "токаев", PostQuery(), limit=50)
        edited = await search_page(archive, "токаев", PostQuery(edited=True), limit=50)
        unedited = await search_page(archive, "токаев", PostQuery(edited=False), limit=50)
        assert [f.post.msg_id for f in edited.items] == [3]
        assert (edited.total, unedited.total, every.total) == (1, 12, 13)
        assert {f.pid for f in edited.items} | {f.pid for f in unedited.items} == \
            {f.pid for f in every.items}
        # With the deleted walk (posts_deleted_newest) driving, the edited probe still holds.
        gone = await search_page(archive, "токаев", PostQuery(edited=False, deleted=True))
        assert [f.post.msg_id for f in gone.items] == [12]
