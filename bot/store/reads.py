"""Read queries over the archive: search, recent posts, stats, export and edit history."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.domain import Channel, KeywordHit, StoredPost
from bot.store.archive import Archive
from bot.store.fts_meta import match_terms
from bot.store.fts_query import build_match

_POST_COLUMNS = """p.pid, p.channel_id, p.msg_id, p.date, p.text, p.lang, c.title, c.username,
    p.views, p.deleted_at, p.media, p.fwd_from_id, p.fwd_from_msg, p.grouped_id, p.content_hash,
    p.versions - 1 AS edits,
    (SELECT group_concat(h.grp || char(31) || h.term || char(31) || h.form, char(30))
       FROM keyword_hits h WHERE h.pid = p.pid) AS hits,
    p.edit_date, p.forwards, p.fwd_from_name"""


@dataclass(frozen=True, slots=True)
class PostFilter:
    """Filters shared by search, latest and export; every field is optional."""

    channel: str | None = None  # @username, username, title or marked id
    lang: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    group: str | None = None


@dataclass(frozen=True, slots=True)
class ChannelStats:
    channel_id: int
    title: str
    username: str | None
    posts: int
    first: datetime | None
    last: datetime | None
    edited: int
    deleted: int


@dataclass(frozen=True, slots=True)
class Stats:
    posts: int
    channels: list[ChannelStats]
    languages: dict[str, int]
    groups: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Plan:
    """A filter turned into index terms: FTS meta tokens, a pid range and a channel id."""

    channel_id: int | None
    lang: str | None
    group: str | None
    low: int  # pid range [low, high): pid = post date << 20 | hash
    high: int

    def meta_terms(self) -> list[str]:
        return match_terms(self.channel_id, self.lang, self.group)


_NO_PID = 1 << 62


def _pid_bound(moment: datetime | None, default: int) -> int:
    if moment is None:
        return default
    return max(int(moment.timestamp()), 0) << 20


def _plan(conn: sqlite3.Connection, flt: PostFilter) -> _Plan | None:
    """Resolve the filter to ids and ranges first; None when nothing can match."""
    channel_id = None
    if flt.channel:
        found = _find_channel(conn, flt.channel)
        if found is None:
            return None
        channel_id = found.id
    low, high = _pid_bound(flt.since, 0), _pid_bound(flt.until, _NO_PID)
    if low >= high:
        return None
    return _Plan(channel_id, flt.lang.lower() if flt.lang else None, flt.group, low, high)


def _search(conn: sqlite3.Connection, match: str, flt: PostFilter, limit: int
            ) -> list[tuple[Any, ...]]:
    plan = _plan(conn, flt)
    if plan is None:
        return []
    # Filters are further terms of the MATCH on the meta column, and the date range is a
    # rowid range: FTS5 answers the whole filter without joining a single extra match.
    expression = " AND ".join([f"{{body}} : ({match})",
                               *plan.meta_terms()])
    rows: list[tuple[Any, ...]] = conn.execute(
        f"""SELECT {_POST_COLUMNS} FROM posts_fts f
            JOIN posts p ON p.pid = f.rowid JOIN channels c ON c.id = p.channel_id
            WHERE posts_fts MATCH ? AND f.rowid >= ? AND f.rowid < ?
            ORDER BY f.rowid DESC LIMIT ?""",
        (expression, plan.low, plan.high, max(1, limit))).fetchall()
    return rows


async def search(
    archive: Archive, query: str, flt: PostFilter = PostFilter(), *, limit: int = 20
) -> list[StoredPost]:
    """Return the newest posts matching ``query``; raise QueryError when it means nothing."""
    match = build_match(query)
    return [_to_post(r) for r in await archive.read(_search, match, flt, limit)]


def _latest(conn: sqlite3.Connection, flt: PostFilter, limit: int) -> list[tuple[Any, ...]]:
    plan = _plan(conn, flt)
    if plan is None:
        return []
    clauses = ["p.pid >= ?", "p.pid < ?"]
    params: list[Any] = [plan.low, plan.high]
    group_by = ""
    # The most selective filter drives the scan through its own index, newest first.
    if plan.channel_id is not None:
        source, order = "posts p", "p.msg_id DESC"
        clauses.append("p.channel_id = ?")
        params.append(plan.channel_id)
    elif plan.group is not None:
        # keyword_hits_by_group (grp, pid) read backwards: newest first, and LIMIT stops it.
        source, order = "keyword_hits g JOIN posts p ON p.pid = g.pid", "g.pid DESC"
        clauses += ["g.grp = ?", "g.pid >= ?", "g.pid < ?"]
        params += [plan.group, plan.low, plan.high]
        group_by = " GROUP BY g.pid"
    else:
        source, order = "posts p", "p.pid DESC"
    if plan.lang is not None:
        # "+": a plain filter when a channel or group drives, or SQLite may pick
        # posts_by_lang and sort a whole language by hand.
        driven = plan.channel_id is not None or plan.group is not None
        clauses.append("+p.lang = ?" if driven else "p.lang = ?")
        params.append(plan.lang)
    if plan.group is not None and plan.channel_id is not None:
        clauses.append("EXISTS (SELECT 1 FROM keyword_hits h WHERE h.pid = p.pid AND h.grp = ?)")
        params.append(plan.group)
    rows: list[tuple[Any, ...]] = conn.execute(
        f"""SELECT {_POST_COLUMNS} FROM {source} JOIN channels c ON c.id = p.channel_id
            WHERE {" AND ".join(clauses)}{group_by} ORDER BY {order} LIMIT ?""",
        [*params, max(1, limit)]).fetchall()
    return rows


async def latest(
    archive: Archive, flt: PostFilter = PostFilter(), *, limit: int = 20
) -> list[StoredPost]:
    """Return the newest posts that pass ``flt``."""
    return [_to_post(r) for r in await archive.read(_latest, flt, limit)]


def _page(conn: sqlite3.Connection, flt: PostFilter, after: int, batch: int
          ) -> list[tuple[Any, ...]]:
    plan = _plan(conn, flt)
    if plan is None:
        return []
    clauses = ["p.pid > ?", "p.pid >= ?", "p.pid < ?"]
    params: list[Any] = [after, plan.low, plan.high]
    if plan.channel_id is not None:
        clauses.append("p.channel_id = ?")
        params.append(plan.channel_id)
    if plan.lang is not None:
        clauses.append("p.lang = ?")
        params.append(plan.lang)
    if plan.group is not None:
        clauses.append("EXISTS (SELECT 1 FROM keyword_hits h WHERE h.pid = p.pid AND h.grp = ?)")
        params.append(plan.group)
    rows: list[tuple[Any, ...]] = conn.execute(
        f"""SELECT {_POST_COLUMNS} FROM posts p JOIN channels c ON c.id = p.channel_id
            WHERE {" AND ".join(clauses)} ORDER BY p.pid LIMIT ?""",
        [*params, batch]).fetchall()
    return rows


async def iter_posts(
    archive: Archive, flt: PostFilter = PostFilter(), *, batch: int = 1000
) -> AsyncIterator[StoredPost]:
    """Yield every post that passes ``flt``, oldest first, in bounded memory."""
    last_pid = -1
    while True:
        rows = await archive.read(_page, flt, last_pid, batch)
        for row in rows:
            yield _to_post(row)
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
        ChannelStats(r[0], r[1], r[2], r[3], _dt(r[4]), _dt(r[5]), r[6], r[7]) for r in rows
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


def version_rows(conn: sqlite3.Connection, pids: Sequence[int]
                 ) -> list[tuple[int, int, str, int]]:
    """(pid, version, text, unix time) of every version of each post, oldest first.

    Superseded texts are in post_versions; the current one lives only in posts. The first
    version dates from the post itself, later ones from their edit (or when it was seen).
    """
    marks = json.dumps(list(pids))
    rows = conn.execute(
        """SELECT v.pid, v.version, v.text, CASE WHEN v.version = 1 THEN p.date
                  ELSE coalesce(v.edit_date, v.seen_at) END
           FROM post_versions v JOIN posts p ON p.pid = v.pid
           WHERE v.pid IN (SELECT value FROM json_each(?1))
           UNION ALL
           SELECT pid, versions, text, CASE WHEN versions = 1 THEN date
                  ELSE coalesce(edit_date, text_seen, first_seen) END
           FROM posts WHERE pid IN (SELECT value FROM json_each(?1))
           ORDER BY 1, 2""", (marks,)).fetchall()
    return [(int(pid), int(v), str(t), int(at)) for pid, v, t, at in rows]


def _history(conn: sqlite3.Connection, channel_id: int, msg_id: int
             ) -> list[tuple[int, int, str, int]]:
    found = conn.execute(
        """SELECT pid FROM posts WHERE channel_id = ?1 AND msg_id = ?2
           UNION SELECT pid FROM post_aliases WHERE channel_id = ?1 AND msg_id = ?2""",
        (channel_id, msg_id)).fetchone()
    return [] if found is None else version_rows(conn, [found[0]])


async def history(
    archive: Archive, channel_id: int, msg_id: int
) -> list[tuple[int, str, datetime]]:
    """Return every stored text of one post as (version, text, seen_at)."""
    rows = await archive.read(_history, channel_id, msg_id)
    return [(v, text, datetime.fromtimestamp(at, UTC)) for _, v, text, at in rows]


def _to_post(row: Sequence[Any]) -> StoredPost:
    (
        _pid,
        channel_id,
        msg_id,
        date,
        text,
        lang,
        title,
        username,
        views,
        deleted_at,
        media,
        fwd_id,
        fwd_msg,
        grouped_id,
        chash,
        edits,
        hits_blob,
        edit_date,
        forwards,
        fwd_name,
    ) = row
    hits = tuple(KeywordHit(*h.split("\x1f")) for h in hits_blob.split("\x1e")) if hits_blob else ()
    return StoredPost(
        channel_id=channel_id,
        msg_id=msg_id,
        date=datetime.fromtimestamp(date, UTC),
        text=text,
        lang=lang,
        channel_title=title,
        channel_username=username,
        views=views,
        # An export keeps only the last text but dates the edit: that is an edit all the same.
        edit_count=max(edits, 1 if edit_date is not None else 0),
        versions=max(edits, 0) + 1,
        edit_date=_dt(edit_date),
        forwards=forwards,
        fwd_from_name=fwd_name,
        deleted=deleted_at is not None,
        groups=tuple(sorted({h.group for h in hits})),
        hits=tuple(sorted(hits, key=_hit_key)),
        media=tuple(json.loads(media)),
        fwd_from_id=fwd_id,
        fwd_from_msg=fwd_msg,
        grouped_id=grouped_id,
        content_hash=chash,
    )


def _hit_key(hit: KeywordHit) -> tuple[str, str, str]:
    return (hit.group, hit.term, hit.form)


def _dt(ts: int | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC)


async def channels(archive: Archive) -> list[Channel]:
    """Return every known channel, by title."""
    rows = await archive.fetch_all(
        "SELECT id, title, username, access_hash FROM channels ORDER BY title COLLATE NOCASE, id"
    )
    return [Channel(r[0], r[1], r[2], r[3]) for r in rows]


def _find_channel(conn: sqlite3.Connection, ref: str) -> Channel | None:
    name = ref.strip().removeprefix("@")
    # channels holds one row per watched channel (hundreds): scanning it is free.
    row = conn.execute(
        """SELECT id, title, username, access_hash FROM channels
           WHERE username = ? COLLATE NOCASE OR title = ? OR CAST(id AS TEXT) = ?
           ORDER BY id LIMIT 1""", (name, ref.strip(), name)).fetchone()
    return Channel(row[0], row[1], row[2], row[3]) if row else None


async def find_channel(archive: Archive, ref: str) -> Channel | None:
    """Find a stored channel by @username, username, exact title or marked id."""
    return await archive.read(_find_channel, ref)


async def post(archive: Archive, channel_id: int, msg_id: int) -> StoredPost | None:
    """Return one post (an album by any of its message ids), or None."""
    rows = await archive.fetch_all(
        f"""SELECT {_POST_COLUMNS} FROM posts p JOIN channels c ON c.id = p.channel_id
            WHERE p.pid IN (SELECT pid FROM posts WHERE channel_id = ?1 AND msg_id = ?2
                            UNION SELECT pid FROM post_aliases WHERE channel_id = ?1
                            AND msg_id = ?2)""", (channel_id, msg_id))
    return _to_post(rows[0]) if rows else None


async def deleted_at(archive: Archive, channel_id: int, msg_id: int) -> datetime | None:
    """When a post was marked deleted, or None."""
    rows = await archive.fetch_all(
        "SELECT deleted_at FROM posts WHERE channel_id = ? AND msg_id = ?", (channel_id, msg_id))
    return _dt(rows[0][0]) if rows else None
