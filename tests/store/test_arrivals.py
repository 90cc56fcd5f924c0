"""Alerts and digests advance on arrival numbers taken inside the write transaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.delivery import assemble
from bot.delivery.assemble import DigestContent, create_alerts, create_due_digests
from bot.delivery.scheduler import DigestTarget, DueDigest
from bot.digest.schedule import parse_schedule
from bot.domain import KeywordHit
from bot.store import Archive
from bot.store.delivery_values import ALERT_NAME
from tests.delivery.helpers import store_at
from tests.store.conftest import analysed, make_post

UTC_ZONE = ZoneInfo("UTC")
FIRE = KeywordHit("fires", "пожар", "пожар")
NOW = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)


async def _alert_texts(archive: Archive) -> list[str]:
    rows = await archive.fetch_all(
        "SELECT o.body FROM outbox o JOIN digests d ON d.id = o.digest_id "
        "WHERE d.name = ? ORDER BY o.id", (ALERT_NAME,))
    return [r[0] for r in rows]


async def _scan(archive: Archive, at: datetime) -> int:
    subs = await archive.subscribers.active_subscriptions()
    return await create_alerts(archive, subs, alert_groups=["fires"], tz=UTC_ZONE, now=at)


async def test_a_post_stamped_before_the_watermark_moved_is_still_alerted(
        archive: Archive) -> None:
    await archive.subscribers.subscribe(7, [], access_hash=None, now=0)
    await _scan(archive, NOW)  # the first scan sets the watermark
    # Pinned interleaving: the writer took its clock stamp, then a slow read held it
    # for a minute before the INSERT, and meanwhile the alert scan ran and moved on.
    stamped = NOW - timedelta(minutes=1)
    await _scan(archive, NOW + timedelta(minutes=1))
    await store_at(archive, stamped,
                   [analysed(make_post(1, "Сильный пожар в городе"), hits=(FIRE,))])
    assert await _scan(archive, NOW + timedelta(minutes=2)) == 1
    (body,) = await _alert_texts(archive)
    assert "пожар" in body
    assert await _scan(archive, NOW + timedelta(minutes=3)) == 0  # and only once


async def test_an_edit_that_brings_a_new_alert_group_is_alerted_once(archive: Archive) -> None:
    await archive.subscribers.subscribe(7, [], access_hash=None, now=0)
    await _scan(archive, NOW)
    await archive.store_posts([analysed(make_post(2, "Спокойный день"))])
    assert await _scan(archive, NOW + timedelta(seconds=10)) == 0
    edited = make_post(2, "Спокойный день. Пожар на складе", edit_date=NOW)
    await archive.store_posts([analysed(edited, hits=(FIRE,))])
    assert await _scan(archive, NOW + timedelta(seconds=20)) == 1
    # Another edit that keeps the same groups is no news.
    again = make_post(2, "Спокойный день. Пожар на складе потушен",
                      edit_date=NOW + timedelta(minutes=1))
    await archive.store_posts([analysed(again, hits=(FIRE,))])
    assert await _scan(archive, NOW + timedelta(seconds=30)) == 0
    assert len(await _alert_texts(archive)) == 1


async def test_a_post_that_arrives_while_a_digest_is_built_goes_to_the_next_one(
        archive: Archive) -> None:
    target = DigestTarget(9, "daily", parse_schedule("09:00"), UTC_ZONE, NOW - timedelta(days=2))
    content = DigestContent("Daily", None, "skip", UTC_ZONE)
    await archive.store_posts([analysed(make_post(3, "первый"))])
    day = DueDigest(target, NOW - timedelta(days=1), NOW)
    await create_due_digests(archive, [(day, content)], now=NOW)
    # Stored after the first digest was created, whatever its clock stamp says.
    await archive.store_posts([analysed(make_post(4, "второй"))])
    nxt = DueDigest(target, NOW, NOW + timedelta(days=1))
    await create_due_digests(archive, [(nxt, content)], now=NOW + timedelta(days=1))
    rows = await archive.fetch_all(
        "SELECT d.window_end, o.body FROM outbox o JOIN digests d ON d.id = o.digest_id "
        "WHERE d.chat_id = 9 ORDER BY d.window_end")
    assert len(rows) == 2
    assert "первый" in rows[0][1] and "второй" not in rows[0][1]
    assert "второй" in rows[1][1] and "первый" not in rows[1][1]


async def test_history_takes_no_arrival_number(archive: Archive) -> None:
    await archive.store_posts([analysed(make_post(5, "архив"), hits=(FIRE,))],
                              historic_up_to=10)
    rows = await archive.fetch_all("SELECT count(*) FROM arrivals")
    assert rows[0][0] == 0


async def test_chats_that_share_a_window_share_one_built_digest(
        archive: Archive, monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[int] = []
    real = assemble.build_digest

    def counting(posts: Any, **kwargs: Any) -> Any:
        built.append(len(posts))
        return real(posts, **kwargs)

    monkeypatch.setattr(assemble, "build_digest", counting)
    content = DigestContent("Hourly", None, "skip", UTC_ZONE)
    await archive.store_posts([analysed(make_post(n, f"пост {n}")) for n in range(1, 4)])
    start = NOW - timedelta(hours=1)
    targets = [DigestTarget(chat, "hourly", parse_schedule("0 * * * *"), UTC_ZONE,
                            start - timedelta(days=1)) for chat in range(1, 6)]
    await create_due_digests(archive, [(DueDigest(t, start, NOW), content) for t in targets],
                             now=NOW)
    assert built == [3]  # five chats, one window: built once
    rows = await archive.fetch_all(
        "SELECT d.chat_id, o.body FROM outbox o JOIN digests d ON d.id = o.digest_id "
        "ORDER BY d.chat_id")
    assert [chat for chat, _ in rows] == [1, 2, 3, 4, 5]
    assert len({body for _, body in rows}) == 1 and "пост 3" in rows[0][1]
    # A chat whose window differs (another end, other content) gets its own digest.
    await archive.store_posts([analysed(make_post(4, "пост 4"))])
    later = NOW + timedelta(hours=1)
    other = DigestContent("Hourly", None, "notice", UTC_ZONE)
    await create_due_digests(archive, [(DueDigest(targets[0], NOW, later), content),
                                       (DueDigest(targets[1], NOW, later), other)], now=later)
    assert built == [3, 1, 1]
