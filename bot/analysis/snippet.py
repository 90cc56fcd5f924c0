"""Cut a snippet around the first match of a search and mark the matched words.

FTS5's ``highlight()`` marks matches in the *folded* copy of a post (bot/analysis/normalize.py),
which is not what a reader should see. The words it marked are mapped back onto the original
text by folding each original word the same way and comparing: case, ё, Kazakh letters and
look-alike Latin letters then match exactly as the search did.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.analysis.normalize import fold_for_search

MARK_OPEN, MARK_CLOSE = "\x02", "\x03"
#: unicode61 splits on everything that is not a letter or a digit, '_' included.
_WORD = re.compile(r"[^\W_]+")
_MARKED = re.compile(f"{MARK_OPEN}(.*?){MARK_CLOSE}", re.DOTALL)
_SPACES = re.compile(r"\s+")
# A lone surrogate (from a broken export) cannot be sent; it becomes U+FFFD.
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of a snippet; ``match`` pieces are shown bold."""

    text: str
    match: bool = False


def marked_words(highlighted: str) -> frozenset[str]:
    """The index words that ``highlight()`` wrapped in MARK_OPEN … MARK_CLOSE."""
    return frozenset(w for part in _MARKED.findall(highlighted) for w in _WORD.findall(part))


def query_words(query: str) -> frozenset[str]:
    """The words a query looks for (used when the index cannot highlight): no exclusions."""
    kept = [w for w in query.split() if not w.startswith("-") and w != "OR"]
    return frozenset(_WORD.findall(fold_for_search(" ".join(kept))))


def snippet(text: str, words: frozenset[str], *, width: int = 220,
            prefix: bool = False) -> tuple[Segment, ...]:
    """Return about ``width`` characters of ``text`` around its first matched word.

    ``prefix`` also matches words that start with one of ``words`` (the fallback has no way
    to tell a prefix term from a word).
    """
    flat = _SPACES.sub(" ", _SURROGATE.sub("\ufffd", text)).strip()
    found = [(m.start(), m.end()) for m in _WORD.finditer(flat) if _matches(m[0], words, prefix)]
    if not found:
        return (Segment(_cut(flat, 0, width)),) if flat else ()
    first = found[0][0]
    start = 0 if first < width // 4 else _word_start(flat, first - width // 4)
    end = min(len(flat), start + width)
    if end < len(flat):
        space = flat.rfind(" ", found[0][1], end)
        end = space if space > 0 else end
    segments: list[Segment] = [Segment("…")] if start else []
    pos = start
    for s, e in found:
        if s >= end:
            break
        if s > pos:
            segments.append(Segment(flat[pos:s]))
        segments.append(Segment(flat[s:min(e, end)], match=True))
        pos = min(e, end)
    if pos < end:
        segments.append(Segment(flat[pos:end]))
    if end < len(flat):
        segments.append(Segment("…"))
    return tuple(segments)


def _matches(word: str, words: frozenset[str], prefix: bool) -> bool:
    folded = fold_for_search(word)
    if folded in words:
        return True
    return prefix and any(folded.startswith(w) for w in words)


def _word_start(text: str, pos: int) -> int:
    space = text.find(" ", pos)
    return space + 1 if 0 <= space < pos + 30 else pos


def _cut(text: str, start: int, width: int) -> str:
    piece = text[start:start + width]
    return piece + ("…" if start + width < len(text) else "")
