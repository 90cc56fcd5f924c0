"""What /channels and ``tgmon channels`` show: each channel's health, size and freshness."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain import Channel
from bot.store.archive import Archive
from bot.store.values import ChannelRow, Overview


async def channel_overview(archive: Archive) -> Overview:
    """Read the overview: counts from the counters (schema 2), each newest post from one seek
    of the (channel_id, msg_id) key.

    Counting each channel's posts in that key read every post of the archive (61-130 ms on
    1M posts); post_counts holds a few rows per channel, deleted posts included, as before.
    """
    rows = await archive.fetch_all(
        """SELECT c.id, c.title, c.username, c.access_hash, c.status, c.status_detail,
                  (SELECT coalesce(sum(n.posts), 0) FROM post_counts n
                   WHERE n.channel_id = c.id),
                  (SELECT p.date FROM posts p WHERE p.channel_id = c.id
                   ORDER BY p.msg_id DESC LIMIT 1),
                  k.updated_at
           FROM channels c LEFT JOIN cursors k ON k.channel_id = c.id
           ORDER BY c.title COLLATE NOCASE, c.id""")
    parks = await archive.fetch_all("SELECT max(until) FROM flood_parks WHERE until > ?",
                                    (archive.stamp(),))
    parked = _dt(parks[0][0]) if parks else None
    channels = [
        ChannelRow(Channel(r[0], r[1], r[2], r[3]),
                   "flood-parked" if parked and r[4] == "ok" else r[4], r[5], int(r[6]),
                   _dt(r[7]), _dt(r[8]))
        for r in rows
    ]
    unresolved = await archive.fetch_all("SELECT ref, reason FROM unresolved_refs ORDER BY ref")
    return Overview(channels, [(r[0], r[1]) for r in unresolved], parked)


def _dt(ts: int | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC)
