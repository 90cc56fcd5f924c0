from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.delivery.scheduler import FIRST_WINDOW, DigestTarget, due_digests, next_firing
from bot.digest.schedule import parse_schedule

ALMATY = ZoneInfo("Asia/Almaty")  # UTC+5
NINE_LOCAL = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)  # 09:00 in Almaty


def target(schedule: str = "09:00", *, since: datetime = NINE_LOCAL - timedelta(hours=3),
           tz: ZoneInfo = ALMATY) -> DigestTarget:
    return DigestTarget(42, "daily", parse_schedule(schedule), tz, since)


def test_a_digest_is_due_at_its_local_time_after_the_settle_delay() -> None:
    t = target()
    assert due_digests([t], {}, NINE_LOCAL - timedelta(seconds=1)) == []
    assert due_digests([t], {}, NINE_LOCAL + timedelta(seconds=1)) == []
    (due,) = due_digests([t], {}, NINE_LOCAL + timedelta(seconds=2))
    assert due.end == NINE_LOCAL
    assert due.start == NINE_LOCAL - FIRST_WINDOW


def test_the_same_wall_time_in_another_zone_is_another_instant() -> None:
    t = target(tz=ZoneInfo("Europe/Moscow"))  # 09:00 MSK = 06:00 UTC
    assert due_digests([t], {}, NINE_LOCAL + timedelta(hours=1)) == []
    (due,) = due_digests([t], {}, datetime(2026, 3, 2, 6, 0, 2, tzinfo=UTC))
    assert due.end == datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def test_a_sent_digest_is_not_due_again_until_the_next_firing() -> None:
    t = target()
    last = {(42, "daily"): NINE_LOCAL}
    assert due_digests([t], last, NINE_LOCAL + timedelta(hours=23)) == []
    (due,) = due_digests([t], last, NINE_LOCAL + timedelta(days=1, seconds=5))
    assert (due.start, due.end) == (NINE_LOCAL, NINE_LOCAL + timedelta(days=1))


def test_missed_firings_give_one_digest_covering_the_whole_gap() -> None:
    t = target("0 */6 * * *")
    last = {(42, "daily"): NINE_LOCAL}
    now = NINE_LOCAL + timedelta(days=2, hours=1)
    (due,) = due_digests([t], last, now)
    assert due.start == NINE_LOCAL
    assert due.end == datetime(2026, 3, 4, 1, 0, tzinfo=UTC)  # 06:00 local, the latest firing


def test_a_new_chat_waits_for_the_first_firing_after_it_came() -> None:
    t = target(since=NINE_LOCAL + timedelta(minutes=1))
    assert due_digests([t], {}, NINE_LOCAL + timedelta(hours=2)) == []
    assert next_firing([t], {}, NINE_LOCAL) == NINE_LOCAL + timedelta(days=1, seconds=2)


def test_an_outage_of_eight_days_on_an_every_minute_schedule_gives_one_catch_up() -> None:
    t = target("* * * * *")
    last = {(42, "daily"): NINE_LOCAL}
    now = NINE_LOCAL + timedelta(days=8, seconds=30)
    (due,) = due_digests([t] * 50, last, now)[:1]
    assert (due.start, due.end) == (NINE_LOCAL, NINE_LOCAL + timedelta(days=8))
    assert len(due_digests([t] * 50, last, now)) == 50  # one per target, not one per firing


def test_a_monthly_firing_missed_in_a_long_outage_is_still_sent() -> None:
    t = target("0 9 1 * *")
    last = {(42, "daily"): datetime(2026, 2, 1, 4, tzinfo=UTC)}
    (due,) = due_digests([t], last, datetime(2026, 3, 20, tzinfo=UTC))
    assert due.end == datetime(2026, 3, 1, 4, tzinfo=UTC)
