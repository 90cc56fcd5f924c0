"""What ``TelegramClient`` uses of ``MTProtoSender`` around the wire, shared by the
in-process :class:`.sender.FakeSender` and the client half of the remote fake
(:class:`.remote.RemoteSender`); it imports nothing of the fake world, so a process that
only runs clients (a measured tgmon process) doesn't load the world's code."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from telethon import utils


class SenderSurface:
    """What ``TelegramClient`` uses of ``MTProtoSender`` around the wire itself, shared by
    :class:`FakeSender` and :class:`.remote.RemoteSender` (each brings ``_enqueue``)."""

    _user_connected: bool
    _disconnected_future: asyncio.Future[None] | None

    def _enqueue(self, request: Any) -> asyncio.Future[Any]:
        raise NotImplementedError

    def is_connected(self) -> bool:
        return self._user_connected

    def _transport_connected(self) -> bool:
        return self._user_connected

    @property
    def disconnected(self) -> asyncio.Future[None]:
        if self._disconnected_future is None:
            self._disconnected_future = asyncio.get_running_loop().create_future()
            self._disconnected_future.set_result(None)
        return asyncio.shield(self._disconnected_future)

    def send(self, request: Any, ordered: bool = False) -> Any:
        if not self._user_connected:
            raise ConnectionError("Cannot send requests while disconnected")
        if utils.is_list_like(request):
            return [self._enqueue(r) for r in request]
        return self._enqueue(request)

    def _arm_disconnected(self) -> None:
        """A new connection: ``disconnected`` waits again."""
        if self._disconnected_future is None or self._disconnected_future.done():
            self._disconnected_future = asyncio.get_running_loop().create_future()

    def _end(self, pending: Iterable[asyncio.Future[Any]], error: Exception | None) -> None:
        """Settle what was in flight: cancelled on a disconnect, failed with ``error`` on a
        drop, and resolve ``disconnected`` the same way."""
        for future in pending:
            if not future.done():
                if error is None:
                    future.cancel()
                else:
                    future.set_exception(error)
        done = self._disconnected_future
        if done is not None and not done.done():
            if error is None:
                done.set_result(None)
            else:
                done.set_exception(error)
