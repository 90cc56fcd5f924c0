"""The fake Telegram server's state: accounts, channels, sessions, and update fan-out.

What the world *does* (post, edit, send…) lives in :mod:`.actions`; this module holds who
exists, who is logged in where, and how updates reach connected clients.
"""

from __future__ import annotations

import contextlib
import os
import random
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from telethon.tl import types

from .actions import WorldActions
from .chat_actions import ChatActions
from .errors import ErrorInjector, FakeRpcError, Injection
from .journal import Journal
from .model import (
    Account,
    Channel,
    Group,
    SentMessage,
    channel_tl,
    peer_hash,
    stable_hash,
    user_tl,
    utc,
)

if TYPE_CHECKING:
    from .sender import FakeSender

AccountRef = Account | int | str
ChannelRef = Channel | int | str

API_ID = 611335
API_HASH = "d524b414d21f4d37f08684c1df41ac9c"


class FakeWorld(WorldActions, ChatActions):
    """One fake Telegram, shared by every client of a test.

    Build the deterministic part first (``create_*``, ``post*``, or :meth:`from_spec`), then
    call :meth:`open_journal` to replay and record what happened in earlier processes.
    """

    api_id = API_ID
    api_hash = API_HASH

    def __init__(self, *, seed: int = 0, clock: Callable[[], float] = time.time,
                 persist_path: str | os.PathLike[str] | None = None) -> None:
        self.seed = seed
        self.accounts: dict[int, Account] = {}
        self.channels: dict[int, Channel] = {}
        self.groups: dict[int, Group] = {}
        self.callback_answers: list[tuple[int, int]] = []  # (bot id, query id) answered
        self.uploads: dict[tuple[int, int], dict[int, bytes]] = {}  # (account, file) -> parts
        self.usernames: dict[str, tuple[str, int]] = {}  # lower-case handle -> (kind, id)
        self.authorizations: dict[int, int] = {}  # auth key id -> account id
        self.sent: list[SentMessage] = []
        self.random_ids: dict[tuple[int, int], tuple[int, int, int]] = {}  # -> (chat, msg, pts)
        self.request_log: list[tuple[int | None, str]] = []
        self.unhandled: list[str] = []
        self.errors = ErrorInjector()
        self.push_enabled = True
        self.offline = False
        self.offline_accounts: set[int] = set()  # see outage()
        self.refused_connections = 0  # connect() calls that failed while offline
        self.channel_limit = 500
        self.duplicate_random_id = "original"  # or "error": answer RANDOM_ID_DUPLICATE
        self.senders: list[FakeSender] = []
        self.origin: FakeSender | None = None  # sender whose request is being answered
        self.replaying = False
        self.clock = clock
        self._last_date = 0
        self._counters = {"user": 0, "bot": 0, "channel": 0, "group": 0}
        self._rng = random.Random(seed)
        self._journal: Journal | None = None
        if persist_path is not None:  # everything from here on is journaled and replayed
            self.open_journal(persist_path)

    # ---- persistence ---------------------------------------------------------------

    def open_journal(self, path: str | os.PathLike[str], *, sync: bool = True) -> int:
        """Replay the journal at ``path`` (if any), then record every later change to it.

        Returns how many records were replayed. ``sync``: see :class:`Journal`.
        """
        if self._journal is not None:
            raise RuntimeError("journal already open")
        journal = Journal(path, sync=sync)
        records = journal.read()
        self.replaying = True
        try:
            for op in records:
                self.apply(op)
        finally:
            self.replaying = False
        self._journal = journal
        return len(records)

    def close(self) -> None:
        """Close the journal file (idempotent)."""
        if self._journal is not None:
            self._journal.close()
            self._journal = None

    def execute(self, op: dict[str, Any]) -> Any:
        """Record ``op`` durably (if journaling), then apply it."""
        if self._journal is not None and not self.replaying:
            self._journal.append(op)
        return self.apply(op)

    def apply(self, op: dict[str, Any]) -> Any:
        if "date" in op:
            self._last_date = max(self._last_date, op["date"])
        handler: Callable[[dict[str, Any]], Any] = getattr(self, "_op_" + op["op"])
        return handler(op)

    def now(self) -> int:
        """Return the world's clock in whole seconds; it never goes backwards."""
        self._last_date = max(self._last_date, int(self.clock()))
        return self._last_date

    def random_long(self) -> int:
        return self._rng.randrange(-(2**63), 2**63)

    # ---- entities --------------------------------------------------------------------

    def _register_username(self, username: str | None, kind: str, entity_id: int) -> None:
        if username is None:
            return
        key = username.lower()
        if key in self.usernames:
            raise ValueError(f"username {username!r} is taken")
        self.usernames[key] = (kind, entity_id)

    def create_user(
        self, username: str | None = None, *, first_name: str = "User", phone: str | None = None
    ) -> Account:
        """Create a user account."""
        self._counters["user"] += 1
        n = self._counters["user"]
        return self.execute({"op": "create_account", "id": 100_000_000 + n, "bot": False,
                             "username": username, "first_name": first_name,
                             "phone": phone or f"99966{n:05d}"})

    def create_bot(self, username: str, *, first_name: str = "Bot") -> Account:
        """Create a bot; its token is ``world.bot_token(bot)``."""
        self._counters["bot"] += 1
        n = self._counters["bot"]
        return self.execute({"op": "create_account", "id": 7_000_000_000 + n, "bot": True,
                             "username": username, "first_name": first_name, "phone": None})

    def _op_create_account(self, op: dict[str, Any]) -> Account:
        account_id = op["id"]
        kind = "bot" if op["bot"] else "user"
        self._counters[kind] = max(self._counters[kind], account_id % 1_000_000)
        account = Account(
            id=account_id,
            access_hash=stable_hash(self.seed, "user", account_id),
            first_name=op["first_name"],
            username=op["username"],
            is_bot=op["bot"],
            phone=op["phone"],
        )
        if account.is_bot:
            secret = f"{stable_hash(self.seed, 'token', account_id):x}".lstrip("-")
            account.bot_token = f"{account_id}:AA{secret}"
        self._register_username(account.username, "user", account_id)
        self.accounts[account_id] = account
        return account

    def bot_token(self, bot: AccountRef) -> str:
        token = self.account(bot).bot_token
        if token is None:
            raise ValueError("not a bot")
        return token

    def create_channel(
        self,
        username: str | None = None,
        *,
        title: str | None = None,
        private: bool = False,
        members: Iterable[AccountRef] = (),
        admins: Iterable[AccountRef] = (),
        extra_usernames: Iterable[str] = (),
    ) -> Channel:
        """Create a broadcast channel; ``private`` channels have no username."""
        self._counters["channel"] += 1
        channel = self.execute({
            "op": "create_channel",
            "id": 1_000_000_000 + self._counters["channel"],
            "username": None if private else username,
            "title": title or username or f"Channel {self._counters['channel']}",
            "private": private,
            "extra_usernames": list(extra_usernames),
            "date": self.now(),
        })
        for account in members:
            self.join(channel, account)
        for account in admins:
            self.add_admin(channel, account)
        return channel

    def _op_create_channel(self, op: dict[str, Any]) -> Channel:
        channel_id = op["id"]
        self._counters["channel"] = max(self._counters["channel"], channel_id % 1_000_000)
        channel = Channel(
            id=channel_id,
            access_hash=stable_hash(self.seed, "channel", channel_id),
            title=op["title"],
            username=op["username"],
            date=op["date"],
            extra_usernames=op["extra_usernames"],
            private=op["private"],
        )
        self._register_username(channel.username, "channel", channel_id)
        for extra in channel.extra_usernames:
            self._register_username(extra, "channel", channel_id)
        self.channels[channel_id] = channel
        return channel

    def account(self, ref: AccountRef) -> Account:
        """Find an account by object, id or username."""
        if isinstance(ref, Account):
            return ref
        if isinstance(ref, str):
            kind, entity_id = self.usernames.get(ref.lstrip("@").lower(), ("", 0))
            if kind != "user":
                raise KeyError(f"no account @{ref}")
            return self.accounts[entity_id]
        return self.accounts[ref]

    def channel(self, ref: ChannelRef) -> Channel:
        """Find a channel by object, raw id, marked ``-100…`` id or username."""
        if isinstance(ref, Channel):
            return ref
        if isinstance(ref, str):
            kind, entity_id = self.usernames.get(ref.lstrip("@").lower(), ("", 0))
            if kind != "channel":
                raise KeyError(f"no channel @{ref}")
            return self.channels[entity_id]
        if ref < 0:
            ref = -ref - 1_000_000_000_000
        return self.channels[ref]

    def input_peer(self, entity: AccountRef | ChannelRef, *, viewer: AccountRef) -> Any:
        """The ``InputPeer*`` that ``viewer``'s client would use for ``entity``."""
        seen_by = self.account(viewer).id
        if isinstance(entity, Channel) or (isinstance(entity, int) and entity < 0):
            channel = self.channel(entity)
            return types.InputPeerChannel(channel.id, peer_hash(channel.access_hash, seen_by))
        try:
            account = self.account(entity)
        except KeyError:
            channel = self.channel(entity)
            return types.InputPeerChannel(channel.id, peer_hash(channel.access_hash, seen_by))
        return types.InputPeerUser(account.id, peer_hash(account.access_hash, seen_by))

    # ---- sessions --------------------------------------------------------------------

    def authorize(self, auth_key_id: int, account: AccountRef, *, record: bool = False) -> None:
        """Log the session with ``auth_key_id`` in as ``account``."""
        op = {"op": "auth", "key": auth_key_id, "account": self.account(account).id}
        if record:
            self.execute(op)
        else:
            self.apply(op)

    def _op_auth(self, op: dict[str, Any]) -> None:
        self.authorizations[op["key"]] = op["account"]

    def revoke_session(self, account: AccountRef) -> None:
        """Terminate every session of ``account``: its requests now fail with 401."""
        self.execute({"op": "revoke", "account": self.account(account).id})

    def _op_revoke(self, op: dict[str, Any]) -> None:
        self.accounts[op["account"]].revoked = True
        for key, owner in list(self.authorizations.items()):
            if owner == op["account"]:
                del self.authorizations[key]

    def session_account(self, auth_key_id: int | None) -> Account | None:
        if auth_key_id is None or auth_key_id not in self.authorizations:
            return None
        return self.accounts[self.authorizations[auth_key_id]]

    # ---- the network ---------------------------------------------------------------

    def outage(self, *accounts: AccountRef) -> None:
        """Cut the network of ``accounts`` (of every session if none is named).

        Connected clients see what Telethon shows once its own reconnect attempts ran out:
        pending requests fail with ConnectionError, ``client.disconnected`` resolves with it
        and ``is_connected()`` is False; ``connect()`` fails until :meth:`end_outage`.
        """
        ids = {self.account(a).id for a in accounts}
        if ids:
            self.offline_accounts |= ids
        else:
            self.offline = True
        for sender in list(self.senders):
            if not ids or (sender.account is not None and sender.account.id in ids):
                sender.drop(ConnectionError("Automatic reconnection failed 5 time(s)"))

    def end_outage(self, *accounts: AccountRef) -> None:
        """Let ``accounts`` (everyone if none is named) connect again."""
        if accounts:
            self.offline_accounts -= {self.account(a).id for a in accounts}
        else:
            self.offline = False
            self.offline_accounts.clear()

    def is_offline(self, account: Account | None) -> bool:
        return self.offline or (account is not None and account.id in self.offline_accounts)

    # ---- errors ----------------------------------------------------------------------

    def inject_error(
        self,
        request_type: str,
        message: str,
        *,
        times: int = 1,
        match: Callable[[Any], bool] | None = None,
        account: AccountRef | None = None,
        code: int | None = None,
    ) -> Injection:
        """Answer the next ``times`` matching requests with RPC error ``message``.

        ``request_type`` is a Telethon class name, with or without ``Request``
        (``"SendMessage"``, ``"GetHistoryRequest"``); ``match`` sees the parsed request.
        """
        account_id = self.account(account).id if account is not None else None
        return self.errors.add(request_type, message, times=times, match=match,
                               account_id=account_id, code=code)

    @staticmethod
    def fail(message: str) -> FakeRpcError:
        return FakeRpcError(message)

    # ---- updates fan-out ---------------------------------------------------------------

    @contextlib.contextmanager
    def drop_updates(self) -> Iterator[None]:
        """Within the block, changes are stored but not pushed (clients see a gap later)."""
        previous, self.push_enabled = self.push_enabled, False
        try:
            yield
        finally:
            self.push_enabled = previous

    def should_push(self, push: bool) -> bool:
        return push and self.push_enabled

    def push(self, account_ids: Iterable[int], build: Callable[[Account], Any]) -> None:
        """Send ``build(account)`` (an ``Updates``) to every connected session of each account."""
        if self.replaying:
            return
        for account_id in set(account_ids):
            targets = [s for s in self.senders if s.account_id == account_id
                       and s is not self.origin and s.receives_updates]
            if targets:
                data = bytes(build(self.accounts[account_id]))
                for sender in targets:
                    sender.push_update(data)

    def updates(self, viewer: Account, updates: list[Any], *, date: int,
                users: Iterable[Account] = (), channels: Iterable[Channel] = ()) -> types.Updates:
        return types.Updates(
            updates=updates,
            users=[user_tl(u, viewer_id=viewer.id) for u in users],
            chats=[channel_tl(c, viewer_id=viewer.id) for c in channels],
            date=utc(date),
            seq=0,
        )

    # ---- queries for assertions -------------------------------------------------------------

    def sent_messages(self, account: AccountRef | None = None,
                      chat: AccountRef | ChannelRef | Group | None = None) -> list[SentMessage]:
        """Messages accepted by ``messages.sendMessage`` (the world's own sends excluded)."""
        result = self.sent
        if account is not None:
            account_id = self.account(account).id
            result = [m for m in result if m.account_id == account_id]
        if chat is not None:
            chat_id = self._chat_id(chat)
            result = [m for m in result if m.chat_id == chat_id]
        return list(result)

    def _chat_id(self, chat: AccountRef | ChannelRef | Group) -> int:
        if isinstance(chat, (Channel, Group)):
            return chat.marked_id
        if isinstance(chat, Account):
            return chat.id
        if isinstance(chat, int):
            return chat
        kind, entity_id = self.usernames[chat.lstrip("@").lower()]
        return self.channels[entity_id].marked_id if kind == "channel" else entity_id

    def requests(self, request_type: str | None = None,
                 account: AccountRef | None = None) -> list[str]:
        """Names of the requests received (innermost, e.g. ``ResolveUsernameRequest``)."""
        if request_type is not None and not request_type.endswith("Request"):
            request_type += "Request"
        account_id = self.account(account).id if account is not None else None
        return [name for acc, name in self.request_log
                if (request_type is None or name == request_type)
                and (account_id is None or acc == account_id)]
