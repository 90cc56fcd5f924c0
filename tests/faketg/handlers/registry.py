"""Request routing: context, registration, and the common peer checks."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from telethon.tl import types

from ..errors import FakeRpcError
from ..model import Account, Channel, Group, peer_hash

if TYPE_CHECKING:
    from ..sender import FakeSender
    from ..world import FakeWorld

Handler = Callable[["Ctx", Any], Any]
HANDLERS: dict[type, Handler] = {}
NO_AUTH: set[type] = set()  # requests a session may make before logging in


def handles(*request_types: type, auth: bool = True) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        for request_type in request_types:
            HANDLERS[request_type] = func
            if not auth:
                NO_AUTH.add(request_type)
        return func

    return register


@dataclass
class Ctx:
    """What a handler knows: the world, the session, and its account (if logged in)."""

    world: FakeWorld
    sender: FakeSender
    account: Account | None

    @property
    def me(self) -> Account:
        if self.account is None:
            raise FakeRpcError("AUTH_KEY_UNREGISTERED")
        return self.account

    def user(self, input_user: Any, *, error: str = "USER_ID_INVALID") -> Account:
        if isinstance(input_user, (types.InputUserSelf, types.InputPeerSelf)):
            return self.me
        if not isinstance(input_user, (types.InputUser, types.InputPeerUser)):
            raise NotImplementedError(f"fake Telegram: unsupported {type(input_user).__name__}")
        account = self.world.accounts.get(input_user.user_id)
        if account is None or not self._hash_ok(input_user.access_hash, account.access_hash):
            raise FakeRpcError(error)
        return account

    def channel(self, input_channel: Any) -> Channel:
        if not isinstance(input_channel, (types.InputChannel, types.InputPeerChannel)):
            raise NotImplementedError(
                f"fake Telegram: unsupported {type(input_channel).__name__}")
        channel = self.world.channels.get(input_channel.channel_id)
        if channel is None or not self._hash_ok(input_channel.access_hash, channel.access_hash):
            raise FakeRpcError("CHANNEL_INVALID")
        return channel

    def peer(self, input_peer: Any) -> Account | Channel | Group:
        if isinstance(input_peer, (types.InputPeerChannel, types.InputChannel)):
            return self.channel(input_peer)
        if isinstance(input_peer, types.InputPeerChat):
            group = self.world.groups.get(input_peer.chat_id)
            if group is None or self.me.id not in group.members:
                raise FakeRpcError("CHAT_ID_INVALID")
            return group
        return self.user(input_peer, error="PEER_ID_INVALID")

    def _hash_ok(self, given: int, base: int) -> bool:
        # Bots may use access_hash 0 for peers they have seen ("min" access).
        me = self.me
        return given == peer_hash(base, me.id) or (given == 0 and me.is_bot)

    def check_readable(self, channel: Channel) -> None:
        me = self.me
        if me.id in channel.banned or (channel.private and me.id not in channel.members):
            raise FakeRpcError("CHANNEL_PRIVATE")

    def forbid_bots(self) -> None:
        if self.me.is_bot:
            raise FakeRpcError("BOT_METHOD_INVALID")


def history_window(
    ids: Sequence[int],
    date_of: Callable[[int], int],
    *,
    offset_id: int,
    offset_date: int,
    add_offset: int,
    limit: int,
    max_id: int,
    min_id: int,
) -> list[int]:
    """Pick message ids the way messages.getHistory pages them (newest first).

    The anchor is the newest message older than ``offset_id`` (or sent before
    ``offset_date``; ``offset_id`` wins); ``add_offset`` shifts the window, negative values
    towards newer messages; ``min_id``/``max_id`` then filter (exclusive).
    """
    limit = max(0, min(limit, 100))
    if offset_id > 0:
        pos = bisect.bisect_left(ids, offset_id)
    elif offset_date > 0:
        pos = bisect.bisect_left(ids, offset_date, key=date_of)
    else:
        pos = len(ids)
    hi = min(len(ids), max(0, pos - add_offset))
    lo = min(len(ids), max(0, pos - add_offset - limit))
    window = ids[lo:hi][::-1]
    return [i for i in window if i > min_id and (max_id <= 0 or i < max_id)]
