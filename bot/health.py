"""Liveness, readiness and metrics for supervisors: an HTTP listener, a watchdog, a heartbeat.

- ``serve_health`` answers on 127.0.0.1 only: /healthz (the process and its event loop are
  alive), /readyz (caught up, connected, logged in) and /metrics (Prometheus text).
- ``LoopWatchdog`` measures how late the event loop runs, touches the heartbeat file for a
  container HEALTHCHECK, and ends the process from a thread when the loop stalls: a stuck
  loop answers no probe and writes nothing, so only a restart helps.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Protocol

from bot import metrics

log = logging.getLogger(__name__)

#: The event loop may be this late before the process is ended.
STALL_LIMIT = 30.0
#: Seconds a client may take to send its request line before it is hung up on.
REQUEST_SECONDS = 5.0


class Connection(Protocol):
    @property
    def is_up(self) -> bool: ...


class Readiness:
    """What /readyz checks: logged in, the first catch-up done, every client connected."""

    def __init__(self) -> None:
        self.authorized = False
        self.caught_up: Callable[[], bool] = lambda: False
        self.clients: dict[str, Connection] = {}

    def problems(self) -> list[str]:
        """Why tgmon is not ready; empty when it is."""
        found = [] if self.authorized else ["the user session is not logged in yet"]
        if not self.caught_up():
            found.append("the first catch-up has not finished")
        found += [f"the {name} client is disconnected"
                  for name, client in self.clients.items() if not client.is_up]
        for name, client in self.clients.items():
            metrics.CLIENT_CONNECTED.labels(name).set(1 if client.is_up else 0)
        metrics.READY.set(0 if found else 1)
        return found


Refresh = Callable[[], Awaitable[None]]


@contextlib.asynccontextmanager
async def serve_health(port: int, readiness: Readiness, refresh: Refresh, *,
                       request_seconds: float = REQUEST_SECONDS) -> AsyncIterator[int]:
    """Listen on 127.0.0.1:``port`` (0: any free port) for the block; yield the port."""
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            # A client that never sends its line (or sends 64 KiB of one) is hung up on:
            # waiting held a socket each, and enough of them would use up the process's
            # file descriptors, which the archive and Telegram need.
            try:
                line = await asyncio.wait_for(reader.readline(), request_seconds)
            except (TimeoutError, ValueError):
                return
            status, body, kind = await _answer(line, readiness, refresh)
            head = (f"HTTP/1.0 {status}\r\nContent-Type: {kind}\r\n"
                    f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n")
            writer.write(head.encode() + body)
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        except Exception:  # a probe must never take the service down
            log.exception("health request failed")
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port)
    bound = int(server.sockets[0].getsockname()[1])
    log.info("health and metrics on http://127.0.0.1:%d/ (healthz, readyz, metrics)", bound)
    try:
        yield bound
    finally:
        server.close()
        await server.wait_closed()


async def _answer(request_line: bytes, readiness: Readiness, refresh: Refresh
                  ) -> tuple[str, bytes, str]:
    parts = request_line.decode("latin-1").split()
    path = parts[1].split("?", 1)[0] if len(parts) >= 2 else ""
    if not parts or parts[0] != "GET":
        return "405 Method Not Allowed", b"GET only\n", "text/plain"
    if path == "/healthz":
        return "200 OK", b"ok\n", "text/plain"
    if path == "/readyz":
        problems = readiness.problems()
        if problems:
            return "503 Service Unavailable", ("\n".join(problems) + "\n").encode(), "text/plain"
        return "200 OK", b"ready\n", "text/plain"
    if path == "/metrics":
        await refresh()
        readiness.problems()  # keeps the ready and connected gauges current
        return "200 OK", metrics.exposition(), "text/plain; version=0.0.4; charset=utf-8"
    return "404 Not Found", b"try /healthz, /readyz or /metrics\n", "text/plain"


class LoopWatchdog:
    """Tick on the event loop; a thread ends the process when the ticks stop coming."""

    def __init__(self, *, heartbeat: Path | None = None, stall_limit: float = STALL_LIMIT,
                 interval: float = 1.0) -> None:
        self.heartbeat = heartbeat
        self.stall_limit = stall_limit
        self.interval = interval
        self._last_tick = time.monotonic()
        self._stopped = threading.Event()

    async def run(self) -> None:
        """Tick forever; cancel to stop (the thread stops with it)."""
        thread = threading.Thread(target=self._watch, name="loop watchdog", daemon=True)
        thread.start()
        try:
            while True:
                self._tick()
                before = time.monotonic()
                await asyncio.sleep(self.interval)
                metrics.LOOP_LAG.set(max(0.0, time.monotonic() - before - self.interval))
        finally:
            self._stopped.set()

    def _tick(self) -> None:
        self._last_tick = time.monotonic()
        if self.heartbeat is not None:
            try:
                self.heartbeat.touch()
            except OSError as exc:  # a full or read-only disk: say so, keep running
                log.warning("cannot touch the heartbeat file %s: %s", self.heartbeat, exc)

    def _watch(self) -> None:
        while not self._stopped.wait(min(self.interval, self.stall_limit / 4)):
            stalled = time.monotonic() - self._last_tick
            if stalled > self.stall_limit:
                log.critical("the event loop has been stuck for %.0fs: ending tgmon so that "
                             "its supervisor restarts it", stalled)
                logging.shutdown()
                os._exit(1)
