"""The service's memory savings change no answer: compact py3langid tables, released
pymorphy3 analysers (bot/analysis/langid_tables.py, bot/memory.py)."""

from __future__ import annotations

from array import array
from typing import Any

import numpy as np
import pytest

from bot.analysis import morphology
from bot.analysis.langid_tables import BlockTable, compact, walk_inline
from bot.memory import release_startup_memory

TEXTS = ("Токаев провёл совещание", "Қазақстан президенті", "Привіт, як справи?",
         "Salom dunyo, bugun havo yaxshi", "Бүгүн аба ырайы жакшы", "ok", "", "🔥 123 !!",
         "Агапитова спихнула все ментам. Пропитка для торта, Васька, ты гений! " * 3)


def test_a_block_table_reads_every_entry_as_the_table_it_came_from() -> None:
    rng = np.random.default_rng(3)
    # Runs that repeat (as an automaton's rows do), and a length that is no multiple of 16.
    runs = rng.integers(0, 200_000, (40, 16), dtype=np.uint32)
    values = runs[rng.integers(0, 40, 700)].reshape(-1)[:-5]
    original = array("I", values.tobytes())
    table = BlockTable.of(original)
    assert table is not None
    assert len(table) == len(original)
    assert [table[i] for i in range(len(original))] == list(original)
    assert np.array_equal(table.expand(), values)


@pytest.fixture(scope="module")
def identifiers() -> tuple[Any, Any]:
    from py3langid import langid

    plain = langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE, norm_probs=True)
    compacted = langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE, norm_probs=True)
    compact(compacted)
    # The compact table is walked inline, the plain one by py3langid's own walk.
    walk_inline(langid)
    return plain, compacted


def test_the_compact_langid_model_is_the_same_automaton_and_ranks_the_same(
        identifiers: tuple[Any, Any]) -> None:
    plain, compacted = identifiers
    table = compacted.tk_nextmove
    assert isinstance(table, BlockTable)
    assert np.array_equal(table.expand(), np.frombuffer(plain.tk_nextmove, dtype=np.uint32))
    # Twice, and the second time backwards: the walk remembers words with their states.
    for text in (*TEXTS, *reversed(TEXTS)):
        assert compacted.rank(text) == plain.rank(text)


def test_known_words_answer_the_same_after_the_analysers_are_released() -> None:
    words = ["ещё", "еще", "также", "також", "програма", "программа", "жаады", "токаев"]
    before = {lang: morphology.known_words(words, lang) for lang in ("ru", "uk")}
    classes = [morphology.word_classes(word, "ru") for word in words]
    assert before["ru"][:2] == [True, True]  # ё written as е is still known
    assert "ADVB" in classes[1] and classes[6] == frozenset()  # жаады: no Russian word
    release_startup_memory()
    assert morphology._morph.cache_info().currsize == 0
    assert {lang: morphology.known_words(words, lang) for lang in ("ru", "uk")} == before
    assert [morphology.word_classes(word, "ru") for word in words] == classes
    # The keyword forms load the full dictionary again when asked for.
    assert "токаева" in morphology.slavic_forms("токаев", "ru")


def test_the_inline_walk_counts_what_py3langids_own_walk_counts(
        identifiers: tuple[Any, Any]) -> None:
    from py3langid import langid

    plain, compacted = identifiers
    for text in (*TEXTS, *reversed(TEXTS), "Ал кітапты ал, кітапты алды; кітапты."):
        data = plain._encode(text)
        own, inline = (
            langid.visit_counts(model.tk_nextmove, model._rowbase, model.tk_output, data) or {}
            for model in (plain, compacted)
        )
        # The same features, counted in the same order (the order of a float sum).
        assert list(inline.items()) == list(own.items())
