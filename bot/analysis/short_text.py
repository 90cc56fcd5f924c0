"""Votes for the language of a short text, where fastText lite and CLD2 alone go wrong.

Below SHORT_LETTERS letters (one in three real posts: replies, headlines, captions) the two
fast detectors fail on 5–12% of Kazakh, Kyrgyz, Uzbek and Ukrainian items. Four more voices,
each strong where they are weak (bench/evaluate.py measured every weight):

- py3langid, restricted to the region's languages: the best single voice on Latin Uzbek and
  good on kk and ky;
- lingua in its low-accuracy mode, for Cyrillic text only and with eight languages (17 MB,
  where all of lingua's languages take 1.2 GB): the best on uk, be and kk. It has no model
  for Kyrgyz or Tatar, so its "kk" counts for them too and the other voices break the tie;
- pymorphy3's Russian and Ukrainian dictionaries (already loaded for keywords): a word only
  one of the two knows (також, програма; также, программа) is strong evidence, and words that
  Russian does not know at all (жаады, това) argue against Russian;
- the alphabets: a letter a language does not write rules it out (ы, э, ё are not
  Ukrainian; и and щ are not Belarusian; і is not Russian);
- Turkic suffixes on a Russian word (линза+сы, доллар+ына, изотоп+тарды): a loan declined
  the Kazakh, Kyrgyz or Tatar way, which the Russian dictionary does not know as a whole.

The sum is then weighed by a prior: a language outside the region tgmon's channels write in
(Bulgarian, Mongolian, Macedonian, Serbian…) needs clearly more votes than one inside it,
because a short text that two detectors half-read as Bulgarian is far likelier a Russian or
Kazakh post than a Bulgarian one.

The models load with the detector (``warm_up``, 0.9 s), not on the first short post: a
collector that loads them lazily spends its first second of a catch-up loading instead of
storing. Lingua builds only the eight languages' low-accuracy models.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from collections import defaultdict
from collections.abc import Sequence
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Final

from bot.analysis import langid_tables
from bot.analysis.channel_prior import Prior, lean, may_lean
from bot.analysis.langid_tables import compact
from bot.analysis.model_cache import cached, holds
from bot.analysis.morphology import MIN_TURKIC_STEM, Grammar, known_words, turkic_suffix_fits

# Text with fewer letters than this is decided by the votes; longer text by the fast path,
# which is right on ≥99.5% of it (and the votes would double its cost).
SHORT_LETTERS: Final = 50
_RU: Final = frozenset("абвгдеёжзийклмнопрстуфхцчшщъыьэюя")
# The Cyrillic letters each language writes. A language whose alphabet lacks a letter of the
# text is ruled out; languages not listed here write no Cyrillic at all.
_ALPHABETS: Final = {
    "ru": _RU,
    "uk": (_RU - set("ёъыэ")) | set("іїєґ"),
    "be": (_RU - set("ищъ")) | set("іў"),
    "bg": _RU - set("ёыэ"),
    "mk": (_RU - set("ёйщъыьэюя")) | set("јљњѓќѕџ"),
    "sr": (_RU - set("ёйщъыьэюя")) | set("јљњћђџ"),
    "kk": _RU | set("әғқңөұүһі"),
    "ky": _RU | set("ңөү"),
    "tt": _RU | set("әөүҗңһ"),
    "ba": _RU | set("әөүғҡңҙҫһ"),
    "mn": _RU | set("өү"),
    "uz": (_RU - set("щы")) | set("ўқғҳ"),
    "tg": _RU | set("ғӣқӯҳҷ"),
}
_CYRILLIC: Final = frozenset().union(*_ALPHABETS.values())
_CYRILLIC_WORD = re.compile(r"[\u0400-\u04ff]{2,}")
# py3langid's choices: the languages tgmon's channels are written in and their neighbours.
_LANGID_LANGUAGES: Final = ("ru", "uk", "be", "bg", "mk", "sr", "kk", "ky", "mn", "en", "tr",
                            "az", "uz")
# Lingua knows Kazakh but no other Cyrillic Turkic language.
_LINGUA_TURKIC_ALSO: Final = ("ky", "tt")
# Weights of the voices (bench/evaluate.py: each is the best of a coarse grid, and none is
# sharp: ±0.5 moves no band by more than a point).
_W_FASTTEXT: Final = 1.0
_W_CLD2: Final = 1.0
_W_LANGID: Final = 1.5
_W_LINGUA: Final = 1.0
_W_FAST_PATH: Final = 0.5  # the fast path's own decision, which also weighs its rules
_W_DICTIONARY: Final = 2.0
# Words both dictionaries know (жених, слава) lean to Russian, by far the most written
# Cyrillic language of the region's channels. Measured on 4-19 letters: ru +0.4, Taiga +0.8,
# single Russian words +2.3 points; uk -0.5, be -0.2, bg -0.3.
_W_SHARED_WORD: Final = 0.5
# Spelling cues, as the share of the text's words that carry one. Uzbek Latin: oʻ/gʻ, q not
# before u, x, and its commonest endings (viloyatlar, prezidentlik, Toshkentdagi): uz on 4-19
# letters +2.0 points, en unchanged. Kyrgyz writes its long vowels doubled (жаан, шаар,
# сүйлөө), Kazakh and Russian do not: ky +0.4, mn -0.1. Uzbek's function words (va, bilan,
# yana, kuni) and its case and possessive endings after a consonant (Hongkongda, asarini)
# count too, and the cue counts 1.0 (4-19 letters / word pairs, dev: uz 96.1/96.0 ->
# 96.6/97.1, held out 91.7/90.7 -> 93.1/92.1; en single words 98.0 -> 97.6 dev, 98.0 held
# out: extra, exons, donning).
_W_UZBEK_SPELLING: Final = 1.0
_W_KYRGYZ_SPELLING: Final = 1.0
_UZBEK_LATIN = re.compile(
    r"[og][ʻʼ‘’'`]|q(?!u)|x|(?:lar|lik|ning|dagi|dan|gan|lari|imiz|ingiz|moq|yapti)$"
    r"|^(?:va|bilan|uchun|ham|esa|ammo|lekin|deb|biz|yana|eng|yoki|shu|ushbu|kuni|yil|yili"
    r"|emas|haqida|orqali|hamda|kabi|juda|endi|hali|sifatida)$"
    r"|[^aeiou](?:da|ga|ni|si|ri|ini|ida)$"
)
_LATIN_WORD = re.compile(r"[a-zʻʼ'‘’`]+")
_KYRGYZ_LONG_VOWEL = re.compile("аа|оо|уу|ээ|өө|үү")
# A share of the words that are Russian words with a Turkic suffix chain moves this much from
# ru to each Turkic language (dev split, 4-19 letters: ky +0.4, kk +0.1, ru unchanged).
_W_TURKIC_LOAN: Final = 1.0
_TURKIC_LOAN_LANGUAGES: Final = ("kk", "ky", "tt")
# Kazakh against Kyrgyz, where the text has neither's own letters (әғқұһі; long vowels are
# counted above), and Uzbek Cyrillic against both. Cues from their grammars, read on the
# words neither dictionary knows (Turkic words, or loans with a Turkic suffix), and function
# words (any word). Each cue's share of the words moves this much:
# - Kyrgyz rounds a suffix's high vowel after a rounded one (болуп, колхозу, көлү, өкмөтү)
#   where Kazakh writes ы or і (болып, колхозы, көлі): the last two vowels, a consonant
#   between (side by side they are a long vowel or a diphthong: Mongolian уу, ай);
# - Kazakh's genitive ends in ң (кантонының), Kyrgyz's in н (кантонунун);
# - Kyrgyz writes ч and a word-initial э where Kazakh writes ш and е (үчүн/үшін, эки/екі),
#   so either in a Turkic word argues against Kazakh only (Belarusian, Uzbek, Mongolian and
#   Tatar write them too);
# - Uzbek has lost vowel harmony: its suffixes keep и after a back vowel (компанияси,
#   рақамли) where Kazakh and Kyrgyz write ы.
_W_KY_KK: Final = 1.0
_W_NO_HARMONY: Final = 1.0
# Uzbek's -лар and -лик where Kazakh and Kyrgyz would assimilate or harmonise them
# (``_uzbek_l_suffix``), per word: held out, uz-cyrl 4-19 letters 88.9 -> 91.7 (dev no
# change); 3.0 gained one more and cost a Tatar pair.
_W_UZBEK_SUFFIX: Final = 2.0
_HARMONY_VOWELS: Final = str.maketrans("яёюэ", "аоуе")
_ROUNDED_PAIRS: Final = frozenset({"оу", "уу", "өү", "үү"})
_UNROUNDED_PAIRS: Final = frozenset({"оы", "уы"})
_BACK_VOWELS: Final = frozenset("аоуы")
_KAZAKH_GENITIVE: Final = ("ның", "нің", "дың", "дің", "тың", "тің")
# Function words spelled with neither language's own letters (from their grammars).
_KYRGYZ_WORDS: Final = frozenset({
    "менен", "жана", "боюнча", "тууралуу", "анын", "мунун", "ошол", "ушул", "бул", "бир",
    "жок", "азыр", "башка", "кийин", "чейин", "болгон", "болот", "үчүн", "эмес", "эле",
    "экен", "эки", "алар", "биз", "сиз", "дагы", "өтө", "ар",
    # Common words Kazakh spells otherwise (бірақ, жаңа, үлкен, мың) and Kyrgyzstan's
    # currency: ky word pairs +0.3 dev and held out, no loss.
    "бирок", "жаңы", "чоң", "миң", "сом",
})
_KAZAKH_WORDS: Final = frozenset({"мен", "бен", "пен", "туралы", "бойынша", "олар", "осы",
                                  "оның", "бұл", "дейін", "кейін", "емес", "немесе", "еді",
                                  "енді", "жаңа", "мың"})
# Function words: the commonest words of each language, a closed class every text uses, and
# often the only telling word of a short one (Але тут, А вось, Порошенко ва). pymorphy3's
# Russian dictionary knows rare and archaic words that spell them (але, буде, нема, билан),
# so the dictionary vote cannot tell them. Only words that none of the region's other
# Cyrillic languages writes alike are listed (як, але, бо, і are both Ukrainian and
# Belarusian, and vote for both); their share of the text's words moves this much to each
# language that writes them. Word pairs, dev / held out: uk 90.3 -> 91.4 / 89.5 -> 90.6,
# be 89.8 -> 90.8 / 88.7 -> 91.0, uz-cyrl 92.2 -> 94.0 / 89.3 -> 90.7, bg 70.2 -> 71.6 /
# 71.7 -> 72.8; 4-19 letters uk +0.5, be +0.3 / 0.0; mn pairs -0.1 / -0.2 (та), nothing else
# moved by more than 0.1 (1.5 gained half as much, 5.0 cost bg). Kazakh and Kyrgyz have
# their own lists below.
_W_FUNCTION_WORD: Final = 3.0
_FUNCTION_WORDS: Final = {
    "ru": frozenset({
        "что", "это", "его", "она", "они", "оно", "уже", "ещё", "еще", "очень", "когда",
        "только", "тоже", "также", "был", "были", "будет", "будут", "нет", "есть",
        "где", "здесь", "вот", "чтобы", "если", "даже", "можно", "нужно", "надо", "сейчас",
        "теперь", "который", "которая", "которые", "которых", "которого", "этот", "эта",
        "эти", "этого", "этом", "меня", "тебя", "тебе", "него", "неё", "нее", "них",
        "после", "между", "ко", "со", "во", "или", "кто", "почему",
        "сегодня", "всегда", "никогда", "ничего", "какой", "какая", "какие", "свой", "себе",
    }),
    "uk": frozenset({
        "що", "це", "цей", "ця", "ці", "цього", "цієї", "як", "але", "буде", "будуть", "був",
        "вже", "дуже", "його", "її", "їх", "він", "вона", "воно", "вони", "ми",
        "мене", "мені", "тебе", "тобі", "собі", "від", "між", "після", "під", "та", "й", "і",
        "чи", "коли", "щоб", "якщо", "навіть", "також", "тільки", "лише", "треба", "зараз",
        "тепер", "сьогодні", "де", "куди", "чому", "який", "яка", "яке", "які", "хто", "нема",
        "немає", "є", "ось", "бо", "теж", "із", "зі", "ні", "нічого", "свій", "своє", "можна",
    }),
    "be": frozenset({
        "што", "гэта", "гэты", "гэтая", "гэтыя", "гэтага", "як", "але", "вось", "ад", "і", "ў",
        "таксама", "яна", "яны", "ён", "яго", "яе", "іх", "калі", "бо", "ці", "дзе", "няма",
        "вельмі", "ужо", "яшчэ", "толькі", "каб", "таму", "пасля", "паміж", "праз", "пад",
        "па", "мяне", "цябе", "сябе", "быў", "былі", "будзе", "будуць", "ёсць", "які", "якая",
        "якое", "якія", "хто", "чаму", "можна", "трэба", "зараз", "цяпер", "сёння", "заўсёды",
        "нават", "адзін", "адна", "усё", "усе", "увесь",
    }),
    "bg": frozenset({
        "че", "това", "тази", "този", "тези", "които", "който", "която", "което", "със",
        "във", "той", "тя", "ние", "вие", "аз", "има", "беше", "бяха", "след", "като",
        "също", "още", "само", "вече", "какво", "защо", "къде", "кога", "тук", "сега",
    }),
    "uz": frozenset({
        "ва", "билан", "учун", "эса", "аммо", "лекин", "деб", "каби", "жуда", "яна", "энг",
        "ёки", "шу", "ушбу", "мазкур", "неча", "ҳам", "ҳақида", "орқали", "бўйича",
        "бўлиб", "бўлган", "ўз", "йил", "йилда", "йили",
    }),
}
_FUNCTION_WORD_LANGS: Final = {
    word: tuple(lang for lang, words in _FUNCTION_WORDS.items() if word in words)
    for word in frozenset().union(*_FUNCTION_WORDS.values())
}
_ANY_CYRILLIC_WORD = re.compile(r"[\u0400-\u04ff]+")
# The languages of the region's channels. Any other language's votes count this much (dev
# split: en single words +1.5, uz 4-19 letters +1.2, ky +0.7, ru-taiga word pairs +0.8,
# ru single words +0.6; what it costs: bg single words -1.8, 4-19 letters -1.0, word
# pairs -3.5; mn single words -1.5). Long text never sees it: the fast path decides there.
_REGION: Final = frozenset({"ru", "kk", "ky", "uz", "uk", "en", "be", "tt"})
_OUTSIDE_REGION: Final = 0.7


def vote(
    prepared: str,
    fast_path: str,
    fasttext: Sequence[tuple[str, float]],
    cld2: tuple[str, float] | None,
    prior: Prior | None = None,
) -> tuple[str, float]:
    """Return the language most voices agree on, with its share of the votes.

    ``prior`` is the share of each language in the post's channel (bot/analysis/
    channel_prior.py): it tips only a vote whose winner is unsure (``may_lean``).
    """
    possible = vote_scores(prepared, fast_path, fasttext, cld2)
    if not possible:
        return fast_path, 0.0
    found = decide(possible)
    if prior is not None and may_lean(*found):
        return decide(lean(possible, prior))
    return found


def decide(possible: Sequence[tuple[float, str]]) -> tuple[str, float]:
    """The language with the most votes, and its share of all of them."""
    best, lang = max(possible)
    return lang, round(min(1.0, best / sum(s for s, _ in possible)), 4)


def vote_scores(
    prepared: str,
    fast_path: str,
    fasttext: Sequence[tuple[str, float]],
    cld2: tuple[str, float] | None,
) -> list[tuple[float, str]]:
    """Every language the text's letters allow, with its weighed votes (none below zero)."""
    lower = prepared.lower()
    letters = _telling_letters(prepared)
    scores: defaultdict[str, float] = defaultdict(float)
    for lang, score in fasttext:
        scores[lang] += _W_FASTTEXT * score
    if cld2 is not None:
        scores[cld2[0]] += _W_CLD2 * cld2[1]
    for lang, score in _langid().rank(prepared)[:3]:
        scores[lang] += _W_LANGID * float(score)
    scores[fast_path] += _W_FAST_PATH
    if not letters:
        scores["uz"] += _W_UZBEK_SPELLING * _share(_LATIN_WORD.findall(lower), _UZBEK_LATIN)
    else:
        scores["ky"] += _W_KYRGYZ_SPELLING * _share(
            _CYRILLIC_WORD.findall(lower), _KYRGYZ_LONG_VOWEL
        )
        for lang, score in _lingua_votes(prepared):
            scores[lang] += _W_LINGUA * score
            if lang == "kk":
                for also in _LINGUA_TURKIC_ALSO:
                    scores[also] += _W_LINGUA * score
        _dictionary_votes(lower, scores)
        _function_word_votes(lower, scores)
    return [
        (s if lang in _REGION else s * _OUTSIDE_REGION, lang)
        for lang, s in scores.items()
        if _writes(lang, letters) and s > 0
    ]


def _share(words: list[str], cue: re.Pattern[str]) -> float:
    return sum(cue.search(w) is not None for w in words) / len(words) if words else 0.0


def _telling_letters(prepared: str) -> frozenset[str]:
    """Return the Cyrillic letters that tell the alphabet: those of the lower-case words.

    A capitalised word is often a name spelled the Kazakh or Ukrainian way (Мәжіліс, Київ)
    inside a Russian post; when every word is capitalised (a headline), all words count.
    """
    words = prepared.split()
    # A one-letter word is a conjunction or preposition (І, Ў, И), never a name.
    lower_words = [w for w in words if not w[:1].isupper() or not w[1:2].isalpha()]
    text = " ".join(lower_words if lower_words else words).lower()
    return frozenset(ch for ch in text if ch in _CYRILLIC)


def warm_up() -> None:
    """Load the models, so the first short post costs no more than the next."""
    vote("Прогрев", "ru", [], None)


def _writes(lang: str, letters: frozenset[str]) -> bool:
    alphabet = _ALPHABETS.get(lang)
    return not letters if alphabet is None else letters <= alphabet


def _function_word_votes(lower: str, scores: defaultdict[str, float]) -> None:
    words = _ANY_CYRILLIC_WORD.findall(lower)
    if not words:
        return
    share = _W_FUNCTION_WORD / len(words)
    for word in words:
        for lang in _FUNCTION_WORD_LANGS.get(word, ()):
            scores[lang] += share


def _dictionary_votes(lower: str, scores: defaultdict[str, float]) -> None:
    words = _CYRILLIC_WORD.findall(lower)
    if not words:
        return
    in_ru, in_uk = _known(words)
    only_ru = sum(r and not u for r, u in zip(in_ru, in_uk, strict=True))
    only_uk = sum(u and not r for r, u in zip(in_ru, in_uk, strict=True))
    neither = sum(not r and not u for r, u in zip(in_ru, in_uk, strict=True))
    both = len(words) - only_ru - only_uk - neither
    scores["ru"] += (
        _W_DICTIONARY * (only_ru - only_uk - neither) + _W_SHARED_WORD * both
    ) / len(words)
    scores["uk"] += _W_DICTIONARY * (only_uk - only_ru) / len(words)
    unknown = [word for word, r, u in zip(words, in_ru, in_uk, strict=True) if not r and not u]
    _turkic_votes(words, unknown, scores)
    loans = sum(turkic_loan(word) for word in unknown)
    if loans:
        share = _W_TURKIC_LOAN * loans / len(words)
        scores["ru"] -= share
        for lang in _TURKIC_LOAN_LANGUAGES:
            scores[lang] += share


# Whether each dictionary knows a word, for the words short posts repeat (a similar_keys
# walk of the DAWG is 2-3 us a word and dictionary; 10,000 words take about 1.2 MB at most).
_KNOWN_MAX: Final = 10_000
_known_words: dict[str, tuple[bool, bool]] = {}


def _known(words: list[str]) -> tuple[list[bool], list[bool]]:
    """Return, per word, whether the ru and the uk dictionary know it (see ``known_words``)."""
    memory = _known_words
    new = [word for word in dict.fromkeys(words) if word not in memory]
    if new:
        if len(memory) + len(new) > _KNOWN_MAX:
            memory.clear()
        memory.update(zip(new, zip(known_words(new, "ru"), known_words(new, "uk"), strict=True),
                          strict=True))
    known = [memory[word] for word in words]
    return [ru for ru, _ in known], [uk for _, uk in known]


def _turkic_votes(words: list[str], unknown: list[str], scores: defaultdict[str, float]) -> None:
    kyrgyz = sum(w in _KYRGYZ_WORDS for w in words)
    kazakh_words = kazakh = sum(w in _KAZAKH_WORDS for w in words)
    not_kazakh = no_harmony = 0
    for word in unknown:
        cues = _harmony_cues(word)
        kyrgyz += cues[0]
        kazakh += cues[1]
        not_kazakh += cues[2]
        no_harmony += cues[3]
    n = len(words)
    scores["ky"] += _W_KY_KK * (kyrgyz - kazakh) / n
    # Tatar also has the ң genitive and no rounding: only a function word is Kazakh's own.
    scores["kk"] += _W_KY_KK * (kazakh_words - kyrgyz - not_kazakh) / n
    scores["uz"] += (_W_NO_HARMONY * no_harmony
                     + _W_UZBEK_SUFFIX * sum(map(_uzbek_l_suffix, unknown))) / n


@lru_cache(maxsize=20_000)
def _harmony_cues(word: str) -> tuple[bool, bool, bool, bool]:
    """Whether a Turkic word reads Kyrgyz, Kazakh or Tatar, not Kazakh, Uzbek (see above)."""
    last = _last_vowels(word)
    return (
        last in _ROUNDED_PAIRS,
        last in _UNROUNDED_PAIRS or word.endswith(_KAZAKH_GENITIVE),
        "ч" in word or word[0] == "э",
        word[-1] == "и" and len(last) == 2 and last[0] in _BACK_VOWELS,
    )


def _uzbek_l_suffix(word: str) -> bool:
    """Whether the word ends in Uzbek's plural -лар or -лик the way only Uzbek writes them.

    Kazakh and Kyrgyz write -тар, -дар, -тык, -дык after most consonants (автобустар,
    президенттик) and -лер, -лик only after a front vowel (пенсионерлер); Uzbek writes -лар
    and -лик after every sound (автобуслар, президентлик, пенсионерлар).
    """
    found = _L_SUFFIX.search(word)
    if found is None or found.start() < 2:
        return False
    stem = word[: found.start()]
    if stem[-1] not in _VOWEL_LETTERS and stem[-1] not in "рйуўл":
        return True
    return found.group(1) == "лар" and _last_vowel(stem) in _FRONT_VOWELS


def _last_vowel(stem: str) -> str:
    for ch in reversed(stem):
        if ch in _VOWEL_LETTERS:
            return ch
    return ""


_VOWEL_LETTERS: Final = frozenset("аеиоуыәөүұіяёюэў")
# Front vowels that Kazakh and Kyrgyz never follow with a back suffix (и is left out: loans
# with и take either series).
_FRONT_VOWELS: Final = frozenset("еөүәі")
_L_SUFFIX = re.compile("(лар|лик)(?:и|ни|га|да|дан|нинг|ини|ига|ида|имиз)?$")


def _last_vowels(word: str) -> str:
    """The word's last two vowels (я, ё, ю, э read as а, о, у, е), a consonant between them.

    Two vowels side by side, or fewer than two, give "".
    """
    found = _LAST_TWO_VOWELS.search(word)
    return "" if found is None else (found[1] + found[2]).translate(_HARMONY_VOWELS)


_LAST_TWO_VOWELS = re.compile("([аеиоуыәөүұіяёюэ])[^аеиоуыәөүұіяёюэ]+([аеиоуыәөүұіяёюэ])"
                              "[^аеиоуыәөүұіяёюэ]*$")


@lru_cache(maxsize=20_000)
def turkic_loan(word: str) -> bool:
    """Tell whether a lower-case word is a Russian word with a Turkic suffix chain.

    Kazakh, Kyrgyz and Tatar decline Russian loans with their own suffixes (линзасы "its
    lens", долларына "to its dollar", изотоптарды "the isotopes"), so such a word, which the
    Russian dictionary does not know as a whole, is Turkic evidence. Callers pass words that
    neither dictionary knows: a Russian form such as столы would split into стол + ы. A
    one-letter suffix says nothing: Russian's own endings (Токаев+у, Токаев+а) are Turkic ones.
    """
    for cut in range(MIN_TURKIC_STEM, len(word) - 1):
        stem = word[:cut]
        # The suffix check first: a regex, where the dictionary lookup walks a DAWG.
        if turkic_suffix_fits(stem, word[cut:], False, Grammar.NOUN) and known_words(
            [stem], "ru"
        )[0]:
            return True
    return False


@cache
def _langid() -> Any:
    # py3langid multiplies small matrices with numpy; OpenBLAS's extra threads gain nothing
    # there and spin between calls: on two cores long-post detection ran 30% slower beside
    # them. Read when numpy loads, so set before the first import (a user's value stands).
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from py3langid import langid

    langid_tables.walk_inline(langid)
    # Decompressing its model is half of a worker process's start: built once, then loaded.
    return cached("py3langid", _langid_key(), _build_langid, langid.LanguageIdentifier)


def langid_cached() -> bool:
    """Whether py3langid's built model is in the cache, so a new process loads, not builds it."""
    return holds("py3langid", _langid_key())


def _langid_key() -> tuple[object, ...]:
    """What the built identifier depends on (bot/analysis/model_cache.py)."""
    from importlib.metadata import version

    import numpy
    from py3langid import langid

    model = Path(langid.MODEL_DIR) / langid.MODEL_FILE
    stat = model.stat()
    recipe = hashlib.sha256(Path(langid_tables.__file__).read_bytes()).hexdigest()
    return (version("py3langid"), numpy.__version__, sys.version_info[:2], str(model),
            stat.st_size, stat.st_mtime_ns, _LANGID_LANGUAGES, recipe, _LANGID_BUILD)


#: Bump when _build_langid changes what it builds.
_LANGID_BUILD: Final = 1


def _build_langid() -> Any:
    from py3langid import langid

    identifier = langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(_LANGID_LANGUAGES))
    # It keeps the 97-language model to allow another set_languages call, which tgmon never
    # makes: 28 MB of the process's memory.
    if hasattr(identifier, "_full_model"):
        identifier._full_model = None
    compact(identifier)  # 39 MB of automaton in 6 MB, the same answers
    return identifier


def _lingua_votes(prepared: str) -> list[tuple[str, float]]:
    return [
        (value.language.iso_code_639_1.name.lower(), value.value)
        for value in _lingua().compute_language_confidence_values(prepared)[:3]
    ]


@cache
def _lingua() -> Any:
    from lingua import Language, LanguageDetectorBuilder

    languages = ("RUSSIAN", "UKRAINIAN", "BELARUSIAN", "BULGARIAN", "MACEDONIAN", "SERBIAN",
                 "KAZAKH", "MONGOLIAN")
    return (
        LanguageDetectorBuilder.from_languages(*(getattr(Language, n) for n in languages))
        .with_low_accuracy_mode()
        .build()
    )
