"""Small servers on 127.0.0.1 that tests start themselves: a captive portal and a SOCKS5 proxy.

Both let their port through the socket guard for as long as they run.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

from tests.faketg.guard import allow_loopback

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
PORTAL_ANSWER = b"HTTP/1.1 302 Found\r\nLocation: http://login.portal/\r\nContent-Length: 0\r\n\r\n"


@dataclass
class Portal:
    """Answers whatever it is sent with an HTTP redirect, as a hotel Wi-Fi does."""

    port: int = 0
    received: list[bytes] = field(default_factory=list)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError):
            self.received.append(await reader.read(4096))
            writer.write(PORTAL_ANSWER)
            await writer.drain()
        writer.close()


@contextlib.asynccontextmanager
async def _serving(handle: Handler) -> AsyncIterator[int]:
    """Run ``handle`` on a free loopback port that the socket guard lets through."""
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = int(server.sockets[0].getsockname()[1])
    try:
        with allow_loopback(port):
            yield port
    finally:
        server.close()
        await server.wait_closed()


@contextlib.asynccontextmanager
async def captive_portal() -> AsyncIterator[Portal]:
    portal = Portal()
    async with _serving(portal.handle) as portal.port:
        yield portal


@dataclass
class Socks5:
    """An RFC 1928 proxy with username/password auth (RFC 1929) that relays to loopback."""

    username: bytes
    password: bytes
    port: int = 0
    logins: list[tuple[bytes, bytes]] = field(default_factory=list)
    targets: list[tuple[str, int]] = field(default_factory=list)
    relayed: int = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await self._serve(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        version, count = await reader.readexactly(2)
        methods = await reader.readexactly(count)
        if version != 5 or 2 not in methods:
            writer.write(b"\x05\xff")
            return
        writer.write(b"\x05\x02")  # username/password
        _, ulen = await reader.readexactly(2)
        user = await reader.readexactly(ulen)
        (plen,) = await reader.readexactly(1)
        password = await reader.readexactly(plen)
        self.logins.append((user, password))
        ok = (user, password) == (self.username, self.password)
        writer.write(b"\x01\x00" if ok else b"\x01\x01")
        if not ok:
            return
        _, command, _, kind = await reader.readexactly(4)
        if kind == 1:
            host = ".".join(str(b) for b in await reader.readexactly(4))
        elif kind == 3:
            (size,) = await reader.readexactly(1)
            host = (await reader.readexactly(size)).decode()
        else:
            writer.write(b"\x05\x08\x00\x01" + bytes(6))  # address type not supported
            return
        (port,) = struct.unpack(">H", await reader.readexactly(2))
        self.targets.append((host, port))
        if command != 1:
            writer.write(b"\x05\x07\x00\x01" + bytes(6))
            return
        up_reader, up_writer = await asyncio.open_connection(host, port)
        writer.write(b"\x05\x00\x00\x01" + bytes(6))
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    async def _pipe(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError):
            while data := await source.read(4096):
                self.relayed += len(data)
                sink.write(data)
                await sink.drain()
        sink.close()


@contextlib.asynccontextmanager
async def socks5_proxy(username: str, password: str) -> AsyncIterator[Socks5]:
    proxy = Socks5(username.encode(), password.encode())
    async with _serving(proxy.handle) as proxy.port:
        yield proxy
