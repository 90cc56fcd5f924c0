"""The fake Telegram in another process: a server that owns the world, a sender that talks to it.

Why: a world that lives in the process under test adds its own history to that process's
memory and its own work to that process's event loop, so the process can't be measured
alone. Here the world runs in a server process; the tgmon process keeps the real Telethon
client, with only ``client._sender`` replaced, exactly as :func:`.sender.attach` does.

The honesty rules of the in-process fake hold: every request crosses as ``bytes(request)``
and is parsed back on the server, every answer crosses as bytes and is parsed by
``request.read_result``, RPC errors are mapped with ``rpc_message_to_error``, answers that
carry updates go through the real ``MTProtoSender._store_own_updates``, and pushed updates
arrive as bytes that the client parses into ``client._updates_queue``. The socket is a Unix
socket (the socket guard blocks only Internet sockets).

A ready-made server process for a :class:`.spec.WorldSpec`::

    with spawn_server(tmp / "tg.sock", WorldSpec(channels=3, messages_per_channel=100),
                      journal=tmp / "tg.jsonl") as server:     # waits until it listens
        client = create_client(...)                            # any real TelegramClient
        attach_remote(client, server.path, as_user="monitor")  # before connect()
        server.world.post("channel000", "text")                # world actions, by name
        server.world.sent_messages("tgmon_bot", chat="subscriber000")  # -> list of dicts

``server.world`` (a :class:`RemoteWorld`) calls any public method of the server's
:class:`.world.FakeWorld` (or reads an attribute: ``server.world.get("api_id")``) with
JSON-able arguments (accounts and channels by username or
id) and returns a JSON-able copy of the result (accounts and channels as their ids,
dataclasses such as ``SentMessage`` as dicts). It is blocking: fine from a test or a bench,
since the server runs on its own.

The server half lives in tests/faketg/server.py (``python -m tests.faketg.server``), so a
process that only runs clients loads none of the world's code. A server of your own (to
drive the world from the server's side, as bench/soak_world.py does)::

    world = build_world(spec, persist_path=...)
    server = FakeServer(world)
    await server.start(path)          # then act on ``world`` in this process
    ...
    await server.close()

``attach_remote(client, path, as_user=..., as_bot=..., logged_in=...)`` takes the same
arguments as :func:`.sender.attach`, with accounts named by username or id.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import os
import signal
import socket
import struct
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from telethon import TelegramClient
from telethon.crypto import AuthKey
from telethon.errors import rpc_message_to_error
from telethon.network import MTProtoSender
from telethon.tl import types

from .surface import SenderSurface
from .wire import decode, read_result

if TYPE_CHECKING:
    from .spec import WorldSpec
    from .world import AccountRef

# A frame: payload length, kind, request id (0 when none), payload.
_HEAD = struct.Struct("<IBQ")
HELLO, OK, REFUSED, KEY, REQUEST, RESULT, RPC_ERROR, FAILURE, UPDATE, DROP, CALL = range(11)


def _frame(kind: int, ident: int, payload: bytes) -> bytes:
    return _HEAD.pack(len(payload), kind, ident) + payload


async def _read_frame(reader: asyncio.StreamReader) -> tuple[int, int, bytes]:
    size, kind, ident = _HEAD.unpack(await reader.readexactly(_HEAD.size))
    return kind, ident, await reader.readexactly(size) if size else b""


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


# ---- the client: what tgmon's process runs ------------------------------------------------


class RemoteFailure(RuntimeError):
    """The server failed to answer a request (a request the fake lacks, or a bug in it)."""


def _failure(reply: dict[str, Any]) -> Exception:
    if reply["error"] == "NotImplementedError":
        return NotImplementedError(reply["message"])
    if reply["error"] == "ConnectionError":
        return ConnectionError(reply["message"])
    if reply["error"] == "ValueError":
        return ValueError(reply["message"])
    return RemoteFailure(f"{reply['error']}: {reply['message']}")


class RemoteSender(SenderSurface):
    """A stand-in for ``MTProtoSender`` whose Telegram is a :class:`FakeServer` elsewhere."""

    def __init__(self, path: str | os.PathLike[str], *, auth_key: AuthKey | None,
                 updates_queue: asyncio.Queue[Any], auth_key_callback: Any = None,
                 auto_reconnect_callback: Any = None, account: AccountRef | None = None,
                 is_bot: bool = False, preauthorize: bool = False) -> None:
        self.path = os.fspath(path)
        self.auth_key = auth_key or AuthKey(None)
        self._updates_queue = updates_queue  # MTProtoSender._store_own_updates uses this name
        self._auth_key_callback = auth_key_callback
        self._auto_reconnect_callback = auto_reconnect_callback
        self._hello = {"account": getattr(account, "id", account),  # an Account, or its name
                       "bot": is_bot, "preauthorize": preauthorize}
        self._writer: asyncio.StreamWriter | None = None
        self._reading: asyncio.Task[None] | None = None
        self._user_connected = False
        self._disconnected_future: asyncio.Future[None] | None = None
        self._pending: dict[int, tuple[Any, asyncio.Future[Any]]] = {}
        self._next_id = 0

    # ---- what TelegramClient uses --------------------------------------------------------

    async def connect(self, connection: Any) -> bool:
        if self._user_connected:
            return False
        try:
            reader, writer = await asyncio.open_unix_connection(self.path)
        except OSError as e:
            raise ConnectionError(f"fake Telegram at {self.path} is not running: {e}") from e
        try:
            writer.write(_frame(HELLO, 0, _json(self._hello)))
            kind, _, payload = await _read_frame(reader)
        except (asyncio.IncompleteReadError, OSError) as e:
            writer.close()
            raise ConnectionError(f"fake Telegram at {self.path} hung up") from e
        if kind == REFUSED:
            writer.close()
            raise _failure(json.loads(payload))
        if not self.auth_key:
            self.auth_key.key = os.urandom(256)
            if self._auth_key_callback is not None:
                await self._auth_key_callback(self.auth_key)
        assert self.auth_key.key is not None
        writer.write(_frame(KEY, 0, self.auth_key.key))
        self._writer = writer
        self._user_connected = True
        self._arm_disconnected()
        self._reading = asyncio.create_task(self._read(reader))
        return True

    async def disconnect(self) -> None:
        self._close()
        self._end((future for _, future in self._pending.values()), None)
        self._pending.clear()
        reading, self._reading = self._reading, None
        if reading is not None and reading is not asyncio.current_task():
            reading.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reading

    def _keepalive_ping(self, rnd_id: int) -> None:
        pass

    # ---- the wire --------------------------------------------------------------------------

    def _enqueue(self, request: Any) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._next_id += 1
        self._pending[self._next_id] = (request, future)
        assert self._writer is not None
        self._writer.write(_frame(REQUEST, self._next_id, bytes(request)))
        return future

    async def _read(self, reader: asyncio.StreamReader) -> None:
        try:
            while True:
                kind, ident, payload = await _read_frame(reader)
                if kind == UPDATE:
                    self._updates_queue.put_nowait(decode(payload))
                elif kind == DROP:
                    self._drop(ConnectionError(payload.decode()))
                    return
                else:
                    self._settle(kind, ident, payload)
        except (asyncio.IncompleteReadError, OSError):
            self._drop(ConnectionError("the fake Telegram server closed the connection"))

    def _settle(self, kind: int, ident: int, payload: bytes) -> None:
        request, future = self._pending.pop(ident, (None, None))
        if future is None or future.done():
            return
        if kind == RPC_ERROR:
            error = json.loads(payload)
            future.set_exception(rpc_message_to_error(
                types.RpcError(error["code"], error["message"]), request))
            return
        if kind == FAILURE:
            future.set_exception(_failure(json.loads(payload)))
            return
        try:
            result = read_result(request, payload)
        except Exception as e:
            future.set_exception(e)
            return
        MTProtoSender._store_own_updates(self, result)  # type: ignore[arg-type]
        future.set_result(result)

    def _drop(self, error: Exception) -> None:
        """Lose the connection as MTProtoSender does when its reconnects ran out."""
        if not self._user_connected:
            return
        self._close()
        self._end((future for _, future in self._pending.values()), error)
        self._pending.clear()

    def _close(self) -> None:
        self._user_connected = False
        if self._writer is not None:
            self._writer.close()
            self._writer = None


def attach_remote(client: TelegramClient, path: str | os.PathLike[str], *,
                  as_user: AccountRef | None = None, as_bot: AccountRef | None = None,
                  logged_in: bool | None = None) -> RemoteSender:
    """Replace ``client._sender`` with a :class:`RemoteSender` (call before ``connect()``).

    The same meaning as :func:`.sender.attach`: ``as_user`` is already logged in (unless
    revoked), ``as_bot`` logs in with its token unless ``logged_in=True``.
    """
    if as_user is not None and as_bot is not None:
        raise ValueError("pass as_user or as_bot, not both")
    original = client._sender
    if original.is_connected():
        raise RuntimeError("attach_remote() must run before client.connect()")
    sender = RemoteSender(
        path, auth_key=original.auth_key, updates_queue=original._updates_queue,
        auth_key_callback=original._auth_key_callback,
        auto_reconnect_callback=original._auto_reconnect_callback,
        account=as_user if as_user is not None else as_bot, is_bot=as_bot is not None,
        preauthorize=logged_in if logged_in is not None else as_user is not None)
    client._sender = sender
    return sender


class RemoteWorld:
    """Blocking calls of the server's world actions: ``RemoteWorld(path).post("news", "x")``."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._socket.connect(os.fspath(path))
        self._socket.sendall(_frame(HELLO, 0, _json({"control": True})))
        self._file = self._socket.makefile("rb")
        self._next_id = 0

    def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        self._next_id += 1
        self._socket.sendall(_frame(CALL, self._next_id, _json(
            {"method": method, "args": list(args), "kwargs": kwargs})))
        size, _, _ = _HEAD.unpack(self._file.read(_HEAD.size))
        reply = json.loads(self._file.read(size))
        if "error" in reply:
            raise _failure(reply)
        return reply["result"]

    def get(self, attribute: str) -> Any:
        """Read a public attribute of the world (``refused_connections``, ``api_hash``…)."""
        return self.call(attribute)

    def __getattr__(self, method: str) -> Any:
        if method.startswith("_"):
            raise AttributeError(method)
        return lambda *args, **kwargs: self.call(method, *args, **kwargs)

    def close(self) -> None:
        self._file.close()
        self._socket.close()


@dataclasses.dataclass
class ServerProcess:
    """A running ``python -m tests.faketg.server`` and a control connection to its world."""

    path: Path
    process: subprocess.Popen[bytes]
    world: RemoteWorld

    def stop(self) -> None:
        self.world.close()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


@contextlib.contextmanager
def spawn_server(path: str | os.PathLike[str], spec: WorldSpec, *,
                 journal: str | os.PathLike[str] | None = None) -> Iterator[ServerProcess]:
    """Run the world of ``spec`` in a server process on ``path`` for the block's duration."""
    argv = [sys.executable, "-m", "tests.faketg.server", os.fspath(path),
            "--seed", str(spec.seed), "--channels", str(spec.channels),
            "--messages", str(spec.messages_per_channel),
            "--subscribers", str(spec.subscribers)]
    if journal is not None:
        argv += ["--journal", os.fspath(journal)]
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(root), *filter(None, [os.environ.get("PYTHONPATH")])])}
    process = subprocess.Popen(argv, cwd=root, env=env, stdout=subprocess.PIPE)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if line.strip() != b"listening":
            process.wait(10)
            raise RuntimeError(
                f"the fake Telegram server did not start (exit {process.returncode})")
        server = ServerProcess(Path(path), process, RemoteWorld(path))
        try:
            yield server
        finally:
            server.stop()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def __getattr__(name: str) -> Any:
    """The server half, on demand: a client-only process never loads the world's code."""
    if name in ("FakeServer", "plain"):
        from . import server

        return getattr(server, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
