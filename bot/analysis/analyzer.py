"""Analyse a post: its language, then the keyword groups that match it in that language."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from bot.analysis.channel_prior import Prior, may_lean
from bot.analysis.fingerprint import content_hash
from bot.analysis.keywords import KeywordMatcher
from bot.analysis.language import is_short, make_detector
from bot.analysis.normalize import fold_normalized, normalize
from bot.analysis.terms import TermKind, parse_term, regex_is_slow
from bot.config import KeywordGroup
from bot.domain import Analysis

__all__ = ["Analyzer", "check_keywords"]


class Analyzer:
    """Language detection and keyword matching, built once from the config."""

    def __init__(
        self, keywords: Mapping[str, KeywordGroup], *, language_backend: str = "auto"
    ) -> None:
        self._detect = make_detector(language_backend)
        self._matcher = KeywordMatcher(keywords)

    def analyse(self, text: str) -> Analysis:
        """Return the post's language, its confidence, and the sorted keyword hits."""
        found = self._detect(text)
        # One normalisation serves matching and the index copy: it costs as much as matching.
        norm = normalize(text)
        hits = self._matcher.match_normalized(norm, found.lang, text)
        folded = fold_normalized(norm)  # == search_text(text)
        return Analysis(lang=found.lang, lang_confidence=found.confidence, hits=hits,
                        search_text=folded, content_hash=content_hash(text, folded=folded))

    def in_channel(self, text: str, analysis: Analysis, prior: Prior) -> Analysis:
        """Return ``analysis`` (of ``text``) with its channel's languages taken into account.

        Only an unsure short-text answer can move (bot/analysis/channel_prior.py); the rest
        come back as they are, for the cost of one comparison. A post whose language moves
        is matched again, since keyword forms depend on the language.
        """
        # A long post's answer is the fast path's, which no prior moves: skip its re-run.
        if not may_lean(analysis.lang, analysis.lang_confidence) or not is_short(text):
            return analysis
        found = self._detect(text, prior)
        if found.lang == analysis.lang:
            return analysis
        norm = normalize(text)
        hits = self._matcher.match_normalized(norm, found.lang, text)
        return replace(analysis, lang=found.lang, lang_confidence=found.confidence, hits=hits)


def check_keywords(keywords: Mapping[str, KeywordGroup]) -> list[str]:
    """Return human-readable problems with the keyword groups (empty when all is well)."""
    problems: list[str] = []
    for name in sorted(keywords):
        group = keywords[name]
        where = f"keywords.{name}"
        for lang in group.languages:
            if len(lang) != 2 or not lang.isascii() or not lang.islower():
                problems.append(f"{where}.languages: {lang!r} is not an ISO 639-1 code like 'kk'")
        seen: dict[str, str] = {}
        for field, terms in (("terms", group.terms), ("exclude", group.exclude)):
            for raw in terms:
                problems += _term_problems(f"{where}.{field}", raw, field, seen)
    return problems


def _term_problems(where: str, raw: str, field: str, seen: dict[str, str]) -> list[str]:
    try:
        term = parse_term(raw)
    except ValueError as exc:
        return [f"{where}: {exc}"]
    problems = []
    if term.kind is TermKind.REGEX:
        if regex_is_slow(term.pattern):
            problems.append(
                f"{where}: regex {raw!r} times out on a 2,000-character probe; "
                "it will match nothing on posts like it"
            )
        return problems
    # Қазақстан and Қазақстан*, сипаттау and сипатта- are different terms.
    key = f"{term.kind.value}:{' '.join(term.words)}:{term.derived}:{term.verb_stems}"
    if key in seen:
        problems.append(
            f"{where}: {raw!r} is the same as {seen[key]!r} once case, ё and look-alike "
            "letters are normalised"
        )
    seen[key] = f"{raw} ({field})"
    if term.kind is TermKind.MORPH and any(len(w) < 3 for w in term.words):
        short = [w for w in term.words if len(w) < 3]
        problems.append(
            f"{where}: {raw!r} has words shorter than 3 letters ({', '.join(short)}); "
            "in Kazakh and Kyrgyz posts they match only as written, without suffixes"
        )
    if normalize(raw) != raw.strip().casefold().replace("ё", "е"):
        problems.append(f"{where}: {raw!r} contains invisible or look-alike characters")
    return problems
