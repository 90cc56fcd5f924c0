"""Show a digest part (Telegram HTML) on a terminal: bold and italics, links written out.

`tgmon digest --dry-run` prints this; `--html` prints the exact payload instead.
"""

from __future__ import annotations

from html.parser import HTMLParser

from bot.printable import style

_STYLES = {"b": "1", "strong": "1", "i": "3", "em": "3", "u": "4", "code": "2", "pre": "2"}
_RESET = style("0")


class _TerminalText(HTMLParser):
    def __init__(self, *, colour: bool) -> None:
        super().__init__(convert_charrefs=True)
        self._colour = colour
        self._open: list[str] = []
        self._links: list[tuple[str | None, int]] = []
        self.out: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._links.append((dict(attrs).get("href"), len(self.out)))
        elif tag in _STYLES:
            self._open.append(_STYLES[tag])
            self._restyle()

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._links:
            href, start = self._links.pop()
            shown = "".join(self.out[start:])
            # A link whose text is its own address (t.me/news/1) needs it only once.
            if href and href.removeprefix("https://").removeprefix("http://") != shown:
                self.out.append(f" <{href}>")
        elif tag in _STYLES and _STYLES[tag] in self._open:
            del self._open[len(self._open) - 1 - self._open[::-1].index(_STYLES[tag])]
            self._restyle()

    def handle_data(self, data: str) -> None:
        self.out.append(data)

    def _restyle(self) -> None:
        if self._colour:
            self.out.append(_RESET + "".join(style(code) for code in self._open))


def html_to_terminal(part: str, *, colour: bool) -> str:
    """Return ``part`` as text: styles as ANSI codes when ``colour``, links as ``text <url>``."""
    parser = _TerminalText(colour=colour)
    parser.feed(part)
    parser.close()
    text = "".join(parser.out)
    return text + _RESET if colour and _RESET in text else text
