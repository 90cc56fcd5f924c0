"""No query a person can type makes FTS5 raise: it finds posts or says it means nothing."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.errors import QueryError
from bot.store import Archive
from bot.store.fts_query import build_match
from tests.store.conftest import CHANNEL, analysed, make_post, search

# Characters that FTS5's query syntax gives meaning to, mixed with real words.
SYNTAX = st.sampled_from(
    [
        *list("\"*()-+:^{}[],.;'\\/&|!?<>=~`@#$%"),
        "OR",
        "AND",
        "NOT",
        "NEAR",
        "NEAR(",
        "токаев",
        "Тоқаев",
        "ё",
        " ",
    ]
)
QUERIES = st.one_of(
    st.text(max_size=40),
    st.lists(SYNTAX, max_size=12).map(" ".join),
    st.lists(st.one_of(SYNTAX, st.text(max_size=5)), max_size=10).map("".join),
)


def test_no_query_raises_anything_but_a_query_error(tmp_path: Path) -> None:
    path = tmp_path / "fuzz.sqlite3"
    asyncio.run(_seed(path))

    @settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(QUERIES)
    def search_never_raises(query: str) -> None:
        asyncio.run(_search_once(path, query))

    search_never_raises()


async def _seed(path: Path) -> None:
    async with Archive.open(path) as archive:
        await archive.upsert_channel(CHANNEL)
        await archive.store_posts([analysed(make_post(1, "Президент Тоқаев и NEAR OR AND"))])


async def _search_once(path: Path, query: str) -> None:
    async with Archive.open(path) as archive:
        with contextlib.suppress(QueryError):
            await search(archive, query)


@given(QUERIES)
def test_a_built_match_expression_only_quotes_user_words(query: str) -> None:
    try:
        expression = build_match(query)
    except QueryError:
        return
    # Outside the quoted terms only our own operators and brackets may appear.
    outside = expression.split('"')[::2]
    leftover = "".join(outside).replace("AND", "").replace("OR", "").replace("NOT", "")
    assert set(leftover) <= set("()* ")
