"""Inflected forms of a keyword: pymorphy3 lexemes for ru/uk, suffix rules for Turkic and English.

Terms are expanded once, when the matcher is built, so matching a post is a dictionary lookup
per word instead of a morphological analysis per word. Everything here works on *keys*: words
already passed through ``normalize`` and ``KEY_FOLD`` (the search fold plus apostrophes), so a
Russian-spelled term (Токаев) also finds the Kazakh spelling (Тоқаевтың).
"""

from __future__ import annotations

import re
from functools import cache
from itertools import product
from typing import Any, Final

from bot.analysis.normalize import SEARCH_FOLD

_APOSTROPHES = "'’ʼʻ`‘"
KEY_FOLD: Final = {**SEARCH_FOLD, **{ord(a): "'" for a in _APOSTROPHES}}
KEY_PAIRS: Final = tuple((chr(k), str(v)) for k, v in KEY_FOLD.items())
# A word, with the apostrophes Ukrainian (м'ясо) and Uzbek (o'zbek) write inside words.
WORD: Final = re.compile(rf"\w+(?:[{_APOSTROPHES}]\w+)*")

# pymorphy3 has no lexeme for words it does not know (it reads "токаев" as a form of "токай"),
# so an unknown word gets the noun and surname endings the two languages share.
_FALLBACK_ENDINGS: Final = {
    "ru": ("а", "у", "ом", "ым", "е", "ой", "ы", "и", "ов", "ев", "ам", "ами", "ах", "ых", "ыми"),
    "uk": ("а", "у", "ом", "им", "і", "ої", "ою", "и", "ів", "ам", "ами", "ах", "их", "ими"),
}
# Shortest stem a Turkic suffix may follow: "ел" + "ге" is right, but two-letter stems also
# begin too many unrelated words.
MIN_TURKIC_STEM: Final = 3


@cache
def _morph(lang: str) -> Any:
    """Load pymorphy3's dictionary for ru or uk from its installed package, once per process."""
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang=lang)


def slavic_forms(word: str, lang: str) -> frozenset[str]:
    """Return the keys of every form of ``word`` (a normalised word) in ``lang`` (ru or uk)."""
    parses = _morph(lang).parse(word)
    own = [p for p in parses if _same(p.normal_form, word)]
    forms = {word}
    for parse in own:
        forms.update(form.word for form in parse.lexeme)
    if not own:
        # The user wrote an inflected form (Токаева) or a word pymorphy does not know.
        # Both the lexeme of the best reading and the shared endings: "токаев" is read as a
        # form of "токай", and only the endings give "токаеву".
        for parse in parses[:1]:
            forms.update(form.word for form in parse.lexeme)
        if word[-1:].isalpha():
            stem = word[:-1] if word[-1] in "аяоеьйыиіу" else word
            forms.update(stem + ending for ending in _FALLBACK_ENDINGS[lang])
    return frozenset(form.replace("ё", "е").translate(KEY_FOLD) for form in forms)


def _same(normal_form: str, word: str) -> bool:
    return normal_form.replace("ё", "е") == word


def english_forms(word: str) -> frozenset[str]:
    """Return ``word`` with its regular plural (sanction → sanctions, policy → policies)."""
    forms = {word, word + "s"}
    if word.endswith(("s", "x", "z", "ch", "sh")):
        forms.add(word + "es")
    if len(word) > 2 and word.endswith("y") and word[-2] not in "aeiou":
        forms.add(word[:-1] + "ies")
    return frozenset(forms)


def turkic_stems(key: str) -> tuple[tuple[str, bool], ...]:
    """Return the stems a Kazakh/Kyrgyz suffix may follow, each with "needs a vowel next".

    ``key`` is a normalised word, folded or not; the stems keep its spelling.
    """
    if len(key) < MIN_TURKIC_STEM:
        return ()
    stems = [(key, False)]
    # A final voiceless stop voices before a vowel: кітап → кітабы, жүрек → жүрегі.
    voiced = {"к": "г", "қ": "ғ", "п": "б"}.get(key[-1])
    if voiced:
        stems.append((key[:-1] + voiced, True))
    # A high vowel in the last syllable drops before a vowel: орын → орны, халық → халқы.
    if len(key) >= 4 and key[-2] in _HIGH_VOWELS and key[-3] not in _VOWELS:
        stems.append((key[:-2] + key[-1], True))
    return tuple(stems)


def turkic_suffix_fits(stem: str, rest: str, needs_vowel: bool) -> bool:
    """Tell whether ``rest`` is a chain of nominal suffixes (plural, possessive, case…)."""
    if needs_vowel and rest[:1] not in _VOWELS:
        return False
    if not rest:
        return True
    if not _joins(stem, rest):
        return False
    suffixes = _TURKIC_SUFFIXES if len(stem) > MIN_TURKIC_STEM else _SHORT_STEM_SUFFIXES
    return suffixes.fullmatch(rest) is not None and _harmonic(stem, rest)


def _joins(stem: str, rest: str) -> bool:
    """Tell whether a suffix starting with ``rest[0]`` may follow the stem's last sound.

    Every suffix the chain allows has variants for what it follows, and only the right one is
    written: after a vowel ``-сы``, ``-ны``, ``-га``, never ``-ы``, ``-ты``, ``-ка``; after a
    voiceless consonant ``-ты``, ``-ка``, ``-тар``, never ``-ды``, ``-га``, ``-лар``. A voiced
    consonant at the end of a loan or a Russian-spelled name is often said voiceless
    (Тоқаевқа), so it allows both.
    """
    last, first = stem[-1], rest[0]
    if _loan_ending(stem):
        return True
    if last in _VOWELS:
        if first in _VOICELESS_ONSETS:
            return False
        # у and и end in a glide in Kazakh spelling: су → суы "its water".
        return first not in _VOWELS or last in "уи"
    # After a consonant the third-person possessive is -ы, not -сы (курс+у, not кур+су);
    # -сыз "without" and the predicative -сың do follow consonants.
    if first == "с" and rest[1:2] in _HIGH_VOWELS and rest[2:3] not in ("з", "ң"):
        return False
    if last in _SONORANTS:
        return first not in _VOICELESS_ONSETS
    if last in _VOICELESS:
        return first not in _VOICED_ONSETS
    return True


def _harmonic(stem: str, rest: str) -> bool:
    """Tell whether the suffix vowels agree in backness with each other and with the stem.

    The instrumental мен/бен/пен is invariant, and a stem whose last vowel is е or и (loans,
    Russian-spelled names: министрге, Тоқаевтың) may take either series.
    """
    if "ен" in rest:
        rest = _INVARIANT.sub("", rest)
    has_back = not _BACK_MARKS.isdisjoint(rest)
    has_front = not _FRONT_MARKS.isdisjoint(rest)
    if has_back and has_front:
        return False
    if not (has_back or has_front) or _loan_ending(stem):
        return True
    for i in range(len(stem) - 1, -1, -1):
        ch = stem[i]
        if ch == "у" and i and stem[i - 1] in _VOWELS:
            continue  # Kazakh у after a vowel is a glide: тау, күйеу
        if ch in _VOWELS:
            if ch in _BACK_MARKS:
                return has_back
            return has_front if ch in _FRONT_ONLY else True
    return True


def _loan_ending(stem: str) -> bool:
    """Tell whether the stem ends in two consonants, as loans and acronyms mostly do.

    Acronyms are read by their letter names (КМШнын, ИДПнын), and Kazakh gives loans front
    suffixes where Kyrgyz gives back ones (банкке, банкка): the spelling of such a stem tells
    neither the sound a suffix follows nor its vowel series, so neither is checked. (A few
    native words end so too, түрк, курт; they merely keep the older, looser check.)
    """
    return len(stem) >= 2 and stem[-1] not in _VOWELS and stem[-2] not in _VOWELS


def _alternatives(*templates: str) -> str:
    """Expand templates with harmony placeholders (A, I, D…) into one regex alternation."""
    slots = {
        "A": "аеоөә",
        "I": "ыіиуүұ",
        "U": "уү",
        "D": "дт",
        "L": "лдт",
        "N": "ндт",
        "G": "гғкқ",
        "B": "мбп",
    }
    forms: set[str] = set()
    for template in templates:
        choices = [slots.get(ch, ch) for ch in template]
        forms.update("".join(letters) for letters in product(*choices))
    # Both spellings: native text is matched as written, Russian-spelled names folded.
    forms |= {form.translate(KEY_FOLD) for form in forms}
    # Longest first, so the regex tries "ндан" before "н".
    return "|".join(sorted(forms, key=lambda f: (-len(f), f)))


_VOWELS: Final = frozenset("аеыиоуэюяёәіөұү")
_SONORANTS: Final = frozenset("лмнңрй")
_VOICELESS: Final = frozenset("пткқсшчщфхцһ")
_VOICELESS_ONSETS: Final = frozenset("пткқ")
_VOICED_ONSETS: Final = frozenset("бгғдлмн")
# Backness: a suffix vowel (and Kazakh ғ, қ) of one series; ә, і, ө, ү only ever front.
_BACK_MARKS: Final = frozenset("аоуыұғқ")
_FRONT_MARKS: Final = frozenset("еәиіөү")
_FRONT_ONLY: Final = frozenset("әіөү")
_INVARIANT: Final = re.compile("[мбп]ен(?:ен)?")
_HIGH_VOWELS: Final = frozenset("ыиіуұү")
# Derivation that UD's Kazakh and Kyrgyz treebanks (and an analyst) count as the same lemma:
# мамлекет → мамлекеттик "state (adj.)", экономика → экономикалык, орун → орундуу, ...
# Only bare: an adjective stands uninflected before its noun, and a derived word that takes a
# plural, possessive or case is a noun of its own (министрлиги "its ministry", элчилигинде
# "at the embassy", шайлоочулар "voters").
_DERIVED = _alternatives("LIG", "LUU", "LI", "сIз", "сIзLIG", "чI", "шI", "Iй")
# The verbal noun in -уу is a form of its verb (UD: VerbForm=Vnoun) and is declined.
_VERBAL_NOUN = _alternatives("UU")
_PLURAL = _alternatives("LAр")
_POSSESSIVE = _alternatives(
    "Iм", "м", "Iң", "ң", "IңIз", "ңIз", "I", "сI", "ImIз", "мIз", "IбIз", "бIз", "лAрI"
)
_CASE = _alternatives(
    "NIң",
    "NIн",  # genitive
    "GA",  # dative
    "NI",  # accusative
    "DA",  # locative
    "DAGI",  # locative + relative -дагы: of the cases, only the locative takes -гы
    "GI",  # adjectival -кы of place and time words: башкы, бүгүнкү
    "DAн",
    "нAн",  # ablative
    "BAн",
    "BAнAн",  # instrumental (kk мен/бен/пен, ky менен)
)
# Case endings that only follow a possessive (үйүнө, орнына, Тоқаевын): alone after a stem
# they would turn кар "snow" + а into кара "black".
_CASE_AFTER_POSSESSIVE = _alternatives("нA", "A", "н", "нDA", "нDAGI", "нDAн")
_AFTER = _alternatives(
    "DAй",
    "чA",
    "шA",
    "нIкI",  # similative, equative, possessive -нікі
    "BIн",
    "BIз",
    "сIң",
    "сIз",
    "DIр",  # predicative: "студентпін", "-дыр"
    "гой",
    "ғой",  # emphatic particle written on
)
_INFLECTION = (
    rf"(?:{_PLURAL})?(?:(?:{_POSSESSIVE})(?:{_CASE}|{_CASE_AFTER_POSSESSIVE})?|{_CASE})?"
    rf"(?:{_AFTER})?(?:{_AFTER})?"
)
_TURKIC_SUFFIXES = re.compile(rf"(?:{_DERIVED})(?:{_AFTER})?|(?:{_VERBAL_NOUN})?{_INFLECTION}")
# Derivation after a three-letter root made more wrong words than right ones (кар → каршы).
_SHORT_STEM_SUFFIXES = re.compile(_INFLECTION)


def verbal_noun(stem: str, lang: str) -> str:
    """Return the dictionary form of a Kazakh or Kyrgyz verb stem: сипатта → сипаттау (kk),
    жөнөт → жөнөтүү, жаса → жасоо (ky). The evaluation writes verb terms this way."""
    if not stem:
        return stem
    last = stem[-1]
    if lang == "ky":
        if last in "ао":
            return stem[:-1] + "оо"
        if last in "еө":
            return stem[:-1] + "өө"
        if last in "ыу":
            return stem[:-1] + "уу"
        if last in "иү":
            return stem[:-1] + "үү"
        vowels = [ch for ch in stem if ch in _VOWELS]
        return stem + ("үү" if vowels and vowels[-1] in "еиөүэ" else "уу")
    if last in "ыі":
        return stem[:-1] + "у"
    return stem + "у"


def known_words(words: list[str], lang: str) -> list[bool]:
    """Tell, per lower-case word, whether pymorphy3's ``lang`` dictionary (ru, uk) has it."""
    morph = _morph(lang)
    return [morph.word_is_known(word) for word in words]
