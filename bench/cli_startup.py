"""Time how long `tgmon` takes to answer the commands a user types first.

Run: .venv/bin/python bench/cli_startup.py   (target: --version and --help well under 200 ms)

Each command runs as a fresh process, as from a shell; best and median of several runs.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TGMON = Path(sys.executable).with_name("tgmon")
COMMANDS = (["--version"], ["--help"], ["search", "--help"], ["reanalyse"],
            ["completion", "bash"], ["init", "--help"])
ROUNDS = 9


def main() -> None:
    command = [str(TGMON)] if TGMON.exists() else [sys.executable, "-m", "bot"]
    print(f"{'command':<22} {'best ms':>8} {'median ms':>10}")
    for argv in COMMANDS:
        times = []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            subprocess.run([*command, *argv], cwd=ROOT, capture_output=True, check=False)
            times.append((time.perf_counter() - started) * 1000)
        print(f"{' '.join(argv):<22} {min(times):>8.0f} {statistics.median(times):>10.0f}")


if __name__ == "__main__":
    main()
