"""Turn stored posts and stats into terminal text or JSON."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from bot.analysis.word_diff import changed_only, word_diff
from bot.cli.show import diff_text
from bot.cli.zone import shown
from bot.domain import StoredPost
from bot.store.values import PostHistory, Stats

_UTC = ZoneInfo("UTC")


def post_record(post: StoredPost) -> dict[str, Any]:
    """The machine-readable form of a post (search --json, export)."""
    return {
        "channel": post.channel_title,
        "channel_id": post.channel_id,
        "username": post.channel_username,
        "id": post.msg_id,
        "date": post.date.isoformat(),
        "text": post.text,
        "lang": post.lang,
        "groups": list(post.groups),
        "terms": sorted({h.term for h in post.hits}),
        "edit_count": post.edit_count,
        "edited": post.edit_count > 0,
        "edit_date": post.edit_date.isoformat() if post.edit_date else None,
        "versions": post.versions,
        "deleted": post.deleted,
        "media": list(post.media),
        "views": post.views,
        "forwards": post.forwards,
        "forwarded_from": _forwarded_from(post),
        "link": post.link,
    }


def _forwarded_from(post: StoredPost) -> dict[str, Any] | None:
    if post.fwd_from_id is None and post.fwd_from_name is None:
        return None
    return {"name": post.fwd_from_name, "channel_id": post.fwd_from_id, "id": post.fwd_from_msg}


def forwarded_from_text(source: dict[str, Any] | None) -> str:
    """Who a forwarded post came from, in words: its name, else the channel and post id."""
    if source is None:
        return ""
    if source["name"]:
        return str(source["name"])
    return f"{source['channel_id']}" + (f"/{source['id']}" if source["id"] else "")


def print_json(value: Any) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def print_history(found: PostHistory, *, tz: ZoneInfo = _UTC, styled: bool = False) -> None:
    """Print one post's facts, then every version, oldest first, with what each edit changed
    (a word diff against the version before), and its deletion."""
    post = found.post
    facts = [f"{post.channel_title}, {post.link}",
             f"{post.versions} version{'s' if post.versions != 1 else ''}"]
    facts += [f"media: {', '.join(post.media)}"] if post.media else []
    facts += [f"{post.views:,} views"] if post.views is not None else []
    facts += [f"{post.forwards:,} forwards"] if post.forwards is not None else []
    source = forwarded_from_text(_forwarded_from(post))
    facts += [f"forwarded from {source}"] if source else []
    facts += [f"keyword groups: {', '.join(post.groups)}"] if post.groups else []
    print(" · ".join(facts))
    # An export dates the edit but keeps only the edited text.
    only_edited = post.edit_date if len(found.versions) == 1 else None
    previous: str | None = None
    for version in found.versions:
        if only_edited is not None:
            print(f"--- posted {shown(version.at, tz)}, edited {shown(only_edited, tz)}"
                  "; the text before the edit was never stored")
        else:
            label = "original" if version.number == 1 else f"edit {version.number - 1}"
            print(f"--- {label}, {shown(version.at, tz)}")
        print(version.text or "(no text)")
        if previous is not None:
            print("    changed: " + diff_text(changed_only(word_diff(previous, version.text)),
                                             styled=styled))
        previous = version.text
    if found.deleted_at:
        print(f"--- deleted, noticed {shown(found.deleted_at, tz)}")


def stats_record(stats: Stats) -> dict[str, Any]:
    return {
        "posts": stats.posts,
        "channels": [
            {
                "id": c.channel_id,
                "title": c.title,
                "username": c.username,
                "posts": c.posts,
                "first": c.first.isoformat() if c.first else None,
                "last": c.last.isoformat() if c.last else None,
                "edited": c.edited,
                "deleted": c.deleted,
            }
            for c in stats.channels
        ],
        "languages": stats.languages,
        "keyword_groups": stats.groups,
    }


def print_stats(stats: Stats) -> None:
    count = len(stats.channels)
    print(f"{stats.posts:,} posts in {count} channel{'' if count == 1 else 's'}\n")
    rows = [("channel", "posts", "first", "last", "edited", "deleted")]
    rows += [
        (
            c.title + (f" (@{c.username})" if c.username else ""),
            f"{c.posts:,}",
            f"{c.first:%Y-%m-%d}" if c.first else "-",
            f"{c.last:%Y-%m-%d}" if c.last else "-",
            str(c.edited),
            str(c.deleted),
        )
        for c in stats.channels
    ]
    _table(rows)
    if stats.languages:
        print("\nlanguages: " + ", ".join(f"{k} {v:,}" for k, v in stats.languages.items()))
    if stats.groups:
        print("keyword groups: " + ", ".join(f"{k} {v:,}" for k, v in stats.groups.items()))


def _table(rows: Sequence[tuple[str, ...]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        print("  ".join(cells))
