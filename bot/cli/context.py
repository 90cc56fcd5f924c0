"""What the data commands share: the config, the archive path and the analyser."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from bot.cli.targets import check_archive_path
from bot.config import Config, discover_config, load_config
from bot.errors import UsageError

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
