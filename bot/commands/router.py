"""One table of commands, and what applies around every one of them.

In the manner of aiogram's routers and middleware: a command is a ``CommandSpec`` in the
table, and the router applies, once and in this order, the per-user rate limit, usage help for
unknown commands ("did you mean"), access control, a bound on how many commands run at once,
and the rule that a reply never carries a traceback or a library's error text.
"""

from __future__ import annotations

import asyncio
import difflib
import logging
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import Enum

from bot.commands.context import Context
from bot.commands.reply import Reply, plain, text_reply
from bot.digest.render import HtmlBuilder
from bot.errors import TgmonError

log = logging.getLogger(__name__)

Handler = Callable[[Context, str], Awaitable[list[Reply]]]
# Telegram command names are 1-32 word characters; "/r/python" or "/ " is just text.
_COMMAND_NAME = re.compile(r"\w{1,32}")
SORRY = "Sorry, something went wrong on my side. Please try again later."


class Access(Enum):
    """Who may run a command."""

    ANYONE = "anyone"  # says nothing about what is watched
    MEMBERS = "members"  # the bot's admins and allowed users, in any chat
    OWN_CHAT = "own chat"  # members, or anyone about their own private chat (unsubscribe)


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """One command: its name, how to use it, who may, and what runs."""

    name: str
    usage: str  # "/latest [@channel] [n]"
    summary: str  # for /help and Telegram's command menu
    run: Handler
    access: Access = Access.MEMBERS
    #: Callback data starting with ``callback + ":"`` goes to ``on_callback``.
    callback: str | None = None
    on_callback: Handler | None = None


class RateLimit:
    """At most ``per_minute`` commands per user in any 60 seconds; one "slow down" each time."""

    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._limit = per_minute
        self._clock = clock
        self._seen: dict[int, deque[float]] = {}
        self._warned: dict[int, float] = {}

    def check(self, user_id: int) -> str:
        """Return "ok" (go on), "warn" (say slow down) or "drop" (already told: stay quiet)."""
        now = self._clock()
        seen = self._seen.setdefault(user_id, deque())
        while seen and seen[0] <= now - 60:
            seen.popleft()
        if len(seen) < self._limit:
            seen.append(now)
            self._warned.pop(user_id, None)
            return "ok"
        if user_id in self._warned:
            return "drop"
        self._warned[user_id] = now
        if len(self._seen) > 10_000:  # forget users who went quiet, so memory stays bounded
            for key in [k for k, v in self._seen.items() if not v or v[-1] <= now - 60]:
                self._seen.pop(key, None)
        return "warn"

    def wait_seconds(self, user_id: int) -> int:
        seen = self._seen.get(user_id)
        return max(1, int(seen[0] + 60 - self._clock()) + 1) if seen else 1


class Router:
    """Route command texts and button presses to the table's handlers."""

    def __init__(self, specs: Sequence[CommandSpec], *, per_minute: int, max_tasks: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.specs = {spec.name: spec for spec in specs}
        self._callbacks = {spec.callback: spec for spec in specs if spec.callback}
        self._limit = RateLimit(per_minute, clock=clock)
        self._slots = asyncio.Semaphore(max_tasks)

    def split(self, text: str, *, bot_username: str | None) -> tuple[str, str] | None:
        """Return (name, arguments) of ``/name[@bot] args``; None if it is not for us."""
        words = text.split(maxsplit=1)
        if not words or not words[0].startswith("/"):
            return None
        name, _, target = words[0][1:].partition("@")
        if not _COMMAND_NAME.fullmatch(name):
            return None
        # Without our own username we cannot tell whom /cmd@x addresses; assume us.
        if target and bot_username and target.casefold() != bot_username.lstrip("@").casefold():
            return None
        return name.casefold(), words[1] if len(words) > 1 else ""

    async def handle(self, text: str, ctx: Context, *, bot_username: str | None) -> list[Reply]:
        """Answer one message; [] when it is no command for this bot (or the user is muted)."""
        parts = self.split(text, bot_username=bot_username)
        if parts is None:
            return []
        verdict = self._limit.check(ctx.origin.user_id)
        if verdict != "ok":
            return [] if verdict == "drop" else [self._slow_down(ctx.origin.user_id)]
        name, rest = parts
        spec = self.specs.get(name)
        if spec is None:
            return [self._unknown(name)]
        return await self._run(spec, spec.run, ctx, rest)

    async def handle_callback(self, data: str, ctx: Context) -> list[Reply]:
        """Answer a button press."""
        verdict = self._limit.check(ctx.origin.user_id)
        if verdict != "ok":
            return [] if verdict == "drop" else [self._slow_down(ctx.origin.user_id)]
        prefix, _, payload = data.partition(":")
        spec = self._callbacks.get(prefix)
        if spec is None or spec.on_callback is None:
            return [plain("That button has expired; run the command again.")]
        return await self._run(spec, spec.on_callback, ctx, payload)

    def help(self) -> Reply:
        """The command list."""
        out = HtmlBuilder().bold("Commands").text("\n")
        for spec in self.specs.values():
            out.text(f"{spec.usage} — {spec.summary}\n")
        return text_reply(out)

    async def _run(self, spec: CommandSpec, handler: Handler, ctx: Context,
                   rest: str) -> list[Reply]:
        if not _may(spec.access, ctx):
            return [plain(NOT_ALLOWED)]
        async with self._slots:
            try:
                return await handler(ctx, rest)
            except TgmonError as exc:
                # Our own errors say what to do; the usage line shows the right shape.
                return [plain(f"{exc.message}\nUsage: {spec.usage}")]
            except Exception:
                log.exception("command /%s failed", spec.name)
                return [plain(SORRY)]

    def _unknown(self, name: str) -> Reply:
        close = difflib.get_close_matches(name, list(self.specs), n=1)
        out = HtmlBuilder().text(f"Unknown command /{_clip(name)}.")
        if close:
            out.text(f" Did you mean /{close[0]}?")
        help_reply = self.help()
        return Reply(out.chunk().html + "\n\n" + help_reply.html,
                     out.length + 2 + help_reply.length)

    def _slow_down(self, user_id: int) -> Reply:
        wait = self._limit.wait_seconds(user_id)
        return plain(f"Slow down: at most {self._limit._limit} commands a minute. "
                     f"Try again in {wait} s.")


NOT_ALLOWED = ("Subscriptions on this bot are limited to its admins and invited users. "
               "If you need digests, ask the person who runs it to add your user id.")


def _may(access: Access, ctx: Context) -> bool:
    if access is Access.ANYONE or ctx.allowed:
        return True
    return access is Access.OWN_CHAT and ctx.origin.user_id == ctx.origin.chat_id


def _clip(text: str) -> str:
    return text if len(text) <= 48 else text[:47] + "…"
