"""Keep what a channel wrote from driving the terminal it is printed on.

Titles, post texts, author signatures and usernames come from whoever runs a channel. Printed
raw, an escape sequence in them would retitle the window (OSC), move the cursor over earlier
lines, clear the screen or hide text, and a carriage return would overwrite a line with a
fake one. So what a command prints for a person goes through ``Printable``: every control
character but newline and tab is written as a visible escape (``\\x1b``, ``\\r``), except the
few colour codes tgmon itself uses (bot/cli/show.py, bot/cli/terminal.py); bot/logs.py's text
lines go through it too. Machine output (``--json``, ``export``, ``digest --html``,
completion scripts) is written as it is: JSON escapes its own control characters, and a CSV
or an HTML payload must stay byte-exact.
"""

from __future__ import annotations

import re
from typing import Any, TextIO

# SGR with only the parameters tgmon writes: reset, bold, dim, italics, underline, strike,
# red, green. Anything else starting with ESC is escaped, as is every other control.
_OWN_STYLE = r"\x1b\[(?:[0-49]|3[12])(?:;(?:[0-49]|3[12]))*m"
_UNSAFE = re.compile(rf"(?!{_OWN_STYLE})[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` with every control character but newline, tab and tgmon's colours visible."""
    return _UNSAFE.sub(lambda m: m[0].encode("unicode_escape").decode("ascii"), text)


class Printable:
    """A text stream that writes what it is given through :func:`printable`."""

    def __init__(self, stream: TextIO) -> None:
        self.wrapped = stream

    def write(self, text: str) -> int:
        self.wrapped.write(printable(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.wrapped, name)
