"""Turn a message's text into a bot command request, or a helpful reply when it is wrong.

parse_command never raises: anything a user types yields a Command, a CommandError (whose
reply names what exists), or None when the text is not a command for this bot.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from html import escape

MAX_QUERY_CHARS = 256
_NAME_CHARS = 48
# Telegram command names are 1-32 word characters; "/r/python" or "/ " is just text.
_COMMAND_NAME = re.compile(r"\w{1,32}")
_SEPARATORS = re.compile(r"[\s,;]+")


@dataclass(frozen=True, slots=True)
class Start:
    """Say what is watched and how to subscribe."""


@dataclass(frozen=True, slots=True)
class Help:
    """List the commands."""


@dataclass(frozen=True, slots=True)
class Subscribe:
    """Follow keyword groups; no groups means every group."""

    groups: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Unsubscribe:
    """Stop following keyword groups; no groups means every group ("/unsubscribe all")."""

    groups: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Subscriptions:
    """Show this chat's subscriptions."""


@dataclass(frozen=True, slots=True)
class DigestNow:
    """Send a digest now, covering the time since this chat's last digest."""


@dataclass(frozen=True, slots=True)
class Search:
    """Search the archive; the query is the user's text, for the store's query parser."""

    query: str


@dataclass(frozen=True, slots=True)
class Latest:
    """Show the newest posts, of one channel (@name, link or title) or of all."""

    channel: str | None = None


Command = Start | Help | Subscribe | Unsubscribe | Subscriptions | DigestNow | Search | Latest


@dataclass(frozen=True, slots=True)
class CommandError:
    """A command that cannot be carried out; ``reply`` is escaped HTML to send back."""

    reply: str


USAGE = {
    "start": "/start — what I watch and how to subscribe",
    "help": "/help — this list",
    "subscribe": "/subscribe [group …] — get digests for these groups (all when none named)",
    "unsubscribe": "/unsubscribe group … | all — stop getting them",
    "subscriptions": "/subscriptions — what this chat receives",
    "digest": "/digest — a digest now, since the last one this chat got",
    "search": "/search words — search the archive",
    "latest": "/latest [channel] — the newest posts",
}


def parse_command(text: str, *, bot_username: str | None,
                  known_groups: Collection[str]) -> Command | CommandError | None:
    """Parse ``/cmd[@bot] args``; None when it is no command, or one for another bot."""
    words = text.split(maxsplit=1)
    if not words or not words[0].startswith("/"):
        return None
    head, rest = words[0], words[1] if len(words) > 1 else ""
    name, _, target = head[1:].partition("@")
    if not _COMMAND_NAME.fullmatch(name):
        return None
    # Without our own username we cannot tell whom /cmd@x addresses; assume us.
    if target and bot_username and target.casefold() != bot_username.lstrip("@").casefold():
        return None
    handler = _HANDLERS.get(name.casefold())
    if handler is None:
        return _unknown_command(name)
    return handler(rest, known_groups)


def _unknown_command(name: str) -> CommandError:
    close = difflib.get_close_matches(name.casefold(), list(USAGE), n=1)
    hint = f" Did you mean /{close[0]}?" if close else ""
    return CommandError(f"Unknown command /{escape(_clip(name))}.{hint}\n\n" + help_text())


def help_text() -> str:
    """Return the command list as HTML."""
    return "<b>Commands</b>\n" + "\n".join(escape(line) for line in USAGE.values())


def _groups(rest: str, known_groups: Collection[str],
            command: str) -> tuple[str, ...] | CommandError:
    by_key = {g.casefold(): g for g in known_groups}
    wanted: list[str] = []
    for word in _SEPARATORS.split(rest):
        key = word.strip().lstrip("#").casefold()
        if not key:
            continue
        if key == "all":
            return ()
        if key not in by_key:
            return _unknown_group(word, by_key.values(), command)
        wanted.append(by_key[key])
    return tuple(dict.fromkeys(wanted))


def _unknown_group(word: str, known: Collection[str], command: str) -> CommandError:
    if not known:
        return CommandError("No keyword groups are configured yet, so there is nothing to "
                            f"name. Use /{command} alone.")
    close = difflib.get_close_matches(word.casefold(), list(known), n=1)
    hint = f" Did you mean <b>{escape(close[0])}</b>?" if close else ""
    return CommandError(f"There is no group <b>{escape(_clip(word))}</b>.{hint}\n"
                        f"Groups: {escape(_listing(sorted(known)))}\n"
                        f"Example: /{command} {escape(sorted(known)[0])}")


def _subscribe(rest: str, known: Collection[str]) -> Command | CommandError:
    groups = _groups(rest, known, "subscribe")
    return groups if isinstance(groups, CommandError) else Subscribe(groups)


def _unsubscribe(rest: str, known: Collection[str]) -> Command | CommandError:
    if not rest.strip():
        names = escape(_listing(sorted(known))) if known else "none configured"
        return CommandError("Name the groups to stop, or <b>all</b>: "
                            f"/unsubscribe all\nGroups: {names}")
    groups = _groups(rest, known, "unsubscribe")
    return groups if isinstance(groups, CommandError) else Unsubscribe(groups)


def _search(rest: str, known: Collection[str]) -> Command | CommandError:
    query = rest.strip()
    if not query:
        return CommandError("Usage: /search words — for example /search Токаев выборы")
    if len(query) > MAX_QUERY_CHARS:
        return CommandError(f"That query is {len(query)} characters long; "
                            f"keep it under {MAX_QUERY_CHARS}.")
    return Search(query)


def _latest(rest: str, known: Collection[str]) -> Command | CommandError:
    channel = " ".join(rest.split())
    if len(channel) > 128:
        return CommandError("That is longer than any channel name; use @username or a t.me link.")
    return Latest(channel or None)


def _clip(text: str) -> str:
    return text if len(text) <= _NAME_CHARS else text[: _NAME_CHARS - 1] + "…"


def _listing(names: list[str], *, limit: int = 40) -> str:
    shown = ", ".join(_clip(n) for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


_HANDLERS: dict[str, Callable[[str, Collection[str]], Command | CommandError]] = {
    "start": lambda rest, known: Start(),  # a deep-link payload is ignored
    "help": lambda rest, known: Help(),
    "subscribe": _subscribe,
    "unsubscribe": _unsubscribe,
    "subscriptions": lambda rest, known: Subscriptions(),
    "digest": lambda rest, known: DigestNow(),
    "search": _search,
    "latest": _latest,
}
