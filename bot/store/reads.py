"""Read queries over the archive: search, recent posts, stats, export and edit history."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.domain import Channel, KeywordHit, StoredPost
from bot.errors import QueryError
from bot.store.archive import Archive
from bot.store.fts_query import build_match

_POST_COLUMNS = """p.pid, p.channel_id, p.msg_id, p.date, p.text, p.lang, c.title, c.username,
    p.views, p.deleted_at, p.media, p.fwd_from_id, p.fwd_from_msg, p.grouped_id, p.content_hash,
    (SELECT count(*) - 1 FROM post_versions v WHERE v.pid = p.pid) AS edits,
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


def _where(flt: PostFilter) -> tuple[list[str], list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if flt.channel:
        ref = flt.channel.strip().removeprefix("@")
        clauses.append("(c.username = ? COLLATE NOCASE OR c.title = ? OR CAST(c.id AS TEXT) = ?)")
        params += [ref, flt.channel.strip(), ref]
    if flt.lang:
        clauses.append("p.lang = ?")
        params.append(flt.lang.lower())
    if flt.since:
        clauses.append("p.date >= ?")
        params.append(int(flt.since.timestamp()))
    if flt.until:
        clauses.append("p.date < ?")
        params.append(int(flt.until.timestamp()))
    if flt.group:
        clauses.append("EXISTS (SELECT 1 FROM keyword_hits g WHERE g.pid = p.pid AND g.grp = ?)")
        params.append(flt.group)
    return clauses, params


async def search(
    archive: Archive, query: str, flt: PostFilter = PostFilter(), *, limit: int = 20
) -> list[StoredPost]:
    """Return the newest posts matching ``query``; raise QueryError when it means nothing."""
    match = build_match(query)
    clauses, params = _where(flt)
    sql = f"""SELECT {_POST_COLUMNS} FROM posts_fts f
              JOIN posts p ON p.pid = f.rowid JOIN channels c ON c.id = p.channel_id
              WHERE posts_fts MATCH ? {"".join(" AND " + c for c in clauses)}
              ORDER BY f.rowid DESC LIMIT ?"""
    try:
        rows = await archive.fetch_all(sql, [match, *params, max(1, limit)])
    except sqlite3.OperationalError as exc:  # pragma: no cover - build_match makes this unreachable
        raise QueryError(f"cannot search for {query!r}: {exc}") from None
    return [_to_post(r) for r in rows]


async def latest(
    archive: Archive, flt: PostFilter = PostFilter(), *, limit: int = 20
) -> list[StoredPost]:
    """Return the newest posts that pass ``flt``."""
    clauses, params = _where(flt)
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    rows = await archive.fetch_all(
        f"""SELECT {_POST_COLUMNS} FROM posts p JOIN channels c ON c.id = p.channel_id
            {where} ORDER BY p.pid DESC LIMIT ?""",
        [*params, max(1, limit)],
    )
    return [_to_post(r) for r in rows]


async def iter_posts(
    archive: Archive, flt: PostFilter = PostFilter(), *, batch: int = 1000
) -> AsyncIterator[StoredPost]:
    """Yield every post that passes ``flt``, oldest first, in bounded memory."""
    clauses, params = _where(flt)
    last_pid = -1
    while True:
        where = " AND ".join(["p.pid > ?", *clauses])
        rows = await archive.fetch_all(
            f"""SELECT {_POST_COLUMNS} FROM posts p JOIN channels c ON c.id = p.channel_id
                WHERE {where} ORDER BY p.pid LIMIT ?""",
            [last_pid, *params, batch],
        )
        for row in rows:
            yield _to_post(row)
        if len(rows) < batch:
            return
        last_pid = rows[-1][0]


async def stats(archive: Archive) -> Stats:
    """Count posts per channel and language, with date ranges, edits and deletions."""
    rows = await archive.fetch_all(
        """SELECT c.id, c.title, c.username, count(p.pid), min(p.date), max(p.date),
             coalesce(sum(EXISTS (SELECT 1 FROM post_versions v
                                  WHERE v.pid = p.pid AND v.version > 1)), 0),
             count(p.deleted_at)
           FROM channels c LEFT JOIN posts p ON p.channel_id = c.id
           GROUP BY c.id ORDER BY count(p.pid) DESC, c.title"""
    )
    channels = [
        ChannelStats(r[0], r[1], r[2], r[3], _dt(r[4]), _dt(r[5]), r[6], r[7]) for r in rows
    ]
    langs = await archive.fetch_all(
        "SELECT lang, count(*) FROM posts GROUP BY lang ORDER BY count(*) DESC, lang"
    )
    groups = await archive.fetch_all(
        "SELECT grp, count(DISTINCT pid) FROM keyword_hits GROUP BY grp ORDER BY 2 DESC, grp"
    )
    return Stats(
        sum(c.posts for c in channels),
        channels,
        {r[0]: r[1] for r in langs},
        {r[0]: r[1] for r in groups},
    )


async def history(
    archive: Archive, channel_id: int, msg_id: int
) -> list[tuple[int, str, datetime]]:
    """Return every stored text of one post as (version, text, seen_at)."""
    rows = await archive.fetch_all(
        # The first version dates from the post itself; later ones from their edit.
        """SELECT v.version, v.text,
                  CASE WHEN v.version = 1 THEN (SELECT date FROM posts WHERE pid = v.pid)
                       ELSE coalesce(v.edit_date, v.seen_at) END
           FROM post_versions v
           WHERE v.pid IN (SELECT pid FROM posts WHERE channel_id = ?1 AND msg_id = ?2
                           UNION SELECT pid FROM post_aliases WHERE channel_id = ?1
                           AND msg_id = ?2)
           ORDER BY v.version""",
        (channel_id, msg_id),
    )
    return [(r[0], r[1], datetime.fromtimestamp(r[2], UTC)) for r in rows]


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


async def find_channel(archive: Archive, ref: str) -> Channel | None:
    """Find a stored channel by @username, username, exact title or marked id."""
    name = ref.strip().removeprefix("@")
    rows = await archive.fetch_all(
        """SELECT id, title, username, access_hash FROM channels
           WHERE username = ? COLLATE NOCASE OR title = ? OR CAST(id AS TEXT) = ?
           ORDER BY id LIMIT 1""", (name, ref.strip(), name))
    return Channel(rows[0][0], rows[0][1], rows[0][2], rows[0][3]) if rows else None


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
