"""The filters every post query shares, turned into SQL that an index can answer.

A channel arrives here already resolved to its id (bot/store/channel_lookup.py). Date
bounds become a pid range, because a pid is ``date << 20 | hash``: on ``posts`` that is the
primary key, and in the FTS table it is the rowid range FTS5 itself skips through.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.store.fts_meta import match_terms
from bot.store.values import PostQuery

#: Bits below the date in a pid (bot/store/rows.py: pid_for).
PID_SHIFT = 20
_PID_MAX = 2**63 - 1


def pid_bounds(query: PostQuery) -> tuple[int, int]:
    """The inclusive pid range that holds every post the query's dates allow."""
    low, high = 0, _PID_MAX
    if query.since is not None:
        low = max(0, int(query.since.timestamp())) << PID_SHIFT
    if query.until is not None:
        high = (max(0, int(query.until.timestamp())) << PID_SHIFT) - 1
    if query.before_pid is not None:
        high = min(high, query.before_pid - 1)
    return low, min(high, _PID_MAX)


def meta_match(query: PostQuery) -> list[str]:
    """The channel, language, group and deleted filters as terms on the index's meta column."""
    return match_terms(query.channel_id, query.lang, query.group, deleted=query.deleted is True)


def where(query: PostQuery, *, pid: str = "p.pid", group_joined: bool = False,
          in_index: bool = False) -> tuple[list[str], list[Any]]:
    """SQL conditions on ``posts p`` for ``query``; ``pid`` names the column to range over.

    ``group_joined``: the query already reads ``keyword_hits g`` for the group.
    ``in_index``: channel, language and group are already terms of the MATCH (meta_match).
    """
    low, high = pid_bounds(query)
    clauses = [f"{pid} BETWEEN ? AND ?"]
    params: list[Any] = [low, high]
    if in_index:
        query = replace(query, channel_id=None, lang=None, group=None,
                        deleted=None if query.deleted else query.deleted)
    if query.channel_id is not None:
        clauses.append("p.channel_id = ?")
        params.append(query.channel_id)
    if query.lang:
        clauses.append("p.lang = ?")
        params.append(query.lang.lower())
    if query.group and group_joined:
        clauses.append("g.grp = ?")
        params.append(query.group)
    elif query.group:
        # (pid, grp) is the primary key's prefix: one lookup per candidate post.
        clauses.append("EXISTS (SELECT 1 FROM keyword_hits g WHERE g.pid = p.pid AND g.grp = ?)")
        params.append(query.group)
    if query.edited is not None and in_index:
        # The search index drives: probe the narrow partial index of edited pids instead of
        # reading each match's wide post row (edited:yes read 1,000s of rows: 85 ms warm,
        # 2.5 s cold on 1M posts; the probes take 22-46 ms).
        clauses.append(("" if query.edited else "NOT ") + "EXISTS (SELECT 1 FROM posts e "
                       f"INDEXED BY posts_edited_newest WHERE e.pid = {pid} AND e.versions > 1)")
    elif query.edited is not None:
        # posts.versions counts the texts a post has had (schema 2).
        clauses.append("p.versions > 1" if query.edited else "p.versions = 1")
    if query.deleted is not None:
        clauses.append("p.deleted_at IS " + ("NOT NULL" if query.deleted else "NULL"))
    return clauses, params
