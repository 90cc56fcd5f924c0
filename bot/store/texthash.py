"""What the archive derives from a post's text: the index copy and the duplicate hash."""

from __future__ import annotations

import hashlib
import re

from bot.analysis.normalize import fold_for_search

_SPACE = re.compile(r"\s+")


def index_text(text: str) -> str:
    """Return the folded copy of ``text`` that the FTS index holds."""
    return fold_for_search(text)


def content_hash(text: str) -> str:
    """Hash the folded, whitespace-collapsed text, so copies of one post share a hash."""
    folded = _SPACE.sub(" ", fold_for_search(text)).strip()
    return hashlib.blake2b(folded.encode(), digest_size=12).hexdigest()
