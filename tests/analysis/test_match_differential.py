"""The matcher's planned, last-to-first loop gives the answers of the plain loop it replaced.

``reference_match`` is the loop as it was: every candidate word first to last, each (term,
profile) pair that starts there looked up afresh and checked one by one, a term kept at the
first place it matches, and the hits made through ``KeywordHit``. ``KeywordMatcher.match``
remembers per word which terms need no further check and visits the words last to first;
both must agree on every post, language and watch-list hypothesis draws, and on a few
hand-written ones that take each path (phrases, hyphenated names, a Turkic object at a
sentence's end, a Russian adjective that may be an adverb, Latin-script Turkic words,
excluded and language-bound groups, regexes).
"""

from __future__ import annotations

from collections.abc import Mapping

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.analysis import keywords as kw
from bot.analysis.keywords import KeywordMatcher
from bot.analysis.morphology import KEY_FOLD, WORD
from bot.analysis.normalize import normalize
from bot.analysis.predicative import reads_as_adjective
from bot.analysis.scripts import has_latin
from bot.analysis.terms import REGEX_TIMEOUT_S, regex_search
from bot.config import KeywordGroup
from bot.domain import KeywordHit

LANGS = ("ru", "kk", "ky", "uk", "en", "uz", "und", "be")

# Words of the six languages, with inflected, derived and Latin-script forms of one another,
# so that drawn terms match drawn posts in every way the matcher knows.
_WORDS = (
    "Токаев Токаева Тоқаев Тоқаевтың Тоқаевқа Toqaev Tokayev toqaevtyñ закон закона законы "
    "просто простой больше большой красивый красиво санкция санкции бюджет бюджете бюджеттин "
    "кітап кітабы кітапты кітаптар қой қойды қояды коюлду коюп Қазақстан Қазақстандағы "
    "қазақстандық шаар шаарга шаардагы мамлекет мамлекеттик бала балдар сентябрь сентябрда "
    "сипатта сипаттама сипатталады жөнөт жөнөткөн Ысык Көл Ысык-Көл Нур-Султан Султан "
    "Жогорку Кенеш Кеңештин Oʻzbekiston Oʻzbekistonga Ўзбекистон Mirziyoyev Mirziyoyevning "
    "parliament parliaments foreign agent agents policy policies м'ясо бюджету уряд "
    "нефть газопровод газовый Мажилис Мәжіліс мәжілісте ата атасы атады"
)
VOCABULARY = tuple(_WORDS.split())
SEPARATORS = (" ", " ", " ", ", ", ". ", "! ", " — ", "-", " «", "» ")


def reference_match(
    matcher: KeywordMatcher, text: str, lang: str
) -> tuple[KeywordHit, ...]:
    """The matcher's answer computed the plain way (see the module docstring)."""
    norm = normalize(text)
    exact = WORD.findall(norm)
    keys = [word.translate(KEY_FOLD) for word in exact]
    profiles = kw._PROFILES_BY_LANG.get(lang, kw._ALL_PROFILES)
    index = matcher._index
    latin = (
        kw._latin_words(exact)
        if "turkic" in profiles and index.stem_starts and has_latin(" ".join(exact))
        else {}
    )
    found: dict[kw._Entry, tuple[int, int]] = {}
    names = kw._HyphenatedNames(norm, text)
    spans = kw._spans(norm)
    for i in matcher._candidates(keys, exact, profiles, latin):
        in_name = exact[i] in names.parts and names.holds(i)
        for entry, profile in matcher._starting_at(
            keys[i], exact[i], profiles, lang, latin.get(i)
        ):
            if entry in found:
                continue
            if len(entry.words) == 1:
                if in_name and not any(entry.term.names):
                    continue
                if profile == kw._TURKIC_OBJECT and kw._ends_sentence(norm, spans, i):
                    continue
                if (
                    profile == "ru"
                    and keys[i] in entry.adverbial
                    and not reads_as_adjective(norm, exact, spans, i)
                ):
                    continue
                end: int | None = i
            else:
                plain = "turkic" if profile == kw._TURKIC_OBJECT else profile
                end = kw._phrase_end(entry, plain, keys, exact, i, lang, latin)
            if end is not None:
                found[entry] = (i, end)
    forms = {e: norm[spans[i][0] : spans[j][1]] for e, (i, j) in found.items()}
    for entry in matcher._regexes:
        form = regex_search(entry.term.pattern, norm, timeout=REGEX_TIMEOUT_S)
        if form is not None:
            forms[entry] = form
    return _reference_hits(matcher, forms, lang)


def _reference_hits(
    matcher: KeywordMatcher, forms: Mapping[kw._Entry, str], lang: str
) -> tuple[KeywordHit, ...]:
    excluded = {e.group for e in forms if e.excludes}
    languages = matcher._languages
    hits = {
        KeywordHit(e.group, e.term.raw, form)
        for e, form in forms.items()
        if not e.excludes
        and e.group not in excluded
        and (not languages[e.group] or lang in languages[e.group])
    }
    return tuple(sorted(hits, key=lambda h: (h.group, h.term, h.form)))


def _agree(groups: Mapping[str, KeywordGroup], posts: list[str]) -> None:
    matcher, plain = KeywordMatcher(groups), KeywordMatcher(groups)
    for _ in range(2):  # the second time from the matcher's remembered words
        for post in posts:
            for lang in LANGS:
                assert matcher.match(post, lang) == reference_match(plain, post, lang), (
                    post, lang
                )


_word = st.sampled_from(VOCABULARY)
_post = st.lists(st.tuples(_word, st.sampled_from(SEPARATORS)), min_size=1, max_size=14).map(
    lambda parts: "".join(w + s for w, s in parts).strip()
)
_term = st.one_of(
    _word,
    _word.map(str.lower),
    _word.map(lambda w: w + "*"),
    _word.map(lambda w: w + "-"),
    _word.map(lambda w: f'"{w}"'),
    st.tuples(_word, _word).map(" ".join),
    st.sampled_from(["/газ[оа]\\w+/", "/\\bбюдж\\w*/"]),
)
def _make_group(
    terms: list[str], exclude: list[str], languages: list[str], derived: bool
) -> KeywordGroup:
    # The config refuses a term written twice (in any case), in terms or exclude.
    unique = list({t.casefold(): t for t in terms}.values())
    exclude = [t for t in exclude if t.casefold() not in {u.casefold() for u in unique}]
    return KeywordGroup(terms=unique, exclude=exclude, languages=languages, derived=derived)


_group = st.builds(
    _make_group,
    st.lists(_term, min_size=1, max_size=6),
    st.lists(_word, max_size=1),
    st.sampled_from([[], [], ["ru"], ["kk", "ky"]]),
    st.booleans(),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_group, min_size=1, max_size=3), st.lists(_post, min_size=1, max_size=4))
def test_drawn_posts_and_watch_lists_get_the_plain_loops_answers(
    groups: list[KeywordGroup], posts: list[str]
) -> None:
    _agree({f"g{n}": group for n, group in enumerate(groups)}, posts)


def test_hand_written_posts_get_the_plain_loops_answers() -> None:
    groups = {
        "names": KeywordGroup(terms=["Ысык", "Султан", "Тоқаев", "Toqaev", "Mirziyoyev"]),
        "words": KeywordGroup(terms=["ысык", "кітап", "қой", "ата", "просто", "больше"]),
        "phrases": KeywordGroup(terms=["Жогорку Кенеш", "foreign agent", '"нефть газ"']),
        "ru": KeywordGroup(terms=["закон", "санкция"], languages=["ru"], exclude=["реклама"]),
        "derived": KeywordGroup(terms=["Қазақстан*", "сипатта-", "/газ[оа]\\w+/"]),
    }
    posts = [
        "Ысык-Көл жана ысык күн. Ысык суу, Нур-Султан шаары, Султан келди.",
        "Ол кітапты. Ол кітапты алды, кітабы жоқ. Қойды қояды.",
        "Это просто закон. Просто красивый город, больше санкций, больше закона.",
        "Жогорку Кеңештин депутаттары, foreign agents, нефть газ, нефть, газопровод.",
        "Реклама: закон и санкции",
        "Toqaev, Тоқаевтың сөзі, Mirziyoyevning, Oʻzbekistonga, qazaqstandyq, Қазақстандағы",
        "сипатталады, сипаттама, атасы атады.",
        "Ол кітапты.",
        "Бала бакты. Мен шаарды.",
    ]
    _agree(groups, posts)

