"""Counts by day: posts per channel and language for /stats, mentions per channel for /trend.

Days are local days: ``utc_offset`` (seconds east of UTC, of the display zone) shifts each
post date before it is cut into days. Every query reads one pid range (the window's dates),
so its cost follows the window, not the archive.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from bot.store.archive import Archive
from bot.store.bulk import json_list
from bot.store.fts_meta import channel_token
from bot.store.fts_query import build_match
from bot.store.post_filters import PostQuery, pid_bounds

_DAY = 86_400
#: Posts per (channel, day) for every channel, language totals, keyword-group totals.
DayCounts = dict[int, dict[date, int]]


@dataclass(frozen=True, slots=True)
class Window:
    """A span of time and the zone offset that decides where its days begin."""

    since: datetime
    until: datetime
    utc_offset: int = 0

    def days(self) -> list[date]:
        first, last = self.day_of(self.since), self.day_of(self.until - timedelta(seconds=1))
        return [first + timedelta(days=i) for i in range((last - first).days + 1)]

    def day_of(self, moment: datetime) -> date:
        return date.fromordinal(date(1970, 1, 1).toordinal()
                                + (int(moment.timestamp()) + self.utc_offset) // _DAY)


@dataclass(frozen=True, slots=True)
class PeriodStats:
    """What was stored in a window: posts per channel per day, languages, keyword groups."""

    window: Window
    per_channel: DayCounts
    languages: dict[str, int] = field(default_factory=dict)
    groups: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(sum(days.values()) for days in self.per_channel.values())


async def period_stats(archive: Archive, window: Window) -> PeriodStats:
    """Count the window's posts by channel, local day and language, and its keyword groups."""
    low, high = pid_bounds(PostQuery(since=window.since, until=window.until))
    # posts_by_day covers this: the day is the pid's date part, no post row is read.
    rows = await archive.fetch_all(
        """SELECT channel_id, ((pid >> 20) + ?) / 86400, lang, count(*)
           FROM posts INDEXED BY posts_by_day
           WHERE pid BETWEEN ? AND ? GROUP BY 1, 2, 3""", (window.utc_offset, low, high))
    per_channel: DayCounts = {}
    languages: dict[str, int] = {}
    for channel_id, day, lang, count in rows:
        days = per_channel.setdefault(int(channel_id), {})
        key = _day(day)
        days[key] = days.get(key, 0) + int(count)
        languages[lang] = languages.get(lang, 0) + int(count)
    groups = await archive.fetch_all(
        """SELECT grp, count(DISTINCT pid) FROM keyword_hits WHERE pid BETWEEN ? AND ?
           GROUP BY grp ORDER BY 2 DESC, grp""", (low, high))
    return PeriodStats(window, per_channel,
                       dict(sorted(languages.items(), key=lambda kv: (-kv[1], kv[0]))),
                       {r[0]: int(r[1]) for r in groups})


async def mentions_by_day(archive: Archive, window: Window, *, group: str | None = None,
                          term: str | None = None,
                          channel_ids: Sequence[int] = ()) -> DayCounts:
    """Posts per channel and local day that matched keyword ``group`` or contain ``term``."""
    low, high = pid_bounds(PostQuery(since=window.since, until=window.until))
    only = " AND p.channel_id IN (SELECT value FROM json_each(?))" if channel_ids else ""
    extra: list[Any] = [json_list(channel_ids)] if channel_ids else []
    if group is not None:
        sql = f"""SELECT p.channel_id, ((p.pid >> 20) + ?) / 86400, count(DISTINCT p.pid)
                  FROM keyword_hits g JOIN posts p INDEXED BY posts_by_day ON p.pid = g.pid
                  WHERE g.grp = ? AND g.pid BETWEEN ? AND ?{only} GROUP BY 1, 2"""
        params: list[Any] = [window.utc_offset, group, low, high, *extra]
    else:
        # Words in the text (body); the channels as meta terms, answered inside the index.
        match = f"{{body}} : ({build_match(term or '')})"
        if channel_ids:
            match += " AND {meta} : (" + " OR ".join(channel_token(c) for c in channel_ids) + ")"
        sql = """SELECT p.channel_id, (p.date + ?) / 86400, count(*)
                 FROM posts_fts f JOIN posts p ON p.pid = f.rowid
                 WHERE posts_fts MATCH ? AND f.rowid BETWEEN ? AND ? GROUP BY 1, 2"""
        params = [window.utc_offset, match, low, high]
    found: DayCounts = {}
    for channel_id, day, count in await archive.fetch_all(sql, params):
        found.setdefault(int(channel_id), {})[_day(day)] = int(count)
    return found


def _day(number: int) -> date:
    return date.fromordinal(date(1970, 1, 1).toordinal() + int(number))


async def stored_group(archive: Archive, name: str) -> bool:
    """Whether posts matched a keyword group of this name (one seek in its index)."""
    rows = await archive.fetch_all("SELECT 1 FROM keyword_hits WHERE grp = ? LIMIT 1", (name,))
    return bool(rows)
