"""One post with everything an analyst needs to prove what was said: every version and its
time, the deletion mark, counters, where it was forwarded from, and the keyword groups."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime

from bot.store.archive import Archive
from bot.store.bulk import json_list
from bot.store.post_rows import POST_COLUMNS, stored_post, to_datetime
from bot.store.values import PostHistory, Version


async def post_history(archive: Archive, channel_id: int, msg_id: int) -> PostHistory | None:
    """Return a post (found by any message id of its album) with its versions, or None."""
    rows = await archive.fetch_all(
        """SELECT pid FROM posts WHERE channel_id = ?1 AND msg_id = ?2
           UNION ALL SELECT pid FROM post_aliases WHERE channel_id = ?1 AND msg_id = ?2
           LIMIT 1""", (channel_id, msg_id))
    if not rows:
        return None
    pid = int(rows[0][0])
    found = await archive.fetch_all(
        f"""SELECT {POST_COLUMNS}, p.deleted_at, p.forwards, p.fwd_from_name
            FROM posts p JOIN channels c ON c.id = p.channel_id WHERE p.pid = ?""", (pid,))
    row = found[0]
    post = stored_post(row[:-3])
    versions = (await versions_of(archive, [pid]))[pid]
    return PostHistory(post, versions, to_datetime(row[-3]), row[-2], row[-1])


async def versions_of(archive: Archive, pids: Sequence[int]) -> dict[int, list[Version]]:
    """Every version of each post in ``pids`` (primary-key lookups), oldest first."""
    rows = await archive.read(version_rows, list(pids))
    found: dict[int, list[Version]] = {pid: [] for pid in pids}
    for pid, number, text, at in rows:
        found[int(pid)].append(Version(int(number), text, datetime.fromtimestamp(at, UTC)))
    return found


async def deletion_times(archive: Archive, pids: Sequence[int]) -> dict[int, datetime]:
    """When each deleted post of ``pids`` was noticed gone."""
    rows = await archive.fetch_all(
        """SELECT pid, deleted_at FROM posts WHERE pid IN (SELECT value FROM json_each(?))
           AND deleted_at IS NOT NULL""", (json_list(pids),))
    return {int(r[0]): datetime.fromtimestamp(r[1], UTC) for r in rows}


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
