"""What a command answers: text, a photo or a document, each with optional inline buttons.

Replies are checked against Telegram's limits where they are made, so the sending side never
meets MESSAGE_TOO_LONG, a caption that is too long or callback data over 64 bytes.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from bot.digest.render import HtmlBuilder
from bot.digest.text import utf16_len

MESSAGE_UNITS = 4096  # UTF-16 units of visible text, after parsing the formatting
CAPTION_UNITS = 1024
CALLBACK_BYTES = 64
_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True, slots=True)
class Button:
    """An inline button; pressing it sends ``data`` back as a callback query."""

    label: str
    data: str

    def __post_init__(self) -> None:
        if len(self.data.encode()) > CALLBACK_BYTES:
            raise ValueError(f"callback data over {CALLBACK_BYTES} bytes: {self.data!r}")


@dataclass(frozen=True, slots=True)
class Reply:
    """One message to send; ``html`` is Telethon HTML, every user string in it escaped."""

    html: str
    length: int  # visible UTF-16 units of ``html``
    photo: bytes | None = None
    document: bytes | None = None
    filename: str = "tgmon.txt"
    buttons: tuple[Button, ...] = ()

    def __post_init__(self) -> None:
        limit = CAPTION_UNITS if self.photo is not None or self.document is not None \
            else MESSAGE_UNITS
        if self.length > limit:
            raise ValueError(f"reply of {self.length} units is over Telegram's {limit}")


def text_reply(out: HtmlBuilder, *, buttons: tuple[Button, ...] = ()) -> Reply:
    """Make a text reply from a builder."""
    chunk = out.chunk()
    return Reply(chunk.html, chunk.length, buttons=buttons)


def plain(text: str) -> Reply:
    """Make a text reply of plain (escaped) text."""
    return text_reply(HtmlBuilder().text(text[:MESSAGE_UNITS // 2]))


def html_reply(markup: str) -> Reply:
    """Make a reply from HTML that a formatter built within its own budget."""
    return Reply(markup, utf16_len(html.unescape(_TAG.sub("", markup))))
