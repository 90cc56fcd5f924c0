"""Run background loops that survive their own errors, and end the process when they can't.

Each long-running loop (live writer, sync timer, digest schedule, alert scan, sender...) runs
under ``Supervisor.run``: an unexpected error is logged with the loop's name, the loop waits
(doubling, capped) and starts again from the state its object kept. A loop that keeps failing
right after each restart, or that returns although it should run forever, raises LoopFailed,
which ends the process non-zero with one clear line so that Docker or systemd restarts it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot import metrics
from bot.errors import LoopFailed, SessionError

log = logging.getLogger(__name__)

#: Errors no restart can fix: they end the process at once.
FATAL: tuple[type[BaseException], ...] = (SessionError, LoopFailed)


@dataclass
class Supervisor:
    """Restart policy shared by every loop of one process, and its restart counts."""

    max_failures: int = 8
    first_delay: float = 1.0
    max_delay: float = 60.0
    #: A loop that ran this long before failing starts counting its failures afresh.
    healthy_after: float = 300.0
    restarts: Counter[str] = field(default_factory=Counter)

    async def run(self, name: str, body: Callable[[], Awaitable[None]]) -> None:
        """Run ``body`` forever, restarting it after an unexpected error."""
        failures = 0
        while True:
            started = time.monotonic()
            try:
                await body()
            except asyncio.CancelledError:
                raise
            except FATAL:
                raise
            except Exception as exc:
                if time.monotonic() - started >= self.healthy_after:
                    failures = 0
                failures += 1
                if failures >= self.max_failures:
                    log.error("the %s loop failed %d times in a row", name, failures,
                              exc_info=True, extra={"loop": name})
                    raise LoopFailed(
                        f"the {name} loop failed {failures} times in a row, last with "
                        f"{type(exc).__name__}: {exc}; stopping so a supervisor restarts tgmon"
                    ) from None
                self.restarts[name] += 1
                metrics.LOOP_RESTARTS.labels(name).inc()
                delay = min(self.max_delay, self.first_delay * 2 ** (failures - 1))
                log.exception("the %s loop failed (%d in a row); restarting it in %.3gs",
                              name, failures, delay, extra={"loop": name})
                await asyncio.sleep(delay)
            else:
                raise LoopFailed(f"the {name} loop stopped by itself, which it never should")
