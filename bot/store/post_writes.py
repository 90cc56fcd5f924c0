"""Writes of posts, edits, deletions, channels and cursors: each function is one transaction's
body, run by ``Archive.write`` on the writer's thread (so it is plain, synchronous sqlite3).

Every write that covers posts also moves the channel cursors in the same transaction, so a
crash can never leave a cursor ahead of the posts it claims to cover.

Each text is stored once. The current text lives in ``posts.text`` and nowhere else;
``post_versions`` keeps only the texts an edit replaced (about one post in ten is ever
edited). The alternatives measured worse or could not work: a copy of every text in a
WITHOUT ROWID versions table (schema 1) was 41 % of a 1M-post archive, 4.4x a bare
posts+FTS5 table, and its long rows crowd the key B-tree; an external-content FTS table
would index ``posts.text`` itself, but the index holds the *folded* text (ё→е, Kazakh
letters onto Russian ones…), which differs from what the post says, and SQLite 3.40 has no
contentless-delete tables to drop the copy. So the FTS row keeps the folded copy (the one
deliberate second copy, for search) and history reads old texts from post_versions and the
current one from posts (the ``post_texts`` view joins them).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime

from bot.domain import AnalysedPost, Analysis, Channel
from bot.store import rows as postrows
from bot.store.bulk import insert_rows, json_list, value_lists
from bot.store.fts_meta import DELETED_TOKEN, meta_text
from bot.store.values import StoreResult

_CHUNK = 400  # SQLite's default limit on bound parameters is 999 (older builds) or 32766.
#: A write of more posts than this runs with a page cache sized to it (``_cache_for``) …
BIG_WRITE_POSTS = 500
#: … of this many KiB a post. A catch-up writes history pages of up to 2,000 posts in one
#: transaction (an import, batches of 1,000), which dirty more than SQLite's default 2 MB
#: cache holds: it spilled pages to the WAL before the COMMIT and read them (and the index
#: pages it had dropped) back through the kernel (tests/store/test_big_writes.py: 8.4 MB of a
#: 1,000-post page in the -wal before its COMMIT). Replaying a 100,000-post catch-up's writes
#: alone (10 channels, pages of 100 doubling to 2,000; CPU of the writing process, load 2-5,
#: noisy): system time 7.0-9.3 s (five runs) with the default cache, 6.3-7.5 s at 16 KiB a
#: post, 5.5 s at 32 KiB and with 64 MB; user+system 19.2-23.2 s against 19.2-22.6 s. The
#: memory is the writer's only during the page (32 MB at most): the pages above the usual
#: size go back to the allocator when the cache shrinks after it.
CACHE_KIB_PER_POST = 16
#: Reads the archive's clock in unix seconds, on the writer's thread inside the transaction.
Stamp = Callable[[], int]


def upsert_channel(conn: sqlite3.Connection, channel: Channel, ref: str | None,
                   stamp: Stamp) -> None:
    conn.execute(
        """INSERT INTO channels (id, username, title, access_hash, ref, updated_at)
           VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET
             username = coalesce(excluded.username, username),
             title = CASE WHEN excluded.title != '' THEN excluded.title ELSE title END,
             access_hash = coalesce(excluded.access_hash, access_hash),
             ref = coalesce(excluded.ref, ref),
             updated_at = excluded.updated_at""",
        (channel.id, channel.username, channel.title, channel.access_hash, ref, stamp()),
    )


def begin_backfill(conn: sqlite3.Connection, channel_id: int, start: int, top: int,
                   stamp: Stamp) -> None:
    conn.execute(
        """INSERT INTO cursors (channel_id, last_msg_id, updated_at, historic_until)
           VALUES (?, ?, ?, ?) ON CONFLICT (channel_id) DO NOTHING""",
        (channel_id, start, stamp(), top))


def store_posts(conn: sqlite3.Connection, items: Sequence[AnalysedPost],
                cursors: Mapping[int, int] | None, historic_up_to: int,
                stamp: Stamp) -> StoreResult:
    """Insert or update posts, their versions, index rows and hits, and move cursors.

    Idempotent: storing the same post again changes nothing but its counters, and an edit
    adds a version only when the text really changed. Album messages that arrive apart
    (live, or split across history pages) are folded into the one post of their album.
    """
    with _cache_for(conn, len(items)):
        return _store_posts(conn, items, cursors, historic_up_to, stamp)


@contextmanager
def _cache_for(conn: sqlite3.Connection, posts: int) -> Iterator[None]:
    """Give a big write a page cache that holds what it changes, for its transaction only.

    The cache goes back to its size after it, which frees the pages above that size: a
    service that has caught up keeps the writer's cache it had (SQLite's default, 2 MB).
    """
    if posts <= BIG_WRITE_POSTS:
        yield
        return
    before = int(conn.execute("PRAGMA cache_size").fetchone()[0])
    conn.execute(f"PRAGMA cache_size=-{posts * CACHE_KIB_PER_POST}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size={before}")


def _store_posts(conn: sqlite3.Connection, items: Sequence[AnalysedPost],
                 cursors: Mapping[int, int] | None, historic_up_to: int,
                 stamp: Stamp) -> StoreResult:
    batch = postrows.merge_albums(
        {(i.post.channel_id, i.post.msg_id): i for i in items}.values()
    )
    # Stamped inside the write transaction, so first_seen never lags the commit.
    now = stamp()
    existing = existing_posts(conn, batch)
    fresh = [item for key, item in batch.items() if key not in existing]
    hosts = _album_hosts(conn, fresh)
    new = [i for i in fresh if postrows.album_key(i) not in hosts]
    changed: list[tuple[int, AnalysedPost]] = []
    same: list[tuple[int, AnalysedPost]] = []
    for item in fresh:
        host = hosts.get(postrows.album_key(item))
        if host is not None:  # a late album message: its caption may be the first text
            (changed if item.post.text and not host.text else same).append((host.pid, item))
    for key, item in batch.items():
        old = existing.get(key)
        if old is None:
            continue
        # An album message without the caption never blanks the album's text.
        blank_part = bool(item.post.grouped_id) and not item.post.text
        if item.post.text != old.text and not blank_part and not postrows.is_stale(item, old):
            changed.append((old.pid, item))
        else:
            same.append((old.pid, item))
    pids = _insert_new(conn, new, now, historic_up_to)
    _apply_edits(conn, changed, now)
    _refresh_counters(conn, same, now)
    album_rows = [
        (pid, i)
        for pid, i in [*zip(pids, new, strict=True), *changed, *same]
        if i.post.album_ids or i.post.grouped_id
    ]
    _save_album_parts(conn, album_rows)
    if cursors:
        _move_cursors(conn, cursors, now)
    return StoreResult(len(new), len(changed), len(same))


def existing_posts(conn: sqlite3.Connection, batch: Iterable[tuple[int, int]]
                   ) -> dict[tuple[int, int], postrows.Existing]:
    """What the archive holds for each (channel, message id), album messages included."""
    by_channel: dict[int, list[int]] = {}
    for channel_id, msg_id in batch:
        by_channel.setdefault(channel_id, []).append(msg_id)
    found: dict[tuple[int, int], postrows.Existing] = {}
    for channel_id, msg_ids in by_channel.items():
        # One statement, whatever the batch size.
        rows = conn.execute(
            """SELECT msg_id, pid, text, edit_date FROM posts
               WHERE channel_id = ?1 AND msg_id IN (SELECT value FROM json_each(?2))
               UNION ALL
               SELECT a.msg_id, p.pid, p.text, p.edit_date FROM post_aliases a
               JOIN posts p ON p.pid = a.pid
               WHERE a.channel_id = ?1 AND a.msg_id IN (SELECT value FROM json_each(?2))""",
            (channel_id, json_list(msg_ids)),
        ).fetchall()
        for msg_id, pid, text, edit_date in rows:
            found[(channel_id, msg_id)] = postrows.Existing(pid, text, edit_date)
    return found


#: UPDATE … FROM came with SQLite 3.33 (2020). Older ones (RHEL 8 has 3.26, Ubuntu 20.04
#: 3.31, and a distribution's Python uses them) refresh one post per step, as tgmon did
#: before, instead of failing every history re-read with a syntax error.
UPDATE_FROM = sqlite3.sqlite_version_info >= (3, 33, 0)


def _refresh_counters(conn: sqlite3.Connection, same: Sequence[tuple[int, AnalysedPost]],
                      now: int) -> None:
    # A history re-read returns mostly posts already stored: one statement per 200 of them
    # (bot/store/bulk.py), not one step each, which waited for the GIL every time.
    latest = {pid: (pid, p.post.views, p.post.forwards, p.post.replies,
                    postrows.ts(p.post.edit_date)) for pid, p in same}
    if not UPDATE_FROM:
        conn.executemany(
            """UPDATE posts SET views = coalesce(?2, views), forwards = coalesce(?3, forwards),
               replies = coalesce(?4, replies),
               edit_date = CASE WHEN ?5 IS NULL THEN edit_date
                                ELSE max(coalesce(edit_date, 0), ?5) END,
               last_seen = ?6 WHERE pid = ?1""",
            [(*row, now) for row in latest.values()])
        return
    for values, params in value_lists(conn, list(latest.values())):
        conn.execute(
            f"""WITH seen (pid, views, forwards, replies, edit_date) AS (VALUES {values})
                UPDATE posts SET views = coalesce(seen.views, posts.views),
                  forwards = coalesce(seen.forwards, posts.forwards),
                  replies = coalesce(seen.replies, posts.replies),
                  edit_date = CASE WHEN seen.edit_date IS NULL THEN posts.edit_date
                                   ELSE max(coalesce(posts.edit_date, 0), seen.edit_date) END,
                  last_seen = ? FROM seen WHERE posts.pid = seen.pid""",
            [*params, now])


def _album_hosts(conn: sqlite3.Connection, items: Sequence[AnalysedPost]
                 ) -> dict[tuple[int, int], postrows.Existing]:
    hosts: dict[tuple[int, int], postrows.Existing] = {}
    for key in {postrows.album_key(i) for i in items if i.post.grouped_id}:
        row = conn.execute(
            "SELECT pid, text, edit_date FROM posts WHERE channel_id = ? AND grouped_id = ?",
            key,
        ).fetchone()
        if row:
            hosts[key] = postrows.Existing(*row)
    return hosts


def _insert_new(conn: sqlite3.Connection, new: Sequence[AnalysedPost], now: int,
                historic_up_to: int) -> list[int]:
    if not new:
        return []
    pids = _free_pids(conn, [postrows.pid_for(i) for i in new])
    # A few statements of many rows each (see bot/store/bulk.py for why).
    insert_rows(conn, postrows.POSTS_INTO, [postrows.post_row(pid, item, now, historic_up_to)
                                            for pid, item in zip(pids, new, strict=True)])
    insert_rows(conn, "INTO posts_fts (rowid, body, meta)",
                [(pid, postrows.index_text_of(i), meta_of(i))
                 for pid, i in zip(pids, new, strict=True)])
    insert_hits(conn, zip(pids, (i.analysis for i in new), strict=True))
    # News, not history, takes an arrival number: digests and alerts advance on it.
    news = [pid for pid, i in zip(pids, new, strict=True) if i.post.msg_id > historic_up_to]
    insert_rows(conn, "INTO arrivals (pid, at)", [(pid, now) for pid in news])
    return pids


def meta_of(item: AnalysedPost, *, deleted: bool = False) -> str:
    return meta_text(item.post.channel_id, item.analysis.lang,
                     (h.group for h in item.analysis.hits), deleted=deleted)


def _free_pids(conn: sqlite3.Connection, wanted: list[int]) -> list[int]:
    """Resolve the rare clash of two posts' date-ordered pids by moving one up."""
    rows = conn.execute(
        "SELECT pid FROM posts WHERE pid IN (SELECT value FROM json_each(?))",
        (json_list(wanted),),
    ).fetchall()
    taken: set[int] = {r[0] for r in rows}
    result = []
    for wanted_pid in wanted:
        pid = wanted_pid
        while pid in taken:
            pid += 1
            if conn.execute("SELECT 1 FROM posts WHERE pid = ?", (pid,)).fetchone():
                taken.add(pid)
        taken.add(pid)
        result.append(pid)
    return result


def _apply_edits(conn: sqlite3.Connection, changed: Sequence[tuple[int, AnalysedPost]],
                 now: int) -> None:
    """Move each superseded text to post_versions and put the new one in its place.

    An album whose caption arrives after its other messages had no text before: filling it
    in is not an edit, so no version is kept for the empty text.
    """
    if not changed:
        return
    pids = json_list(pid for pid, _ in changed)
    before = {int(r[0]): (str(r[1]), bool(r[2]), json.loads(r[3] or "[]"), r[4] is not None)
              for r in conn.execute(
        """SELECT pid, text, historic, (SELECT json_group_array(DISTINCT grp)
                  FROM keyword_hits h WHERE h.pid = posts.pid), deleted_at
           FROM posts WHERE pid IN (SELECT value FROM json_each(?))""", (pids,))}
    superseded = [pid for pid, _ in changed if before[pid][0]]
    conn.execute(
        """INSERT INTO post_versions (pid, version, text, edit_date, seen_at)
           SELECT pid, versions, text, edit_date, coalesce(text_seen, first_seen) FROM posts
           WHERE pid IN (SELECT value FROM json_each(?))""", (json_list(superseded),))
    conn.executemany(
        """UPDATE posts SET text = ?, lang = ?, lang_conf = ?, content_hash = ?,
             edit_date = coalesce(?, edit_date), views = coalesce(?, views),
             forwards = coalesce(?, forwards), replies = coalesce(?, replies),
             media = ?, last_seen = ?, versions = versions + ?, text_seen = ?
           WHERE pid = ?""",
        [(i.post.text, i.analysis.lang, i.analysis.lang_confidence, postrows.hash_of(i),
          postrows.ts(i.post.edit_date), i.post.views, i.post.forwards, i.post.replies,
          json.dumps(list(i.post.media)), now, int(bool(before[pid][0])),
          now if before[pid][0] else None, pid) for pid, i in changed],
    )
    conn.executemany(
        "UPDATE posts_fts SET body = ?, meta = ? WHERE rowid = ?",
        [(postrows.index_text_of(i), meta_of(i, deleted=before[pid][3]), pid)
         for pid, i in changed],
    )
    replace_hits(conn, [(pid, i.analysis) for pid, i in changed])
    # An edit that brings new keyword groups arrives again, for those groups only, so its
    # alert goes out once; history stays history.
    again = []
    for pid, item in changed:
        _text, historic, old_groups, _deleted = before[pid]
        added = sorted({h.group for h in item.analysis.hits} - set(old_groups))
        if added and not historic:
            again.append((pid, now, json.dumps(added, ensure_ascii=False)))
    conn.executemany("INSERT INTO arrivals (pid, at, groups) VALUES (?, ?, ?)", again)


def replace_hits(conn: sqlite3.Connection, analyses: Sequence[tuple[int, Analysis]]) -> None:
    """Swap the stored keyword hits of posts for new ones (after an edit or reanalysis)."""
    conn.executemany("DELETE FROM keyword_hits WHERE pid = ?", [(pid,) for pid, _ in analyses])
    insert_hits(conn, analyses)


def insert_hits(conn: sqlite3.Connection, analyses: Iterable[tuple[int, Analysis]]) -> None:
    insert_rows(conn, "OR IGNORE INTO keyword_hits (pid, grp, term, form)",
                [(pid, h.group, h.term, h.form) for pid, a in analyses for h in a.hits])


def _save_album_parts(conn: sqlite3.Connection, rows: Sequence[tuple[int, AnalysedPost]]
                      ) -> None:
    """Record each album message under its post, then rebuild the post's media list."""
    if not rows:
        return
    parts = [
        (i.post.channel_id, msg_id, pid, kind or None)
        for pid, i in rows
        for msg_id, kind in postrows.album_parts(i)
    ]
    conn.executemany(
        """INSERT INTO post_aliases (channel_id, msg_id, pid, media) VALUES (?,?,?,?)
           ON CONFLICT (channel_id, msg_id) DO UPDATE SET media = excluded.media""",
        parts,
    )
    conn.executemany(
        """UPDATE posts SET media = (SELECT json_group_array(media) FROM (
             SELECT media FROM post_aliases WHERE pid = ?1 AND media IS NOT NULL
             ORDER BY msg_id)) WHERE pid = ?1""",
        [(pid,) for pid in {pid for pid, _ in rows}],
    )


def move_cursors(conn: sqlite3.Connection, cursors: Mapping[int, int], stamp: Stamp) -> None:
    _move_cursors(conn, cursors, stamp())


def _move_cursors(conn: sqlite3.Connection, cursors: Mapping[int, int], now: int) -> None:
    conn.executemany(
        """INSERT INTO cursors (channel_id, last_msg_id, updated_at) VALUES (?,?,?)
           ON CONFLICT (channel_id) DO UPDATE SET
             last_msg_id = max(last_msg_id, excluded.last_msg_id),
             updated_at = excluded.updated_at""",
        [(channel_id, msg_id, now) for channel_id, msg_id in cursors.items()],
    )


def mark_deleted(conn: sqlite3.Connection, channel_id: int, ids: Sequence[int],
                 at: datetime | None, stamp: Stamp) -> int:
    """Soft-delete posts; return how many posts became deleted.

    An album is one post of several messages: deleting one photo marks that message only,
    and the post counts as deleted once all of its messages are.
    """
    when = postrows.ts(at) or stamp()
    changed = 0
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        conn.execute(
            f"""UPDATE post_aliases SET deleted_at = ? WHERE deleted_at IS NULL
                AND channel_id = ? AND msg_id IN ({marks})""",
            (when, channel_id, *chunk),
        )
        cursor = conn.execute(
            f"""UPDATE posts SET deleted_at = ?1 WHERE deleted_at IS NULL AND (
                  (channel_id = ?2 AND msg_id IN ({marks})
                   AND NOT EXISTS (SELECT 1 FROM post_aliases a WHERE a.pid = posts.pid))
                  OR pid IN (SELECT pid FROM post_aliases WHERE channel_id = ?2
                             AND msg_id IN ({marks})))
                AND NOT EXISTS (SELECT 1 FROM post_aliases a
                                WHERE a.pid = posts.pid AND a.deleted_at IS NULL)
                RETURNING pid""",
            (when, channel_id, *chunk, *chunk),
        )
        gone = [row[0] for row in cursor.fetchall()]
        if gone:  # the search index marks it too: deleted:yes is a term of the MATCH
            conn.execute(
                f"""UPDATE posts_fts SET meta = meta || ' {DELETED_TOKEN}'
                    WHERE rowid IN (SELECT value FROM json_each(?))""", (json_list(gone),))
        changed += len(gone)
    return changed
