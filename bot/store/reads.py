"""Read queries over the archive that are not a page of posts: stats, export and versions.

A page of posts (search, latest, edited, deleted) is bot/store/post_search.py; every query
takes a PostQuery whose channel is already resolved to its id (bot/store/channel_lookup.py).
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from typing import Any

from bot.domain import StoredPost
from bot.store.archive import Archive
from bot.store.post_filters import where
from bot.store.post_rows import POST_COLUMNS, stored_post, to_datetime
from bot.store.values import ChannelStats, PostQuery, Stats


def _page(conn: sqlite3.Connection, query: PostQuery, after: int, batch: int
          ) -> list[tuple[Any, ...]]:
    clauses, params = where(query)
    # One channel's posts are scattered over the whole pid range: found in the narrow
    # posts_by_day index, not by reading every post row (a 3,353-post channel of a 1M-post
    # archive took 11.7 s to export that way, 0.35-1.5 s from the index).
    hint = "INDEXED BY posts_by_day" if query.channel_id is not None else ""
    rows: list[tuple[Any, ...]] = conn.execute(
        f"""SELECT {POST_COLUMNS} FROM posts p {hint} JOIN channels c ON c.id = p.channel_id
            WHERE p.pid > ? AND {" AND ".join(clauses)} ORDER BY p.pid LIMIT ?""",
        [after, *params, batch]).fetchall()
    return rows


async def iter_posts(archive: Archive, query: PostQuery = PostQuery(), *, batch: int = 1000
                     ) -> AsyncIterator[StoredPost]:
    """Yield every post that passes ``query``, oldest first, in bounded memory."""
    last_pid = -1
    while True:
        rows = await archive.read(_page, query, last_pid, batch)
        for row in rows:
            yield stored_post(row)
        if len(rows) < batch:
            return
        last_pid = rows[-1][0]


def _stats(conn: sqlite3.Connection) -> Stats:
    # Counters kept by triggers (schema 2) and one index seek per channel for its dates.
    rows = conn.execute(
        """SELECT c.id, c.title, c.username, coalesce(sum(n.posts), 0),
             (SELECT date FROM posts WHERE channel_id = c.id ORDER BY msg_id LIMIT 1),
             (SELECT date FROM posts WHERE channel_id = c.id ORDER BY msg_id DESC LIMIT 1),
             coalesce(sum(n.edited), 0), coalesce(sum(n.deleted), 0)
           FROM channels c LEFT JOIN post_counts n ON n.channel_id = c.id
           GROUP BY c.id ORDER BY 4 DESC, c.title""").fetchall()
    channels = [
        ChannelStats(r[0], r[1], r[2], r[3], to_datetime(r[4]), to_datetime(r[5]), r[6], r[7])
        for r in rows
    ]
    langs = conn.execute(
        """SELECT lang, sum(posts) FROM post_counts GROUP BY lang HAVING sum(posts) > 0
           ORDER BY 2 DESC, lang""").fetchall()
    groups = conn.execute(
        "SELECT grp, count(DISTINCT pid) FROM keyword_hits GROUP BY grp ORDER BY 2 DESC, grp"
    ).fetchall()
    return Stats(
        sum(c.posts for c in channels),
        channels,
        {r[0]: r[1] for r in langs},
        {r[0]: r[1] for r in groups},
    )


async def stats(archive: Archive) -> Stats:
    """Count posts per channel and language, with date ranges, edits and deletions."""
    return await archive.read(_stats)
