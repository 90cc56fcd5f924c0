"""Search, latest, edited and deleted posts: one page at a time, newest first, from an index.

Paging continues below the last pid shown (``PostQuery.before_pid``), never by OFFSET, so the
tenth page costs what the first does. Counts stop at ``COUNT_CAP`` so that a very common
word cannot make a reply slow: the answer is then "10 of 10,000+".
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from typing import Any

from bot.analysis.snippet import marked_words, query_words, snippet
from bot.errors import QueryError
from bot.store.archive import Archive
from bot.store.fts_query import build_match
from bot.store.post_filters import meta_match, pid_bounds, where
from bot.store.post_rows import POST_COLUMNS, stored_post
from bot.store.values import Found, Page, PostQuery

COUNT_CAP = 10_000
#: With filters that need each match's post row, counting costs a lookup per match.
JOINED_COUNT_CAP = 200  # "10 of 200+": 1,000 lookups took 427 ms p95 on 1M posts


async def search_page(archive: Archive, text: str, query: PostQuery, *,
                      limit: int = 10, with_count: bool = True) -> Page:
    """Return the newest posts matching ``text``; raise QueryError when it means nothing."""
    # The words must be in the text (body); channel, language and group are further terms
    # on the meta column, so FTS5 intersects doclists instead of joining every match.
    match = " AND ".join([f"{{body}} : ({build_match(text)})", *meta_match(query)])
    # deleted:yes is a meta term too (schema 6): walking the deleted posts and testing each
    # against the MATCH cost 0.55 s for a rare word once a year had deleted 20,000 posts.
    clauses, params = where(query, pid="f.rowid", in_index=True)
    source, order = "posts_fts f JOIN posts p ON p.pid = f.rowid", "f.rowid DESC"
    conditions = "".join(" AND " + c for c in clauses)
    base = f"""FROM {source} WHERE posts_fts MATCH ?{conditions}"""
    sql = f"""SELECT {POST_COLUMNS}, highlight(posts_fts, 0, char(2), char(3))
              FROM {source} JOIN channels c ON c.id = p.channel_id
              WHERE posts_fts MATCH ?{conditions} ORDER BY {order} LIMIT ?"""
    try:
        rows = await archive.fetch_all(sql, [match, *params, limit + 1])
        total, capped = (await _search_count(archive, match, query, base, params)
                         if with_count else (0, False))
    except sqlite3.OperationalError as exc:  # build_match makes this unreachable in practice
        raise QueryError("that search cannot run; try plainer words") from exc
    fallback = query_words(text)
    items = []
    for row in rows[:limit]:
        post = stored_post(row[:-1])
        marked = marked_words(row[-1]) if row[-1] else fallback
        items.append(Found(post, int(row[0]),
                           snippet(post.text, marked, prefix=not row[-1])))
    return _page(items, rows, limit, total, capped)


async def latest_page(archive: Archive, query: PostQuery, *, limit: int = 10,
                      with_count: bool = False) -> Page:
    """Return the newest posts that pass ``query`` (edited, deleted or all)."""
    if query.group and query.channel_id is None:
        # Walk the group's (grp, pid) index newest first instead of every post.
        clauses, params = where(query, pid="g.pid", group_joined=True)
        source = "keyword_hits g JOIN posts p ON p.pid = g.pid"
        order, group_by = "g.pid DESC", " GROUP BY g.pid"
    else:
        clauses, params = where(query)
        source, group_by = "posts p", ""
        # Within one channel the (channel_id, msg_id) key is in date order as well.
        order = "p.msg_id DESC" if query.channel_id is not None else "p.pid DESC"
    conditions = " AND ".join(clauses)
    rows = await archive.fetch_all(
        f"""SELECT {POST_COLUMNS} FROM {source} JOIN channels c ON c.id = p.channel_id
            WHERE {conditions}{group_by} ORDER BY {order} LIMIT ?""",
        [*params, limit + 1])
    total, capped = ((await _count(archive, f"FROM {source} WHERE {conditions}{group_by}",
                                   params, query, cap=JOINED_COUNT_CAP))
                     if with_count else (0, False))
    items = [Found(stored_post(r), int(r[0])) for r in rows[:limit]]
    return _page(items, rows, limit, total, capped)


def next_query(query: PostQuery, page: Page) -> PostQuery | None:
    """The query for the page after ``page``, or None when it was the last."""
    if page.next_before is None:
        return None
    return replace(query, before_pid=page.next_before)


async def _search_count(archive: Archive, match: str, query: PostQuery, base: str,
                        params: list[Any]) -> tuple[int, bool]:
    if query.edited is not None or query.deleted is False:
        return await _count(archive, base, [match, *params], query, cap=JOINED_COUNT_CAP)
    # Dates alone are a rowid range: the index counts its own matches, no post is read.
    low, high = pid_bounds(query)
    return await _count(archive, "FROM posts_fts WHERE posts_fts MATCH ? AND rowid BETWEEN ? "
                        "AND ?", [match, low, high], query, cap=COUNT_CAP)


async def _count(archive: Archive, base: str, params: list[Any], query: PostQuery, *,
                 cap: int) -> tuple[int, bool]:
    if query.before_pid is not None:  # later pages reuse the first page's count
        return 0, False
    rows = await archive.fetch_all(f"SELECT count(*) FROM (SELECT 1 {base} LIMIT ?)",
                                   [*params, cap + 1])
    count = int(rows[0][0])
    return min(count, cap), count > cap


def _page(items: list[Found], rows: list[sqlite3.Row], limit: int, total: int,
          capped: bool) -> Page:
    more = len(rows) > limit and bool(items)
    return Page(items, max(total, len(items)), capped, items[-1].pid if more else None)
