"""Time finding the catch-up digests after an outage: 50 targets, 8 days down.

Run: .venv/bin/python bench/schedule.py   (target: well under 10 ms per schedule)

Before cronsim's reverse step the latest missed firing was walked firing by firing on the
event loop: 17 s for */5 and 373 s for every minute after 8 days (issue 13).
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.delivery.scheduler import DigestTarget, due_digests, next_firing
from bot.digest.schedule import parse_schedule

TARGETS = 50
OUTAGE = timedelta(days=8)
SCHEDULES = ("* * * * *", "*/5 * * * *", "09:00, 18:30", "0 9 * * mon-fri", "@monthly")
ROUNDS = 7


def main() -> None:
    tz = ZoneInfo("Asia/Almaty")
    last_end = datetime(2026, 3, 2, 4, tzinfo=UTC)
    now = last_end + OUTAGE
    print(f"{'schedule':<18} {'due digests':>11} {'best ms':>9} {'median ms':>10}")
    for text in SCHEDULES:
        schedule = parse_schedule(text)
        targets = [DigestTarget(chat, "daily", schedule, tz, last_end) for chat in range(TARGETS)]
        ends = {(chat, "daily"): last_end for chat in range(TARGETS)}
        times, due = [], []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            due = due_digests(targets, ends, now)
            next_firing(targets, ends, now)
            times.append((time.perf_counter() - started) * 1000)
        print(f"{text:<18} {len(due):>11} {min(times):>9.2f} {statistics.median(times):>10.2f}")


if __name__ == "__main__":
    main()
