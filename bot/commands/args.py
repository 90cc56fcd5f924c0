"""Split a command's arguments into free words and ``key:value`` filters.

A word shaped like a filter whose key is close to a real one (``chanel:@x``) is an error with
a suggestion, rather than a word nobody meant to search for; any other ``x:y`` (a URL, a
time) stays a word.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection
from dataclasses import dataclass, field

from bot.errors import UsageError

_FILTER = re.compile(r"([A-Za-z]{2,12}):(.*)", re.DOTALL)
_YES = {"yes": True, "y": True, "true": True, "1": True, "no": False, "n": False,
        "false": False, "0": False}


@dataclass(frozen=True, slots=True)
class Args:
    """A command's words (in order) and its filters by key."""

    words: list[str] = field(default_factory=list)
    filters: dict[str, str] = field(default_factory=dict)


def split_args(rest: str, keys: Collection[str]) -> Args:
    """Split ``rest``; raise UsageError for a misspelt or repeated filter key."""
    args = Args()
    for token in rest.split():
        found = _FILTER.fullmatch(token)
        if found is None:
            args.words.append(token)
            continue
        key, value = found[1].casefold(), found[2]
        if key not in keys:
            close = difflib.get_close_matches(key, list(keys), n=1, cutoff=0.7)
            if close:
                raise UsageError(f"unknown filter {found[1][:12]}:; did you mean {close[0]}:?")
            args.words.append(token)
            continue
        if not value:
            raise UsageError(f"{key}: needs a value, for example {_example(key)}")
        if key in args.filters:
            raise UsageError(f"{key}: is given twice")
        args.filters[key] = value
    return args


def yes_no(value: str, key: str) -> bool:
    """Read ``yes``/``no`` (and the usual spellings), or raise UsageError."""
    answer = _YES.get(value.casefold())
    if answer is None:
        raise UsageError(f"{key}: takes yes or no")
    return answer


def _example(key: str) -> str:
    return {"channel": "channel:@name", "lang": "lang:kk", "group": "group:politics",
            "since": "since:2026-03-14", "until": "until:7d", "edited": "edited:yes",
            "deleted": "deleted:yes"}.get(key, f"{key}:…")


def is_number(text: str) -> bool:
    """Digits 0-9 only: ``str.isdigit`` also accepts '²', which ``int`` refuses."""
    return text.isascii() and text.isdigit()
