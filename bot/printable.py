"""Keep what a channel wrote from driving the terminal it is printed on.

Titles, post texts, author signatures and usernames come from whoever runs a channel. Printed
raw, an escape sequence in them would retitle the window (OSC), move the cursor over earlier
lines, clear the screen or hide text, a carriage return would overwrite a line with a fake
one, and a bidi override would show the rest of its line reversed. So what a command prints
for a person goes through ``Printable``: every control character but newline and tab, and
every bidi override, is written as a visible escape (``\\x1b``, ``\\u202e``). tgmon's own
colour codes (bot/cli/show.py, bot/cli/terminal.py) are made by ``style``, which marks each
with a token drawn afresh in every process: a channel cannot know it, so a title holding the
very codes tgmon uses (bold, red, strike) is shown escaped like any other. bot/logs.py's text
lines and the CLI's error messages go through ``printable`` too. Machine output (``--json``,
``export``, ``digest --html``, completion scripts) is written as it is: JSON escapes its own
control characters, and a CSV or an HTML payload must stay byte-exact.
"""

from __future__ import annotations

import re
import secrets
from typing import Any, TextIO

#: Precedes each of tgmon's own style codes until ``printable`` writes it out.
_MARK = "".join(chr(0xF0000 + secrets.randbelow(0xFFFE)) for _ in range(4))
#: Controls, and the bidi overrides and isolates that reorder what follows them on the line
#: (a title holding U+202E showed the rest of the line reversed: "Trojan Source").
_SHOWN = re.compile(
    rf"{_MARK}(\x1b\[[0-9;]*m)|[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def style(codes: str) -> str:
    """tgmon's own SGR sequence for ``codes`` (``"1"`` bold, ``"31;9"``), for ``printable``."""
    return f"{_MARK}\x1b[{codes}m"


def printable(text: str) -> str:
    """``text`` with every control character but newline, tab and tgmon's styles visible."""
    return _SHOWN.sub(lambda m: m[1] or m[0].encode("unicode_escape").decode("ascii"), text)


class Printable:
    """A text stream that writes what it is given through :func:`printable`."""

    def __init__(self, stream: TextIO) -> None:
        self.wrapped = stream

    def write(self, text: str) -> int:
        self.wrapped.write(printable(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.wrapped, name)
