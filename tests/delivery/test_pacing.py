from __future__ import annotations

import pytest

from bot.delivery.pacing import Pacer, Rates


def test_a_chat_gets_at_most_one_message_a_second() -> None:
    pacer = Pacer()
    assert pacer.ready_at(7, 100.0) == 100.0
    pacer.record(7, 100.0)
    assert pacer.ready_at(7, 100.2) == 101.0
    assert pacer.ready_at(8, 100.2) == 100.2  # another chat is not held back


def test_a_group_gets_at_most_twenty_messages_a_minute() -> None:
    pacer = Pacer()
    group = -1001234
    for second in range(20):
        assert pacer.ready_at(group, float(second)) == float(second)
        pacer.record(group, float(second))
    assert pacer.ready_at(group, 20.0) == 60.0
    pacer.record(group, 60.0)
    assert pacer.ready_at(group, 61.0) == 61.0  # the send at 1.0 has left the minute


def test_a_user_is_not_held_to_the_group_rate() -> None:
    pacer = Pacer()
    for second in range(25):
        assert pacer.ready_at(5, float(second)) == float(second)
        pacer.record(5, float(second))


def test_all_chats_together_get_thirty_messages_a_second_evenly_spaced() -> None:
    pacer = Pacer()
    moment = 10.0
    for chat in range(1, 61):
        moment = pacer.ready_at(chat, moment)
        pacer.record(chat, moment)
    assert moment == pytest.approx(12.0 - 1 / 30)
    pacer.record(1, 20.0)
    assert pacer.ready_at(999, 20.01) == pytest.approx(20.0 + 1 / 30)
    assert pacer.ready_at(999, 21.5) == 21.5


def test_rates_can_be_tightened() -> None:
    pacer = Pacer(Rates(per_chat_interval=3.0, group_per_minute=2, overall_per_second=1))
    pacer.record(-5, 0.0)
    assert pacer.ready_at(-6, 0.5) == 1.0  # one a second overall
    assert pacer.ready_at(-5, 0.5) == 3.0
