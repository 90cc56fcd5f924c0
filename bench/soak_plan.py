"""What every process of the soak agrees on: the publishing plan, the outages, the arguments.

Kept free of tgmon and of the fake Telegram so that each side imports only its own half.
The plan is a function of simulated time: post k is due at ``clock start + 60 k / rate``.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

ALERT = "пожар"
#: One post in this many simulated minutes carries the alert term, whatever the rate: the
#: alert parts (50 chats, one batch per 10 simulated minutes that holds one) then fit the
#: bot's 30 messages a real second with the digests, at a week in ten minutes.
ALERT_MINUTES = 100
#: Outages: (start as a fraction of the plan, length in simulated seconds).
OUTAGES = ((0.21, 3600.0), (0.52, 3600.0), (0.83, 3600.0))
RETENTION_DAYS = 2
DAY = 86400
SOCKET = "telegram.sock"
SUMMARY = "telegram.json"


def plan_end(args: argparse.Namespace) -> float:
    return float(args.clock_start + args.days * DAY)


def total_posts(args: argparse.Namespace) -> int:
    return int(args.days * 24 * 60 * args.rate)


def due(args: argparse.Namespace, now: float) -> int:
    """How many of the plan's posts are due at simulated time ``now``."""
    return min(total_posts(args), max(0, int((now - args.clock_start) * args.rate / 60)))


def post_number(args: argparse.Namespace, k: int) -> tuple[int, str]:
    """The channel and text of the plan's post ``k`` (0-based), the same in every process."""
    channel = random.Random(k).randrange(1 << 30)
    every = max(1, round(args.rate * ALERT_MINUTES))
    text = (f"Сообщение {k + 1}: {ALERT} на складе" if (k + 1) % every == 0
            else f"Сообщение {k + 1}: Токаев и новости дня")
    return channel, text


def outage_windows(args: argparse.Namespace) -> list[tuple[float, float]]:
    span = args.days * DAY
    return [(args.clock_start + share * span, args.clock_start + share * span + length)
            for share, length in OUTAGES]


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--clock-start", type=float, required=True)
    parser.add_argument("--clock-origin", type=float, required=True)
    parser.add_argument("--factor", type=float, required=True)
    parser.add_argument("--channels", type=int, default=300)
    parser.add_argument("--subscribers", type=int, default=50)
    parser.add_argument("--rate", type=float, default=5.0, help="posts per simulated minute")
    parser.add_argument("--days", type=float, default=7.0)
    parser.add_argument("--final", action="store_true")
    return parser.parse_args(argv)
