"""Arguments of the browsing commands (latest, edits, deleted, channels, trend)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

Command = Callable[..., argparse.ArgumentParser]
# Handlers are "module:function", imported only when the command runs (see bot.cli.main).


def add_zone(sub: argparse.ArgumentParser, *, also: str = "read --since/--until dates in it"
             ) -> None:
    """Add --tz; ``also`` is what else the zone decides, for commands with more than times."""
    more = f", and {also}" if also else ""
    sub.add_argument("--tz", metavar="ZONE",
                     help=f"show times in this IANA zone{more} "
                     "(default: [display].timezone, else [bot].timezone)")


def add_change_flags(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--edited", action="store_true", help="only posts that were edited")
    sub.add_argument("--deleted", action="store_true", help="only posts that were deleted")


def add_browse_commands(command: Command,
                        add_filters: Callable[[argparse.ArgumentParser], None]) -> None:
    """Register latest, edits, deleted, channels and trend."""
    for name, text, handler in (
        ("latest", "The newest posts, of one channel (--channel) or of all.",
         "bot.cli.browse:latest"),
        ("edits", "The newest edited posts, each with its last edit word by word.",
         "bot.cli.browse:edits"),
        ("deleted", "The newest deleted posts, with when the deletion was noticed.",
         "bot.cli.browse:deleted"),
    ):
        sub = command(name, text, db=True, json=True)
        add_filters(sub)
        sub.add_argument("--limit", type=int, default=20, help="at most this many (default 20)")
        add_zone(sub)
        sub.set_defaults(handler=handler)

    chans = command("channels", "Every stored channel: status, posts, newest post and when it "
                    "was last read.", db=True, json=True)
    add_zone(chans, also="")
    chans.set_defaults(handler="bot.cli.browse:channels")

    trend = command("trend", "Draw daily mentions of a keyword group or a word per channel "
                    "as a PNG chart.", db=True)
    trend.epilog = ("examples:\n  tgmon trend politics --out chart.png\n"
                    "  tgmon trend 'токаев*' --days 90 --channel @news24 --out tokayev.png")
    trend.add_argument("subject", help="a keyword group, or words as for search")
    trend.add_argument("--days", type=int, default=30, help="how many days (default 30)")
    trend.add_argument("--channel", action="append", metavar="CHANNEL",
                       help="only this channel (repeat for several)")
    trend.add_argument("--out", type=Path, default=Path("trend.png"), metavar="FILE",
                       help="where to write the PNG (default trend.png)")
    add_zone(trend, also="count its days in it")
    trend.set_defaults(handler="bot.cli.browse:trend")
