"""`tgmon check --online`: log in and say, for each configured channel, whether we can read it."""

from __future__ import annotations

from dataclasses import dataclass

from telethon import TelegramClient, errors

from bot.config import Config, Secrets
from bot.errors import SessionError, TgmonError
from bot.store import Archive
from bot.telegram.channels import resolve_channels
from bot.telegram.client import (
    ClientFactory,
    connected,
    create_client,
    network_edge,
    session_path,
)
from bot.telegram.errors import translate
from bot.telegram.session_lock import session_lock


@dataclass(frozen=True, slots=True)
class ChannelStatus:
    """One configured channel as Telegram sees it now."""

    ref: str
    ok: bool
    detail: str


async def check_channels(config: Config, secrets: Secrets, *,
                         client_factory: ClientFactory | None = None) -> list[ChannelStatus]:
    """Resolve every configured channel and read its newest post id."""
    client_factory = client_factory or create_client
    secrets.require("TGMON_API_ID", "TGMON_API_HASH")
    with session_lock(session_path(secrets, "user")):
        async with Archive.open(config.storage.path) as archive:
            client = client_factory("user", secrets, flood_sleep_threshold=0,
                                    proxy=config.network.proxy_spec)
            async with connected(client):
                async with network_edge():
                    authorized = await client.is_user_authorized()
                if not authorized:
                    raise SessionError("not logged in: run `tgmon login` first")
                resolution = await resolve_channels(client, archive, config.channels)
                statuses = [ChannelStatus(ref, False, problem)
                            for ref, problem in resolution.problems.items()]
                for watched in resolution.watched:
                    statuses.append(await _probe(client, watched.config.parsed.canonical,
                                                 watched.input_peer, watched.channel.title))
    order = {c.parsed.canonical: i for i, c in enumerate(config.channels)}
    return sorted(statuses, key=lambda s: order.get(s.ref, len(order)))


async def _probe(client: TelegramClient, ref: str, peer: object, title: str) -> ChannelStatus:
    try:
        newest = await client.get_messages(peer, limit=1)
    except errors.RPCError as exc:
        converted: TgmonError | None = translate(exc, request=f"read {ref}")
        if isinstance(converted, SessionError):
            raise converted from None
        return ChannelStatus(ref, False, converted.message if converted else str(exc))
    last = newest[0].id if newest else 0
    return ChannelStatus(ref, True, f"{title}: readable, newest post #{last}")
