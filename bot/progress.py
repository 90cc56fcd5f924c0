"""Progress of long jobs (import, reanalyze), drawn by tqdm and only on a terminal.

tqdm fits the bar to the terminal's width (and follows a resize), smooths the rate and the
ETA over recent updates instead of averaging from the start, and draws its first frame at
once. The clock starts at the first batch, so loading the language models and starting the
analysis workers do not make the first ETA absurd. Off a terminal nothing is drawn: the
command's summary line is the whole output.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from tqdm import tqdm


def on_terminal(stream: TextIO) -> bool:
    """True when both ``stream`` and stdout are a terminal (``tgmon import x > log`` is not)."""
    return stream.isatty() and sys.stdout.isatty()


class Progress:
    """``importing result.json:  37%|███▋      | 4.8MB/s, 45,123 posts · ETA 01:10``.

    ``total`` is in bytes when ``unit`` is "B" (an export read as a stream), else in items.
    """

    def __init__(
        self,
        label: str,
        *,
        total: float | None = None,
        unit: str = "posts",
        stream: TextIO | None = None,
        enabled: bool | None = None,
        bytes_total: bool = False,
    ) -> None:
        self.label = label
        self.unit = unit
        self.count = 0
        self._bytes = bytes_total
        stream = stream or sys.stderr
        self.enabled = on_terminal(stream) if enabled is None else enabled
        self._started = False
        self._bar: tqdm | None = None
        if self.enabled:
            # Only what a user reads at a glance, so the bar keeps its room at 80 columns.
            shape = ("{rate_fmt}{postfix}" if bytes_total
                     else "{n_fmt}/{total_fmt}" + f" {unit}" + " · {rate_fmt}")
            self._bar = tqdm(
                desc=label, total=total, file=stream, dynamic_ncols=True, smoothing=0.1,
                mininterval=0.2, leave=True, unit="B" if bytes_total else f" {unit}",
                unit_scale=bytes_total, unit_divisor=1024 if bytes_total else 1000,
                bar_format="{l_bar}{bar}| " + shape + " · ETA {remaining}",
            )

    def update(self, count: int, *, position: float | None = None) -> None:
        """Record ``count`` items done and, if known, ``position`` out of ``total``."""
        self.count = count
        bar = self._bar
        if bar is None:
            return
        target = position if position is not None else count
        if not self._started:
            # Start the clock (and the smoothed rate) at the first batch, not at start-up.
            self._started = True
            bar.n = bar.last_print_n = int(target)
            bar.start_t = bar.last_print_t = time.time()
        elif target > bar.n:
            bar.update(int(target) - bar.n)
        if self._bytes:
            bar.set_postfix_str(f"{count:,} {self.unit}", refresh=False)

    def set_total(self, total: float) -> None:
        """Give the total once it is known (after the archive opened)."""
        if self._bar is not None:
            self._bar.total = total
            self._bar.refresh()

    def close(self) -> None:
        """Finish the bar at 100% so that later output starts on a fresh line."""
        if self._bar is not None:
            if self._bar.total:
                self._bar.n = int(self._bar.total)
            self._bar.close()
            self._bar = None

    def stop(self) -> None:
        """Leave the bar where it is (an interruption) and move to a fresh line."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
