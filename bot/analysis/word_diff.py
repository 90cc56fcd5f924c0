"""A word-level diff between two versions of a post: what an edit removed and added."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

_TOKENS = re.compile(r"\s+|[^\s]+")
#: Beyond this many words a post is compared line by line: SequenceMatcher is quadratic.
_MAX_WORDS = 4000


@dataclass(frozen=True, slots=True)
class Change:
    """A run of text that both versions share, or that one removed or added."""

    kind: Literal["same", "removed", "added"]
    text: str


def word_diff(old: str, new: str) -> list[Change]:
    """Return the changes that turn ``old`` into ``new``, word by word (spaces kept)."""
    a, b = _tokens(old), _tokens(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    changes: list[Change] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            _add(changes, "same", "".join(a[i1:i2]))
            continue
        if op in ("delete", "replace"):
            _add(changes, "removed", "".join(a[i1:i2]))
        if op in ("insert", "replace"):
            _add(changes, "added", "".join(b[j1:j2]))
    return changes


def changed_only(changes: list[Change], *, context: int = 6) -> list[Change]:
    """Keep the changes and a few words of shared text around each, eliding the rest."""
    kept: list[Change] = []
    for index, change in enumerate(changes):
        if change.kind != "same":
            kept.append(change)
            continue
        words = _TOKENS.findall(change.text)
        before = index > 0
        after = index < len(changes) - 1
        room = context * 2  # a token list alternates words and spaces
        if len(words) <= room * (before + after) or not (before or after):
            kept.append(change if before or after else Change("same", ""))
            continue
        head = "".join(words[:room]) if before else ""
        tail = "".join(words[-room:]) if after else ""
        kept.append(Change("same", head + (" … " if head or tail else "") + tail))
    return [c for c in kept if c.text]


def _tokens(text: str) -> list[str]:
    words = _TOKENS.findall(text)
    if len(words) <= _MAX_WORDS:
        return words
    return text.splitlines(keepends=True)


def _add(changes: list[Change], kind: Literal["same", "removed", "added"], text: str) -> None:
    # A space that opens an inserted or deleted run belongs to the shared text before it:
    # "tomorrow {+heavy+} rain" reads better than "tomorrow{+ heavy+} rain".
    if kind != "same" and changes and changes[-1].kind == "same":
        lead = len(text) - len(text.lstrip())
        if lead and lead < len(text):
            changes[-1] = Change("same", changes[-1].text + text[:lead])
            text = text[lead:]
    if text:
        changes.append(Change(kind, text))
