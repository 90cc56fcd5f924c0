from __future__ import annotations

import pytest

from bot.errors import StoreError
from bot.store import Archive
from bot.store.delivery_values import ALERT_NAME, SentPart, Window


async def test_a_window_is_created_once_with_a_random_id_per_part(archive: Archive) -> None:
    window = Window(42, "daily", 100, 200)
    first = await archive.outbox.create_windows([(window, ["one", "two"])], now=200)
    again = await archive.outbox.create_windows([(window, ["other", "bodies", "x"])], now=300)
    assert len(first) == 1 and again == []
    rows = await archive.fetch_all("SELECT part, parts, body, random_id FROM outbox ORDER BY id")
    assert [(r[0], r[1], r[2]) for r in rows] == [(1, 2, "one"), (2, 2, "two")]
    assert len({r[3] for r in rows}) == 2 and all(r[3] != 0 for r in rows)


async def test_an_empty_digest_still_closes_its_window(archive: Archive) -> None:
    await archive.outbox.create_windows([(Window(42, "daily", 100, 200), [])], now=200)
    assert await archive.outbox.last_window_end(42, "daily") == 200
    assert await archive.outbox.status_counts() == {}


async def test_only_the_lowest_pending_part_of_a_chat_is_due(archive: Archive) -> None:
    await archive.outbox.create_windows([(Window(1, "d", 0, 10), ["a1", "a2"]),
                                          (Window(2, "d", 0, 10), ["b1"])], now=10)
    due = await archive.outbox.due_messages(now=10)
    assert [m.body for m in due] == ["a1", "b1"]
    await archive.outbox.mark_sent([SentPart(due[0].id, 5, 11)])
    assert [m.body for m in await archive.outbox.due_messages(now=11)] == ["a2", "b1"]


async def test_a_postponed_part_holds_back_the_parts_after_it(archive: Archive) -> None:
    await archive.outbox.create_windows([(Window(1, "d", 0, 10), ["a1", "a2"])], now=10)
    first = (await archive.outbox.due_messages(now=10))[0]
    await archive.outbox.postpone(first.id, until=50, error="timeout")
    assert await archive.outbox.due_messages(now=49) == []
    assert [m.body for m in await archive.outbox.due_messages(now=50)] == ["a1"]
    assert await archive.outbox.next_not_before() == 0  # a2 is pending, but queued behind a1


async def test_postpone_all_holds_every_pending_part(archive: Archive) -> None:
    await archive.outbox.create_windows([(Window(1, "d", 0, 10), ["a"]),
                                          (Window(2, "d", 0, 10), ["b"])], now=10)
    assert await archive.outbox.postpone_all(until=130, error="flood") == 2
    assert await archive.outbox.due_messages(now=129) == []
    assert len(await archive.outbox.due_messages(now=130)) == 2


async def test_an_unreachable_chat_loses_its_parts_and_its_subscription(archive: Archive) -> None:
    await archive.subscribers.subscribe(7, [], access_hash=99, now=1)
    await archive.subscribers.subscribe(8, [], access_hash=None, now=1)
    await archive.outbox.create_windows([(Window(7, "d", 0, 10), ["a", "b"]),
                                          (Window(8, "d", 0, 10), ["c"])], now=10)
    assert await archive.outbox.mark_unreachable(7, reason="blocked") == 2
    assert [s.chat_id for s in await archive.subscribers.active_subscriptions()] == [8]
    assert await archive.subscribers.disabled_reason(7) == "blocked"
    assert [m.chat_id for m in await archive.outbox.due_messages(now=10)] == [8]
    # Writing /subscribe again means the user unblocked the bot.
    await archive.subscribers.subscribe(7, ["x"], access_hash=None, now=20)
    sub = await archive.subscribers.subscription(7)
    assert sub is not None and sub.groups == () and sub.access_hash == 99


async def test_the_alert_watermark_moves_with_its_batch(archive: Archive) -> None:
    assert await archive.outbox.alert_watermark() is None
    await archive.outbox.create_windows([], now=5, alert_watermark=5)
    await archive.outbox.create_windows([(Window(1, ALERT_NAME, 5, 9), ["x"])], now=9,
                                alert_watermark=9)
    assert await archive.outbox.alert_watermark() == 9
    watermark_rows = await archive.fetch_all("SELECT count(*) FROM digests WHERE chat_id = 0")
    assert watermark_rows[0][0] == 1


async def test_a_failed_batch_leaves_the_watermark_where_it_was(archive: Archive) -> None:
    await archive.outbox.create_windows([], now=5, alert_watermark=5)
    bad = Window(1, ALERT_NAME, 5, 9)
    with pytest.raises(StoreError):
        await archive.outbox.create_windows([(bad, [object()])], now=9,  # type: ignore[list-item]
                                    alert_watermark=9)
    assert await archive.outbox.alert_watermark() == 5
    assert await archive.outbox.last_window_end(1, ALERT_NAME) is None


async def test_subscribing_to_named_groups_adds_to_them(archive: Archive) -> None:
    assert await archive.subscribers.subscribe(5, ["b"], access_hash=1, now=1) == ("b",)
    assert await archive.subscribers.subscribe(5, ["a", "b"], access_hash=1, now=2) == ("a", "b")
    assert await archive.subscribers.subscribe(5, [], access_hash=1, now=3) == ()
    # Everything already includes a named group: the chat keeps everything.
    assert await archive.subscribers.subscribe(5, ["a"], access_hash=1, now=4) == ()


async def test_unsubscribing_one_group_from_all_keeps_the_others(archive: Archive) -> None:
    await archive.subscribers.subscribe(5, [], access_hash=1, now=1)
    left = await archive.subscribers.unsubscribe(5, ["b"], known_groups=["a", "b", "c"])
    assert left == ("a", "c")
    assert await archive.subscribers.unsubscribe(5, ["a", "c"], known_groups=["a", "b", "c"]
                                         ) is None
    assert await archive.subscribers.subscription(5) is None


async def test_unsubscribe_all_removes_the_chat(archive: Archive) -> None:
    await archive.subscribers.subscribe(5, ["a"], access_hash=1, now=1)
    assert await archive.subscribers.unsubscribe(5, [], known_groups=["a"]) is None
    assert await archive.subscribers.active_subscriptions() == []
