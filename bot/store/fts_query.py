"""Turn what a person types into a safe FTS5 MATCH expression.

User text never reaches MATCH raw: 94% of random strings make FTS5 raise. We accept words,
``"phrases"``, ``prefix*``, ``OR`` between terms and ``-exclusions``; every term is folded like
the index (bot/analysis/normalize.py) and re-quoted, so no input can produce an FTS error.
A term is also looked for as Uzbek and Kazakh write it in the other script (Тоқаев: toqaev,
tokayev; Oʻzbekiston: ўзбекистон), so one query finds a post in either script.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.analysis.normalize import fold_for_search
from bot.analysis.scripts import other_script_spellings
from bot.errors import QueryError

_TOKEN = re.compile(r'(-?)"([^"]*)"?(\*?)|(\S+)')
# unicode61 splits on everything that is not a letter or digit, '_' included.
_INDEX_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class Term:
    """One searchable unit: a word or phrase (as index tokens), maybe a prefix."""

    words: tuple[str, ...]
    prefix: bool = False

    def to_fts(self) -> str:
        return '"' + " ".join(self.words) + '"' + ("*" if self.prefix else "")


def build_match(query: str) -> str:
    """Return an FTS5 expression for ``query``, or raise QueryError if it has nothing to find."""
    groups: list[list[Term]] = []  # AND of ORs
    excluded: list[Term] = []
    join_next = False
    for match in _TOKEN.finditer(query):
        negate, phrase, star, bare = match.groups()
        if bare is not None:
            if bare == "OR":
                join_next = bool(groups)
                continue
            negate = "-" if bare.startswith("-") and len(bare) > 1 else ""
            body = bare[1:] if negate else bare
            star = "*" if body.endswith("*") else ""
            phrase = body.rstrip("*")
        terms = _terms(phrase, prefix=bool(star))
        if not terms:
            continue
        if negate:
            excluded.extend(terms)
        elif join_next and groups:
            groups[-1].extend(t for t in terms if t not in groups[-1])
        else:
            groups.append(terms)
        join_next = False
    if not groups:
        if excluded:
            raise QueryError("the query only excludes words; add at least one word to look for")
        raise QueryError(
            f'{query!r} has no word to search for; try words, "a phrase", prefix*, '
            "a OR b, and -word to exclude"
        )
    positive = " AND ".join("(" + " OR ".join(t.to_fts() for t in g) + ")" for g in groups)
    return positive + "".join(f" NOT {t.to_fts()}" for t in excluded)


def _terms(text: str, *, prefix: bool) -> list[Term]:
    """Return the term as typed and as spelled in the other script, each folded like the index."""
    found: list[Term] = []
    for spelling in (text, *other_script_spellings(text.lower())):
        words = tuple(_INDEX_WORD.findall(fold_for_search(spelling)))
        if words and Term(words, prefix) not in found:
            found.append(Term(words, prefix))
    return found
