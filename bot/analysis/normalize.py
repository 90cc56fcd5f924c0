"""Normalise text the same way for matching, indexing and querying.

unicode61 (FTS5's tokenizer) folds Cyrillic case but not ``ё→е``, Latin look-alike letters
typed inside Cyrillic words, soft hyphens or zero-width characters. Every path that compares
text therefore goes through ``normalize`` first; search additionally folds the Kazakh, Kyrgyz
and Ukrainian letters onto their Russian neighbours (``fold_for_search``), so that a search for
``токаев`` finds both Токаев and Тоқаев.
"""

from __future__ import annotations

import re
import unicodedata

# Invisible characters that split or hide words: soft hyphen, zero-width space/joiners,
# word joiner, BOM, and the bidi marks that copy-paste from RTL pages leaves behind.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff\u200e\u200f"), None)
_CYRILLIC_FOLD = str.maketrans({"ё": "е"})
# Latin letters that look like Cyrillic ones (after casefold), used inside Cyrillic words.
_LATIN_TO_CYRILLIC = str.maketrans({
    "a": "а", "b": "в", "c": "с", "e": "е", "h": "н", "i": "і", "k": "к", "m": "м",
    "o": "о", "p": "р", "t": "т", "x": "х", "y": "у",
})
_SEARCH_FOLD = str.maketrans({
    "ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у", "ү": "у", "һ": "х",
    "і": "и", "ї": "и", "є": "е", "ґ": "г", "ў": "у",
})
_WORD = re.compile(r"\w+")
_HAS_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_HAS_LATIN = re.compile(r"[a-z]")


def normalize(text: str) -> str:
    """Casefold, drop invisible characters, fold ё, and fix Latin look-alikes in Cyrillic words."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE).casefold()
    text = text.translate(_CYRILLIC_FOLD)
    if _HAS_LATIN.search(text) and _HAS_CYRILLIC.search(text):
        text = _WORD.sub(_fix_mixed_word, text)
    return text


def _fix_mixed_word(match: re.Match[str]) -> str:
    word = match.group(0)
    if _HAS_CYRILLIC.search(word) and _HAS_LATIN.search(word):
        return word.translate(_LATIN_TO_CYRILLIC)
    return word


def fold_for_search(text: str) -> str:
    """Normalise, then fold Kazakh, Kyrgyz, Ukrainian and Belarusian letters for the index."""
    return normalize(text).translate(_SEARCH_FOLD)
