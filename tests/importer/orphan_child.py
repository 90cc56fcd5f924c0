"""`tgmon import` of an export with worker processes, for the kill -9 test.

    python -m tests.importer.orphan_child EXPORT DB

The size threshold is lowered and two cores are assumed, so that a test-sized export gets
the worker processes a large one would.
"""

from __future__ import annotations

import sys

from bot import workers
from bot.cli import main

if __name__ == "__main__":
    workers.MIN_EXPORT_BYTES = 0
    workers.os.cpu_count = lambda: 2  # type: ignore[assignment]
    sys.exit(main(["import", sys.argv[1], "--db", sys.argv[2], "--quiet"]))
