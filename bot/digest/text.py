"""Text helpers for digests: clean user text, cut snippets, measure what Telegram counts."""

from __future__ import annotations

import re
import unicodedata

SNIPPET_CHARS = 300
ELLIPSIS = "…"

_WHITESPACE = re.compile(r"\s+")
# A str can hold lone surrogates (from a broken JSON export, say); they cannot be encoded to
# send, so they become U+FFFD here rather than an exception in the sender.
_SURROGATE = re.compile("[\ud800-\udfff]")
# Characters that belong to the one before them: cutting right before one would split a glyph.
_JOINERS = frozenset("\u200d\ufe0e\ufe0f")


def utf16_len(text: str) -> int:
    """Return the length Telegram counts: UTF-16 code units."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def clean(text: str) -> str:
    """Collapse whitespace runs to one space, trim, and replace lone surrogates."""
    return _WHITESPACE.sub(" ", _SURROGATE.sub("\ufffd", text)).strip()


def clip(text: str, limit: int) -> str:
    """Shorten ``text`` to at most ``limit`` characters, marking the cut with an ellipsis."""
    return text if len(text) <= limit else cut_snippet(text, limit=limit)


def cut_snippet(text: str, *, limit: int = SNIPPET_CHARS) -> str:
    """Return cleaned ``text`` cut to about ``limit`` characters at a word boundary, plus "…"."""
    text = clean(text)
    if len(text) <= limit:
        return text
    if limit <= len(ELLIPSIS):
        return ELLIPSIS[:max(limit, 0)]
    room = limit - len(ELLIPSIS)
    space = text.rfind(" ", 0, room + 1)
    if space >= room // 2:
        body = text[:space]
    else:
        # One very long word (a URL, a hashtag chain, CJK text): cut inside it, but not
        # between a letter and its combining mark or joiner.
        end = room
        while end > 0 and (unicodedata.combining(text[end]) or text[end] in _JOINERS):
            end -= 1
        body = text[:end]
    return body.rstrip(" ,;:-–—") + ELLIPSIS


def shrink_to_units(text: str, units: int) -> str:
    """Cut ``text`` at a word boundary so that it takes at most ``units`` UTF-16 units."""
    limit = min(len(text), units)
    shrunk = cut_snippet(text, limit=limit)
    while utf16_len(shrunk) > units and limit > 0:
        limit -= max(1, (utf16_len(shrunk) - units) // 2)
        shrunk = cut_snippet(text, limit=max(limit, 0))
    return shrunk
