"""The live writer keeps arrival order and every version, in batches."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bot.domain import Analysis
from bot.ingest import LiveWriter
from bot.store import Archive
from tests.store.conftest import CHANNEL, make_post


def no_analysis(text: str) -> Analysis:
    return Analysis()


async def drained(writer: LiveWriter) -> None:
    task = asyncio.create_task(writer.run())
    await writer.drain()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def test_a_post_and_its_quick_edit_in_one_batch_keep_both_versions(
        archive: Archive) -> None:
    writer = LiveWriter(archive, no_analysis)
    writer.post(make_post(7, "typo txet"))
    writer.post(make_post(7, "typo text", edit_date=datetime(2026, 3, 2, tzinfo=UTC)))
    writer.post(make_post(8, "another post"))
    await drained(writer)
    versions = await archive.fetch_all(
        "SELECT v.text FROM post_texts v JOIN posts p USING (pid) WHERE p.msg_id = 7"
        " ORDER BY version")
    assert [v[0] for v in versions] == ["typo txet", "typo text"]


async def test_a_deletion_queued_after_its_post_applies_after_it(archive: Archive) -> None:
    writer = LiveWriter(archive, no_analysis)
    writer.post(make_post(9, "short-lived"))
    writer.delete(CHANNEL.id, [9])
    await drained(writer)
    (row,) = await archive.fetch_all("SELECT deleted_at IS NOT NULL FROM posts")
    assert row[0] == 1


async def test_a_full_queue_turns_away_new_posts_only(archive: Archive) -> None:
    # An edit or deletion of an older post is outside the reconcile window: turned away, it
    # would be lost. New posts come back from their cursor's history read.
    writer = LiveWriter(archive, no_analysis)
    writer.post(make_post(1, "old text"))
    writer.post(make_post(2, "to be deleted"))
    await drained(writer)
    asked: list[None] = []
    full = LiveWriter(archive, no_analysis, max_queued=2, on_overflow=lambda: asked.append(None))
    for msg_id in (3, 4, 5, 6):
        full.post(make_post(msg_id, f"new {msg_id}"))
    full.post(make_post(1, "new text", edit_date=datetime(2026, 3, 2, tzinfo=UTC)))
    full.delete(CHANNEL.id, [2])
    assert (full.dropped, len(asked)) == (2, 2)
    await drained(full)
    rows = await archive.fetch_all(
        "SELECT msg_id, text, deleted_at IS NOT NULL FROM posts ORDER BY msg_id")
    assert [tuple(r) for r in rows] == [(1, "new text", 0), (2, "to be deleted", 1),
                                        (3, "new 3", 0), (4, "new 4", 0)]
