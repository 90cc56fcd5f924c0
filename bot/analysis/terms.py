"""Read a keyword term as the config writes it: words, ``"exact phrase"`` or ``/regex/``."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, Final

from bot.analysis.morphology import WORD
from bot.analysis.normalize import clean_for_detection, normalize

# Per post, shared by every regex term. Long enough for any sane pattern on a 4,096-character post
# (measured: well under 1 ms); short enough that a catastrophic one costs one post 50 ms.
REGEX_TIMEOUT_S: Final = 0.05


class TermKind(enum.Enum):
    """How a term matches."""

    MORPH = "morph"  # words and their inflected forms, in the post's language
    EXACT = "exact"  # "quoted": these words exactly, after normalisation
    REGEX = "regex"  # /slashed/: a regex over the normalised text


@dataclass(frozen=True, slots=True)
class Term:
    """One parsed term: its text as configured, its kind, and its normalised words."""

    raw: str
    kind: TermKind
    words: tuple[str, ...] = ()
    #: Per word: written capitalised, i.e. a name, which Russian and Kazakh spell differently.
    names: tuple[bool, ...] = ()
    #: Per word: written in capitals (ГЭС, КМШ), an acronym, read by its letters' names.
    acronyms: tuple[bool, ...] = ()
    #: Per word: written with a trailing ``*`` (Қазақстан*): its derived words match too.
    derived: tuple[bool, ...] = ()
    #: Per word: written with a trailing hyphen (сипатта-): a verb stem, matched as a verb only.
    verb_stems: tuple[bool, ...] = ()
    pattern: Any = None  # a compiled ``regex`` pattern for REGEX terms


# Longest word in capitals read as an acronym (ГЭС, ЕАЭБ, НАТО); a longer one is shouted.
_ACRONYM_LETTERS = 5


def parse_term(raw: str) -> Term:
    """Parse a configured term; raise ValueError saying what is wrong with it."""
    text = raw.strip()
    if len(text) >= 2 and text.startswith("/") and text.endswith("/"):
        return Term(raw, TermKind.REGEX, pattern=compile_regex(text[1:-1]))
    kind = TermKind.MORPH
    if len(text) >= 2 and text.startswith('"') and text.endswith('"'):
        kind, text = TermKind.EXACT, text[1:-1]
    norm = normalize(text)
    found = list(WORD.finditer(norm))
    words = tuple(m.group(0) for m in found)
    if not words:
        raise ValueError(f"term {raw!r} has no letters or digits to match")
    written = WORD.findall(clean_for_detection(text))
    if len(written) != len(words):
        written = [w.lower() for w in words]
    names = tuple(w[:1].isupper() for w in written)
    acronyms = tuple(2 <= len(w) <= _ACRONYM_LETTERS and w.isupper() for w in written)
    if kind is TermKind.EXACT:
        return Term(raw, kind, words, names, acronyms)
    after = [norm[m.end() : m.end() + 2] for m in found]
    derived = tuple(a.startswith("*") for a in after)
    verb_stems = tuple(a[:1] == "-" and not a[1:2].isalnum() for a in after)
    return Term(raw, kind, words, names, acronyms, derived, verb_stems)


def compile_regex(source: str) -> Any:
    """Compile a user regex (case-insensitive, like every other term) with ``regex``."""
    # `regex` rather than `re`: only `regex` can stop a running match (timeout=), and a
    # catastrophic pattern such as (a+)+$ must not stall ingestion.
    import regex

    try:
        pattern = regex.compile(source, regex.IGNORECASE | regex.VERSION0)
    except regex.error as exc:
        raise ValueError(f"regex /{source}/ does not compile: {exc}") from None
    if pattern.fullmatch(""):
        raise ValueError(f"regex /{source}/ matches empty text, so it would match every post")
    return pattern


def regex_search(pattern: Any, text: str, *, timeout: float = REGEX_TIMEOUT_S) -> str | None:
    """Return the first match of ``pattern`` in ``text``, or None (also when it times out)."""
    try:
        found = pattern.search(text, timeout=timeout)
    except TimeoutError:
        return None
    return None if found is None else str(found.group(0))


def regex_is_slow(pattern: Any) -> bool:
    """Tell whether a regex times out on a post-sized adversarial probe."""
    probes = ["a" * 2000 + "!", "а" * 2000 + "!", "1" * 2000 + "x", "word " * 400 + "!"]
    # Runs of the pattern's own letters too: (x+x+)+y is slow only on x's.
    letters = dict.fromkeys(c for c in str(pattern.pattern).casefold() if c.isalnum())
    probes += [c * 2000 + "!" for c in list(letters)[:8] if c not in "aа1"]
    for probe in probes:
        try:
            pattern.search(probe, timeout=REGEX_TIMEOUT_S)
        except TimeoutError:
            return True
    return False
