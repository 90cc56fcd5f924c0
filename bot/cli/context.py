"""What the data commands share: the config, the archive path and the analyser."""

from __future__ import annotations

import argparse
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot.cli.targets import check_archive_path
from bot.config import Config, discover_config, load_config
from bot.errors import UsageError
from bot.store.reads import PostFilter

_AGE = re.compile(r"(\d{1,12})\s*([mhdw])")  # 12 digits already reach past year 1
_AGE_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def config_for(args: argparse.Namespace) -> Config:
    """Load the config; without --config and with none to discover, the built-in defaults."""
    path: Path | None = getattr(args, "config", None) or discover_config()
    if path is None:
        return Config()
    return load_config(path)


def db_path(args: argparse.Namespace, config: Config) -> Path:
    """Return --db if given, else the configured storage path (never a folder)."""
    path: Path = args.db or config.storage.path
    check_archive_path(path, must_exist=False)
    return path


def existing_db(args: argparse.Namespace, config: Config) -> Path:
    """Return the archive path, refusing one that does not exist yet (a typo, usually)."""
    path = db_path(args, config)
    if not path.exists():
        raise UsageError(
            f"{path}: no archive there yet; run `tgmon import` or `tgmon run` "
            "first, or point --db at an existing archive"
        )
    check_archive_path(path, must_exist=True)
    return path


def post_filter(args: argparse.Namespace) -> PostFilter:
    """Build a PostFilter from --channel, --lang, --since, --until and --group."""
    return PostFilter(
        channel=args.channel,
        lang=args.lang,
        group=args.group,
        since=parse_moment(args.since, "--since"),
        until=parse_moment(args.until, "--until"),
    )


def parse_moment(text: str | None, option: str, *, now: datetime | None = None) -> datetime | None:
    """Parse a date, an ISO datetime or an age such as ``7d`` into an aware UTC datetime."""
    if text is None:
        return None
    value = text.strip()
    age = _AGE.fullmatch(value.lower())
    if age:
        try:
            return (now or datetime.now(UTC)) - timedelta(**{_AGE_UNITS[age[2]]: int(age[1])})
        except OverflowError:
            raise UsageError(f"{option} {text!r} reaches before the year 1") from None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"{option} {text!r}: use a date (2025-01-31), a datetime "
            "(2025-01-31T18:00) or an age (30m, 12h, 7d, 2w)"
        ) from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+14:00 is in the year 0 in UTC
        raise UsageError(f"{option} {text!r} falls outside the years 1 to 9999 in UTC") from None

