"""The bot's Telegram side: commands in, replies, digests and alerts out.

``run_bot`` is the one entry point. Everything that is not Telethon (what is due, what it
says, pacing, the outbox) lives in bot/delivery; this module only turns Telethon events into
calls there and sends outbox parts with the random_id the outbox stored.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from telethon import Button, TelegramClient, errors, events, functions, types, utils
from telethon.extensions import html as telethon_html

from bot.clock import Clock, SystemClock
from bot.commands.reply import Reply, plain
from bot.commands.router import SORRY
from bot.config import Config
from bot.config_refs import parse_channel_ref
from bot.delivery.conversation import Conversation, Origin
from bot.delivery.pacing import Rates
from bot.delivery.sender import SendOutcome
from bot.delivery.service import Delivery
from bot.errors import SessionError
from bot.health import Readiness
from bot.store.delivery_ports import DeliveryStore
from bot.supervise import Supervisor
from bot.telegram.connection import Backoff, KeepConnected
from bot.telegram.errors import translate

log = logging.getLogger(__name__)

#: Errors that mean this chat will not take messages from the bot again: blocked, deleted,
#: kicked, or no longer allowed to post. Retrying cannot help.
_UNREACHABLE: tuple[type[BaseException], ...] = (
    errors.UserIsBlockedError, errors.InputUserDeactivatedError, errors.PeerIdInvalidError,
    errors.ChatWriteForbiddenError, errors.ChannelPrivateError, errors.ChatAdminRequiredError,
    errors.ChatForbiddenError, errors.UserKickedError, errors.ChatRestrictedError,
    errors.UserBannedInChannelError, errors.ChannelInvalidError, errors.ForbiddenError,
)


class BotTransport:
    """Send outbox parts as raw messages.SendMessage requests with their stored random_id.

    ``client.send_message`` would pick a random_id of its own, so a resend after a crash
    would be a new message; the raw request keeps the one the outbox stored.
    """

    def __init__(self, client: TelegramClient, archive: DeliveryStore, *,
                 online: Callable[[], Awaitable[None]] | None = None) -> None:
        self._client = client
        self._archive = archive
        self._online = online

    async def send(self, chat_id: int, html: str, random_id: int) -> SendOutcome:
        """Send one part; map every per-chat failure to an outcome, and raise SessionError.

        It first waits for the connection: a send that cannot reach Telegram is no attempt.
        """
        if self._online is not None:
            await self._online()
        try:
            peer = await self._peer(chat_id)
            text, entities = telethon_html.parse(html)
            result = await self._client(functions.messages.SendMessageRequest(
                peer=peer, message=text, random_id=random_id, entities=entities or None,
                no_webpage=True))
        except errors.FloodWaitError as exc:
            return SendOutcome.flood(int(exc.seconds))
        except errors.RandomIdDuplicateError:
            return SendOutcome.sent(None)  # Telegram has it already: a resend after a crash
        except _UNREACHABLE as exc:
            return SendOutcome.unreachable(type(exc).__name__)
        except (errors.UnauthorizedError, errors.AuthKeyError) as exc:
            # 401s, USER_DEACTIVATED included, are about the bot's own account, not the
            # chat: stop instead of disabling every subscriber.
            raise translate(exc, request="SendMessage") or SessionError(
                f"the bot's session is no longer accepted ({type(exc).__name__})") from None
        except errors.BadRequestError as exc:
            return SendOutcome.rejected(type(exc).__name__)
        except (ConnectionError, OSError) as exc:
            if self._online is None:  # nobody brings the connection back (tgmon digest)
                return SendOutcome.retry(type(exc).__name__)
            return SendOutcome.offline(type(exc).__name__)
        except (errors.RPCError, TimeoutError) as exc:
            return SendOutcome.retry(type(exc).__name__)
        except ValueError as exc:  # no entity for the id, or Telethon's retries ran out
            return SendOutcome.retry(f"ValueError: {exc}")
        return SendOutcome.sent(_sent_id(result, random_id))

    async def _peer(self, chat_id: int) -> Any:
        try:
            return await self._client.get_input_entity(chat_id)
        except ValueError:
            # The session's entity cache is saved lazily and can lose a subscriber to a
            # crash; the archive kept the access hash the subscription came with.
            stored = await self._archive.subscribers.access_hash(chat_id)
            if stored is None:
                raise
            return input_peer(chat_id, stored)


def input_peer(chat_id: int, access_hash: int | None) -> Any:
    """Build an input peer from a marked id and an access hash."""
    real_id, kind = utils.resolve_id(chat_id)
    if kind is types.PeerUser:
        return types.InputPeerUser(real_id, access_hash or 0)
    if kind is types.PeerChannel:
        return types.InputPeerChannel(real_id, access_hash or 0)
    return types.InputPeerChat(real_id)


def _sent_id(result: Any, random_id: int) -> int | None:
    if isinstance(result, types.UpdateShortSentMessage):
        return int(result.id)
    for update in getattr(result, "updates", ()):
        if isinstance(update, types.UpdateMessageID) and update.random_id == random_id:
            return int(update.id)
    return None


async def resolve_digest_chats(client: TelegramClient, config: Config) -> dict[str, list[int]]:
    """Map each digest's configured chats to marked ids; unresolvable ones are logged, skipped."""
    found: dict[str, list[int]] = {}
    for name, spec in config.digests.items():
        for raw in spec.chats:
            chat_id = await resolve_chat(client, str(raw))
            if chat_id is not None:
                found.setdefault(name, []).append(chat_id)
    return found


async def resolve_chat(client: TelegramClient, raw: str) -> int | None:
    """Return the marked id of a chat reference the bot can post to, or None (logged).

    A bare number is taken as a marked peer id as it stands: a user id (a subscriber) is
    positive, groups and channels are negative.
    """
    if raw.strip().lstrip("-").isdigit():
        return int(raw.strip())
    try:
        ref = parse_channel_ref(raw)
    except ValueError as exc:
        log.warning("digest chat %r: %s", raw, exc)
        return None
    if ref.kind == "id":
        return int(ref.value)
    if ref.kind == "invite":
        log.warning("digest chat %s: a bot cannot join by invite link; add the bot to the "
                    "chat as an admin and use its -100… id", ref)
        return None
    try:
        return int(utils.get_peer_id(await client.get_input_entity(ref.value)))
    except (ValueError, errors.RPCError) as exc:
        log.warning("digest chat %s cannot be resolved (%s); its digests are skipped", ref,
                    type(exc).__name__)
        return None


async def run_bot(client: TelegramClient, archive: DeliveryStore, config: Config, *,
                  clock: Clock | None = None, rates: Rates | None = None,
                  backoff: Backoff | None = None, supervisor: Supervisor | None = None,
                  readiness: Readiness | None = None) -> None:
    """Answer commands and deliver digests and alerts until cancelled.

    ``client`` must be connected and logged in with the bot token; the caller owns it and
    disconnects it afterwards. Returns only by cancellation (clean: the command handler is
    removed and every task it started is awaited) or by raising SessionError when Telegram
    no longer accepts the bot. Safe to restart at any point: the outbox resumes. The client
    is reconnected whenever Telethon gives up on it; then missed commands are fetched.
    """
    clock = clock or SystemClock()
    supervisor = supervisor or Supervisor()
    connection = KeepConnected(client, "bot", backoff=backoff, on_reconnect=client.catch_up)
    if readiness is not None:
        readiness.clients["bot"] = connection
    me = await client.get_me()
    chats = await resolve_digest_chats(client, config)
    transport = BotTransport(client, archive, online=connection.wait_up)
    delivery = Delivery(archive, config, transport, clock=clock, digest_chats=chats,
                        rates=rates, supervisor=supervisor)
    conversation = Conversation(archive, config, delivery, clock=clock,
                                bot_username=getattr(me, "username", None))
    await _register_commands(client, [(spec.name, spec.summary)
                                      for spec in conversation.router.specs.values()])
    replies: set[asyncio.Task[None]] = set()

    def spawn(work: Any) -> None:
        # Answer in a task of our own, so that stopping the bot can wait for it and a slow
        # /search does not hold up the update loop.
        task = asyncio.create_task(work, name="bot reply")
        replies.add(task)
        task.add_done_callback(replies.discard)

    async def on_command(event: events.NewMessage.Event) -> None:
        spawn(_answer(event, conversation))

    async def on_button(event: events.CallbackQuery.Event) -> None:
        spawn(_answer_button(event, conversation))

    handler = events.NewMessage(incoming=True, pattern=r"^/")
    buttons = events.CallbackQuery()
    client.add_event_handler(on_command, handler)
    client.add_event_handler(on_button, buttons)
    keeper = asyncio.create_task(supervisor.run("bot connection", connection.run))
    try:
        await _first_to_end(keeper, asyncio.ensure_future(delivery.run()))
    finally:
        client.remove_event_handler(on_command, handler)
        client.remove_event_handler(on_button, buttons)
        for task in list(replies):
            task.cancel()
        await asyncio.gather(*replies, return_exceptions=True)


async def _first_to_end(*tasks: asyncio.Future[None]) -> None:
    """Wait until one task ends; cancel the others and raise what the first one raised."""
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    for task in done:
        task.result()


async def _register_commands(client: TelegramClient, menu: Sequence[tuple[str, str]]) -> None:
    """Publish the command list, so Telegram shows it in the "/" menu of every chat."""
    commands = [types.BotCommand(name, summary[:256]) for name, summary in menu]
    try:
        await client(functions.bots.SetBotCommandsRequest(
            types.BotCommandScopeDefault(), "", commands))
    except errors.RPCError as exc:  # a menu is a convenience: never stop the bot for it
        log.warning("could not publish the command menu: %s", type(exc).__name__)


async def _origin(event: Any) -> Origin:
    chat = await event.get_input_chat()
    return Origin(user_id=int(event.sender_id or 0), chat_id=int(event.chat_id),
                  access_hash=getattr(chat, "access_hash", None))


async def _answer(event: events.NewMessage.Event, conversation: Conversation) -> None:
    try:
        replies = await conversation.reply(event.raw_text or "", await _origin(event))
    except Exception:
        log.exception("command %r failed", (event.raw_text or "")[:64])
        replies = [plain(SORRY)]
    await _send_replies(event, replies)


async def _answer_button(event: events.CallbackQuery.Event, conversation: Conversation) -> None:
    try:
        await event.answer()  # stops the button's spinner; the reply is a new message
    except errors.RPCError as exc:
        log.info("callback answer failed: %s", type(exc).__name__)
    try:
        data = bytes(event.data or b"").decode("utf-8", "replace")
        replies = await conversation.press(data, await _origin(event))
    except Exception:
        log.exception("button %r failed", bytes(event.data or b"")[:64])
        replies = [plain(SORRY)]
    await _send_replies(event, replies)


async def _send_replies(event: Any, replies: Sequence[Reply]) -> None:
    for reply in replies:
        markup = [[Button.inline(b.label, b.data.encode())] for b in reply.buttons] or None
        try:
            if reply.photo is not None or reply.document is not None:
                media = io.BytesIO(reply.photo or reply.document or b"")
                media.name = reply.filename
                await event.client.send_file(
                    event.chat_id, media, caption=reply.html, parse_mode="html",
                    buttons=markup, force_document=reply.document is not None)
            else:
                await event.respond(reply.html, parse_mode="html", link_preview=False,
                                    buttons=markup)
        except errors.RPCError as exc:
            log.info("reply to %s not delivered: %s", event.chat_id, type(exc).__name__)
            return
