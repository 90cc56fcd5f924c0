"""The Analyzer API and check_keywords, end to end."""

from __future__ import annotations

import pytest

from bot.analysis.analyzer import Analyzer, check_keywords
from bot.analysis.normalize import fold_for_search, normalize
from bot.config import KeywordGroup
from bot.domain import KeywordHit

GROUPS = {
    "president": KeywordGroup(terms=["Токаев"]),
    "fuel": KeywordGroup(terms=["бензин", "жанармай"], exclude=["реклама"]),
}


def test_analyse_returns_language_and_hits_for_a_kazakh_post() -> None:
    result = Analyzer(GROUPS).analyse("Тоқаевтың тапсырмасымен жанармай бағасы төмендеді.")
    assert result.lang == "kk"
    assert result.lang_confidence > 0.5
    assert result.hits == (
        KeywordHit("fuel", "жанармай", "жанармай"),
        KeywordHit("president", "Токаев", "тоқаевтың"),
    )


def test_analyse_is_deterministic_across_instances() -> None:
    text = "Токаеву доложили о ценах на бензин. Реклама."
    first = Analyzer(GROUPS).analyse(text)
    assert first == Analyzer(GROUPS).analyse(text)
    assert first.hits == (KeywordHit("president", "Токаев", "токаеву"),)


def test_emoji_only_post_is_undetermined_with_no_hits() -> None:
    result = Analyzer(GROUPS).analyse("🔥🔥 https://t.me/x/1")
    assert (result.lang, result.lang_confidence, result.hits) == ("und", 0.0, ())


def test_langdetect_backend_still_matches_keywords() -> None:
    result = Analyzer(GROUPS, language_backend="langdetect").analyse(
        "Правительство обсудило цены на бензин и поручение Токаева."
    )
    assert result.lang == "ru"
    assert {h.group for h in result.hits} == {"fuel", "president"}


def test_a_slow_regex_is_refused_by_the_config_itself() -> None:
    # Every command loads the config through KeywordGroup, so none can run with it.
    with pytest.raises(ValueError, match=r"\(a\|aa\)\+\$.*takes over 50 ms"):
        KeywordGroup(terms=["/(a|aa)+$/"])


def test_check_keywords_reports_hidden_characters() -> None:
    problems = check_keywords(
        {
            "g": KeywordGroup(terms=["То\u200bкаев", "ok"], languages=["KAZ"]),
        }
    )
    assert any("invisible or look-alike" in p for p in problems)
    assert any("ISO 639-1" in p for p in problems)
    assert any("shorter than 3" in p for p in problems)


def test_check_keywords_reports_terms_equal_after_normalisation() -> None:
    problems = check_keywords({"g": KeywordGroup(terms=["ёлка"], exclude=["елка"])})
    assert any("the same as" in p for p in problems)


def test_check_keywords_is_quiet_for_a_clean_config() -> None:
    assert check_keywords(GROUPS) == []


def test_search_fold_finds_kazakh_spelling_from_russian_spelling() -> None:
    assert fold_for_search("Тоқаевтың").startswith(fold_for_search("токаев"))
    assert normalize("Т\u00adо\u200bкаев") == "токаев"
    assert normalize("Tоkayev") == "tokayev"  # a Cyrillic о inside a Latin word


def test_copies_of_a_post_share_a_content_hash_and_index_text_is_folded() -> None:
    analyzer = Analyzer(GROUPS)
    one = analyzer.analyse("Президент  Тоқаев\u00ad подписал указ")
    two = analyzer.analyse("президент тоқаев подписал\nуказ")
    other = analyzer.analyse("Президент Токаев подписал другой указ")
    assert one.content_hash == two.content_hash != other.content_hash
    assert one.search_text == "президент  токаев подписал указ"


def test_analyse_keeps_a_plain_term_out_of_a_hyphenated_name() -> None:
    # The analyser hands the matcher the post as written, whose capitals tell Ысык-Көл (the
    # lake) from ысык "hot".
    analyzer = Analyzer({"heat": KeywordGroup(terms=["ысык"])})
    assert analyzer.analyse("Ысык-Көл облусунда жаан жаады.").hits == ()
    assert analyzer.analyse("Ысык-Көл облусунда күн ысык болот.").hits == (
        KeywordHit("heat", "ысык", "ысык"),
    )
