"""Counts for the metrics endpoint, read at each scrape."""

from __future__ import annotations

from bot.store.archive import Archive


async def posts_per_channel(archive: Archive) -> dict[int, int]:
    """Posts stored per channel (marked id), deleted ones included."""
    # From the counters the write transactions keep (schema 2): no scan at any scrape.
    rows = await archive.fetch_all(
        "SELECT channel_id, sum(posts) FROM post_counts GROUP BY channel_id")
    return {int(r[0]): int(r[1]) for r in rows}
