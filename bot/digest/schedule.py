"""When a digest is due: five-field cron expressions or times of day, in an IANA timezone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day of month", 1, 31), ("month", 1, 12),
           ("day of week", 0, 7))
_TIME_OF_DAY = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
_NAMES = {
    **{m: i for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)},
    **{d: i for i, d in enumerate(["sun", "mon", "tue", "wed", "thu", "fri", "sat"])},
}


@dataclass(frozen=True, slots=True)
class Schedule:
    """A parsed schedule; ``next_after`` gives the next due moment in UTC."""

    text: str
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday, as cron counts
    day_restricted: bool
    weekday_restricted: bool

    def next_after(self, moment: datetime, tz: ZoneInfo) -> datetime:
        """Return the first due moment strictly after ``moment`` (an aware datetime), in UTC."""
        local = moment.astimezone(tz)
        day = local.date()
        for _ in range(366 * 5):
            if self._day_matches(day):
                for hour in sorted(self.hours):
                    for minute in sorted(self.minutes):
                        candidate = datetime.combine(day, time(hour, minute), tz).astimezone(UTC)
                        # Compare in UTC: two datetimes sharing a tzinfo compare by wall
                        # time, so inside the repeated autumn hour a past 03:30 looked later
                        # than 03:15 of the second pass and was returned.
                        if candidate > moment:
                            return candidate
            day += timedelta(days=1)
        raise ValueError(f"schedule {self.text!r} never fires")

    def _day_matches(self, day: date) -> bool:
        if day.month not in self.months:
            return False
        in_days = day.day in self.days
        in_weekdays = (day.isoweekday() % 7) in self.weekdays
        # Cron's rule: when both day fields are restricted, either one matching is enough.
        if self.day_restricted and self.weekday_restricted:
            return in_days or in_weekdays
        return in_days and in_weekdays


def parse_schedule(text: str) -> Schedule:
    """Parse ``"09:00"``, ``"09:00, 18:30"`` or a cron line such as ``"0 9 * * mon-fri"``."""
    stripped = text.strip()
    if not stripped:
        raise ValueError("empty schedule")
    if ":" in stripped:
        return _parse_times(stripped)
    parts = stripped.split()
    if len(parts) != 5:
        raise ValueError(
            f"{text!r} is neither a time of day like '09:00' nor a cron line of 5 fields "
            "(minute hour day-of-month month day-of-week)"
        )
    values = [_parse_field(part, *spec) for part, spec in zip(parts, _FIELDS, strict=True)]
    weekdays = frozenset(d % 7 for d in values[4])
    return Schedule(stripped, values[0], values[1], values[2], values[3], weekdays,
                    parts[2] != "*", parts[4] != "*")


def _parse_times(text: str) -> Schedule:
    minutes_by_hour: set[tuple[int, int]] = set()
    for piece in text.split(","):
        match = _TIME_OF_DAY.fullmatch(piece.strip())
        if not match:
            raise ValueError(f"{piece.strip()!r} is not a time of day such as '09:00'")
        minutes_by_hour.add((int(match[1]), int(match[2])))
    if len({m for _, m in minutes_by_hour}) > 1 and len({h for h, _ in minutes_by_hour}) > 1:
        # Times like 09:00 and 18:30 are not a cron product; use one schedule per time.
        raise ValueError(
            f"{text!r}: times with different hours must share their minutes; "
            "use a cron line or separate digests"
        )
    return Schedule(text, frozenset(m for _, m in minutes_by_hour),
                    frozenset(h for h, _ in minutes_by_hour), frozenset(range(1, 32)),
                    frozenset(range(1, 13)), frozenset(range(7)), False, False)


def _parse_field(part: str, name: str, low: int, high: int) -> frozenset[int]:
    values: set[int] = set()
    for item in part.lower().split(","):
        step = 1
        if "/" in item:
            item, step_text = item.split("/", 1)
            if not step_text.isdigit() or int(step_text) == 0:
                raise ValueError(f"bad step {step_text!r} in the {name} field")
            step = int(step_text)
        if item == "*":
            start, end = low, high
        elif "-" in item:
            first, last = item.split("-", 1)
            start, end = _value(first, name, low, high), _value(last, name, low, high)
        else:
            start = _value(item, name, low, high)
            end = high if step > 1 else start
        if start > end:
            raise ValueError(f"range {item!r} runs backwards in the {name} field")
        values.update(range(start, end + 1, step))
    return frozenset(values)


def _value(text: str, name: str, low: int, high: int) -> int:
    number = _NAMES.get(text) if not text.isdigit() else int(text)
    if number is None or not low <= number <= high:
        raise ValueError(f"{text!r} is out of range {low}-{high} in the {name} field")
    return number
