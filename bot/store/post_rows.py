"""How a post row reads: the columns every post query selects, and the StoredPost they make."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from bot.domain import KeywordHit, StoredPost

POST_COLUMNS = """p.pid, p.channel_id, p.msg_id, p.date, p.text, p.lang, c.title, c.username,
    p.views, p.deleted_at, p.media, p.fwd_from_id, p.fwd_from_msg, p.grouped_id, p.content_hash,
    p.versions - 1 AS edits,
    (SELECT group_concat(h.grp || char(31) || h.term || char(31) || h.form, char(30))
       FROM keyword_hits h WHERE h.pid = p.pid) AS hits,
    p.edit_date, p.forwards, p.fwd_from_name"""


def stored_post(row: Sequence[Any]) -> StoredPost:
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
        edit_date=to_datetime(edit_date),
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


def to_datetime(ts: int | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC)
