"""Read a keyword term as the config writes it: words, ``"exact phrase"`` or ``/regex/``."""

from __future__ import annotations

import enum
import re
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

    unrolled = _unrolled_size(source)
    if unrolled > MAX_UNROLLED:
        raise ValueError(f"regex /{_clip(source)}/ repeats a part {unrolled:,} times (counted "
                         f"repeats such as {{1000}}, nested ones multiplied); at most "
                         f"{MAX_UNROLLED:,}: write + or {{1,}} instead")
    try:
        pattern = regex.compile(source, regex.IGNORECASE | regex.VERSION0)
    except regex.error as exc:
        raise ValueError(f"regex /{source}/ does not compile: {exc}") from None
    if pattern.fullmatch(""):
        raise ValueError(f"regex /{source}/ matches empty text, so it would match every post")
    return pattern


#: Copies of a part that counted repeats may ask for. ``regex`` compiles a{N} and a{N,} as N
#: copies: a{99999999} took 24 GB before the machine killed `tgmon check`; 100,000 takes 0.1 s.
MAX_UNROLLED = 100_000
_REPEAT = re.compile(r"\{(\d+)(,\d*)?\}")


def _unrolled_size(source: str) -> int:
    """The largest number of copies the pattern's counted repeats unroll to, nesting included.

    A rough reading of the pattern (escapes and [classes] skipped), bounded from above: a
    repeat of a group multiplies what the group's own repeats asked for.
    """
    levels = [1]  # per open group: the largest product of repeats inside it
    closed = 1  # that of the group that closed just before this point
    at = 0
    while at < len(source):
        char = source[at]
        repeat = _REPEAT.match(source, at) if char == "{" else None
        if char == "\\":
            at += 1
        elif char == "[":
            end = source.find("]", at + 2)
            at = len(source) if end < 0 else end
        elif char == "(":
            levels.append(1)
        elif char == ")" and len(levels) > 1:
            closed = levels.pop()
            at += 1
            if not _REPEAT.match(source, at):
                levels[-1] = max(levels[-1], closed)
            continue
        elif repeat:
            count = min(int(repeat[1]), 2**32)
            after_group = at > 0 and source[at - 1] == ")"
            levels[-1] = max(levels[-1], count * (closed if after_group else 1))
            at = repeat.end()
            continue
        at += 1
    return max(levels)


def _clip(text: str) -> str:
    return text if len(text) <= 40 else text[:39] + "…"


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
