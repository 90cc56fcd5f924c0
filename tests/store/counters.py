"""The counters of schemas 2, 4 and 5 next to a fresh count of the rows they stand for."""

from __future__ import annotations

from bot.store import Archive

COUNTED_POSTS = "SELECT hour, channel_id, lang, posts FROM post_hours ORDER BY 1, 2, 3"
FRESH_POSTS = """SELECT (pid >> 20) / 3600, channel_id, lang, count(*) FROM posts
                 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"""
COUNTED_GROUPS = "SELECT grp, hour, channel_id, posts FROM group_hours ORDER BY 1, 2, 3"
FRESH_GROUPS = """SELECT h.grp, (h.pid >> 20) / 3600, p.channel_id, count(DISTINCT h.pid)
                  FROM keyword_hits h JOIN posts p ON p.pid = h.pid
                  GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"""
COUNTED_LANGS = "SELECT hour, lang, posts FROM lang_hours ORDER BY 1, 2"
FRESH_LANGS = """SELECT (pid >> 20) / 3600, lang, count(*) FROM posts
                 GROUP BY 1, 2 ORDER BY 1, 2"""
# Schema 2's counters, behind /channels and `tgmon stats` (zero rows may stay behind).
COUNTED_TOTALS = """SELECT channel_id, lang, posts, edited, deleted FROM post_counts
                    WHERE posts > 0 ORDER BY 1, 2"""
FRESH_TOTALS = """SELECT channel_id, lang, count(*), sum(versions > 1), count(deleted_at)
                  FROM posts GROUP BY 1, 2 ORDER BY 1, 2"""


async def assert_counters_fresh(archive: Archive) -> None:
    """Every counter row equals a GROUP BY over posts and keyword_hits, and none is extra."""
    counted = await archive.fetch_all(COUNTED_POSTS)
    assert counted == await archive.fetch_all(FRESH_POSTS)
    assert await archive.fetch_all(COUNTED_GROUPS) == await archive.fetch_all(FRESH_GROUPS)
    assert await archive.fetch_all(COUNTED_LANGS) == await archive.fetch_all(FRESH_LANGS)
    assert all(row[-1] > 0 for row in counted)
    assert await archive.fetch_all(COUNTED_TOTALS) == await archive.fetch_all(FRESH_TOTALS)
