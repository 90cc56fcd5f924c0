from __future__ import annotations

import asyncio
import itertools
import sqlite3
from datetime import timedelta

import pytest

from bot.delivery.pacing import Rates
from bot.delivery.sender import MAX_ATTEMPTS, Sender, SendOutcome
from bot.store import Archive
from bot.store.delivery_values import Window
from tests.delivery.helpers import ManualClock, ScriptedTransport, run_until


async def drive(sender: Sender, clock: ManualClock, archive: Archive, *,
                limit: float = 10_000) -> None:
    """Step the sender, jumping the clock over its waits, until nothing is pending."""
    spent = 0.0
    while True:
        wait = await sender.step()
        if wait <= 0:
            continue
        if await archive.outbox.next_not_before() is None:
            return
        assert spent < limit, "the outbox never emptied"
        clock.jump(wait)
        spent += wait


async def queue(archive: Archive, chats: range | list[int], parts: int = 1) -> None:
    windows = [(Window(chat, "daily", 0, 100), [f"{chat} part {n}" for n in range(1, parts + 1)])
               for chat in chats]
    await archive.outbox.create_windows(windows, now=100)


async def test_parts_go_in_order_one_second_apart_per_chat(archive: Archive) -> None:
    clock = ManualClock()
    transport = ScriptedTransport(clock)
    await queue(archive, [5], parts=3)
    await drive(Sender(archive, transport, clock=clock), clock, archive)
    assert [c[1] for c in transport.calls] == ["5 part 1", "5 part 2", "5 part 3"]
    times = [c[3] for c in transport.calls]
    assert [b - a for a, b in itertools.pairwise(times)] == [timedelta(seconds=1)] * 2


async def test_fifty_chats_are_sent_at_no_more_than_thirty_a_second(archive: Archive) -> None:
    clock = ManualClock()
    transport = ScriptedTransport(clock)
    await queue(archive, range(1, 51))
    await drive(Sender(archive, transport, clock=clock), clock, archive)
    assert sorted(transport.delivered) == list(range(1, 51))
    times = [c[3] for c in transport.calls]
    assert all(t is not None for t in times)
    gaps = [b - a for a, b in itertools.pairwise(times)]  # type: ignore[operator]
    assert min(gaps) >= timedelta(seconds=1 / 30) - timedelta(milliseconds=1)
    assert times[-1] - times[0] < timedelta(seconds=2)  # type: ignore[operator]


async def test_a_flood_wait_stops_the_fan_out_and_resumes_after_it(archive: Archive) -> None:
    clock = ManualClock()
    transport = ScriptedTransport(clock, flood_on_send={10: 120})
    await queue(archive, range(1, 51))
    start = clock.now()
    await drive(Sender(archive, transport, clock=clock), clock, archive)
    flooded_at = transport.calls[9][3]
    after = [c for c in transport.calls[10:]]
    assert flooded_at is not None and after[0][3] is not None
    assert after[0][3] - flooded_at >= timedelta(seconds=120)  # nothing was tried meanwhile
    assert after[0][0] == transport.calls[9][0]  # the flooded part goes first, as it was
    assert after[0][2] == transport.calls[9][2]  # …with the same random_id
    assert len(transport.calls) == 51
    assert {chat: len(ids) for chat, ids in transport.delivered.items()} == {
        chat: 1 for chat in range(1, 51)}
    assert clock.now() - start < timedelta(seconds=130)


async def test_a_flood_wait_survives_a_restart_of_the_sender(archive: Archive) -> None:
    clock = ManualClock()
    transport = ScriptedTransport(clock, flood_on_send={1: 300})
    await queue(archive, [1, 2])
    await Sender(archive, transport, clock=clock).step()
    fresh = Sender(archive, transport, clock=clock)  # a new process knows nothing in memory
    clock.jump(10)
    assert await fresh.step() > 0
    assert len(transport.calls) == 1


async def test_a_blocked_user_is_disabled_and_never_retried(archive: Archive) -> None:
    clock = ManualClock()
    for chat in (1, 2, 3):
        await archive.subscribers.subscribe(chat, [], access_hash=None, now=0)
    transport = ScriptedTransport(clock, script={2: [SendOutcome.unreachable("blocked")]})
    await queue(archive, [1, 2, 3], parts=2)
    await drive(Sender(archive, transport, clock=clock), clock, archive)
    assert [c[0] for c in transport.calls].count(2) == 1
    assert sorted(transport.delivered) == [1, 3]
    assert [s.chat_id for s in await archive.subscribers.active_subscriptions()] == [1, 3]
    assert await archive.outbox.status_counts() == {"sent": 4, "failed": 2}


async def test_a_transient_failure_is_retried_with_the_same_random_id(archive: Archive) -> None:
    clock = ManualClock()
    transport = ScriptedTransport(clock, script={4: [SendOutcome.retry("timeout")] * 2})
    await queue(archive, [4])
    await drive(Sender(archive, transport, clock=clock), clock, archive)
    assert len({c[2] for c in transport.calls}) == 1 and len(transport.calls) == 3
    gaps = [b[3] - a[3] for a, b in zip(transport.calls, transport.calls[1:], strict=False)]
    assert gaps[1] > gaps[0]  # the delay grows


async def test_a_part_that_keeps_failing_is_given_up(archive: Archive) -> None:
    clock = ManualClock()
    transport = ScriptedTransport(clock, script={4: [SendOutcome.retry("oops")] * 50})
    await queue(archive, [4])
    await drive(Sender(archive, transport, clock=clock), clock, archive, limit=10**6)
    assert len(transport.calls) == MAX_ATTEMPTS
    assert await archive.outbox.status_counts() == {"failed": 1}


async def test_a_rejected_part_is_failed_at_once_and_the_next_part_goes(archive: Archive) -> None:
    clock = ManualClock()
    transport = ScriptedTransport(clock, script={4: [SendOutcome.rejected("MESSAGE_EMPTY")]})
    await queue(archive, [4], parts=2)
    await drive(Sender(archive, transport, clock=clock), clock, archive)
    assert [c[1] for c in transport.calls] == ["4 part 1", "4 part 2"]


async def test_a_resend_after_a_crash_reuses_the_stored_random_id(archive: Archive) -> None:
    clock = ManualClock()
    transport = ScriptedTransport(clock)
    await queue(archive, [9], parts=2)
    (first,) = await archive.outbox.due_messages(now=100)
    # The process sent part 1 and died before recording it.
    await transport.send(first.chat_id, first.body, first.random_id)
    await drive(Sender(archive, transport, clock=clock), clock, archive)
    assert transport.calls[0][2] == transport.calls[1][2]
    assert len(transport.delivered[9]) == 2  # each part once


@pytest.mark.parametrize("rates", [Rates(per_chat_interval=0.0, overall_per_second=1000)])
async def test_drain_returns_when_the_outbox_is_empty(archive: Archive, rates: Rates) -> None:
    clock = ManualClock()
    transport = ScriptedTransport(clock)
    await queue(archive, range(1, 11), parts=2)
    assert await Sender(archive, transport, clock=clock, rates=rates).drain()
    assert len(transport.calls) == 20 and clock.now() == ManualClock().now()


async def test_parts_go_on_while_their_marks_wait_for_the_archive(archive: Archive) -> None:
    clock = ManualClock()
    transport = ScriptedTransport(clock)
    await queue(archive, [1, 2, 3], parts=2)
    sender = Sender(archive, transport, clock=clock,
                    rates=Rates(per_chat_interval=0.0, overall_per_second=1000))
    # Another connection holds the archive's write lock: no mark can be written meanwhile.
    blocker = sqlite3.connect(archive.path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        for _ in range(6):
            assert await sender.step() == 0.0
        assert await archive.outbox.status_counts() == {"pending": 6}
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    for chat in (1, 2, 3):  # each chat's parts in order, each once
        assert [c[1] for c in transport.calls if c[0] == chat] == [
            f"{chat} part 1", f"{chat} part 2"]
    await sender.write_marks()
    assert await archive.outbox.status_counts() == {"sent": 6}
    assert await sender.step() > 0 and len(transport.calls) == 6  # nothing sent twice


async def test_the_marks_left_when_the_sender_stops_are_written(archive: Archive) -> None:
    clock = ManualClock()
    transport = ScriptedTransport(clock)
    await queue(archive, [1, 2], parts=2)
    sender = Sender(archive, transport, clock=clock,
                    rates=Rates(per_chat_interval=0.0, overall_per_second=1000))
    running = asyncio.create_task(sender.run())
    await run_until(lambda: len(transport.calls) == 4, clock)
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    assert await archive.outbox.status_counts() == {"sent": 4}
