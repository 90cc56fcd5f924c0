"""Kazakh and Uzbek across Cyrillic and Latin: how a word is read in the other script."""

from __future__ import annotations

import pytest

from bot.analysis.scripts import other_script_spellings, to_cyrillic


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [
        ("oʻzbekiston", "ўзбекистон"),  # the standard turned comma
        ("o'zbekiston", "ўзбекистон"),  # and the apostrophe people type
        ("gʻalaba", "ғалаба"),
        ("mirziyoyev", "мирзиёев"),
        ("shavkat", "шавкат"),
        ("maʼno", "маъно"),  # a lone apostrophe is the hard sign
        ("toqaev", "тоқаев"),  # Kazakh 2021
        ("qazaqstannyñ", "қазақстанның"),  # a 2021-only letter: y is ы, not й
        ("tokayev", "токаев"),  # informal
    ],
)
def test_latin_word_is_read_as_cyrillic(latin: str, cyrillic: str) -> None:
    assert to_cyrillic(latin) == cyrillic


def test_cyrillic_word_gets_each_common_latin_spelling() -> None:
    assert set(other_script_spellings("тоқаев")) >= {"toqaev", "tokayev"}
    assert "mirziyoyev" in other_script_spellings("мирзиёев")
    assert "oʻzbekiston" in other_script_spellings("ўзбекистон")


def test_english_words_get_no_cyrillic_spelling() -> None:
    # net → нет would find every Russian "no".
    assert other_script_spellings("net") == []
    assert other_script_spellings("qaror") == ["қарор"]
