"""Kazakh and Uzbek across their two scripts: Cyrillic and Latin.

Uzbek is written in both (Oʻzbekiston, Ўзбекистон), and Kazakh is moving to the 2021 Latin
alphabet (Qazaqstan, Toqaev) while people already type it informally (Kazakhstan, Tokayev).
Keyword matching reads a Latin word as Cyrillic (``to_cyrillic``) and compares it with the
terms folded (қ = к, ғ = г, ў = у…), so one term finds both. Search cannot rewrite the index
without polluting English words (net → нет), so it widens the query instead: each word is also
looked for in the other script's spellings (``other_script_spellings``).
"""

from __future__ import annotations

import re
from typing import Final

_APOSTROPHES: Final = "'’ʼʻ`‘"
_APOSTROPHE_CLASS: Final = f"[{_APOSTROPHES}]"
# Latin → Cyrillic, longest first: Uzbek oʻ gʻ (with any apostrophe), digraphs, the 2021
# Kazakh letters, then single letters. A lone apostrophe is Uzbek's tutuq belgisi (маъно).
_TO_CYRILLIC: Final = (
    (re.compile(f"o{_APOSTROPHE_CLASS}"), "ў"),
    (re.compile(f"g{_APOSTROPHE_CLASS}"), "ғ"),
    (re.compile("shch"), "щ"),
    (re.compile("sh"), "ш"),
    (re.compile("ch"), "ч"),
    (re.compile("zh"), "ж"),
    (re.compile("kh"), "х"),
    (re.compile("yo"), "ё"),
    (re.compile("yu"), "ю"),
    (re.compile("ya"), "я"),
    (re.compile("ye"), "е"),
    (re.compile(_APOSTROPHE_CLASS), "ъ"),
)
_LETTERS: Final = str.maketrans({
    "a": "а", "b": "б", "c": "ц", "d": "д", "e": "е", "f": "ф", "g": "г", "h": "ҳ", "i": "и",
    "j": "ж", "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "q": "қ", "r": "р",
    "s": "с", "t": "т", "u": "у", "v": "в", "w": "у", "x": "х", "y": "й", "z": "з",
    "ä": "ә", "ğ": "ғ", "ı": "і", "ñ": "ң", "ö": "ө", "ş": "ш", "ū": "ұ", "ü": "ү", "ç": "ч",
})
# The 2021 Kazakh alphabet writes ы as y and і as ı, where Uzbek and informal Kazakh write й
# as y: a word with a letter only that alphabet has (Qazaqstannyñ) is read its way.
_KAZAKH_2021_ONLY: Final = re.compile("[äğıñöşūüç]")
_KAZAKH_2021_LETTERS: Final = str.maketrans({"y": "ы", "i": "и"})
_LATIN: Final = re.compile(r"[a-zäğıñöşūüç]")
_TURKIC_LATIN: Final = re.compile(
    rf"[og]{_APOSTROPHE_CLASS}|[qxäğıñöşūüç]|[oe]v(?:a|na)?\b"
)

# Cyrillic → Latin, three ways people write it: Uzbek's official alphabet, Kazakh's 2021
# alphabet, and the passport style of both (Tokayev, Nazarbayev, Kazakhstan).
_UZBEK: Final = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "j", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "x", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "sh", "ъ": "ʼ", "ы": "i", "ь": "", "э": "e", "ю": "yu", "я": "ya", "ў": "oʻ",
    "қ": "q", "ғ": "gʻ", "ҳ": "h", "ң": "ng", "ә": "a", "ө": "o", "ұ": "u", "ү": "u",
    "һ": "h", "і": "i",
}
_KAZAKH_2021: Final = {
    **_UZBEK, "ж": "j", "и": "i", "й": "i", "ы": "y", "і": "ı", "ш": "ş", "ч": "ç", "х": "h",
    "ә": "ä", "ғ": "ğ", "қ": "q", "ң": "ñ", "ө": "ö", "ұ": "ū", "ү": "ü", "у": "u", "ц": "c",
}
_PASSPORT: Final = {
    **_UZBEK, "ж": "zh", "х": "kh", "й": "y", "ы": "y", "щ": "shch", "ъ": "", "қ": "k",
    "ғ": "g", "ң": "n", "ў": "u", "ц": "ts",
}
_VOWELS: Final = frozenset("аеёиоуыэюяәөұүі")


def to_cyrillic(word: str) -> str:
    """Read a lower-case Latin-script Uzbek or Kazakh word as Cyrillic (toqaev → тоқаев)."""
    if _KAZAKH_2021_ONLY.search(word):
        return word.translate(_KAZAKH_2021_LETTERS).translate(_LETTERS)
    for pattern, cyrillic in _TO_CYRILLIC:
        word = pattern.sub(cyrillic, word)
    return word.translate(_LETTERS)


def has_latin(word: str) -> bool:
    """Tell whether a lower-case word holds a Latin letter."""
    return _LATIN.search(word) is not None


def other_script_spellings(text: str) -> list[str]:
    """Return ``text`` (lower case) spelled in the other script, in each common way.

    A Latin word is given its Cyrillic spelling only when it looks Uzbek or Kazakh (oʻ, gʻ, q,
    x, a 2021 Kazakh letter, a surname in -ov/-ev): English words would find Russian ones
    (net → нет).
    """
    if has_latin(text):
        return [to_cyrillic(text)] if _TURKIC_LATIN.search(text) else []
    found = []
    for table in (_UZBEK, _KAZAKH_2021, _PASSPORT):
        spelled = _to_latin(text, table)
        if spelled != text and spelled not in found:
            found.append(spelled)
    return found


def _to_latin(text: str, table: dict[str, str]) -> str:
    out = []
    for i, ch in enumerate(text):
        before = text[i - 1] if i else " "
        if ch == "е" and table is not _KAZAKH_2021 and (not before.isalpha() or before in _VOWELS):
            out.append("ye")  # Токаев → Tokayev, Мирзиёев → Mirziyoyev, Ерлан → Yerlan
        else:
            out.append(table.get(ch, ch))
    return "".join(out)
