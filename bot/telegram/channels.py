"""Turn the config's channel references into channels we can read, once.

A username is resolved once and cached (marked id and access hash) in the archive, because
`get_entity('name')` asks Telegram every time and ResolveUsername is tightly flood-limited.
A reference Telegram cannot resolve is reported once and not looked up again until the
config changes it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from telethon import TelegramClient, errors, functions, types

from bot.config import ChannelConfig
from bot.config_refs import ChannelRef
from bot.domain import Channel, bare_channel_id
from bot.errors import ChannelUnavailable, FloodWait, SessionError
from bot.store.ports import CollectorStore
from bot.telegram.convert import to_channel
from bot.telegram.errors import translate

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Watched:
    """A channel the collector reads, with what the config says about it."""

    channel: Channel
    config: ChannelConfig

    @property
    def input_peer(self) -> types.InputPeerChannel:
        return types.InputPeerChannel(bare_channel_id(self.channel.id),
                                      self.channel.access_hash or 0)


@dataclass(frozen=True, slots=True)
class Resolution:
    """The channels that resolved, and a one-line problem for each one that did not."""

    watched: list[Watched]
    problems: dict[str, str]
    #: References that failed for a passing reason (flood wait, private for now): retry them.
    retry: list[str] = field(default_factory=list)


async def resolve_channels(client: TelegramClient, archive: CollectorStore,
                           configs: Sequence[ChannelConfig]) -> Resolution:
    """Resolve every configured channel; report and skip the ones that fail."""
    await archive.book.forget_unresolved({c.parsed.canonical for c in configs})
    result = Resolution([], {})
    for config in configs:
        ref = config.parsed
        reason = await archive.book.unresolved_reason(ref.canonical)
        if reason is not None:
            result.problems[ref.canonical] = f"unresolvable (remembered): {reason}"
            log.warning("channel %s: skipped, Telegram could not resolve it earlier (%s); "
                        "change the reference in the config to try again", ref, reason)
            continue
        try:
            channel = await _resolve(client, archive, ref)
        except ChannelUnavailable as exc:
            if exc.reason == "unresolvable":
                await archive.book.mark_unresolved(ref.canonical, exc.message)
            else:
                result.retry.append(ref.canonical)
            result.problems[ref.canonical] = exc.message
            log.error("channel %s: cannot be read (%s); the others carry on", ref, exc.message)
            continue
        except FloodWait as exc:
            result.problems[ref.canonical] = f"resolving is flood-limited for {exc.seconds}s"
            result.retry.append(ref.canonical)
            log.error("channel %s: resolving is flood-limited for %ss; retried later",
                      ref, exc.seconds)
            continue
        await archive.upsert_channel(channel, ref=ref.canonical)
        result.watched.append(Watched(channel, config))
    return result


async def _resolve(client: TelegramClient, archive: CollectorStore, ref: ChannelRef) -> Channel:
    cached = await archive.book.known_channel(ref=ref.canonical)
    if cached and cached.channel.access_hash is not None:
        return cached.channel
    try:
        if ref.kind == "username":
            entity = await client.get_entity(ref.value)
        elif ref.kind == "invite":
            entity = await _join_by_invite(client, ref.value)
        else:
            entity = await _by_id(client, int(ref.value))
    except errors.RPCError as exc:
        raise _translated(exc, f"resolve {ref}") from None
    except ValueError as exc:  # Telethon's "No user has … as username" and friends
        raise ChannelUnavailable(f"{ref}: {exc}", reason="unresolvable") from None
    if not isinstance(entity, types.Channel):
        raise ChannelUnavailable(f"{ref} is not a channel or supergroup", reason="unresolvable")
    return to_channel(entity)


async def _by_id(client: TelegramClient, marked_id: int) -> Any:
    try:
        return await client.get_entity(types.PeerChannel(bare_channel_id(marked_id)))
    except ValueError:
        raise ChannelUnavailable(
            f"{marked_id}: this account has never seen the channel, so Telegram will not "
            "give its access hash; use its @username or invite link instead",
            reason="unresolvable") from None


async def _join_by_invite(client: TelegramClient, invite: str) -> Any:
    checked = await client(functions.messages.CheckChatInviteRequest(invite))
    if isinstance(checked, types.ChatInviteAlready | types.ChatInvitePeek):
        return checked.chat
    updates = await client(functions.messages.ImportChatInviteRequest(invite))
    return updates.chats[0]


async def join_if_needed(client: TelegramClient, watched: Watched) -> bool:
    """Join a channel so Telegram pushes its live updates; False means poll it instead."""
    if watched.config.poll_only:
        return False
    try:
        full = await client(functions.channels.GetChannelsRequest([watched.input_peer]))
        entity = full.chats[0] if full.chats else None
        if isinstance(entity, types.Channel) and not entity.left:
            return True
        await client(functions.channels.JoinChannelRequest(watched.input_peer))
        log.info("joined %s to receive its live updates", watched.channel.title or
                 watched.channel.id)
        return True
    except errors.ChannelsTooMuchError:
        log.error("this account is in too many channels (500, or 1,000 with Premium); "
                  "%s is read by the timer only. Mark some channels poll_only.",
                  watched.config.parsed)
        return False
    except errors.RPCError as exc:
        raise _translated(exc, f"join {watched.config.parsed}") from None


def _translated(exc: errors.RPCError, request: str) -> Exception:
    converted = translate(exc, request=request)
    if isinstance(converted, SessionError | FloodWait | ChannelUnavailable):
        return converted
    return ChannelUnavailable(f"{request}: {exc}", reason=type(exc).__name__)
