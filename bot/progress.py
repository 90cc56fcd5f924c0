"""A small progress bar for long work, shown only on a terminal."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Draw ``label  42% |████      | 1,234 posts  950/s  ETA 0:12`` at most 5 times a second."""

    def __init__(
        self,
        label: str,
        *,
        total: float | None = None,
        unit: str = "posts",
        stream: TextIO | None = None,
        enabled: bool | None = None,
    ) -> None:
        self.label = label
        self.total = total
        self.unit = unit
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.count = 0
        self.done_fraction = 0.0
        self._started = time.monotonic()
        self._drawn_at = 0.0

    def update(self, count: int, *, position: float | None = None) -> None:
        """Record ``count`` items done and, if known, ``position`` out of ``total``."""
        self.count = count
        if position is not None and self.total:
            self.done_fraction = min(position / self.total, 1.0)
        now = time.monotonic()
        if self.enabled and now - self._drawn_at >= 0.2:
            self._drawn_at = now
            self._draw(now)

    def close(self) -> None:
        """Finish the line so that later output starts on a fresh one."""
        if self.enabled:
            self.done_fraction = 1.0 if self.total else self.done_fraction
            self._draw(time.monotonic())
            self.stream.write("\n")
            self.stream.flush()

    def _draw(self, now: float) -> None:
        elapsed = max(now - self._started, 1e-6)
        rate = self.count / elapsed
        parts = [self.label]
        if self.total:
            filled = int(self.done_fraction * 20)
            parts.append(f"{self.done_fraction:4.0%} |{'█' * filled}{' ' * (20 - filled)}|")
        parts.append(f"{self.count:,} {self.unit}  {rate:,.0f}/s")
        if self.total and 0 < self.done_fraction < 1:
            left = elapsed * (1 - self.done_fraction) / self.done_fraction
            parts.append(f"ETA {int(left // 60)}:{int(left % 60):02d}")
        self.stream.write("\r" + "  ".join(parts) + "\x1b[K")
        self.stream.flush()
