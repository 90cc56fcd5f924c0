from __future__ import annotations

import pytest

from bot.errors import StoreError
from bot.store import Archive, outbox, subscribers
from bot.store.outbox import Window


async def test_a_window_is_created_once_with_a_random_id_per_part(archive: Archive) -> None:
    window = Window(42, "daily", 100, 200)
    first = await outbox.create_windows(archive, [(window, ["one", "two"])], now=200)
    again = await outbox.create_windows(archive, [(window, ["other", "bodies", "x"])], now=300)
    assert len(first) == 1 and again == []
    rows = await archive.fetch_all("SELECT part, parts, body, random_id FROM outbox ORDER BY id")
    assert [(r[0], r[1], r[2]) for r in rows] == [(1, 2, "one"), (2, 2, "two")]
    assert len({r[3] for r in rows}) == 2 and all(r[3] != 0 for r in rows)


async def test_an_empty_digest_still_closes_its_window(archive: Archive) -> None:
    await outbox.create_windows(archive, [(Window(42, "daily", 100, 200), [])], now=200)
    assert await outbox.last_window_end(archive, 42, "daily") == 200
    assert await outbox.status_counts(archive) == {}


async def test_only_the_lowest_pending_part_of_a_chat_is_due(archive: Archive) -> None:
    await outbox.create_windows(archive, [(Window(1, "d", 0, 10), ["a1", "a2"]),
                                          (Window(2, "d", 0, 10), ["b1"])], now=10)
    due = await outbox.due_messages(archive, now=10)
    assert [m.body for m in due] == ["a1", "b1"]
    await outbox.mark_sent(archive, due[0].id, msg_id=5, now=11)
    assert [m.body for m in await outbox.due_messages(archive, now=11)] == ["a2", "b1"]


async def test_a_postponed_part_holds_back_the_parts_after_it(archive: Archive) -> None:
    await outbox.create_windows(archive, [(Window(1, "d", 0, 10), ["a1", "a2"])], now=10)
    first = (await outbox.due_messages(archive, now=10))[0]
    await outbox.postpone(archive, first.id, until=50, error="timeout")
    assert await outbox.due_messages(archive, now=49) == []
    assert [m.body for m in await outbox.due_messages(archive, now=50)] == ["a1"]
    assert await outbox.next_not_before(archive) == 0  # a2 is pending, but queued behind a1


async def test_postpone_all_holds_every_pending_part(archive: Archive) -> None:
    await outbox.create_windows(archive, [(Window(1, "d", 0, 10), ["a"]),
                                          (Window(2, "d", 0, 10), ["b"])], now=10)
    assert await outbox.postpone_all(archive, until=130, error="flood") == 2
    assert await outbox.due_messages(archive, now=129) == []
    assert len(await outbox.due_messages(archive, now=130)) == 2


async def test_an_unreachable_chat_loses_its_parts_and_its_subscription(archive: Archive) -> None:
    await subscribers.subscribe(archive, 7, [], access_hash=99, now=1)
    await subscribers.subscribe(archive, 8, [], access_hash=None, now=1)
    await outbox.create_windows(archive, [(Window(7, "d", 0, 10), ["a", "b"]),
                                          (Window(8, "d", 0, 10), ["c"])], now=10)
    assert await outbox.mark_unreachable(archive, 7, reason="blocked") == 2
    assert [s.chat_id for s in await subscribers.active_subscriptions(archive)] == [8]
    assert await subscribers.disabled_reason(archive, 7) == "blocked"
    assert [m.chat_id for m in await outbox.due_messages(archive, now=10)] == [8]
    # Writing /subscribe again means the user unblocked the bot.
    await subscribers.subscribe(archive, 7, ["x"], access_hash=None, now=20)
    sub = await subscribers.subscription(archive, 7)
    assert sub is not None and sub.groups == () and sub.access_hash == 99


async def test_the_alert_watermark_moves_with_its_batch(archive: Archive) -> None:
    assert await outbox.alert_watermark(archive) is None
    await outbox.create_windows(archive, [], now=5, alert_watermark=5)
    await outbox.create_windows(archive, [(Window(1, outbox.ALERT_NAME, 5, 9), ["x"])], now=9,
                                alert_watermark=9)
    assert await outbox.alert_watermark(archive) == 9
    watermark_rows = await archive.fetch_all("SELECT count(*) FROM digests WHERE chat_id = 0")
    assert watermark_rows[0][0] == 1


async def test_a_failed_batch_leaves_the_watermark_where_it_was(archive: Archive) -> None:
    await outbox.create_windows(archive, [], now=5, alert_watermark=5)
    bad = Window(1, outbox.ALERT_NAME, 5, 9)
    with pytest.raises(StoreError):
        await outbox.create_windows(archive, [(bad, [object()])], now=9,  # type: ignore[list-item]
                                    alert_watermark=9)
    assert await outbox.alert_watermark(archive) == 5
    assert await outbox.last_window_end(archive, 1, outbox.ALERT_NAME) is None


async def test_subscribing_to_named_groups_adds_to_them(archive: Archive) -> None:
    assert await subscribers.subscribe(archive, 5, ["b"], access_hash=1, now=1) == ("b",)
    assert await subscribers.subscribe(archive, 5, ["a", "b"], access_hash=1, now=2) == ("a", "b")
    assert await subscribers.subscribe(archive, 5, [], access_hash=1, now=3) == ()
    # Everything already includes a named group: the chat keeps everything.
    assert await subscribers.subscribe(archive, 5, ["a"], access_hash=1, now=4) == ()


async def test_unsubscribing_one_group_from_all_keeps_the_others(archive: Archive) -> None:
    await subscribers.subscribe(archive, 5, [], access_hash=1, now=1)
    left = await subscribers.unsubscribe(archive, 5, ["b"], known_groups=["a", "b", "c"])
    assert left == ("a", "c")
    assert await subscribers.unsubscribe(archive, 5, ["a", "c"], known_groups=["a", "b", "c"]
                                         ) is None
    assert await subscribers.subscription(archive, 5) is None


async def test_unsubscribe_all_removes_the_chat(archive: Archive) -> None:
    await subscribers.subscribe(archive, 5, ["a"], access_hash=1, now=1)
    assert await subscribers.unsubscribe(archive, 5, [], known_groups=["a"]) is None
    assert await subscribers.active_subscriptions(archive) == []
