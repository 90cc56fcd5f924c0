"""The ``meta`` column of the search index: a post's channel, language and keyword groups as
tokens, so that search filters are answered inside FTS5.

A filter joined after the MATCH costs about a microsecond for every match of the words, and a
common word matches hundreds of thousands of posts; as a second term of the MATCH the filter
is one more doclist that FTS5 intersects by rowid. Tokens are letters and digits only (the
unicode61 tokenizer splits on anything else): groups are hex-encoded, being any text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable


def channel_token(channel_id: int) -> str:
    return f"c{abs(channel_id)}"


def lang_token(lang: str) -> str:
    return "l" + "".join(ch for ch in lang.lower() if ch.isascii() and ch.isalnum())


def group_token(group: str) -> str:
    return "g" + group.encode().hex()


#: A deleted post's mark (schema 6): a year holds tens of thousands of deleted posts, and
#: ``deleted:yes`` with a rare word walked them all (0.55 s on 1M posts); as a term its
#: doclist is intersected with the words' like any other filter.
DELETED_TOKEN = "d"


def match_terms(channel_id: int | None, lang: str | None, group: str | None,
                deleted: bool = False) -> list[str]:
    """Search filters as terms of an FTS5 MATCH on the meta column (AND them in)."""
    tokens = [channel_token(channel_id) if channel_id is not None else "",
              lang_token(lang) if lang else "", group_token(group) if group else "",
              DELETED_TOKEN if deleted else ""]
    return [f"{{meta}} : {t}" for t in tokens if t]


def meta_text(channel_id: int, lang: str, groups: Iterable[str], *,
              deleted: bool = False) -> str:
    """The meta column's text for one post."""
    return " ".join([channel_token(channel_id), lang_token(lang),
                     *(group_token(g) for g in sorted(set(groups))),
                     *([DELETED_TOKEN] if deleted else [])])


def meta_sql(channel_id: int, lang: str, groups_json: str | None,
             deleted: int | None = None) -> str:
    """``fts_meta()`` as an SQL function, for migrations (groups as a JSON array)."""
    groups = [g for g in json.loads(groups_json or "[]") if isinstance(g, str)]
    return meta_text(channel_id, lang, groups, deleted=deleted is not None)
