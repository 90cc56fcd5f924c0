"""The installed dictionaries are read with pymorphy3's fast (C++) DAWG reader."""

from __future__ import annotations

from bot.analysis.morphology import known_words


def test_the_dictionaries_are_read_with_the_c_dawg_reader() -> None:
    # Without DAWG2 pymorphy3 falls back, silently, to its pure-Python reader, and the word
    # lookups of a short post's dictionary votes cost a third of its analysis again.
    import pymorphy3.dawg

    assert pymorphy3.dawg.DAWG.__module__ == "dawg"
    assert known_words(["также", "також", "жаады"], "ru") == [True, False, False]
    assert known_words(["также", "також", "жаады"], "uk") == [False, True, False]
