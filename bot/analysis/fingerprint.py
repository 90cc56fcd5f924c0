"""What search and duplicate detection derive from a post's text."""

from __future__ import annotations

import hashlib
import re

from bot.analysis.normalize import fold_for_search

_SPACE = re.compile(r"\s+")


def search_text(text: str) -> str:
    """Return the folded copy of ``text`` that the FTS index holds."""
    return fold_for_search(text)


def content_hash(text: str, *, folded: str | None = None) -> str:
    """Hash the folded, whitespace-collapsed text, so copies of one post share a hash."""
    collapsed = _SPACE.sub(" ", fold_for_search(text) if folded is None else folded).strip()
    return hashlib.blake2b(collapsed.encode(), digest_size=12).hexdigest()
