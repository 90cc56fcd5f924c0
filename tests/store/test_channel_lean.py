"""Ingest lets short, unsure posts lean to their channel's languages, read from the archive."""

from __future__ import annotations

import pytest

from bot.analysis.channel_prior import MIN_POSTS
from bot.config import Config, validate_config
from bot.domain import Analysis
from bot.ingest import Analyser, LiveWriter, analyser_for, store_history
from bot.store import Archive
from tests.store.conftest import CHANNEL, OTHER, analysed, make_post
from tests.store.test_live_writer import drained

# Written for these tests; "Тилек Текебаев" is a name from a Kyrgyz news headline, which
# Kazakh spells alike: context-free it reads as kk.
KYRGYZ = "Президент өкмөт мүчөлөрү менен жыйын өткөрүп, күйүүчү майдын баасын талкуулады."
NAME = "Тилек Текебаев"


@pytest.fixture(scope="module")
def analyser() -> Analyser:
    return analyser_for(Config())


def no_analysis(text: str) -> Analysis:
    return Analysis()


async def stored_lang(archive: Archive, channel_id: int, msg_id: int) -> str:
    (row,) = await archive.fetch_all(
        "SELECT lang FROM posts WHERE channel_id = ? AND msg_id = ?", (channel_id, msg_id))
    return str(row[0])


async def test_the_archive_counts_each_channels_posts_per_language(archive: Archive) -> None:
    await archive.store_posts([analysed(make_post(i, "x"), "kk") for i in range(1, 4)]
                              + [analysed(make_post(9, "y"), "ru")]
                              + [analysed(make_post(5, "z", channel=OTHER), "ky")])
    await archive.mark_deleted(CHANNEL.id, [1])
    assert await archive.channel_languages([CHANNEL.id, OTHER.id, 12345]) == {
        CHANNEL.id: {"kk": 3, "ru": 1}, OTHER.id: {"ky": 1}}


async def test_a_live_short_post_leans_to_the_language_its_channel_has_written(
        archive: Archive, analyser: Analyser) -> None:
    await archive.store_posts([analysed(make_post(i, KYRGYZ), "ky")
                               for i in range(1, MIN_POSTS + 1)])
    writer = LiveWriter(archive, analyser)
    writer.post(make_post(100, NAME))
    writer.post(make_post(100, NAME, channel=OTHER))
    await drained(writer)
    assert analyser(NAME).lang == "kk"
    assert await stored_lang(archive, CHANNEL.id, 100) == "ky"
    assert await stored_lang(archive, OTHER.id, 100) == "kk"  # a channel with no posts yet


async def test_a_first_history_page_leans_on_its_own_sure_answers(
        archive: Archive, analyser: Analyser) -> None:
    page = [make_post(i, KYRGYZ) for i in range(1, MIN_POSTS + 1)] + [make_post(50, NAME)]
    await store_history(archive, analyser, page)
    assert await stored_lang(archive, CHANNEL.id, 50) == "ky"


async def test_posts_pass_through_an_analysis_that_cannot_lean(archive: Archive) -> None:
    await archive.store_posts([analysed(make_post(i, KYRGYZ), "ky")
                               for i in range(1, MIN_POSTS + 1)])
    writer = LiveWriter(archive, no_analysis)
    writer.post(make_post(100, NAME))
    await drained(writer)
    assert await stored_lang(archive, CHANNEL.id, 100) == "und"


async def test_a_config_without_the_channel_prior_keeps_languages_context_free(
        archive: Archive) -> None:
    await archive.store_posts([analysed(make_post(i, KYRGYZ), "ky")
                               for i in range(1, MIN_POSTS + 1)])
    config = validate_config({"analysis": {"channel_prior": False}}, source="test")
    writer = LiveWriter(archive, analyser_for(config))
    writer.post(make_post(100, NAME))
    await drained(writer)
    assert await stored_lang(archive, CHANNEL.id, 100) == "kk"
