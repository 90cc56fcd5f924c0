"""The server half of the remote fake Telegram (see :mod:`.remote`): it owns the world.

    python -m tests.faketg.server PATH [--seed N] [--channels N] [--messages N]
                                       [--subscribers N] [--journal FILE]

serves the world of a :class:`.spec.WorldSpec` on the Unix socket PATH until SIGTERM
(:func:`.remote.spawn_server` starts it); :class:`FakeServer` serves a world you drive in
your own process.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import os
import signal
from typing import Any

from telethon.crypto import AuthKey

from .errors import FakeRpcError
from .handlers import dispatch
from .model import Account, Channel
from .remote import (
    DROP,
    FAILURE,
    HELLO,
    KEY,
    OK,
    REFUSED,
    REQUEST,
    RESULT,
    RPC_ERROR,
    UPDATE,
    _frame,
    _json,
    _read_frame,
)
from .spec import WorldSpec, build_world
from .wire import decode, encode
from .world import FakeWorld


class _Session:
    """The server's side of one client connection: what the world sees as a sender."""

    def __init__(self, world: FakeWorld, writer: asyncio.StreamWriter,
                 account: Account | None) -> None:
        self.world = world
        self.writer = writer
        self.account = account
        self.auth_key = AuthKey(None)
        self.receives_updates = True
        self._user_connected = False

    @property
    def account_id(self) -> int | None:
        if not self._user_connected:
            return None
        return self.world.authorizations.get(self.auth_key.key_id)

    def send(self, kind: int, ident: int, payload: bytes) -> None:
        if not self.writer.is_closing():
            self.writer.write(_frame(kind, ident, payload))

    def push_update(self, data: bytes) -> None:
        if self._user_connected:
            self.send(UPDATE, 0, data)

    def drop(self, error: Exception) -> None:
        """The network is gone (``world.outage``): tell the client, then hang up."""
        if not self._user_connected:
            return
        self.send(DROP, 0, str(error).encode())
        self.leave()
        self.writer.close()

    def leave(self) -> None:
        self._user_connected = False
        if self in self.world.senders:
            self.world.senders.remove(self)  # type: ignore[arg-type]


class FakeServer:
    """Serves ``world`` on a Unix socket; run the world's actions in this process's loop."""

    def __init__(self, world: FakeWorld) -> None:
        self.world = world
        self._server: asyncio.AbstractServer | None = None
        self._connections: set[asyncio.StreamWriter] = set()

    async def start(self, path: str | os.PathLike[str]) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        self._server = await asyncio.start_unix_server(self._serve, path=os.fspath(path))

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            for writer in list(self._connections):
                writer.close()
            await self._server.wait_closed()
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._connections.add(writer)
        session: _Session | None = None
        try:
            kind, _, payload = await _read_frame(reader)
            hello = json.loads(payload) if kind == HELLO else {}
            if hello.get("control"):
                await self._control(reader, writer)
                return
            session = self._open(hello, writer)
            if session is None:
                return
            while True:
                kind, ident, payload = await _read_frame(reader)
                if kind == KEY:
                    self._authorize(session, hello, payload)
                elif kind == REQUEST:
                    self._answer(session, ident, payload)
                if writer.transport.get_write_buffer_size() > 1 << 20:
                    await writer.drain()  # a client that reads slowly slows its own answers
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the client went away (a disconnect or a kill -9)
        finally:
            if session is not None:
                session.leave()
            self._connections.discard(writer)
            writer.close()

    def _open(self, hello: dict[str, Any], writer: asyncio.StreamWriter) -> _Session | None:
        world = self.world
        account = None
        try:
            if hello.get("account") is not None:
                account = world.account(hello["account"])
                if account.is_bot != hello["bot"]:
                    raise ValueError(f"{account.username!r} is "
                                     f"{'a bot' if account.is_bot else 'a user'}")
        except (KeyError, ValueError) as e:
            writer.write(_frame(REFUSED, 0, _json({"error": "ValueError", "message": str(e)})))
            return None
        if world.is_offline(account):
            world.refused_connections += 1
            writer.write(_frame(REFUSED, 0, _json({
                "error": "ConnectionError",
                "message": "Connection to Telegram failed 5 time(s)"})))
            return None
        writer.write(_frame(OK, 0, b""))
        return _Session(world, writer, account)

    def _authorize(self, session: _Session, hello: dict[str, Any], key: bytes) -> None:
        session.auth_key = AuthKey(key)
        account = session.account
        if (hello.get("preauthorize") and account is not None and not account.revoked
                and session.auth_key.key_id not in self.world.authorizations):
            self.world.authorize(session.auth_key.key_id, account)
        session._user_connected = True
        self.world.senders.append(session)  # type: ignore[arg-type]

    def _answer(self, session: _Session, ident: int, data: bytes) -> None:
        try:
            answer = encode(dispatch(self.world, session, decode(data)))  # type: ignore[arg-type]
        except FakeRpcError as e:
            session.send(RPC_ERROR, ident, _json({"code": e.code, "message": e.message}))
        except Exception as e:  # an unknown request or a bug in the fake: fail loudly
            session.send(FAILURE, ident, _json({"error": type(e).__name__, "message": str(e)}))
        else:
            session.send(RESULT, ident, answer)

    async def _control(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            _, ident, payload = await _read_frame(reader)
            call = json.loads(payload)
            try:
                if call["method"].startswith("_"):
                    raise AttributeError(f"{call['method']!r} is not a world action")
                value = getattr(self.world, call["method"])
                if callable(value):
                    value = value(*call["args"], **call["kwargs"])
                reply = {"result": plain(value)}
            except Exception as e:
                reply = {"error": type(e).__name__, "message": str(e)}
            writer.write(_frame(RESULT, ident, _json(reply)))
            await writer.drain()


def plain(value: Any) -> Any:
    """A JSON-able copy of a world answer: entities as ids, dataclasses as dicts."""
    if isinstance(value, (Account, Channel)):
        return value.id
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, range)):
        return [plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)  # a TL object, say: shown, not rebuilt


async def _serve_forever(path: str, spec: WorldSpec, journal: str | None) -> None:
    world = build_world(spec, persist_path=journal, sync_journal=False)
    server = FakeServer(world)
    await server.start(path)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print("listening", flush=True)
    await stop.wait()
    await server.close()
    world.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve a fake Telegram world on a Unix socket.")
    parser.add_argument("path")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--channels", type=int, default=3)
    parser.add_argument("--messages", type=int, default=100, help="posts per channel")
    parser.add_argument("--subscribers", type=int, default=2)
    parser.add_argument("--journal", help="replay and keep the world's journal here")
    args = parser.parse_args(argv)
    from .guard import install_socket_guard

    install_socket_guard()
    spec = WorldSpec(seed=args.seed, channels=args.channels,
                     messages_per_channel=args.messages, subscribers=args.subscribers)
    asyncio.run(_serve_forever(args.path, spec, args.journal))


if __name__ == "__main__":
    main()
