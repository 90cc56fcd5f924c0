"""Catch-up from cursors: posts, edits and deletions made while tgmon was down or deaf."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot import ingest
from bot.clock import ScaledClock
from bot.domain import Analysis
from tests.collector.harness import Harness
from tests.faketg import FakeWorld, FloodSleeps


async def test_posts_published_while_down_are_stored_once_after_restart(
        harness: Harness, world: FakeWorld) -> None:
    news = world.channel("news")
    world.post(news, "before the first start")
    await harness.run_once(until=lambda: harness.cursor(news.marked_id) == 1)
    world.post_many(news, 500, text="пропущенный пост {id}")
    await harness.run_once(until=lambda: harness.cursor(news.marked_id) == 501)
    ids = [r[0] for r in harness.query(
        "SELECT msg_id FROM posts WHERE channel_id = ? ORDER BY msg_id", (news.marked_id,))]
    assert ids == list(range(1, 502))
    assert harness.count("SELECT count(*) FROM post_texts") == 501


async def test_more_than_100_missed_live_posts_are_read_from_history(
        harness: Harness, world: FakeWorld) -> None:
    # Telegram answers channelDifferenceTooLong past 100 posts and Telethon delivers nothing.
    news = world.channel("news")
    await harness.start()
    try:
        await harness.wait(lambda: harness.cursor(news.marked_id) == 0)
        with world.drop_updates():
            for n in range(150):
                world.post(news, f"в разрыве {n}")
        world.post(news, "after the gap")  # reveals the gap to Telethon
        await harness.wait(lambda: len(harness.texts(news.marked_id)) == 151)
    finally:
        await harness.stop()
    assert harness.count("SELECT count(DISTINCT msg_id) FROM posts") == 151


async def test_edits_and_deletions_made_while_down_are_reconciled(
        harness: Harness, world: FakeWorld) -> None:
    news = world.channel("news")
    ids = [world.post(news, f"текст {n}") for n in range(10)]
    await harness.run_once(until=lambda: len(harness.texts(news.marked_id)) == 10)
    world.edit(news, ids[3], "исправленный текст", push=False)
    world.delete(news, [ids[5], ids[6]], push=False)
    await harness.run_once(until=lambda: harness.count(
        "SELECT count(*) FROM posts WHERE deleted_at IS NOT NULL") == 2)
    assert harness.texts(news.marked_id)[ids[3]] == "исправленный текст"
    deleted = {r[0] for r in harness.query(
        "SELECT msg_id FROM posts WHERE deleted_at IS NOT NULL")}
    assert deleted == {ids[5], ids[6]}
    assert harness.count("SELECT count(*) FROM post_texts") == 11


async def test_a_post_whose_live_handler_failed_is_recovered_by_the_timer(
        harness: Harness, world: FakeWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    real = ingest.analyser_for(harness.config)
    failed: list[str] = []

    def flaky_analyser(config: object) -> ingest.Analyse:
        def analyse(text: str) -> Analysis:
            if text == "boom" and len(failed) < 3:  # every live attempt fails
                failed.append(text)
                raise RuntimeError("analysis crashed once")
            return real(text)
        return analyse

    monkeypatch.setattr("bot.app.analyser_for", flaky_analyser)
    news = world.channel("news")
    await harness.start()
    try:
        await harness.wait(lambda: harness.cursor(news.marked_id) == 0)
        msg_id = world.post(news, "boom")
        await harness.wait(lambda: msg_id in harness.texts(news.marked_id))
    finally:
        await harness.stop()
    assert failed == ["boom"] * 3  # the live writer gave up; the history read stored it


async def test_a_channel_added_to_the_config_is_backfilled_on_the_next_start(
        harness: Harness, world: FakeWorld) -> None:
    extra = world.create_channel("extra", title="Extra", members=[harness.account])
    world.post_many(extra, 50, text="старый пост {id}")
    await harness.run_once(until=lambda: harness.count("SELECT count(*) FROM cursors") == 2)
    assert harness.texts(extra.marked_id) == {}
    channels = [*harness.config.channels,
                harness.config.channels[0].model_copy(update={"ref": "@extra", "backfill": 20})]
    harness.config = harness.config.model_copy(update={"channels": channels})
    await harness.run_once(until=lambda: harness.cursor(extra.marked_id) == 50)
    assert sorted(harness.texts(extra.marked_id)) == list(range(31, 51))


async def test_a_username_is_resolved_once_then_taken_from_the_archive(
        harness: Harness, world: FakeWorld) -> None:
    await harness.run_once(until=lambda: harness.count("SELECT count(*) FROM cursors") == 2)
    first = len(world.requests("ResolveUsername"))
    await harness.run_once(until=lambda: harness.count("SELECT count(*) FROM cursors") == 2)
    assert first == 2 and len(world.requests("ResolveUsername")) == first


async def test_after_a_disconnect_it_reconnects_and_reads_what_it_missed(
        harness: Harness, world: FakeWorld) -> None:
    news = world.channel("news")
    await harness.start()
    try:
        await harness.wait(lambda: harness.cursor(news.marked_id) == 0)
        client = harness.clients[0]
        await client.disconnect()  # as when Telethon gives up its own reconnect attempts
        missed = [world.post(news, f"while disconnected {n}") for n in range(5)]
        await harness.wait(lambda: set(missed) <= set(harness.texts(news.marked_id)))
        assert client.is_connected()
    finally:
        await harness.stop()


async def test_an_album_stays_when_only_its_first_message_was_deleted_while_down(
        harness: Harness, world: FakeWorld) -> None:
    news = world.channel("news")
    ids = world.post_album(news, ["подпись", "", ""])
    gone = world.post(news, "удалят целиком")
    await harness.run_once(until=lambda: harness.count("SELECT count(*) FROM post_aliases") == 3
                           and gone in harness.texts(news.marked_id))
    world.delete(news, [ids[0], gone], push=False)
    await harness.run_once(until=lambda: harness.count(
        "SELECT count(*) FROM posts WHERE deleted_at IS NOT NULL") >= 1)
    deleted = {r[0] for r in harness.query(
        "SELECT msg_id FROM posts WHERE deleted_at IS NOT NULL")}
    assert deleted == {gone}


async def test_an_album_cut_by_a_history_page_boundary_is_stored_once_without_an_edit(
        harness: Harness, world: FakeWorld) -> None:
    # The first history page holds 100 posts: the album's messages are the 100th to 102nd,
    # and only the last carries the caption.
    news = world.channel("news")
    world.post_many(news, 99, text="пост {id}")
    ids = world.post_album(news, ["", "", "подпись альбома"])
    await harness.run_once(until=lambda: harness.cursor(news.marked_id) == ids[-1])
    assert harness.texts(news.marked_id)[ids[0]] == "подпись альбома"
    assert harness.count("SELECT count(*) FROM post_texts v JOIN posts p USING (pid) "
                         "WHERE p.msg_id = ?", (ids[0],)) == 1
    assert harness.count("SELECT count(*) FROM posts") == 100


async def test_backfilled_posts_are_history_and_later_ones_are_news(
        harness: Harness, world: FakeWorld) -> None:
    news = world.channel("news")
    world.post_many(news, 30, text="старый пост {id}")
    await harness.run_once(until=lambda: harness.cursor(news.marked_id) == 30)
    world.post_many(news, 5, text="пропущенный пост {id}")
    await harness.run_once(until=lambda: harness.cursor(news.marked_id) == 35)
    flags = dict(harness.query("SELECT msg_id, historic FROM posts"))  # type: ignore[arg-type]
    assert {m for m, h in flags.items() if h} == set(range(1, 31))
    assert {m for m, h in flags.items() if not h} == set(range(31, 36))


async def test_posts_missed_live_before_a_channels_first_read_are_news(
        harness: Harness, world: FakeWorld, flood_sleeps: FloodSleeps) -> None:
    # The first history read is held off (a flood wait parks it for ten simulated minutes,
    # five real seconds) while live posts already arrive; one published meanwhile never
    # came live (an outage, say).
    harness.clock = ScaledClock(start=datetime.now(UTC), factor=120)
    news = world.channel("news")
    world.post(news, "опубликован до запуска")
    world.inject_error("GetHistory", "FLOOD_WAIT_600", times=1)
    await harness.start()
    try:
        await harness.wait(lambda: harness.count("SELECT count(*) FROM flood_parks") == 1)
        world.post(news, "пришёл вживую")
        await harness.wait(lambda: len(harness.texts(news.marked_id)) == 1)
        world.post(news, "пропущен вживую", push=False)
        flood_sleeps.offset += 600  # Telethon's own memory of the wait (its wall clock) ends
        await harness.wait(lambda: len(harness.texts(news.marked_id)) == 3, within=20)
    finally:
        await harness.stop()
    flags = dict(harness.query("SELECT msg_id, historic FROM posts"))  # type: ignore[arg-type]
    assert flags == {1: 1, 2: 0, 3: 0}  # only what came before the channel was watched
    arrived = {r[0] for r in harness.query(
        "SELECT p.msg_id FROM arrivals a JOIN posts p USING (pid)")}
    assert arrived == {2, 3}  # so both are alerted and digested


async def test_posts_published_after_watching_began_are_news_before_the_first_read(
        harness: Harness, world: FakeWorld, flood_sleeps: FloodSleeps) -> None:
    # @other's first read comes late: the round's read of @news (before it) is parked by a
    # flood wait. A post published to @other meanwhile, and not seen live (an outage, a full
    # live queue), was published while @other was watched: news, not history.
    harness.clock = ScaledClock(start=datetime.now(UTC), factor=120)
    other = world.channel("other")
    world.post(other, "опубликован до запуска")
    world.inject_error("GetHistory", "FLOOD_WAIT_600", times=1,
                       match=lambda request: request.limit != 1)  # a read, not the probe
    await harness.start()
    try:
        await harness.wait(lambda: harness.count("SELECT count(*) FROM flood_parks") == 1)
        assert harness.texts(other.marked_id) == {}  # not read yet
        world.post(other, "пропущен вживую", push=False)
        flood_sleeps.offset += 600
        await harness.wait(lambda: len(harness.texts(other.marked_id)) == 2, within=20)
    finally:
        await harness.stop()
    flags = dict(harness.query("SELECT msg_id, historic FROM posts "  # type: ignore[arg-type]
                               "WHERE channel_id = ?", (other.marked_id,)))
    assert flags == {1: 1, 2: 0}
