"""When a digest is due: cron lines, ``@daily``-style aliases or times of day, in an IANA zone.

The cron arithmetic is cronsim's (the evaluator behind Healthchecks.io): it reads month and
weekday names in their own fields only, follows Debian cron across DST changes, and steps
backwards as well as forwards, so the latest missed firing after an outage is found in one
step instead of walking every firing since.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from cronsim import CronSim, CronSimError

_TIME_OF_DAY = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
#: Vixie cron's aliases; cronsim reads five-field lines only.
_ALIASES = {
    "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
_FIELDS = ("minute", "hour", "day-of-month", "month", "day-of-week")
_FIELD_HELP = {
    "minute": "0-59", "hour": "0-23", "day-of-month": "1-31",
    "month": "1-12 or jan-dec", "day-of-week": "0-7 (0 and 7 are Sunday) or sun-sat",
}
#: Any moment works for "does it ever fire"; a fixed one keeps the check deterministic.
_PROBE = datetime(2000, 1, 1, tzinfo=UTC)
_SECOND = timedelta(seconds=1)


@dataclass(frozen=True, slots=True)
class Schedule:
    """A parsed schedule: one or more cron lines whose firings are merged."""

    text: str
    crons: tuple[str, ...]

    def next_after(self, moment: datetime, tz: ZoneInfo) -> datetime:
        """Return the first due moment strictly after ``moment`` (an aware datetime), in UTC."""
        return min(_next_after(cron, moment, tz) for cron in self.crons)

    def latest_until(self, moment: datetime, tz: ZoneInfo) -> datetime | None:
        """Return the latest due moment at or before ``moment``, in UTC (None in 50 years)."""
        found = [f for cron in self.crons if (f := _latest_until(cron, moment, tz))]
        return max(found, default=None)


@lru_cache(maxsize=256)
def parse_schedule(text: str) -> Schedule:
    """Parse ``"09:00"``, ``"09:00, 18:30"``, ``"@daily"`` or ``"0 9 * * mon-fri"``.

    Raise ValueError naming the problem, also for a schedule that can never fire.
    """
    stripped = " ".join(text.split())
    if not stripped:
        raise ValueError("empty schedule")
    if ":" in stripped:
        crons = _times_of_day(stripped)
    elif stripped.startswith("@"):
        alias = _ALIASES.get(stripped.lower())
        if alias is None:
            raise ValueError(f"{text!r}: unknown alias; use one of {', '.join(_ALIASES)}")
        crons = (alias,)
    else:
        _check_cron(stripped)
        crons = (stripped,)
    return Schedule(text, crons)


def _times_of_day(text: str) -> tuple[str, ...]:
    crons: list[str] = []
    for piece in text.split(","):
        match = _TIME_OF_DAY.fullmatch(piece.strip())
        if not match:
            raise ValueError(f"{piece.strip()!r} is not a time of day such as '09:00'")
        cron = f"{int(match[2])} {int(match[1])} * * *"
        if cron not in crons:
            crons.append(cron)
    return tuple(crons)


def _check_cron(line: str) -> None:
    parts = line.split()
    if len(parts) != 5:
        raise ValueError(
            f"{line!r} is neither a time of day like '09:00', an alias like '@daily', nor a "
            "cron line of 5 fields (minute hour day-of-month month day-of-week)"
        )
    try:
        CronSim(line, _PROBE)
    except CronSimError as exc:
        raise ValueError(_explain(line, parts, str(exc))) from None
    try:
        next(CronSim(line, _PROBE))
    except StopIteration:
        raise ValueError(f"{line!r} never fires") from None


def _explain(line: str, parts: list[str], problem: str) -> str:
    field = problem.removeprefix("Bad ")
    if field == "day-of-month" and _valid_with_any_month(parts):
        return (f"{line!r} never fires: day {parts[2]} does not exist in month {parts[3]}")
    if field in _FIELD_HELP:
        value = parts[_FIELDS.index(field)]
        return f"{line!r}: bad {field} field {value!r}; use {_FIELD_HELP[field]}"
    return f"{line!r}: {problem}"


def _valid_with_any_month(parts: list[str]) -> bool:
    try:
        CronSim(" ".join([*parts[:3], "*", parts[4]]), _PROBE)
    except CronSimError:
        return False
    return True


@lru_cache(maxsize=1024)  # fifty targets of one schedule ask the same question each round
def _next_after(cron: str, moment: datetime, tz: ZoneInfo) -> datetime:
    firings = CronSim(cron, moment.astimezone(tz))
    for firing in firings:
        # Compare in UTC: cronsim steps local wall time, so a moment inside the repeated
        # autumn hour can give the first pass of a time that has already gone by.
        candidate = firing.astimezone(UTC)
        if candidate > moment:
            return candidate
    raise ValueError(f"schedule {cron!r} never fires")  # parse_schedule refuses these


@lru_cache(maxsize=1024)
def _latest_until(cron: str, moment: datetime, tz: ZoneInfo) -> datetime | None:
    # Start one second later, so that a firing at exactly ``moment`` counts.
    start = (moment.replace(microsecond=0) + _SECOND).astimezone(tz)
    for firing in CronSim(cron, start, reverse=True):
        latest = firing.astimezone(UTC)
        if latest > moment:  # the DST case of _next_after, seen from the other side
            continue
        # Across a DST change, stepping back in wall time can skip the first pass of a
        # repeated hour: a forward step from the answer finds any firing it skipped.
        following = _next_after(cron, latest, tz)
        while following <= moment:
            latest, following = following, _next_after(cron, following, tz)
        return latest
    return None
