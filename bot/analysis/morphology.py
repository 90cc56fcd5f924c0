"""Inflected forms of a keyword: pymorphy3 lexemes for ru/uk, suffix rules for Turkic and English.

Terms are expanded once, when the matcher is built, so matching a post is a dictionary lookup
per word instead of a morphological analysis per word. Everything here works on *keys*: words
already passed through ``normalize`` and ``KEY_FOLD`` (the search fold plus apostrophes), so a
Russian-spelled term (Токаев) also finds the Kazakh spelling (Тоқаевтың).
"""

from __future__ import annotations

import enum
import re
from functools import cache
from itertools import product
from typing import Any, Final, NamedTuple

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
        forms.update(_lexeme(parse))
    if not own:
        # The user wrote an inflected form (Токаева) or a word pymorphy does not know.
        # Both the lexeme of the best reading and the shared endings: "токаев" is read as a
        # form of "токай", and only the endings give "токаеву".
        for parse in parses[:1]:
            forms.update(_lexeme(parse))
        if word[-1:].isalpha():
            stem = word[:-1] if word[-1] in "аяоеьйыиіу" else word
            forms.update(stem + ending for ending in _FALLBACK_ENDINGS[lang])
    return frozenset(form.replace("ё", "е").translate(KEY_FOLD) for form in forms)


_ADJECTIVE: Final = frozenset({"ADJF", "ADJS", "COMP"})


def _lexeme(parse: Any) -> list[str]:
    """Return the words of a parse's lexeme that are forms of the same word.

    pymorphy3's adjective lexeme also holds the superlatives (лучший, наилучший, важнейший),
    which are words of their own (UD gives them their own lemma): a term хороший matches
    хорошая, хороши and лучше, not лучших; a term лучший matches лучших, not хорошие.
    (The short neuter form is also the adverb, просто, легко; leaving it out measured
    precision 0.817 -> 0.944 but recall 0.992 -> 0.934 on Taiga's adjectives, which tag
    the predicative красиво, страшно as ADJ: kept.)
    """
    if parse.tag.POS not in _ADJECTIVE:
        return [form.word for form in parse.lexeme]
    superlative = "Supr" in parse.tag
    return [
        form.word
        for form in parse.lexeme
        if ("Supr" in form.tag) == superlative
    ]


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
    # A high vowel in the last syllable drops before a vowel: орын → орны, халық → халқы;
    # in Kyrgyz р+ун becomes рд: орун → орду, мурун → мурду.
    # Kazakh у after a vowel is the consonant w: ауыз → аузы "its mouth".
    if len(key) >= 4 and key[-2] in _HIGH_VOWELS and (
        key[-3] not in _VOWELS or _glide(key[:-2])
    ):
        stems.append((key[:-2] + key[-1], True))
        if key[-3] == "р" and key[-1] == "н":
            stems.append((key[:-2] + "д", True))
    # A Russian loan's soft sign is not written before a suffix: сентябрь → сентябрда.
    if key[-1] == "ь" and len(key) > MIN_TURKIC_STEM:
        stems.append((key[:-1], False))
    stems += [(plural, False) for plural in _IRREGULAR_PLURALS.get(key, ())]
    return tuple(stems)


# Kyrgyz бала "child" has the plural балдар (балдардын, балдарга).
_IRREGULAR_PLURALS: Final = {"бала": ("балдар",)}


class Grammar(enum.Enum):
    """Which suffix chains a Turkic stem may take."""

    NOUN = "noun"  # plural, possessive, case, predicative
    DERIVED = "derived"  # the same, and derivation (-лық, -шы, -гі, -и…) as the same word
    VERB = "verb"  # voice, negation, tense, person, participles, converbs
    # Plural, possessive, case, predicative after a stem whose spelling tells neither the
    # sound a suffix follows nor its vowel series: an acronym, read by its letters' names
    # (ГЭС "гэ-эс": ГЭСнин and ГЭСтин), and a Russian loan without its soft sign, which
    # Kazakh gives front suffixes and Kyrgyz back ones (король: королі; сентябрь: сентябрда).
    LOOSE = "loose"


def turkic_suffix_fits(
    stem: str, rest: str, needs_vowel: bool, grammar: Grammar, lang: str = ""
) -> bool:
    """Tell whether ``rest`` is a chain of suffixes the grammar allows after ``stem``.

    ``lang`` (kk or ky) picks that language's verb endings; any other value allows both.
    In an Uzbek post (uz) a noun takes Uzbek's endings, in a post of unknown language either.
    """
    if needs_vowel and rest[:1] not in _VOWELS:
        return False
    if not rest:
        return True
    if rest[-1] in _POSTPOSITION_ENDS and stem + rest in _POSTPOSITIONS:
        return False
    if lang in _UZBEK_TOO and grammar is not Grammar.VERB and _uzbek_fits(stem, rest):
        return True
    if lang == "uz":
        return False
    if grammar is Grammar.LOOSE:
        return _SHORT_STEM_SUFFIXES.fullmatch(rest) is not None
    if not needs_vowel and rest[0] in _VOWELS and _voices(stem):
        # Before a vowel a final к, қ, п after a vowel is written voiced (жак → жагы, чык- →
        # чыгып, кітап → кітабы): жак+ын is not a form, жакын "near" is another word.
        # Neither treebank has one unvoiced such form.
        return False
    if grammar is Grammar.VERB:
        # A verb takes -п (converb) and -т (causative) after a vowel: сипаттап, азайт;
        # and Kazakh у after a vowel is a glide, of neither vowel series: бермеуі.
        if not (stem[-1] in _VOWELS and rest[0] in "пт") and not _joins(stem, rest, verb=True):
            return False
        if len(stem) <= MIN_TURKIC_STEM and (
            rest in _BARE_AORIST or (lang == "ky" and _reciprocal(stem, rest))
        ):
            return False
        verb = _verb_grammar_for(lang if lang in _VERB_ENDINGS else "")
        # Kazakh writes у in back and front words alike (алуы, келуі, шешуге): its у takes no
        # part in harmony. Kyrgyz у is back (алуусу, келүүсү), except as a glide after a vowel.
        vowels = _GLIDE_U.sub("", rest) if lang == "ky" else rest.replace("у", "")
        return verb.fullmatch(rest) is not None and _harmonic(stem, vowels)
    if not _joins(stem, rest):
        return False
    if (
        stem[-1] in _VOWELS
        and rest[0] == "д"
        and rest[1:2] in _HIGH_VOWELS
        and not _glide(stem)
    ):
        # After a vowel the accusative and genitive are -ны, -ның: ата+ды is the verb атады
        # "named", not "the father" (атаны).
        return False
    if len(stem) <= MIN_TURKIC_STEM:
        suffixes = _SHORT_DERIVED_SUFFIXES if grammar is Grammar.DERIVED else _SHORT_STEM_SUFFIXES
    else:
        suffixes = _DERIVED_SUFFIXES if grammar is Grammar.DERIVED else _NOUN_SUFFIXES
    return suffixes.fullmatch(rest) is not None and _harmonic(stem, rest)


def reads_as_past(stem: str, rest: str) -> bool:
    """Tell whether a noun's suffix is the accusative after a consonant, -ды/-ты…, which is
    how Kazakh and Kyrgyz spell a verb's past (third person): түздү "created", жолду."""
    return rest in _PAST_ENDINGS and stem[-1] not in _VOWELS


def _glide(stem: str) -> bool:
    """Tell whether the stem ends in Kazakh у after a vowel, the consonant w (тау, отау).

    Not after у or ү: Kyrgyz уу, үү is a long vowel (суу "water", туу "flag").
    """
    return len(stem) >= 2 and stem[-1] == "у" and stem[-2] in _VOWELS and stem[-2] not in "уү"


def _voices(stem: str) -> bool:
    """Tell whether the stem ends in a vowel and к, қ or п, which voice before a vowel."""
    return len(stem) >= 2 and stem[-1] in "кқп" and stem[-2] in _VOWELS


def _uzbek_fits(stem: str, rest: str) -> bool:
    """Tell whether ``rest`` is a chain of Uzbek noun suffixes (Cyrillic: Latin is read so).

    Uzbek has no vowel harmony in its suffixes; after a consonant the possessive is -и, -им,
    -инг (Toshkenti), after a vowel -си, -м, -нг (Buxorosi).
    """
    if stem[-1] in _VOWELS:
        if rest[0] == "и":
            return False
    elif rest.startswith(("си", "нг")) or rest == "м" or rest.startswith("миз"):
        return False
    return _UZBEK_SUFFIXES.fullmatch(rest) is not None


def turkic_verb_stems(word: str, *, marked: bool) -> tuple[tuple[str, bool], ...]:
    """Return the verb stems of a term word, each with "needs a vowel next".

    A word is a verb when written as its dictionary form, the verbal noun: Kazakh -у
    (сипаттау, келу, оқу from оқы-, қою from қой-), Kyrgyz -уу/-үү/-оо/-өө (жөнөтүү, жасоо);
    or, ``marked``, as a bare stem with a trailing hyphen (сипатта-). Other words have none,
    so a noun such as ата never takes verb endings (атады "named").
    """
    if marked:
        stems = [word]
    elif word.endswith(("юу", "юү")) and len(word) >= 4:
        stems = [word[:-2] + "й"]  # коюу ← кой-
    elif word.endswith(("уу", "үү")) and len(word) >= 4:
        # A base too short to be a stem is one that ends in у, ү: окуу ← оку- "read".
        stems = [word[:-2] if len(word) - 2 >= MIN_TURKIC_STEM else word[:-1]]
    elif word.endswith(("оо", "өө")) and len(word) >= 4:  # жаоо ← жаа- "rain"
        base = word[:-2]
        stems = [base + ("а" if word[-1] == "о" else "е"), base + word[-1]]  # жасоо ← жаса-
    elif word.endswith("ю") and len(word) >= 3:
        stems = [word[:-1] + "й"]  # қою ← қой-
    elif word.endswith("у") and len(word) >= 4:
        base = word[:-1]
        stems = [base]
        if base[-1] not in _VOWELS:
            stems.append(base + ("і" if _front(base) else "ы"))  # оқу ← оқы-
    else:
        return ()
    found: list[tuple[str, bool]] = []
    for stem in stems:
        if len(stem) >= MIN_TURKIC_STEM:
            found += [s for s in turkic_stems(stem) if s not in found]
    return tuple(found)


def _front(stem: str) -> bool:
    vowels = [ch for ch in stem if ch in _VOWELS]
    return bool(vowels) and vowels[-1] in _FRONT_MARKS


def _joins(stem: str, rest: str, *, verb: bool = False) -> bool:
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
    # -сыз "without" and the predicative -сың do follow consonants, as does a verb's
    # optative -сын (барсын, келсин).
    if not verb and first == "с" and rest[1:2] in _HIGH_VOWELS and rest[2:3] not in ("з", "ң"):
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


def _alternatives(*templates: str, fold: dict[int, str] = KEY_FOLD) -> str:
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
    forms |= {form.translate(fold) for form in forms}
    # Longest first, so the regex tries "ндан" before "н".
    return "|".join(sorted(forms, key=lambda f: (-len(f), f)))


# Verb endings keep ң: folded to н, the second person (барасың, бардың) would read as the
# genitive, the reflexive or the accusative (өндүрүштүн "of production" is no өндүр+үш+тү+ң).
_VERB_FOLD: Final = {k: v for k, v in KEY_FOLD.items() if k != ord("ң")}


def _verb_alternatives(*templates: str) -> str:
    return _alternatives(*templates, fold=_VERB_FOLD)


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
_PAST_ENDINGS: Final = frozenset(d + v for d in "дт" for v in "ыиуүі")
_GLIDE_U = re.compile("(?<=[аеәоөыіұү])у")
# Derivation that UD's Kazakh and Kyrgyz treebanks (and an analyst) count as the same lemma:
# мамлекет → мамлекеттик "state (adj.)", экономика → экономикалык, орун → орундуу, ...
# Only bare: an adjective stands uninflected before its noun, and a derived word that takes a
# plural, possessive or case is a noun of its own (министрлиги "its ministry", элчилигинде
# "at the embassy", шайлоочулар "voters").
_DERIVED = _alternatives("LIG", "LUU", "LI", "сIз", "сIзLIG", "чI", "шI", "Iй")
# The verbal noun in -уу is a form of its verb (UD: VerbForm=Vnoun) and is declined.
_VERBAL_NOUN = _alternatives("UU")
_PLURAL = _alternatives("LAр")
# First and second person possessives take the regular cases (үйімді, үйіме); the third
# person (-ы, -сы, -лары) takes n-initial ones (баласын, баласына, баласында), so баг+ы+ты
# is not a form and багыты "its direction" is another word.
_POSSESSIVE_12 = _alternatives(
    "Iм", "м", "Iң", "ң", "IңIз", "ңIз", "IмIз", "мIз", "IбIз", "бIз"
)
_POSSESSIVE_3 = _alternatives("I", "сI", "лAрI")
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
_CASE_AFTER_POSSESSIVE_12 = _alternatives("A")
_CASE_AFTER_POSSESSIVE_3 = _alternatives(
    "нIң", "нIн", "нA", "н", "нDA", "нDAGI", "нDAн", "нAн", "BAн", "BAнAн"
)
# Similative -дай, predicative (студентпін, -дыр), the emphatic particle and the Kyrgyz
# question particle, written on (өлкөбү "a country?", келеби "will he come?", китеппи).
_PARTICLES = ("DAй", "BIн", "BIз", "сIң", "сIз", "DIр", "гой", "ғой", "бI", "пI")
# After a noun, also the equative -ча/-ше and the possessive -нікі.
_AFTER = _alternatives(*_PARTICLES, "чA", "шA", "нIкI")
# After a verb form, the particles alone: киреше "income" is no кир+е+ше.
_VERB_AFTER = _alternatives(*_PARTICLES)
_INFLECTION = (
    rf"(?:{_PLURAL})?(?:(?:{_POSSESSIVE_12})(?:{_CASE}|{_CASE_AFTER_POSSESSIVE_12})?"
    rf"|(?:{_POSSESSIVE_3})(?:{_CASE_AFTER_POSSESSIVE_3})?|{_CASE})?"
    rf"(?:{_AFTER})?(?:{_AFTER})?"
)
_NOUN_SUFFIXES = re.compile(rf"(?:{_VERBAL_NOUN})?{_INFLECTION}")
_DERIVED_SUFFIXES = re.compile(rf"(?:{_DERIVED})(?:{_AFTER})?|(?:{_VERBAL_NOUN})?{_INFLECTION}")
# Derivation after a three-letter root made more wrong words than right ones (кар → каршы),
# except the relational -лык/-дык/-тык of measures and places, bare as an adjective is:
# жылдык "annual", сомдук "worth ... som", күндүк "daily", аралык "between".
_SHORT_STEM_SUFFIXES = re.compile(_INFLECTION)
_SHORT_DERIVED_SUFFIXES = re.compile(rf"{_alternatives('LIG')}|{_INFLECTION}")

# Verbs. Voice (passive -ыл/-л, reflexive -ын/-н, causative -т, reciprocal kk -ыс, ky -ыш) is
# part of the verb in UD's Kazakh and Kyrgyz treebanks (сатылып, кайтарылды, окутуу). The
# causatives -дыр and -гыз mostly make verbs of their own there (өнүктүр, киргиз): left out.
# Each language has its own endings (kk барады, бару; ky барат, баруу), and a post in one
# is matched with that one's only: ky курулушу is no Kazakh verbal noun кур+ул+уш+у.
# Voice suffixes come in one order: reciprocal, causative, passive or reflexive (жолугуш-,
# оку+т+ул-). A -ыш after the passive is the noun курулуш "construction", not a verb form.
_CAUSATIVE = _alternatives("т")
_PASSIVE = _alternatives("Iл", "л", "Iн", "н")
# The bare aorist of a three-letter root (барар, келер) is no verb in either treebank, and
# the words it spells are mostly nouns: катар "row", басар, базар. Measured on the
# development part: ky adjectives .856 -> .873 (катуу "hard" is also the verbal noun of
# кат-), kk verbs' precision .930 -> .943, no recall moved.
_BARE_AORIST: Final = frozenset({"ар", "ер", "ор", "өр", "әр"})
# After a bare root the Kyrgyz reciprocal/cooperative -ыш mostly makes a verb of its own:
# the Kyrgyz treebank lemmatises катыш- "take part" (not кат- "harden"), жүрүш-, билиш-,
# бериш-, кириш- as their own verbs 38 times, and a root's -ыш form as the root 6 times
# (беришти, алышты). Longer stems take it as a part of the verb about as often as not
# (талкуулашты "they discussed", белгилешти): kept.
_RECIPROCAL_ONSET: Final = frozenset("ыиуү")


def _reciprocal(stem: str, rest: str) -> bool:
    if stem[-1] in _VOWELS:
        return rest[0] == "ш"
    return rest[1:2] == "ш" and rest[0] in _RECIPROCAL_ONSET


# Postpositions and adverbs spelled as a noun or verb with suffixes: Kyrgyz тууралуу
# "about" (туура "right" + -луу), боюнча "according to" (бой "height"), карата "towards"
# (кара- "look"), аркылуу "through", бирге "together", катары "as", башка "other" (баш
# "head" + -ка), көбүнчө "mostly"; Kazakh туралы, бойынша, қарай, арқылы, бірге, ретінде
# "as" (рет "time" + -і-нде), басқа. Both treebanks give them lemmas of their own (ADV,
# ADP, ADJ), and a function word is no form of a content word a user watches.
_POSTPOSITIONS: Final = frozenset(
    form
    for word in ("тууралуу", "боюнча", "карата", "аркылуу", "бирге", "катары", "жөнүндө",
                 "башка", "көбүнчө", "негизинен", "туралы", "бойынша", "қарай", "арқылы",
                 "бірге", "жөнінде", "ретінде", "басқа", "көбінесе", "негізінен")
    # Also as the matcher reads ю after a vowel, й + у: боюнча as бой+унча.
    for spelled in (word, word.replace("ою", "ойу"))
    for form in (spelled, spelled.translate(KEY_FOLD))
)
_POSTPOSITION_ENDS: Final = frozenset(word[-1] for word in _POSTPOSITIONS)
# Person after the past and the conditional (бардым, барсаң), and after the other tenses
# (барамын, барасың, барабыз). Not the first person plural -дық, -дык: it is written as the
# derivation -лық/-дык/-тык, far more common in the news (бардық "all", улуттук "national",
# кызматташтык "cooperation"), and a verb term matched those instead (measured on the
# Kyrgyz treebank's dev part: verbs precision .911 -> .914, adjective terms .782 -> .824).
_PERSON_PAST = _verb_alternatives("м", "ң", "ңIз", "ңDAр", "ңIзDAр")
_PERSON = _verb_alternatives("м", "мIн", "BIн", "сIң", "сIз", "мIз", "BIз", "сIңDAр", "сIзDAр")
_PAST = _verb_alternatives("DI", "сA")
# Finite forms: present (бара+мын), aorist and negative aorist (барар, бармас), imperative
# and optative (барсын, барыңыз, барайын), desiderative (барғы+м).
_COMMON_FINITE = (
    "A", "й", "Aр", "р", "BAс", "сIн", "сIнDAр", "Iң", "ң", "IңIз", "ңIз", "IңIзDAр", "ңIзDAр",
    "AйIн", "йIн", "GI", "BAк",
)
# Non-finite forms that decline like nouns: participles (барған+да), the desiderative.
_COMMON_NONFINITE = ("GAн", "BAс", "GI", "BAк")
# Converbs: барып, бара, бармай, барғалы.
_COMMON_CONVERB = ("Iп", "п", "A", "й", "GAлI")


def _verb_grammar(reciprocal: tuple[str, ...], finite: tuple[str, ...],
                  nonfinite: tuple[str, ...], converb: tuple[str, ...]) -> re.Pattern[str]:
    each = _alternatives(*reciprocal), _CAUSATIVE, _PASSIVE
    voice = "".join(f"(?:{one})?" for one in each)
    # A voice takes an ending: a bare causative or passive would be an imperative, rare in
    # the news, and is more often a word of its own (улут "nation" is no улу+т). Kazakh
    # -с+ын is the optative -сын instead (барсын, болсын).
    bare = rf"(?!с(?:{each[2]})\Z){voice}"
    return re.compile(
        rf"(?!(?=.)(?:{bare})\Z){voice}"
        # After the negation -ма comes -й, -ды, -ған, -са, -с, never -т: кыз+ма+ты is кызматы.
        rf"(?:(?:{_alternatives('BA')})(?!т))?"
        rf"(?:(?:(?:{_PAST})(?:{_PERSON_PAST})?|(?:{_verb_alternatives(*finite)})(?:{_PERSON})?"
        rf"|(?:{_alternatives(*nonfinite)}){_INFLECTION}|(?:{_alternatives(*converb)}))"
        # A particle (-дай, -ғой) follows a verb form, not a bare stem: курултай is a word.
        rf"(?:{_VERB_AFTER})?)?"
    )


# Kazakh: present барады, intention бармақ(шы), optative барайық, evidential барыпты;
# participle баратын, verbal noun бару, agent айтушы; converb барғанша.
_KK_VERB = (
    ("Iс", "с"),
    (*_COMMON_FINITE, "ADI", "йDI", "BAқ", "BAқшI", "BAкшI", "AйIк", "йIк", "AйIқ", "йIқ",
     "IпDI", "пDI"),
    (*_COMMON_NONFINITE, "AтIн", "йтIн", "U", "UшI", "BAқ"),
    (*_COMMON_CONVERB, "GAншA", "GIншA"),
)
# Kyrgyz: present барат, optative баралы, imperative баргыла, evidential барыптыр;
# verbal noun баруу, habitual барчу; converbs барганча, баргыча.
_KY_VERB = (
    ("Iш", "ш"),
    (*_COMMON_FINITE, "Aт", "йт", "AлI", "лI", "GIлA", "GIн", "IпDIр", "пDIр"),
    (*_COMMON_NONFINITE, "UU", "чU"),
    (*_COMMON_CONVERB, "GAнчA", "GIчA"),
)
_VERB_ENDINGS = {
    "kk": _KK_VERB,
    "ky": _KY_VERB,
    # A post in another Turkic language, or of unknown language: either.
    "": tuple(a + b for a, b in zip(_KK_VERB, _KY_VERB, strict=True)),
}


@cache
def _verb_grammar_for(key: str) -> re.Pattern[str]:
    """``_verb_grammar`` of a language of ``_VERB_ENDINGS``, compiled at its first use.

    Compiling the three took 0.3-0.6 s of every process that imports this module (each
    start of `tgmon run`, each CLI command that analyses), and only a Turkic verb keyword
    term ever matches with one.
    """
    return _verb_grammar(*_VERB_ENDINGS[key])


# Uzbek (Cyrillic, as Latin is read): plural, possessive, case, predicative and particles.
# Mirziyoyevning, Mirziyoyevga, Oʻzbekistonda, viloyatlarida, Toshkentdagi.
_UZBEK_TOO: Final = frozenset({"uz", "und"})
_UZBEK_SUFFIXES = re.compile(
    "(?:лар)?(?:имиз|ингиз|нгиз|миз|инг|нг|им|м|лари|си|и)?"
    "(?:нинг|ни|гача|га|ка|қа|даги|дан|да|ча|дек|дай)?"
    "(?:ман|сан|миз|сиз|дир|ми|чи|ку|гина|у|ю|да){0,2}"
)


def verbal_noun(stem: str, lang: str) -> str:
    """Return the dictionary form of a Kazakh or Kyrgyz verb stem: сипатта → сипаттау (kk),
    жөнөт → жөнөтүү, жаса → жасоо (ky). The evaluation writes verb terms this way."""
    if not stem:
        return stem
    last = stem[-1]
    if lang == "ky":
        if stem.endswith(("уу", "үү")):
            return stem  # a long vowel takes no other: жуу- "wash" → жуу, улануу as written
        if last == "й":
            return stem[:-1] + ("юү" if _front(stem) else "юу")
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
    return stem[:-1] + "ю" if last == "й" else stem + "у"


def slavic_adverb_forms(word: str) -> frozenset[str]:
    """Return the keys of the forms of Russian adjective ``word`` that are also adverbs.

    The short neuter form (просто, важно, тяжело) and the comparative (больше, лучше) are
    the adverb as well, so a post's such word is the adjective only in some places
    (``bot.analysis.predicative``). Empty for a word that is no adjective.
    """
    return frozenset(
        form.word.replace("ё", "е").translate(KEY_FOLD)
        for parse in _morph("ru").parse(word)
        if parse.tag.POS == "ADJF" and _same(parse.normal_form, word)
        for form in parse.lexeme
        if form.tag.POS == "COMP" or (form.tag.POS == "ADJS" and "neut" in form.tag)
    )


def known_words(words: list[str], lang: str) -> list[bool]:
    """Tell, per lower-case word, whether pymorphy3's ``lang`` dictionary (ru, uk) has it."""
    vocabulary = _vocabulary(lang)
    words_dawg, substitutes = vocabulary.words, vocabulary.substitutes
    # What MorphAnalyzer.word_is_known does (ё may be written е), with the word list alone.
    if substitutes:
        return [bool(words_dawg.similar_keys(word, substitutes)) for word in words]
    return [word in words_dawg for word in words]


def word_classes(word: str, lang: str) -> frozenset[str]:
    """Return the parts of speech pymorphy3's ``lang`` dictionary gives a lower-case word.

    OpenCorpora's names (VERB, INFN, ADJF, ADVB, PRCL…), with a pronominal adjective (все,
    это, свой) as ``Apro``; empty for a word the dictionary lacks. Works after
    :func:`release_analysers`, from the word list and the paradigms alone.
    """
    vocabulary = _vocabulary(lang)
    found = vocabulary.words.similar_items(word, vocabulary.substitutes)
    classes = vocabulary.classes
    return frozenset(
        classes[paradigm[len(paradigm) // 3 + idx]]
        for _, parses in found
        for para_id, idx in parses
        for paradigm in (vocabulary.paradigms[para_id],)
    )


class _Vocabulary(NamedTuple):
    """What :func:`known_words` and :func:`word_classes` need of a dictionary (~15 MB for ru).

    The paradigms and a part of speech per tag add 0.3 MB to the word list.
    """

    words: Any
    substitutes: Any
    paradigms: Any
    classes: tuple[str, ...]


@cache
def _vocabulary(lang: str) -> _Vocabulary:
    """The parts of ``lang``'s dictionary that outlive :func:`release_analysers`."""
    morph = _morph(lang)
    dictionary = morph.dictionary
    classes = tuple(
        "Apro" if "Apro" in str(tag) else str(tag.POS) for tag in dictionary.gramtab
    )
    return _Vocabulary(dictionary.words, morph.char_substitutes, dictionary.paradigms, classes)


def release_analysers() -> None:
    """Drop the full dictionaries once the keyword forms are built (~19 MB for ru and uk).

    A running service needs them only to expand its keyword terms at start; afterwards the
    language votes ask whether a word is known, which the word lists kept by
    ``_vocabulary`` answer. A later ``slavic_forms`` loads them again.
    """
    _morph.cache_clear()
