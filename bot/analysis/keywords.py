"""Match every keyword group against a post in one pass over its words.

Each term word is expanded once, at build time, into the keys it may appear as: pymorphy3
forms for ru and uk, regular plurals for en, and stems that take a chain of Kazakh/Kyrgyz
suffixes for the Turkic languages. Matching a post is then one dictionary lookup per word and
profile (and one per prefix for Turkic), whatever the number of terms. The post's language
picks the profile; a post in any other language, or ``und``, is tried with every profile.
"""

from __future__ import annotations

import bisect
import re
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from bot.analysis.morphology import (
    KEY_FOLD,
    KEY_PAIRS,
    MIN_TURKIC_STEM,
    WORD,
    Grammar,
    english_forms,
    reads_as_past,
    slavic_adverb_forms,
    slavic_forms,
    turkic_stems,
    turkic_suffix_fits,
    turkic_verb_stems,
)
from bot.analysis.normalize import normalize, replace_each
from bot.analysis.predicative import reads_as_adjective
from bot.analysis.scripts import has_latin, to_cyrillic
from bot.analysis.terms import REGEX_TIMEOUT_S, Term, TermKind, parse_term, regex_search
from bot.config import KeywordGroup
from bot.domain import KeywordHit

_FORM_PROFILES: Final = ("ru", "uk", "en")
_PROFILES_BY_LANG: Final = {
    "ru": ("ru",),
    "uk": ("uk",),
    "en": ("en",),
    **dict.fromkeys(("kk", "ky", "tt", "ba"), ("turkic",)),
}
_ALL_PROFILES: Final = (*_FORM_PROFILES, "turkic")
_EXACT: Final = "exact"
# A Turkic noun's match in the accusative after a consonant, spelled as a verb's past: see
# _ends_sentence.
_TURKIC_OBJECT: Final = "turkic object"
# Words remembered per matcher: about 10 MB at most (a word and an empty plan each, mostly).
_PLANS_MAX: Final = 50_000
# Words whose Turkic "may it start a term?" is known, cleared when full: 1.4 MB at most
# (10,548 distinct words of the Kazakh and Kyrgyz sentences in /work/shared/data took 1.39 MB),
# so that the service's RSS stays flat.
_TURKIC_KNOWN_MAX: Final = 10_000
# Kazakh derived words (стратегиялық, діни, қазақстандық) have lemmas of their own in UD's
# Kazakh treebank, so a Kazakh post matches them only for a term marked Қазақстан*; Kyrgyz
# and the others keep derivation as the same word, as half of the Kyrgyz treebank does.
_OWN_DERIVED_LEMMAS: Final = frozenset({"kk"})

# (stem, needs a vowel next, is folded, grammar); a noun stem's grammar is NOUN unless the
# term asks for derived words, and the post's language may widen NOUN to DERIVED.
_Stem = tuple[str, bool, bool, Grammar]


@dataclass(frozen=True, slots=True, eq=False)  # identity: entries key the per-post results
class _Entry:
    """A term of one group: what it is, and the keys each of its words may take per profile."""

    group: str
    term: Term
    excludes: bool
    # words[i][profile] is the set of keys word i may appear as under that profile.
    words: tuple[dict[str, frozenset[str]], ...] = ()
    # turkic[i] is word i's stems: (stem, needs a vowel next, is folded).
    turkic: tuple[tuple[_Stem, ...], ...] = ()
    # A one-word Russian adjective's keys that are also adverbs (просто, больше): a post's
    # such word matches only where it reads as the adjective (bot/analysis/predicative.py).
    adverbial: frozenset[str] = frozenset()
    # Asked of every start of a post: a term of one word, and one written as a name.
    single: bool = field(init=False)
    named: bool = field(init=False)
    raw: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "single", len(self.words) == 1)
        object.__setattr__(self, "named", any(self.term.names))
        object.__setattr__(self, "raw", self.term.raw)


# What the terms starting at a word need, worked out once per word and post language: the
# one-word terms it matches with no further question (all of them, and those written as a
# name, which alone match inside a hyphenated name), and the (term, profile) pairs still to
# check in the post (phrases, a Turkic object, a Russian adjective that may be an adverb).
_Plan = tuple[tuple["_Entry", ...], tuple["_Entry", ...], tuple[tuple["_Entry", str], ...]]
_NO_PLAN: Final[_Plan] = ((), (), ())


@dataclass(slots=True)
class _Index:
    """First-word lookups: key → entries, per profile; Turkic stems → entries."""

    by_key: dict[str, dict[str, list[_Entry]]] = field(default_factory=lambda: defaultdict(dict))
    # Stems as written (matched against the word as written) and, for names, folded.
    # (stem, folded) → (needs a vowel next, grammar) → entries: one suffix check serves all
    # the terms that share a stem and its grammar.
    by_stem: dict[tuple[str, bool], dict[tuple[bool, Grammar], list[_Entry]]] = field(
        default_factory=dict
    )
    by_exact: dict[str, list[_Entry]] = field(default_factory=dict)
    # The folded first letters of every stem: most words of a post start no stem at all.
    stem_starts: set[str] = field(default_factory=set)
    longest_stem: int = 0


class KeywordMatcher:
    """All keyword groups compiled for matching; build once, call ``match`` per post."""

    def __init__(self, keywords: Mapping[str, KeywordGroup]) -> None:
        self._languages = {name: frozenset(g.languages) for name, g in keywords.items()}
        self._index = _Index()
        self._regexes: list[_Entry] = []
        for name in sorted(keywords):
            group = keywords[name]
            for raw, excludes in [(t, False) for t in group.terms] + [
                (t, True) for t in group.exclude
            ]:
                self._add(_entry(name, parse_term(raw), excludes, derived=group.derived))
        self._first_keys = frozenset(self._index.by_key)
        self._filtered = any(g.exclude or g.languages for g in keywords.values())
        # The terms starting at a word, per word and post language (``_Plan``): the index
        # never changes after this point, and posts repeat their words (a channel's names,
        # verbs, places), so a word's lookups and Turkic suffix checks run once, not in every
        # post. Bounded: cleared when full.
        self._plans: dict[tuple[str, str], _Plan] = {}
        # The same for the question asked of every word of a Turkic post, whether it may
        # start a term at all (a stem's first letters, its reading with ю, я split): the
        # words known, and those of them that may. A post's new words are found with set
        # operations in C, and so are its candidates (38 of a Kazakh post's 62 us went to
        # asking each word, most of which the post's earlier posts had already asked).
        self._turkic_known: set[str] = set()
        self._turkic_starters: set[str] = set()

    def match(self, text: str, lang: str) -> tuple[KeywordHit, ...]:
        """Return the sorted, de-duplicated hits of every group that applies to ``text``."""
        return self.match_normalized(normalize(text), lang, text)

    def match_normalized(
        self, norm: str, lang: str, text: str | None = None
    ) -> tuple[KeywordHit, ...]:
        """``match`` for a text already passed through ``normalize`` (the analyser shares it).

        With the original ``text``, a term that is not a name does not match a word of a
        hyphenated name (see ``_HyphenatedNames``).
        """
        exact = WORD.findall(norm)
        # KEY_PAIRS map one character to one, so the folded text splits into the same words:
        # fold the words, joined by a space that none of them holds, in one pass in C
        # instead of scanning the post with the regex a second time.
        joined = " ".join(exact)
        folded = replace_each(joined, KEY_PAIRS)
        keys = exact if folded is joined else folded.split(" ")
        profiles = _PROFILES_BY_LANG.get(lang, _ALL_PROFILES)
        latin = (
            _latin_words(exact)
            if "turkic" in profiles and self._index.stem_starts and has_latin(joined)
            else {}
        )
        # Each term's form is the text at the first place it matches: the candidates are
        # visited last to first and each match overwrites, so a term matched at several places
        # keeps its first, and the terms a place matches with no further question go in with
        # one dict update in C (most of a post's hits with a long watch-list).
        forms: dict[_Entry, str] = {}
        names = _HyphenatedNames(norm, text)
        name_parts = names.parts
        spans: list[tuple[int, int]] = []
        for i in reversed(self._candidates(keys, exact, profiles, latin)):
            word = exact[i]
            simple, named, rest = self._plan(keys[i], word, profiles, lang, latin.get(i))
            in_name = bool(name_parts) and word in name_parts and names.holds(i)
            if in_name:
                simple = named
            if simple:
                forms.update(dict.fromkeys(simple, word))
            for entry, profile in rest:
                if entry.single:
                    if in_name and not entry.named:
                        continue
                    if profile == _TURKIC_OBJECT:
                        spans = spans or names.spans or _spans(norm)
                        if _ends_sentence(norm, spans, i):
                            continue
                    elif profile == "ru" and keys[i] in entry.adverbial:
                        spans = spans or names.spans or _spans(norm)
                        if not reads_as_adjective(norm, exact, spans, i):
                            continue
                    forms[entry] = word
                else:
                    if profile == _TURKIC_OBJECT:
                        profile = "turkic"
                    end = _phrase_end(entry, profile, keys, exact, i, lang, latin)
                    if end is not None:
                        # A phrase's form keeps the text between its words (Нур-Султан,
                        # not "нур султан").
                        spans = spans or names.spans or _spans(norm)
                        forms[entry] = norm[spans[i][0] : spans[end][1]]
        # One budget for all regex terms of a post: 100 slow terms must not cost 100 times it.
        deadline = time.monotonic() + REGEX_TIMEOUT_S
        for entry in self._regexes:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            form = regex_search(entry.term.pattern, norm, timeout=left)
            if form is not None:
                forms[entry] = form
        return self._hits(forms, lang)

    def _candidates(
        self,
        keys: list[str],
        exact: list[str],
        profiles: Sequence[str],
        latin: Mapping[int, tuple[str, str]],
    ) -> list[int]:
        """Return, in order, the positions of the words that may start a term."""
        index = self._index
        if "turkic" in profiles and index.stem_starts:
            words = set(keys)
            seen, may_start = self._turkic_known, self._turkic_starters
            new = words.difference(seen)
            if len(seen) + len(new) > _TURKIC_KNOWN_MAX:
                seen.clear()
                may_start.clear()
                new = words
            if len(new) <= _TURKIC_KNOWN_MAX:
                seen.update(new)
                may_start.update(filter(self._may_start_turkic, new))
                starters = words.intersection(may_start)
            else:  # more words than the memory holds, in one text
                starters = set(filter(self._may_start_turkic, words))
            found = [i for i, k in enumerate(keys) if k in starters] if starters else []
            if latin:
                starts = index.stem_starts
                read = {i for i, (_, key) in latin.items() if key[:MIN_TURKIC_STEM] in starts}
                found = sorted(read.union(found))
        else:
            # Most words start no term: one set intersection in C settles them all, and most
            # posts then have one or two candidates to place.
            known = self._first_keys.intersection(keys)
            found = [i for i, k in enumerate(keys) if k in known] if known else []
        if index.by_exact:
            by_exact = index.by_exact
            found = sorted({*found, *(i for i, w in enumerate(exact) if w in by_exact)})
        return found

    def _may_start_turkic(self, key: str) -> bool:
        """Tell whether a post's word (folded) may start a term under the Turkic profile."""
        starts = self._index.stem_starts
        return (
            key in self._index.by_key
            or key[:MIN_TURKIC_STEM] in starts
            # Read with ю, я split (коюлду as койулду).
            or (
                ("ю" in key or "я" in key)
                and (_iotated_spelling(key) or "")[:MIN_TURKIC_STEM] in starts
            )
        )

    def _plan(
        self,
        key: str,
        exact: str,
        profiles: Sequence[str],
        lang: str,
        latin: tuple[str, str] | None,
    ) -> _Plan:
        """Return what the terms that may start at a post's word need (see ``_Plan``)."""
        if latin is not None:  # a Latin word's readings: rare, not remembered
            return _planned(self._starting_at(key, exact, profiles, lang, latin), key)
        plan = self._plans.get((exact, lang))
        if plan is None:
            if len(self._plans) >= _PLANS_MAX:
                self._plans.clear()
            pairs = self._starting_at(key, exact, profiles, lang, None)
            plan = self._plans[exact, lang] = _planned(pairs, key) if pairs else _NO_PLAN
        return plan

    def _starting_at(
        self,
        key: str,
        exact: str,
        profiles: Sequence[str],
        lang: str,
        latin: tuple[str, str] | None,
    ) -> list[tuple[_Entry, str]]:
        index = self._index
        starts: list[tuple[_Entry, str]] = []
        by_key = index.by_key.get(key)
        if by_key is not None:
            for profile in profiles:
                starts.extend((entry, profile) for entry in by_key.get(profile, ()))
        if index.by_exact:
            starts.extend((entry, _EXACT) for entry in index.by_exact.get(exact, ()))
        if "turkic" in profiles:
            starts.extend(self._turkic_starts(key, exact, lang, latin))
        return starts

    def _turkic_starts(
        self, key: str, exact: str, lang: str, latin: tuple[str, str] | None
    ) -> list[tuple[_Entry, str]]:
        """Return the terms whose Turkic stems start ``exact`` with a suffix chain that fits."""
        index = self._index
        starts: list[tuple[_Entry, str]] = []
        by_stem = index.by_stem
        noun = Grammar.NOUN if lang in _OWN_DERIVED_LEMMAS else Grammar.DERIVED
        readings = (
            ((exact, False), (key, True))
            if latin is None and key[:MIN_TURKIC_STEM] in index.stem_starts
            else _turkic_readings(key, exact, latin, index.stem_starts)
        )
        spelled = _iotated_spelling(exact)
        if (
            spelled is not None
            and spelled[:MIN_TURKIC_STEM].translate(KEY_FOLD) in index.stem_starts
        ):
            readings = (*readings, (spelled, False))
        for word, folded in readings:
            stop = min(len(word), index.longest_stem)
            for cut in range(MIN_TURKIC_STEM, stop + 1):
                kinds = by_stem.get((word[:cut], folded))
                if kinds is None:
                    continue
                stem, rest = word[:cut], word[cut:]
                for (needs_vowel, grammar), entries in kinds.items():
                    if turkic_suffix_fits(
                        stem, rest, needs_vowel, noun if grammar is Grammar.NOUN else grammar,
                        lang,
                    ):
                        profile = (
                            _TURKIC_OBJECT
                            if grammar is not Grammar.VERB and reads_as_past(stem, rest)
                            else "turkic"
                        )
                        starts.extend((entry, profile) for entry in entries)
        return starts

    def _hits(self, found: Mapping[_Entry, str], lang: str) -> tuple[KeywordHit, ...]:
        if not found:
            return ()
        # De-duplicated and sorted as plain tuples (hashed and compared in C), then made
        # hits: the dataclass's hash and a sort key cost 2 us a hit.
        if self._filtered:
            excluded = {e.group for e in found if e.excludes}
            languages = self._languages
            hits = {
                (e.group, e.raw, form)
                for e, form in found.items()
                if not e.excludes
                and e.group not in excluded
                and (not languages[e.group] or lang in languages[e.group])
            }
        else:  # no group excludes a term or keeps to some languages
            hits = {(e.group, e.raw, form) for e, form in found.items()}
        return tuple([_new_hit(*hit) for hit in sorted(hits)])

    def _add(self, entry: _Entry) -> None:
        if entry.term.kind is TermKind.REGEX:
            self._regexes.append(entry)
            return
        if entry.term.kind is TermKind.EXACT:
            self._index.by_exact.setdefault(entry.term.words[0], []).append(entry)
            return
        for profile, keys in entry.words[0].items():
            for key in keys:
                self._index.by_key[key].setdefault(profile, []).append(entry)
        for stem, needs_vowel, folded, grammar in entry.turkic[0]:
            kinds = self._index.by_stem.setdefault((stem, folded), {})
            kinds.setdefault((needs_vowel, grammar), []).append(entry)
            self._index.stem_starts.add(stem[:MIN_TURKIC_STEM].translate(KEY_FOLD))
            self._index.longest_stem = max(self._index.longest_stem, len(stem))


def _entry(group: str, term: Term, excludes: bool, *, derived: bool = False) -> _Entry:
    """Compile a term of ``group``; ``derived``: the group asks for derived words everywhere."""
    if term.kind is TermKind.REGEX:
        return _Entry(group, term, excludes)
    if term.kind is TermKind.EXACT:
        return _Entry(group, term, excludes, tuple({_EXACT: frozenset({w})} for w in term.words))
    words = []
    stems = []
    adverbial = slavic_adverb_forms(term.words[0]) if len(term.words) == 1 else frozenset()
    for n, (word, is_name) in enumerate(zip(term.words, term.names, strict=True)):
        key = word.translate(KEY_FOLD)
        words.append(
            {
                "ru": slavic_forms(word, "ru"),
                "uk": slavic_forms(word, "uk"),
                "en": english_forms(key),
                "turkic": frozenset(),  # matched by stem, below
            }
        )
        # Kazakh and Kyrgyz keep their own letters (көл "lake" is not кол "hand"); a name
        # also matches folded, so "Токаев" finds "Тоқаевтың". A term in Latin script is
        # read as Cyrillic (Toqaev, Mirziyoyev), as a post's Latin words are.
        if has_latin(word):
            word = _cyrillic(word)
            key = word.translate(KEY_FOLD)
        marked_derived = derived or (bool(term.derived) and term.derived[n])
        noun = Grammar.DERIVED if marked_derived else Grammar.NOUN
        if term.acronyms and term.acronyms[n]:
            noun = Grammar.LOOSE
        marked = bool(term.verb_stems) and term.verb_stems[n]
        word_stems = [] if marked else [
            (s, v, False, _noun_grammar(s, word, noun)) for s, v in turkic_stems(word)
        ]
        verbs = turkic_verb_stems(word, marked=marked)
        word_stems += [(s, v, False, Grammar.VERB) for s, v in verbs]
        if is_name:
            word_stems += [(s, v, True, _noun_grammar(s, key, noun)) for s, v in turkic_stems(key)]
        stems.append(tuple(word_stems))
    return _Entry(group, term, excludes, tuple(words), tuple(stems), adverbial)


_HIT_NEW: Final = KeywordHit.__new__
_SET_GROUP: Final = vars(KeywordHit)["group"].__set__
_SET_TERM: Final = vars(KeywordHit)["term"].__set__
_SET_FORM: Final = vars(KeywordHit)["form"].__set__


def _new_hit(group: str, term: str, form: str) -> KeywordHit:
    """``KeywordHit(group, term, form)`` in 0.3 us instead of 0.85 (124 hits a post at 10k terms).

    The frozen dataclass's ``__init__`` sets each slot through ``object.__setattr__``; this sets
    them through the slots' own descriptors, the same writes with fewer calls.
    """
    hit = _HIT_NEW(KeywordHit)
    _SET_GROUP(hit, group)
    _SET_TERM(hit, term)
    _SET_FORM(hit, form)
    return hit


def _planned(pairs: Sequence[tuple[_Entry, str]], key: str) -> _Plan:
    """Sort the (term, profile) pairs starting at a word (folded: ``key``) into a ``_Plan``."""
    simple: list[_Entry] = []
    rest: list[tuple[_Entry, str]] = []
    for entry, profile in pairs:
        if (
            entry.single
            and profile != _TURKIC_OBJECT
            and not (profile == "ru" and key in entry.adverbial)
        ):
            simple.append(entry)
        else:
            rest.append((entry, profile))
    return tuple(simple), tuple(e for e in simple if e.named), tuple(rest)


def _spans(norm: str) -> list[tuple[int, int]]:
    return [m.span() for m in WORD.finditer(norm)]


def _noun_grammar(stem: str, word: str, noun: Grammar) -> Grammar:
    """A noun stem's grammar: LOOSE for a loan's stem without its soft sign (король → корол)."""
    return Grammar.LOOSE if word[-1:] == "ь" and stem == word[:-1] else noun


class _HyphenatedNames:
    """Which words of a post belong to a hyphenated name; worked out on the first question.

    Ысык-Көл is a lake, not "hot" (ысык); Кара-Балта a town, not "black"; Базар-Коргон a
    town, not a market. A term written as a name (Султан) still matches in Нур-Султан, and a
    compound that is no name (соода-экономикалык "trade and economic") still matches its parts.
    Most posts have no such name, and most words of those that do are no part of one: the
    words of the names are found around the hyphens, and their positions only when a
    candidate is one of them.
    """

    def __init__(self, norm: str, text: str | None) -> None:
        self._norm = norm
        self._text = text if text is not None and "-" in norm else ""
        #: The words of the post's hyphenated names: most posts have none, and a word that
        #: is none of these needs no further question (the caller tests it first).
        self.parts: set[str] = _name_parts(self._text) if self._text else set()
        self.spans: list[tuple[int, int]] = []
        self._inside: set[int] | None = None

    def holds(self, i: int) -> bool:
        """Tell whether word ``i`` of the post, one of ``parts``, is inside a hyphenated name."""
        if self._inside is None:
            self._inside = self._positions(self._text)
        return i in self._inside

    def _positions(self, text: str) -> set[int]:
        norm, parts = self._norm, self.parts
        self.spans = spans = _spans(norm)
        starts = [start for start, _ in spans]
        # Words joined by a hyphen: word k and k + 1 for each hyphen right after word k.
        joined: set[int] = set()
        at = norm.find("-")
        while at >= 0:
            k = bisect.bisect_left(starts, at + 1) - 1
            if k >= 0 and spans[k][1] == at and k + 1 < len(spans) and starts[k + 1] == at + 1:
                joined.add(k)
            at = norm.find("-", at + 1)
        same_places = len(text) == len(norm)
        inside: set[int] = set()
        for first in sorted(joined):
            if first - 1 in joined:
                continue  # inside a run already read
            last = first + 1
            while last in joined:
                last += 1
            run = range(first, last + 1)
            if (
                all(text[starts[k]].isupper() for k in run)
                if same_places
                # Normalising changed the length (a dropped soft hyphen): read by the words.
                else all(norm[spans[k][0] : spans[k][1]] in parts for k in run)
            ):
                inside.update(run)
        return inside


def _name_parts(text: str) -> set[str]:
    """Return the normalised words of the hyphenated names in ``text`` (Ысык-Көл: ысык, көл)."""
    parts: set[str] = set()
    at = text.find("-")
    while at >= 0:
        if 0 < at < len(text) - 1 and text[at + 1].isupper() and text[at - 1].isalnum():
            start, end = at, at + 1
            while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "-"):
                start -= 1
            while end < len(text) and (text[end].isalnum() or text[end] == "-"):
                end += 1
            pieces = [piece for piece in text[start:end].split("-") if piece]
            if all(piece[0].isupper() for piece in pieces):
                parts.update(normalize(piece) for piece in pieces)
            at = text.find("-", end)
        else:
            at = text.find("-", at + 1)
    return parts


_IOTATED: Final = re.compile("(?<=[аеыиоуэәіөұү])[юя]")
_IOTATED_SOUNDS: Final = {"ю": "йу", "я": "йа"}


def _iotated_spelling(word: str) -> str | None:
    """Return the word with ю, я after a vowel read as й + у, а; None if it has none.

    A stem's final й and a suffix's first у or а are written as one letter: кой+ул+ду is
    коюлду, кой+уп коюп, қой+а+ды қояды.
    """
    if "ю" not in word and "я" not in word:
        return None
    spelled = _IOTATED.sub(lambda m: _IOTATED_SOUNDS[m.group(0)], word)
    return spelled if spelled != word else None


def _cyrillic(word: str) -> str:
    return to_cyrillic(word).replace("ё", "е")


def _latin_words(exact: Sequence[str]) -> dict[int, tuple[str, str]]:
    """Return, per position of a Latin-script word, its Cyrillic reading as written and folded."""
    read = {i: _cyrillic(w) for i, w in enumerate(exact) if has_latin(w)}
    return {i: (w, replace_each(w, KEY_PAIRS)) for i, w in read.items()}


def _turkic_readings(
    key: str, exact: str, latin: tuple[str, str] | None, starts: set[str] | None = None
) -> tuple[tuple[str, bool], ...]:
    """The spellings a Turkic stem is looked for in: as written, folded, and read as Cyrillic.

    With ``starts`` (the folded openings of every stem), only readings that may start one.
    """
    readings: tuple[tuple[str, bool], ...] = ()
    if starts is None or key[:MIN_TURKIC_STEM] in starts:
        readings = ((exact, False), (key, True))
    if latin is not None and (starts is None or latin[1][:MIN_TURKIC_STEM] in starts):
        readings += ((latin[0], False), (latin[1], True))
    return readings


def _widened(grammar: Grammar, lang: str) -> Grammar:
    """A noun stem's grammar in a post of ``lang``: NOUN in Kazakh, DERIVED elsewhere."""
    if grammar is Grammar.NOUN and lang not in _OWN_DERIVED_LEMMAS:
        return Grammar.DERIVED
    return grammar


def _phrase_end(
    entry: _Entry,
    profile: str,
    keys: Sequence[str],
    exact: Sequence[str],
    start: int,
    lang: str,
    latin: Mapping[int, tuple[str, str]],
) -> int | None:
    """Return the index of the phrase's last word if every later word matches, else None."""
    end = start + len(entry.words) - 1
    if end >= len(keys):
        return None
    for offset in range(1, len(entry.words)):
        i = start + offset
        if profile == _EXACT:
            if exact[i] not in entry.words[offset][_EXACT]:
                return None
        elif keys[i] not in entry.words[offset][profile] and not _turkic_word(
            entry, offset, keys[i], exact[i], profile, lang, latin.get(i)
        ):
            return None
    return end


def _turkic_word(
    entry: _Entry,
    offset: int,
    key: str,
    exact: str,
    profile: str,
    lang: str,
    latin: tuple[str, str] | None,
) -> bool:
    if profile != "turkic":
        return False
    for word, is_folded in _turkic_readings(key, exact, latin):
        for stem, needs_vowel, folded, grammar in entry.turkic[offset]:
            if folded is is_folded and word.startswith(stem) and turkic_suffix_fits(
                stem, word[len(stem) :], needs_vowel, _widened(grammar, lang), lang
            ):
                return True
    return False



# What follows the last word of a sentence: closing quotes or brackets, then its full stop
# (or ! ? ; …), or nothing.
_SENTENCE_END: Final = re.compile(r"[\s»”\"')\]]*(?:[.!?;…]|\Z)")


def _ends_sentence(norm: str, spans: Sequence[tuple[int, int]], i: int) -> bool:
    """Tell whether word ``i`` stands last in its sentence, so is no noun's object.

    Kazakh and Kyrgyz put the verb last and its object before it. In the Kyrgyz treebank a
    word spelled both ways (a consonant-final stem and -ды/-ты) is the verb 270 times of 271
    when it ends a sentence, and the noun 83 times of 86 when a word follows it (measured
    with the noun and adjective terms: ky adjectives .824 -> .856 on the development part,
    .795 -> .826 held out; no noun, name or verb figure moved).
    """
    return _SENTENCE_END.match(norm, spans[i][1]) is not None
