"""Answer bot commands: who may do what, subscriptions, digests on demand, read-only queries.

No Telethon here: the bot side hands in the parsed command and who sent it, and sends back
the HTML replies this returns.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from html import escape
from zoneinfo import ZoneInfo

from bot.commands import (
    Command,
    CommandError,
    DigestNow,
    Help,
    Latest,
    Search,
    Start,
    Subscribe,
    Subscriptions,
    Unsubscribe,
    format_help,
    format_latest,
    format_not_allowed,
    format_search_results,
    format_start,
    format_subscribed,
    format_subscriptions,
    format_unsubscribed,
    may_subscribe,
    parse_command,
)
from bot.config import Config
from bot.errors import TgmonError
from bot.store import reads, subscribers
from bot.store.archive import Archive

from .clock import Clock, unix
from .service import Delivery

log = logging.getLogger(__name__)

#: Posts shown by /search and /latest; more would spill into many messages.
QUERY_LIMIT = 10


@dataclass(frozen=True, slots=True)
class Origin:
    """Who wrote the command, and where: ``access_hash`` reaches the chat later."""

    user_id: int
    chat_id: int
    access_hash: int | None = None


class Conversation:
    """Turn a message's text into the bot's replies (HTML), acting on the archive."""

    def __init__(self, archive: Archive, config: Config, delivery: Delivery, *,
                 clock: Clock, bot_username: str | None) -> None:
        self._archive = archive
        self._config = config
        self._delivery = delivery
        self._clock = clock
        self._bot_username = bot_username
        self._tz = ZoneInfo(config.bot.timezone)

    async def reply(self, text: str, sender: Origin) -> list[str]:
        """Return the replies to ``text``; [] when it is not a command for this bot."""
        command = parse_command(text, bot_username=self._bot_username,
                                known_groups=list(self._config.keywords))
        if command is None:
            return []
        if isinstance(command, CommandError):
            return [command.reply]
        try:
            return await self._answer(command, sender)
        except TgmonError as exc:  # e.g. a QueryError: the user gets the reason, not a trace
            return [escape(exc.message)]

    def allowed(self, user_id: int) -> bool:
        """Say whether a user may subscribe and query (admins and allowed_users)."""
        bot = self._config.bot
        return may_subscribe(user_id, admins=bot.admins, allowed_users=bot.allowed_users)

    async def _answer(self, command: Command, sender: Origin) -> list[str]:
        if isinstance(command, Help):
            return [format_help()]
        if isinstance(command, Start):
            known = await reads.channels(self._archive)
            return [format_start(known, sorted(self._config.keywords),
                                 can_subscribe=self.allowed(sender.user_id))]
        if isinstance(command, Subscriptions):
            return [await self._subscriptions(sender.chat_id)]
        private = sender.user_id == sender.chat_id
        # Someone no longer on the list may still leave their own private subscription.
        if not self.allowed(sender.user_id) and not (isinstance(command, Unsubscribe)
                                                     and private):
            return [format_not_allowed()]
        if isinstance(command, Subscribe):
            now = unix(self._clock.now())
            groups = await subscribers.subscribe(self._archive, sender.chat_id, command.groups,
                                                 access_hash=sender.access_hash, now=now)
            return [format_subscribed(groups)]
        if isinstance(command, Unsubscribe):
            remaining = await subscribers.unsubscribe(self._archive, sender.chat_id,
                                                      command.groups,
                                                      known_groups=list(self._config.keywords))
            return [format_unsubscribed(command.groups, remaining=remaining)]
        if isinstance(command, DigestNow):
            created = await self._delivery.digest_now(sender.chat_id)
            # The digest itself is the answer; it goes through the outbox like any other.
            return [] if created is not None else [
                "A digest for this chat was queued a moment ago; it is on its way."]
        if isinstance(command, Search):
            posts = await reads.search(self._archive, command.query, limit=QUERY_LIMIT)
            return format_search_results(posts, query=command.query, tz=self._tz)
        if isinstance(command, Latest):
            flt = reads.PostFilter(channel=command.channel)
            posts = await reads.latest(self._archive, flt, limit=QUERY_LIMIT)
            return format_latest(posts, channel=command.channel, tz=self._tz)
        raise AssertionError(f"unhandled command {command!r}")  # pragma: no cover

    async def _subscriptions(self, chat_id: int) -> str:
        sub = await subscribers.subscription(self._archive, chat_id)
        if sub is None:
            return format_subscriptions(None, tz=self._tz)
        last, upcoming = await self._delivery.next_digest(chat_id)
        return format_subscriptions(sub.groups, tz=self._tz, last_digest=last,
                                    next_digest=upcoming)
