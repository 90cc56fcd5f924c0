"""Posts by arrival time: what digests and alerts choose from.

A window is chosen by ``first_seen`` (when the archive got the post), not by the post's
date, so a post caught up late still reaches the next digest instead of falling into one
that was already sent.
"""

from __future__ import annotations

from collections.abc import Collection

from bot.domain import StoredPost
from bot.store.archive import Archive
from bot.store.reads import _POST_COLUMNS, _to_post


async def posts_arrived(
    archive: Archive, *, after: int, until: int, groups: Collection[str] | None = None,
    include_history: bool = False,
) -> list[StoredPost]:
    """Return posts first seen in (after, until], oldest first; ``groups`` keeps only hits.

    ``include_history`` adds imported and backfilled posts, for a preview only.
    """
    # Imported and backfilled posts are history, not news: they never flood a digest.
    clauses = ["p.first_seen > ?", "p.first_seen <= ?"]
    if not include_history:
        clauses.append("p.historic = 0")
    params: list[object] = [after, until]
    if groups is not None:
        if not groups:
            return []
        marks = ",".join("?" * len(groups))
        clauses.append(
            f"EXISTS (SELECT 1 FROM keyword_hits g WHERE g.pid = p.pid AND g.grp IN ({marks}))"
        )
        params += sorted(groups)
    rows = await archive.fetch_all(
        f"""SELECT {_POST_COLUMNS} FROM posts p JOIN channels c ON c.id = p.channel_id
            WHERE {" AND ".join(clauses)} ORDER BY p.first_seen, p.pid""",
        params,
    )
    return [_to_post(r) for r in rows]


async def history_arrived(archive: Archive, *, after: int, until: int) -> int:
    """Count imported or backfilled posts stored in (after, until]: kept out of digests."""
    rows = await archive.fetch_all(
        "SELECT count(*) FROM posts WHERE first_seen > ? AND first_seen <= ? AND historic = 1",
        (after, until))
    return int(rows[0][0])
