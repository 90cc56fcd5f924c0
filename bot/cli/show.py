"""Write posts, snippets, diffs and tables for a terminal: matches bold, removed words red
and added ones green when the output is a terminal, plain text when it is a pipe."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot.analysis.snippet import Segment, snippet
from bot.analysis.word_diff import Change
from bot.cli.table import fit
from bot.cli.zone import shown
from bot.printable import style
from bot.store.values import Found

_BOLD, _RED, _GREEN, _DIM, _RESET = (style(c) for c in ("1", "31;9", "32", "2", "0"))


def colour() -> bool:
    """Style the output only on a terminal, and never under NO_COLOR."""
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def segments_text(segments: Sequence[Segment], *, styled: bool) -> str:
    """A snippet with its matched words bold (plain text when not styled: a pipe)."""
    return "".join(f"{_BOLD}{s.text}{_RESET}" if styled and s.match else s.text
                   for s in segments)


def diff_text(changes: Sequence[Change], *, styled: bool) -> str:
    """Removed words red and struck, added green; [-old-]{+new+} when not styled."""
    out = []
    for change in changes:
        if change.kind == "removed":
            out.append(f"{_RED}{change.text}{_RESET}" if styled else f"[-{change.text}-]")
        elif change.kind == "added":
            out.append(f"{_GREEN}{change.text}{_RESET}" if styled else f"{{+{change.text}+}}")
        else:
            out.append(change.text)
    return "".join(out)


def print_found(items: Sequence[Found], *, tz: ZoneInfo) -> None:
    """One block per post: time with zone, channel, language, marks; snippet; link."""
    styled = colour()
    width = min(shutil.get_terminal_size((100, 20)).columns, 120)
    for found in items:
        post = found.post
        marks = "".join([f"  edited×{post.edit_count}" if post.edit_count else "",
                         "  DELETED" if post.deleted else "",
                         "  #" + " #".join(post.groups) if post.groups else ""])
        head = f"{shown(post.date, tz)}  {post.channel_title}  [{post.lang}]{marks}"
        print(f"{_DIM}{fit(head, width)}{_RESET}" if styled else fit(head, width))
        segments = found.snippet or snippet(post.text, frozenset(), width=width * 2)
        body = segments_text(segments, styled=styled) if segments else \
            f"({', '.join(post.media) or 'no text'})"
        print("  " + body)
        print(f"  {post.link}\n")
