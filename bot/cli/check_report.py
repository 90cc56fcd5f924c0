"""What `tgmon check` adds to "the config is valid": the example's placeholders, whether the
session is a login, counts in good English, and the one next step to take."""

from __future__ import annotations

from bot.config import Config, Secrets
from bot.telegram.session_file import SessionState

#: Values of bot/templates/tgmon.example.toml that only stand in for the user's own.
PLACEHOLDER_ADMIN = 111111111
PLACEHOLDER_CHANNELS = ("example_commentary", "-1001234567890")


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 term``, ``2 terms``, ``1 alias``/``2 aliases`` (with ``many``)."""
    return f"{count:,} {word if count == 1 else many or word + 's'}"


def placeholder_warnings(config: Config) -> list[str]:
    """The example's stand-in values still in the config, each with what to put instead."""
    warnings = [
        f"channels[{index}].ref: {channel.ref} is the example's placeholder; put a channel "
        "you follow, or remove the entry"
        for index, channel in enumerate(config.channels)
        if any(mark in str(channel.ref) for mark in PLACEHOLDER_CHANNELS)
    ]
    if PLACEHOLDER_ADMIN in config.bot.admins:
        warnings.append(f"bot.admins: {PLACEHOLDER_ADMIN} is the example's placeholder; put "
                        "your own Telegram user id (@userinfobot tells it)")
    return warnings


def session_line(state: SessionState, secrets: Secrets) -> str:
    """Say whether the session file is a login, not merely whether a file exists."""
    path = secrets.session_file("user")
    return {
        SessionState.MISSING: f"session: none yet ({path}): run `tgmon login`",
        SessionState.NO_LOGIN: f"session: {path} exists but holds no login (left by a "
                               "failed run or login): run `tgmon login`",
        SessionState.UNREADABLE: f"session: {path} is not a session file tgmon can read; move "
                                 "it away and run `tgmon login`",
        SessionState.LOGGED_IN: f"session: logged in ({path}); `tgmon check --online` tries "
                                "it on Telegram",
    }[state]


def next_step(config: Config, secrets: Secrets, state: SessionState, *, source: str,
              warnings: list[str], online: bool) -> str:
    """The first thing still to do, in the order a newcomer meets them."""
    if warnings:
        return f"replace the example's placeholders above in {source}"
    if secrets.api_id is None or secrets.api_hash is None:
        return ("fill TGMON_API_ID and TGMON_API_HASH in .env (https://my.telegram.org → "
                "API development tools)")
    if state is not SessionState.LOGGED_IN:
        return "tgmon login"
    if not config.channels:
        return f"add the channels to watch ([[channels]] in {source})"
    if online:
        return "tgmon run"
    return "tgmon check --online (each channel on Telegram), then tgmon run"
