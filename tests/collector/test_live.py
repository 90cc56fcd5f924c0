"""Live posts, edits, deletions and albums reach the archive through the real Telethon client."""

from __future__ import annotations

import json

import pytest

from bot import ingest
from tests.collector.harness import Harness
from tests.faketg import FakeWorld


@pytest.mark.parametrize("queue_limit", [None, 0], ids=["live", "live-queue-full"])
async def test_live_post_edit_and_delete_are_kept_with_history(
        harness: Harness, world: FakeWorld, monkeypatch: pytest.MonkeyPatch,
        queue_limit: int | None) -> None:
    # With a full live queue every new post is turned away and the history read it asks for
    # stores it; the edit and the deletion are queued all the same.
    if queue_limit is not None:
        monkeypatch.setattr(ingest, "LIVE_QUEUE_LIMIT", queue_limit)
    news = world.channel("news")
    await harness.start()
    try:
        await harness.wait(lambda: harness.count("SELECT count(*) FROM cursors") == 2)
        msg_id = world.post(news, "Токаев подписал указ")
        await harness.wait(lambda: harness.texts(news.marked_id).get(msg_id) is not None)
        world.edit(news, msg_id, "Токаев подписал два указа")
        await harness.wait(lambda: harness.texts(news.marked_id)[msg_id].endswith("два указа"))
        world.delete(news, [msg_id])
        await harness.wait(lambda: harness.count(
            "SELECT count(*) FROM posts WHERE deleted_at IS NOT NULL") == 1)
    finally:
        await harness.stop()
    versions = harness.query("SELECT v.text FROM post_texts v ORDER BY version")
    assert [v[0] for v in versions] == ["Токаев подписал указ", "Токаев подписал два указа"]
    hits = harness.query("SELECT grp, form FROM keyword_hits")
    assert hits == [("president", "токаев")]


async def test_an_album_is_stored_as_one_post_with_all_its_media(harness: Harness,
                                                                 world: FakeWorld) -> None:
    news = world.channel("news")
    await harness.start()
    try:
        await harness.wait(lambda: harness.count("SELECT count(*) FROM cursors") == 2)
        ids = world.post_album(news, ["", "Подпись альбома", ""])
        await harness.wait(lambda: harness.count(
            "SELECT count(*) FROM post_aliases") == 3)
    finally:
        await harness.stop()
    ((msg_id, text, media),) = harness.query("SELECT msg_id, text, media FROM posts")
    assert (msg_id, text, json.loads(media)) == (ids[0], "Подпись альбома", ["photo"] * 3)


async def test_views_are_refreshed_and_forwards_keep_their_origin(harness: Harness,
                                                                  world: FakeWorld) -> None:
    news, other = world.channel("news"), world.channel("other")
    source = world.post(other, "оригинал")
    await harness.start()
    try:
        await harness.wait(lambda: harness.count("SELECT count(*) FROM cursors") == 2)
        fwd = world.post(news, "оригинал", fwd_from=(other, source), views=5)
        await harness.wait(lambda: fwd in harness.texts(news.marked_id))
    finally:
        await harness.stop()
    (row,) = harness.query("SELECT fwd_from_id, fwd_from_msg, views FROM posts "
                           "WHERE channel_id = ? AND msg_id = ?", (news.marked_id, fwd))
    assert row == (other.marked_id, source, 5)

