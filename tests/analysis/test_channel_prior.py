"""The channel prior: short, unsure posts lean to their channel's languages, sure ones never.

The short texts are real items (openings and names) of the evaluation data's sentences that
the context-free detector gets wrong.
"""

from __future__ import annotations

import pytest

from bot.analysis.analyzer import Analyzer
from bot.analysis.channel_prior import MIN_POSTS, prior_from_counts
from bot.analysis.language import Detect, is_short, make_detector
from bot.config import KeywordGroup


@pytest.fixture(scope="module")
def detect() -> Detect:
    return make_detector("auto")


@pytest.mark.parametrize(("text", "wrong", "channel"), [
    ("Тилек Текебаев", "kk", "ky"),  # a Kyrgyz news headline's name, written alike in kk
    ("Экономика", "ru", "ky"),  # a Kyrgyz heading that Russian spells the same
    ("За наказом короля", "ru", "uk"),
    ("Вось такое", "ru", "be"),
    ("Доброго дня!", "uk", "ru"),  # Taiga: a Russian social post
])
def test_an_unsure_short_post_leans_to_its_channels_language(
    detect: Detect, text: str, wrong: str, channel: str
) -> None:
    assert detect(text).lang == wrong
    assert detect(text, {channel: 1.0}).lang == channel


@pytest.mark.parametrize(("text", "lang", "channel"), [
    # Sure answers whose votes hold some of the channel's language: leaning them would
    # turn them (measured with the prior applied to every short text).
    ("Результат оказался", "ru", "ky"),
    ("Але Він ж без гріха!", "uk", "be"),
    ("Долон менен Өтмөккө", "ky", "kk"),
    ("Мемлекет басшысы Үкімет мүшелерімен кеңес өткізіп, отын бағасын талқылады.", "kk", "ru"),
])
def test_a_sure_answer_is_never_overridden_by_the_channel(
    detect: Detect, text: str, lang: str, channel: str
) -> None:
    assert detect(text).lang == lang
    assert detect(text, {channel: 1.0}).lang == lang


@pytest.mark.parametrize(("text", "lang"), [
    ("Мендель осы", "kk"),
    ("Сил не вистачало для", "uk"),
])
def test_a_bilingual_channels_second_language_is_not_pulled_to_the_first(
    detect: Detect, text: str, lang: str
) -> None:
    # Without the cap on a language's weight, the 90 % language wins both.
    assert detect(text, {"ru": 0.9, lang: 0.1}).lang == lang


def test_the_prior_is_the_share_of_each_language_among_enough_posts() -> None:
    assert prior_from_counts({"ru": 30, "kk": 10, "und": 50}) == {"ru": 0.75, "kk": 0.25}
    assert prior_from_counts({"ru": MIN_POSTS - 1, "und": 100}) is None


def test_a_post_whose_language_moves_is_matched_again_in_that_language() -> None:
    analyzer = Analyzer({"ky_politics": KeywordGroup(terms=["Текебаев"], languages=["ky"])})
    text = "Тилек Текебаев"
    alone = analyzer.analyse(text)
    assert (alone.lang, alone.groups) == ("kk", ())
    in_channel = analyzer.in_channel(text, alone, {"ky": 0.9, "ru": 0.1})
    assert (in_channel.lang, in_channel.groups) == ("ky", ("ky_politics",))
    assert in_channel.search_text == alone.search_text


def test_only_a_text_the_short_votes_decide_is_short() -> None:
    assert is_short("Тилек Текебаев")
    assert not is_short("Элчи Омар Султанов Швейцариянын \"Syngenta\" компаниясына барды.")
    assert not is_short("Да!")  # too few letters: und, which no prior moves


def test_a_sure_or_empty_analysis_comes_back_unchanged() -> None:
    analyzer = Analyzer({})
    sure = analyzer.analyse("Результат оказался")
    assert analyzer.in_channel("Результат оказался", sure, {"ky": 1.0}) is sure
    empty = analyzer.analyse("Да!")
    assert analyzer.in_channel("Да!", empty, {"ru": 1.0}) is empty
