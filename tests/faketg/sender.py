"""A stand-in for Telethon's ``MTProtoSender`` that talks to a :class:`FakeWorld`.

Everything above ``client._sender`` (update loop, gap recovery, event builders, entity
cache, flood-wait handling, parse modes, paging) stays Telethon's own code.
"""

from __future__ import annotations

import asyncio
import os
from typing import TYPE_CHECKING, Any

from telethon import TelegramClient
from telethon.crypto import AuthKey
from telethon.errors import rpc_message_to_error
from telethon.network import MTProtoSender
from telethon.sessions import MemorySession
from telethon.sessions.abstract import Session
from telethon.tl import types

from .errors import FakeRpcError
from .handlers import dispatch
from .surface import SenderSurface
from .wire import decode, encode, read_result

if TYPE_CHECKING:
    from .model import Account
    from .world import AccountRef, FakeWorld


class FakeSender(SenderSurface):
    """Answers requests from ``world`` asynchronously; pushes its updates to the client."""

    def __init__(
        self,
        world: FakeWorld,
        *,
        auth_key: AuthKey | None,
        updates_queue: asyncio.Queue[Any],
        auth_key_callback: Any = None,
        auto_reconnect_callback: Any = None,
        account: Account | None = None,
        preauthorize: bool = False,
    ) -> None:
        self.world = world
        self.auth_key = auth_key or AuthKey(None)
        self._updates_queue = updates_queue  # MTProtoSender._store_own_updates uses this name
        self._auth_key_callback = auth_key_callback
        self._auto_reconnect_callback = auto_reconnect_callback
        self._connection: Any = None
        self._user_connected = False
        self._disconnected_future: asyncio.Future[None] | None = None
        self._pending: set[asyncio.Future[Any]] = set()
        self.account = account
        self.preauthorize = preauthorize
        self.receives_updates = True
        self.pings = 0

    # ---- what TelegramClient uses --------------------------------------------------------

    async def connect(self, connection: Any) -> bool:
        if self._user_connected:
            return False
        if self.world.is_offline(self.account):
            self.world.refused_connections += 1
            raise ConnectionError("Connection to Telegram failed 5 time(s)")
        self._connection = connection
        if not self.auth_key:
            self.auth_key.key = os.urandom(256)
            if self._auth_key_callback is not None:
                await self._auth_key_callback(self.auth_key)
        account = self.account
        if (self.preauthorize and account is not None and not account.revoked
                and self.auth_key.key_id not in self.world.authorizations):
            self.world.authorize(self.auth_key.key_id, account)
        self._user_connected = True
        self.world.senders.append(self)
        self._arm_disconnected()
        return True

    async def disconnect(self) -> None:
        self._leave()
        self._end(self._pending, None)
        self._pending.clear()

    def drop(self, error: Exception) -> None:
        """Lose the connection as MTProtoSender does when its reconnects ran out."""
        if not self._user_connected:
            return
        self._leave()
        self._end(self._pending, error)
        self._pending.clear()

    def _leave(self) -> None:
        self._user_connected = False
        self._connection = None
        if self in self.world.senders:
            self.world.senders.remove(self)

    def _keepalive_ping(self, rnd_id: int) -> None:
        self.pings += 1

    # ---- the fake network -----------------------------------------------------------------

    @property
    def account_id(self) -> int | None:
        """The account this session is logged in as (None if not connected or not logged in)."""
        if not self._user_connected:
            return None
        return self.world.authorizations.get(self.auth_key.key_id)

    def _enqueue(self, request: Any) -> asyncio.Future[Any]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        data = bytes(request)  # like RequestState: serialised when queued
        self._pending.add(future)
        loop.call_soon(self._answer, request, data, future)
        return future

    def _answer(self, request: Any, data: bytes, future: asyncio.Future[Any]) -> None:
        self._pending.discard(future)
        if future.done():
            return
        if not self._user_connected:
            future.cancel()
            return
        try:
            answer = encode(dispatch(self.world, self, decode(data)))
            result = read_result(request, answer)
        except FakeRpcError as e:
            future.set_exception(
                rpc_message_to_error(types.RpcError(e.code, e.message), request))
            return
        except Exception as e:  # an unknown request or a bug in the fake: fail loudly
            future.set_exception(e)
            return
        MTProtoSender._store_own_updates(self, result)  # type: ignore[arg-type]
        future.set_result(result)

    def push_update(self, data: bytes) -> None:
        """Deliver one serialised ``Updates`` as a fresh object, as if read off the socket."""
        if self._user_connected:
            self._updates_queue.put_nowait(decode(data))


def attach(
    client: TelegramClient,
    world: FakeWorld,
    *,
    as_user: AccountRef | None = None,
    as_bot: AccountRef | None = None,
    logged_in: bool | None = None,
) -> FakeSender:
    """Replace ``client._sender`` with a :class:`FakeSender` (call before ``connect()``).

    ``as_user``: the session is already logged in as that user (unless it was revoked).
    ``as_bot``: the session logs in with ``start(bot_token=world.bot_token(bot))``; pass
    ``logged_in=True`` to skip that. Neither: a session that is not logged in.
    """
    if as_user is not None and as_bot is not None:
        raise ValueError("pass as_user or as_bot, not both")
    original = client._sender
    if original.is_connected():
        raise RuntimeError("attach() must run before client.connect()")
    ref = as_user if as_user is not None else as_bot
    account = world.account(ref) if ref is not None else None
    if account is not None and account.is_bot != (as_bot is not None):
        raise ValueError(f"{account.username!r} is {'a bot' if account.is_bot else 'a user'}")
    sender = FakeSender(
        world,
        auth_key=original.auth_key,
        updates_queue=original._updates_queue,
        auth_key_callback=original._auth_key_callback,
        auto_reconnect_callback=original._auto_reconnect_callback,
        account=account,
        preauthorize=logged_in if logged_in is not None else as_user is not None,
    )
    client._sender = sender
    return sender


def make_client(
    world: FakeWorld,
    *,
    as_user: AccountRef | None = None,
    as_bot: AccountRef | None = None,
    session: str | Session | None = None,
    logged_in: bool | None = None,
    **kwargs: Any,
) -> TelegramClient:
    """Create a real ``TelegramClient`` wired to ``world`` (``MemorySession`` by default)."""
    client = TelegramClient(session or MemorySession(), world.api_id, world.api_hash, **kwargs)
    attach(client, world, as_user=as_user, as_bot=as_bot, logged_in=logged_in)
    return client
