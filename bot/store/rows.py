"""Pure helpers that turn analysed posts into archive rows: pids, albums, staleness."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from typing import Any

from bot.analysis.fingerprint import content_hash, search_text
from bot.domain import AnalysedPost, Analysis


@dataclass(frozen=True, slots=True)
class Existing:
    """What the archive already holds for a post key."""

    pid: int
    text: str
    edit_date: int | None


def album_key(item: AnalysedPost) -> tuple[int, int]:
    return (item.post.channel_id, item.post.grouped_id or 0)


def album_parts(item: AnalysedPost) -> list[tuple[int, str | None]]:
    """Pair each album message id with its media kind."""
    post = item.post
    ids = post.album_ids or (post.msg_id,)
    kinds: list[str | None] = (
        list(post.media)
        if len(post.media) == len(ids)
        else ([post.media[0] if post.media else None] * len(ids))
    )
    return list(zip(ids, kinds, strict=True))


def merge_albums(items: Iterable[AnalysedPost]) -> dict[tuple[int, int], AnalysedPost]:
    """Fold the messages of one album that arrive in one batch into a single post."""
    merged: dict[tuple[int, int], AnalysedPost] = {}
    albums: dict[tuple[int, int], list[AnalysedPost]] = {}
    for item in items:
        if item.post.grouped_id:
            albums.setdefault(album_key(item), []).append(item)
        else:
            merged[(item.post.channel_id, item.post.msg_id)] = item
    for members in albums.values():
        members.sort(key=lambda i: i.post.msg_id)
        parts = sorted({p for m in members for p in album_parts(m)}, key=lambda p: p[0])
        captioned = next((m for m in members if m.post.text), members[0])
        post = replace(
            captioned.post,
            msg_id=members[0].post.msg_id,
            date=members[0].post.date,
            album_ids=tuple(p[0] for p in parts),
            media=tuple(p[1] or "" for p in parts),
        )
        merged[(post.channel_id, post.msg_id)] = AnalysedPost(post, captioned.analysis)
    return merged


def is_stale(item: AnalysedPost, old: Existing) -> bool:
    """True when the incoming text is older than the stored edit (a slow insert after an edit)."""
    if old.edit_date is None:
        return False
    incoming = ts(item.post.edit_date)
    return incoming is None or incoming < old.edit_date


def pid_for(item: AnalysedPost) -> int:
    # Date in the high bits keeps rowid order = date order; a stable hash of the key below it
    # makes a clash between two posts of the same second a one-in-a-million event.
    spread = zlib.crc32(f"{item.post.channel_id}:{item.post.msg_id}".encode()) & 0xFFFFF
    return (max(ts(item.post.date) or 0, 0) << 20) | spread


POSTS_INTO = """INTO posts (pid, channel_id, msg_id, date, text, lang, lang_conf, views, forwards,
    replies, fwd_from_id, fwd_from_msg, fwd_from_name, grouped_id, media, author, edit_date,
    content_hash, first_seen, last_seen, historic)"""


@cache
def media_json(media: tuple[str, ...]) -> str:
    # Few distinct lists ("[]", '["photo"]'…), and json.dumps costs a µs or two per post.
    return json.dumps(list(media))


def post_row(pid: int, item: AnalysedPost, now: int, historic_up_to: int) -> tuple[Any, ...]:
    p, a = item.post, item.analysis
    return (
        pid,
        p.channel_id,
        p.msg_id,
        ts(p.date),
        p.text,
        a.lang,
        a.lang_confidence,
        p.views,
        p.forwards,
        p.replies,
        p.fwd_from_id,
        p.fwd_from_msg,
        p.fwd_from_name,
        p.grouped_id,
        media_json(p.media),
        p.author,
        ts(p.edit_date),
        hash_of(item),
        now,
        now,
        int(p.msg_id <= historic_up_to),
    )


def index_text_of(item: AnalysedPost) -> str:
    return folded_text(item.post.text, item.analysis)


def hash_of(item: AnalysedPost) -> str:
    return text_hash(item.post.text, item.analysis)


def folded_text(text: str, analysis: Analysis) -> str:
    """The index copy: from the analysis when it computed one, else computed here."""
    return search_text(text) if analysis.search_text is None else analysis.search_text


def text_hash(text: str, analysis: Analysis) -> str:
    """The duplicate hash: from the analysis when it computed one, else computed here."""
    return content_hash(text) if analysis.content_hash is None else analysis.content_hash


def ts(moment: datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp())

