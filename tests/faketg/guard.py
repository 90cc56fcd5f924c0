"""Make every attempt to open an Internet socket fail loudly."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Callable, Iterator
from typing import Any

_INET = (socket.AF_INET, socket.AF_INET6)
_saved: dict[tuple[Any, str], Callable[..., Any]] = {}
_own: set[tuple[Any, str]] = set()  # names defined on the class itself (not inherited)
_LOOPBACK = ("127.0.0.1", "localhost", "::1")
_allowed_ports: set[int] = set()  # loopback servers a test started itself


@contextlib.contextmanager
def allow_loopback(port: int) -> Iterator[None]:
    """Within the block, connects to 127.0.0.1:``port`` (a server the test runs) go through."""
    _allowed_ports.add(port)
    try:
        yield
    finally:
        _allowed_ports.discard(port)


def _allowed(address: Any) -> bool:
    return (isinstance(address, tuple) and len(address) >= 2 and address[0] in _LOOPBACK
            and address[1] in _allowed_ports)


class NetworkBlockedError(OSError):
    """Raised instead of connecting: tests must never reach the network."""


def _blocked(what: str) -> NetworkBlockedError:
    return NetworkBlockedError(f"network access blocked in tests: {what}")


def _guarded_connect(original: Callable[..., Any]) -> Callable[..., Any]:
    def connect(self: socket.socket, address: Any, *args: Any) -> Any:
        if self.family in _INET and not _allowed(address):
            raise _blocked(f"socket.connect({address!r})")
        return original(self, address, *args)

    return connect


async def _create_connection(self: Any, *args: Any, **kwargs: Any) -> Any:
    host = args[1] if len(args) > 1 else kwargs.get("host")
    port = args[2] if len(args) > 2 else kwargs.get("port")
    # A socket handed over ready-made was connected through the guarded sock_connect.
    if kwargs.get("sock") is not None or _allowed((host, port)):
        return await _saved[(asyncio.BaseEventLoop, "create_connection")](self, *args, **kwargs)
    raise _blocked(f"loop.create_connection{args!r}")


async def _sock_connect(self: Any, sock: socket.socket, address: Any) -> Any:
    if sock.family in _INET and not _allowed(address):
        raise _blocked(f"loop.sock_connect({address!r})")
    return await _saved[(asyncio.BaseEventLoop, "sock_connect")](self, sock, address)


def install_socket_guard() -> None:
    """Block Internet connects process-wide (also usable in a subprocess)."""
    if _saved:
        return
    for target, name, replacement in (
        (socket.socket, "connect", _guarded_connect(socket.socket.connect)),
        (socket.socket, "connect_ex", _guarded_connect(socket.socket.connect_ex)),
        (asyncio.BaseEventLoop, "create_connection", _create_connection),
        (asyncio.BaseEventLoop, "sock_connect", _sock_connect),
    ):
        _saved[(target, name)] = getattr(target, name)
        if name in vars(target):
            _own.add((target, name))
        setattr(target, name, replacement)


def uninstall_socket_guard() -> None:
    """Undo :func:`install_socket_guard`."""
    for (target, name), original in _saved.items():
        if (target, name) in _own:
            setattr(target, name, original)
        else:
            delattr(target, name)
    _saved.clear()
    _own.clear()
