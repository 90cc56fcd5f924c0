"""Normalise text the same way for matching, indexing and querying.

unicode61 (FTS5's tokenizer) folds Cyrillic case but not ``ё→е``, Latin look-alike letters
typed inside Cyrillic words, soft hyphens or zero-width characters. Every path that compares
text therefore goes through ``normalize`` first; search additionally folds the Kazakh, Kyrgyz
and Ukrainian letters onto their Russian neighbours (``fold_for_search``), so that a search for
``токаев`` finds both Токаев and Тоқаев. ``normalize`` and ``fold_for_search`` map one character
to at most one character, so ``fold_for_search(t) == normalize(t).translate(SEARCH_FOLD)``.
"""

from __future__ import annotations

import re
import unicodedata

# Invisible characters that split or hide words: soft hyphen, zero-width space/joiners,
# word joiner and invisible operators, BOM, Mongolian vowel separator, combining grapheme
# joiner, and the bidi marks that copy-paste from RTL pages leaves behind. Stress marks
# (combining acute/grave, common in Russian teaching texts) hide a word just the same; NFC has
# already composed every letter that has a precomposed form (й, ё, é), so what is left is noise.
# fmt: off
_INVISIBLE = dict.fromkeys(
    map(ord, "\u00ad\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff\u180e\u034f"
             "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u0300\u0301"),
    None,
)
# Latin letters that look like Cyrillic ones; both cases, so detection can keep the case.
_LOOKALIKES = {
    "a": "а", "b": "в", "c": "с", "e": "е", "h": "н", "i": "і", "k": "к", "m": "м",
    "o": "о", "p": "р", "t": "т", "x": "х", "y": "у",
    "A": "А", "B": "В", "C": "С", "E": "Е", "H": "Н", "I": "І", "K": "К", "M": "М",
    "O": "О", "P": "Р", "T": "Т", "X": "Х", "Y": "У",
}
_LATIN_TO_CYRILLIC = str.maketrans(_LOOKALIKES)
# The reverse, for a Latin word with a stray Cyrillic letter ("Tоkayev" with a Cyrillic о).
_CYRILLIC_TO_LATIN = str.maketrans({cyr: lat for lat, cyr in _LOOKALIKES.items()})
SEARCH_FOLD = str.maketrans({
    "ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у", "ү": "у", "һ": "х",
    "і": "и", "ї": "и", "є": "е", "ґ": "г", "ў": "у", "ҳ": "х",
    # Uzbek writes oʻ and gʻ with any of these; the index and queries see one (and unicode61
    # splits words at it, where it kept ʻ and ʼ inside a word: oʻzbek missed o'zbek).
    "ʻ": "'", "ʼ": "'", "‘": "'", "’": "'", "`": "'",
})
# fmt: on
_INVISIBLE_RE = re.compile("[" + "".join(map(chr, _INVISIBLE)) + "]")
_SEARCH_PAIRS = tuple((chr(k), str(v)) for k, v in SEARCH_FOLD.items())
# A word holding both a Latin and a Cyrillic letter; found in C, so clean text costs little.
_MIXED_WORD = re.compile(r"\b(?=\w*[a-zA-Z])(?=\w*[\u0400-\u04ff])\w+")
# A Latin letter with a Cyrillic one on either side. Every match starts at a Latin letter, so
# the engine skips the Cyrillic text between them in its fast prefix scan (a pattern that may
# start at a Cyrillic letter is tried at nearly every position of a Russian post): 2x faster.
_SCRIPT_BOUNDARY = re.compile(r"[a-zA-Z](?:(?=[\u0400-\u04ff])|(?<=[\u0400-\u04ff].))")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[a-zA-Z]")
_NOT_LATIN = bytes(c for c in range(128) if not chr(c).isalpha())


def normalize(text: str) -> str:
    """Casefold, drop invisible characters, fold ё, and fix look-alike letters in mixed words."""
    return fix_lookalikes(_clean(text).casefold().replace("ё", "е"))


def fold_for_search(text: str) -> str:
    """Normalise, then fold Kazakh, Kyrgyz, Ukrainian and Belarusian letters for the index."""
    return fold_normalized(normalize(text))


def fold_normalized(norm: str) -> str:
    """``fold_for_search`` of a text already passed through ``normalize``."""
    return replace_each(norm, _SEARCH_PAIRS)


def replace_each(text: str, pairs: tuple[tuple[str, str], ...]) -> str:
    """Apply one-character replacements; same result as ``str.translate``, several times faster.

    ``translate`` with a dict looks every non-ASCII character up in Python objects (about
    50 ns each, 100 µs on a 2,000-character post); ``in`` and ``replace`` scan in C and skip
    the letters a text does not contain.
    """
    for old, new in pairs:
        if old in text:
            text = text.replace(old, new)
    return text


def clean_for_detection(text: str) -> str:
    """Drop invisible characters and fix look-alike letters, keeping case for the detectors."""
    return fix_lookalikes(_clean(text))


def fix_lookalikes(text: str) -> str:
    """Rewrite each mixed-script word in the script most of its letters are in."""
    # A mixed word has a Latin letter next to a Cyrillic one; this search is fast, and it
    # keeps the slower word-by-word pass off the many posts that merely quote a Latin name.
    # It is skipped when one of the two scripts is missing: 23 µs on an English post.
    if _may_have_latin(text) and _CYRILLIC.search(text) and _SCRIPT_BOUNDARY.search(text):
        return _MIXED_WORD.sub(_fix_mixed_word, text)
    return text


def _may_have_latin(text: str) -> bool:
    # An all-ASCII text answers yes at once (the Cyrillic search then settles it). Otherwise
    # keep the ASCII part and delete all but its letters: C at ~2 ns a character, twice the
    # speed of a regex search through a Cyrillic post.
    return text.isascii() or bool(text.encode("ascii", "ignore").translate(None, _NOT_LATIN))


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    return _INVISIBLE_RE.sub("", text) if _INVISIBLE_RE.search(text) else text


def _fix_mixed_word(match: re.Match[str]) -> str:
    word = match.group(0)
    cyrillic = len(_CYRILLIC.findall(word))
    latin = len(_LATIN.findall(word))
    # A tie goes to Cyrillic: the attacks we see hide Latin letters in Cyrillic names.
    if latin > cyrillic:
        fixed = word.translate(_CYRILLIC_TO_LATIN)
        if not _CYRILLIC.search(fixed):
            return fixed
    return word.translate(_LATIN_TO_CYRILLIC)
