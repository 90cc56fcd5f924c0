"""Answer bot commands: who may do what, subscriptions, digests on demand, read-only queries.

No Telethon here: the bot side hands in the parsed command and who sent it, and sends back
the HTML replies this returns.
"""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from bot.clock import Clock, unix
from bot.commands import (
    Command,
    CommandError,
    DigestNow,
    Help,
    Start,
    Subscribe,
    Subscriptions,
    Unsubscribe,
    format_start,
    format_subscribed,
    format_subscriptions,
    format_unsubscribed,
    may_subscribe,
    parse_command,
)
from bot.commands.context import Context, Origin
from bot.commands.paging import PageMemory
from bot.commands.parse import USAGE
from bot.commands.reply import Reply, html_reply, plain
from bot.commands.router import Access, CommandSpec, Router
from bot.commands.table import QUERY_COMMANDS
from bot.config import Config
from bot.store.delivery_ports import DeliveryStore

from .service import Delivery

__all__ = ["Conversation", "Origin"]

log = logging.getLogger(__name__)


class Conversation:
    """Turn a message's text into the bot's replies (HTML), acting on the archive."""

    def __init__(self, archive: DeliveryStore, config: Config, delivery: Delivery, *,
                 clock: Clock, bot_username: str | None) -> None:
        self._archive = archive
        self._config = config
        self._delivery = delivery
        self._clock = clock
        self._bot_username = bot_username
        self._tz = ZoneInfo(config.bot.timezone)
        self._pages = PageMemory()
        self.router = Router([*self._own_commands(), *QUERY_COMMANDS],
                             per_minute=config.bot.commands_per_minute,
                             max_tasks=config.bot.max_command_tasks,
                             clock=lambda: clock.now().timestamp())

    async def reply(self, text: str, sender: Origin) -> list[Reply]:
        """Return the replies to ``text``; [] when it is not a command for this bot."""
        return await self.router.handle(text, self._context(sender),
                                        bot_username=self._bot_username)

    async def press(self, data: str, sender: Origin) -> list[Reply]:
        """Return the replies to an inline button's callback data."""
        return await self.router.handle_callback(data, self._context(sender))

    def allowed(self, user_id: int) -> bool:
        """Say whether a user may subscribe and query (admins and allowed_users)."""
        bot = self._config.bot
        return may_subscribe(user_id, admins=bot.admins, allowed_users=bot.allowed_users)

    def _context(self, sender: Origin) -> Context:
        return Context(self._archive.queries, self._config, self._tz, sender, self._clock.now(),
                       allowed=self.allowed(sender.user_id), pages=self._pages)

    def _own_commands(self) -> list[CommandSpec]:
        """The subscription commands, which act through delivery; the rest only read."""
        def spec(name: str, summary: str, access: Access) -> CommandSpec:
            async def run(ctx: Context, rest: str) -> list[Reply]:
                return await self._subscription_command(name, rest, ctx)
            return CommandSpec(name, USAGE[name].split(" — ", 1)[0], summary, run, access)

        return [
            spec("start", "what I watch and how to subscribe", Access.ANYONE),
            spec("help", "this list", Access.ANYONE),
            spec("subscribe", "get digests for these groups (all when none named)",
                 Access.MEMBERS),
            spec("unsubscribe", "stop getting them", Access.OWN_CHAT),
            # Anyone may ask about their own private chat; a group's subscriptions name its
            # keyword groups, which only members may see.
            spec("subscriptions", "what this chat receives", Access.OWN_CHAT),
            spec("digest", "a digest now, since the last one this chat got", Access.MEMBERS),
        ]

    async def _subscription_command(self, name: str, rest: str, ctx: Context) -> list[Reply]:
        command = parse_command(f"/{name} {rest}", bot_username=None,
                                known_groups=list(self._config.keywords))
        if command is None:  # pragma: no cover - the router only sends us our own names
            return []
        if isinstance(command, CommandError):
            return [html_reply(command.reply)]
        return [html_reply(html) for html in await self._answer(command, ctx.origin)]

    async def _answer(self, command: Command, sender: Origin) -> list[str]:
        if isinstance(command, Help):
            return [self.router.help().html]
        if isinstance(command, Start):
            known = await self._archive.queries.channels()
            return [format_start(known, sorted(self._config.keywords),
                                 can_subscribe=self.allowed(sender.user_id))]
        if isinstance(command, Subscriptions):
            return [await self._subscriptions(sender.chat_id)]
        if isinstance(command, Subscribe):
            now = unix(self._clock.now())
            groups = await self._archive.subscribers.subscribe(sender.chat_id, command.groups,
                                                 access_hash=sender.access_hash, now=now)
            return [format_subscribed(groups)]
        if isinstance(command, Unsubscribe):
            remaining = await self._archive.subscribers.unsubscribe(sender.chat_id,
                                                      command.groups,
                                                      known_groups=list(self._config.keywords))
            return [format_unsubscribed(command.groups, remaining=remaining)]
        if isinstance(command, DigestNow):
            created = await self._delivery.digest_now(sender.chat_id)
            # The digest itself is the answer; it goes through the outbox like any other.
            return [] if created is not None else [
                plain("A digest for this chat was queued a moment ago; it is on its way.").html]
        raise AssertionError(f"unhandled command {command!r}")  # pragma: no cover

    async def _subscriptions(self, chat_id: int) -> str:
        sub = await self._archive.subscribers.subscription(chat_id)
        if sub is None:
            return format_subscriptions(None, tz=self._tz)
        last, upcoming = await self._delivery.next_digest(chat_id)
        return format_subscriptions(sub.groups, tz=self._tz, last_digest=last,
                                    next_digest=upcoming)
