"""When digests are due: times of day, cron lines, timezones and DST."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.digest.schedule import parse_schedule

KYIV = ZoneInfo("Europe/Kyiv")  # DST 2025: 30 March 03:00→04:00, 26 October 04:00→03:00
ALMATY = ZoneInfo("Asia/Almaty")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def firings(text: str, start: datetime, tz: ZoneInfo, count: int) -> list[datetime]:
    schedule, moment, out = parse_schedule(text), start, []
    for _ in range(count):
        moment = schedule.next_after(moment, tz)
        out.append(moment)
    return out


def test_time_of_day_fires_at_that_local_time_each_day() -> None:
    assert firings("09:00", utc(2025, 3, 1, 12), ALMATY, 2) == [
        utc(2025, 3, 2, 4), utc(2025, 3, 3, 4)]  # Almaty is UTC+5


def test_next_firing_is_strictly_after_the_given_moment() -> None:
    at_nine = utc(2025, 3, 2, 4)
    assert parse_schedule("09:00").next_after(at_nine, ALMATY) == utc(2025, 3, 3, 4)


def test_several_times_of_day_sharing_minutes() -> None:
    assert firings("09:00, 18:00", utc(2025, 3, 1, 0), UTC, 3) == [
        utc(2025, 3, 1, 9), utc(2025, 3, 1, 18), utc(2025, 3, 2, 9)]


def test_times_of_day_with_different_minutes_each_fire() -> None:
    assert firings("09:00, 18:30", utc(2025, 3, 1, 0), ALMATY, 3) == [
        utc(2025, 3, 1, 4), utc(2025, 3, 1, 13, 30), utc(2025, 3, 2, 4)]


@pytest.mark.parametrize(("alias", "first"), [
    ("@daily", utc(2025, 3, 2)), ("@midnight", utc(2025, 3, 2)), ("@hourly", utc(2025, 3, 1, 13)),
    ("@weekly", utc(2025, 3, 2)), ("@monthly", utc(2025, 4, 1)), ("@yearly", utc(2026, 1, 1)),
    ("@annually", utc(2026, 1, 1)), ("@DAILY", utc(2025, 3, 2))])
def test_cron_aliases(alias: str, first: datetime) -> None:
    assert firings(alias, utc(2025, 3, 1, 12), UTC, 1) == [first]  # a Saturday


def test_month_and_weekday_names_are_read_in_their_own_fields() -> None:
    assert firings("0 9 * jan mon", utc(2025, 3, 1), UTC, 1) == [utc(2026, 1, 5, 9)]
    assert firings("0 9 * * SAT,sun", utc(2025, 3, 1), UTC, 2) == [
        utc(2025, 3, 1, 9), utc(2025, 3, 2, 9)]


@pytest.mark.parametrize(("text", "message"), [
    ("0 9 * mon *", "bad month field 'mon'; use 1-12 or jan-dec"),
    ("0 9 * * jan", "bad day-of-week field 'jan'; use 0-7"),
    ("@fortnightly", "unknown alias"),
    ("0 9 30 2 *", "never fires: day 30 does not exist in month 2"),
    ("0 9 31 apr,jun *", "never fires"),
])
def test_names_in_the_wrong_field_and_never_firing_lines_are_refused(
        text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_schedule(text)


def test_the_latest_firing_is_found_directly_at_or_before_a_moment() -> None:
    every_minute = parse_schedule("* * * * *")
    assert every_minute.latest_until(utc(2025, 3, 9, 12, 0, 30), UTC) == utc(2025, 3, 9, 12)
    assert every_minute.latest_until(utc(2025, 3, 9, 12), UTC) == utc(2025, 3, 9, 12)
    monthly = parse_schedule("0 9 1 * *")
    assert monthly.latest_until(utc(2025, 3, 1, 3), ALMATY) == utc(2025, 2, 1, 4)
    assert parse_schedule("09:00, 18:30").latest_until(utc(2025, 3, 1, 14), ALMATY) == utc(
        2025, 3, 1, 13, 30)


def test_the_latest_firing_inside_the_repeated_autumn_hour_is_its_first_pass() -> None:
    # 01:10 UTC is 03:10 local on the second pass; 03:30 first happened at 00:30 UTC.
    assert parse_schedule("30 3 * * *").latest_until(utc(2025, 10, 26, 1, 10), KYIV) == utc(
        2025, 10, 26, 0, 30)


@pytest.mark.parametrize("text", ["", "25:00", "9am", "0 9 * *", "61 * * * *", "0 9 * * 8",
                                  "0 9 5-1 * *", "*/0 * * * *", "0 9 * * xyz"])
def test_malformed_schedules_are_refused_with_a_reason(text: str) -> None:
    with pytest.raises(ValueError):
        parse_schedule(text)


def test_cron_weekdays_by_name_and_range() -> None:
    # 1 March 2025 is a Saturday.
    got = firings("30 8 * * mon-fri", utc(2025, 3, 1), UTC, 6)
    assert [d.isoweekday() for d in got] == [1, 2, 3, 4, 5, 1]
    assert got[0] == utc(2025, 3, 3, 8, 30)


def test_cron_sunday_is_both_0_and_7() -> None:
    assert firings("0 9 * * 0", utc(2025, 3, 1), UTC, 1) == firings(
        "0 9 * * 7", utc(2025, 3, 1), UTC, 1) == [utc(2025, 3, 2, 9)]


def test_cron_steps() -> None:
    assert firings("*/20 9 * * *", utc(2025, 3, 1), UTC, 4) == [
        utc(2025, 3, 1, 9, 0), utc(2025, 3, 1, 9, 20), utc(2025, 3, 1, 9, 40),
        utc(2025, 3, 2, 9, 0)]


def test_cron_day_of_month_or_day_of_week_when_both_are_restricted() -> None:
    # "13th of the month OR Friday": March 2025 has Fridays 7, 14, 21 and the 13th a Thursday.
    got = firings("0 9 13 * fri", utc(2025, 3, 1), UTC, 4)
    assert [d.day for d in got] == [7, 13, 14, 21]


def test_cron_day_of_month_alone_ignores_weekdays() -> None:
    assert [d.day for d in firings("0 9 13 * *", utc(2025, 3, 1), UTC, 2)] == [13, 13]


def test_cron_month_field_skips_other_months() -> None:
    got = firings("0 9 1 jan,jul *", utc(2025, 3, 1), UTC, 2)
    assert got == [utc(2025, 7, 1, 9), utc(2026, 1, 1, 9)]


def test_a_day_that_never_exists_is_refused_instead_of_looping() -> None:
    with pytest.raises(ValueError, match="never fires"):
        parse_schedule("0 9 31 feb *")


def test_local_time_holds_across_the_spring_change() -> None:
    got = firings("09:00", utc(2025, 3, 29, 12), KYIV, 2)
    assert got == [utc(2025, 3, 30, 6), utc(2025, 3, 31, 6)]  # UTC+2, then UTC+3


def test_time_skipped_by_the_spring_change_fires_once_that_day() -> None:
    got = firings("30 3 * * *", utc(2025, 3, 29, 12), KYIV, 2)
    assert got[0].date() == datetime(2025, 3, 30).date()
    assert got[1] == utc(2025, 3, 31, 0, 30)


def test_time_repeated_by_the_autumn_change_fires_once() -> None:
    # 03:30 happens twice on 26 October: at 00:30 UTC (UTC+3) and 01:30 UTC (UTC+2).
    got = firings("30 3 * * *", utc(2025, 10, 25, 12), KYIV, 2)
    assert got == [utc(2025, 10, 26, 0, 30), utc(2025, 10, 27, 1, 30)]


def test_moment_inside_the_repeated_hour_never_yields_a_past_firing() -> None:
    # 01:15 UTC is 03:15 local on the second pass: the 03:30 of that day already fired.
    moment = utc(2025, 10, 26, 1, 15)
    assert parse_schedule("30 3 * * *").next_after(moment, KYIV) > moment
