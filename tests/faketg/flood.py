"""Fake the sleep (and clock) Telethon's request loop uses for flood waits.

``TelegramClient._call`` (telethon/client/users.py) sleeps with ``asyncio.sleep(e.seconds)``
when a ``FloodWaitError`` is at most ``client.flood_sleep_threshold`` (default 60 s; the
per-call argument is ignored), and remembers ``time.time() + seconds`` per request type so
later calls of that type sleep early or raise without reaching the server. Replacing both
names in that module keeps this logic intact while making the waits instant and visible.
"""

from __future__ import annotations

import asyncio
import time
from types import ModuleType
from typing import Any

import pytest
from telethon.client import users

_real_sleep = asyncio.sleep
_real_time = time.time


class FloodSleeps:
    """Records every sleep of the request loop; its clock advances by what was slept."""

    def __init__(self) -> None:
        self.sleeps: list[float] = []
        self.offset = 0.0

    def time(self) -> float:
        return _real_time() + self.offset

    async def sleep(self, delay: float, result: Any = None) -> Any:
        self.sleeps.append(delay)
        self.offset += delay
        await _real_sleep(0)
        return result


class _Proxy(ModuleType):
    """A module stand-in: one attribute replaced, everything else from the real module."""

    def __init__(self, real: ModuleType, **overrides: Any) -> None:
        super().__init__(real.__name__)
        self._real = real
        self.__dict__.update(overrides)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def patch_flood_sleep(monkeypatch: pytest.MonkeyPatch) -> FloodSleeps:
    """Replace the request loop's sleep and clock for the current test."""
    recorder = FloodSleeps()
    monkeypatch.setattr(users, "asyncio", _Proxy(asyncio, sleep=recorder.sleep))
    monkeypatch.setattr(users, "time", _Proxy(time, time=recorder.time))
    return recorder


def install_flood_sleep() -> FloodSleeps:
    """Like :func:`patch_flood_sleep`, for a whole process (e.g. a test subprocess)."""
    recorder = FloodSleeps()
    users.asyncio = _Proxy(asyncio, sleep=recorder.sleep)  # type: ignore[attr-defined]
    users.time = _Proxy(time, time=recorder.time)  # type: ignore[attr-defined]
    return recorder
