"""Run tgmon in a pseudo-terminal, as a user at an 80-column terminal would, and read the screen.

The command gets the terminal as its controlling tty, so typing Ctrl-C (byte 0x03) makes the
line discipline send SIGINT to it, exactly as a keyboard does.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_TGMON = Path(sys.executable).with_name("tgmon")


@dataclass
class Screen:
    """What a command wrote to the terminal, and how it ended."""

    raw: str
    returncode: int

    @property
    def text(self) -> str:
        """The output without colour codes, each carriage-return frame kept."""
        return _ANSI.sub("", self.raw).replace("\r\n", "\n")

    @property
    def final(self) -> str:
        """The screen as it is left: every line shows only its last frame."""
        return "\n".join(line.split("\r")[-1] for line in self.text.split("\n"))

    def frames(self) -> list[str]:
        """Every frame drawn over a line with a carriage return (the progress bar's)."""
        return [f for line in self.text.split("\n") for f in line.split("\r")[1:] if f.strip()]


class Terminal:
    """An 80x24 terminal in which each ``run`` types one tgmon command."""

    def __init__(self, cwd: Path, env: dict[str, str], *, columns: int = 80) -> None:
        self.cwd = cwd
        self.env = {**env, "TERM": "xterm"}
        self.env.pop("COLUMNS", None)  # the width comes from the terminal itself
        self.columns = columns

    def run(self, *argv: str, interrupt_when: Callable[[str], bool] | None = None,
            timeout: float = 120.0) -> Screen:
        """Run ``tgmon ARGV`` on the terminal; type Ctrl-C once ``interrupt_when(output)``."""
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, self.columns, 0, 0))
        command = [str(_TGMON)] if _TGMON.exists() else [sys.executable, "-m", "bot"]
        process = subprocess.Popen(
            [*command, *argv], cwd=self.cwd, env=self.env, stdin=slave, stdout=slave,
            stderr=slave, start_new_session=True, preexec_fn=_take_terminal,
        )
        os.close(slave)
        chunks: list[bytes] = []
        deadline = time.monotonic() + timeout
        interrupted = interrupt_when is None
        try:
            while time.monotonic() < deadline:
                ready, _, _ = select.select([master], [], [], 0.05)
                if ready:
                    try:
                        data = os.read(master, 65536)
                    except OSError:  # EIO: every holder of the slave side has closed it
                        break
                    if not data:
                        break
                    chunks.append(data)
                if not interrupted and interrupt_when is not None and interrupt_when(
                        _ANSI.sub("", b"".join(chunks).decode("utf-8", "replace"))):
                    os.write(master, b"\x03")
                    interrupted = True
            else:
                process.kill()
                raise AssertionError(f"tgmon {' '.join(argv)} still ran after {timeout} s")
            returncode = process.wait(timeout=30)
        finally:
            os.close(master)
            if process.poll() is None:
                process.kill()
                process.wait()
        return Screen(b"".join(chunks).decode("utf-8", "replace"), returncode)


def _take_terminal() -> None:
    # In the child, after setsid(): make the pseudo-terminal its controlling tty.
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
