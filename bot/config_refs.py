"""Parse channel references written by people: @name, t.me links, -100… ids, invite links."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

_USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{3,31}")
_LINK = re.compile(
    r"^(?:https?://)?(?:www\.)?(?:t|telegram)\.(?:me|dog)/(?:s/)?(?P<path>[^?#]+?)/?(?:[?#].*)?$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class ChannelRef:
    """A normalised channel reference; ``key`` is what duplicates are compared on."""

    kind: Literal["username", "id", "invite"]
    value: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.value.lower() if self.kind == 'username' else self.value}"

    @property
    def canonical(self) -> str:
        """The full reference, as stored and compared (an invite link includes its secret)."""
        if self.kind == "username":
            return f"@{self.value}"
        if self.kind == "invite":
            return f"https://t.me/+{self.value}"
        return self.value

    def __str__(self) -> str:
        # What logs and messages show: an invite hash lets anyone join, so only its start.
        if self.kind == "invite":
            return f"https://t.me/+{self.value[:4]}…"
        return self.canonical


def parse_channel_ref(raw: str | int) -> ChannelRef:
    """Parse one reference, or raise ValueError saying what a valid one looks like."""
    if isinstance(raw, int):
        raw = str(raw)
    text = raw.strip()
    if re.fullmatch(r"-100\d{5,13}", text):
        return ChannelRef("id", text)
    if re.fullmatch(r"-?\d+", text):
        raise ValueError(
            f"{text!r} is a bare number; write a channel id in its marked form, -100 followed "
            "by the id (for example -1001234567890)"
        )
    link = _LINK.match(text)
    if link:
        path = link.group("path")
        if path.startswith("+") or path.lower().startswith("joinchat/"):
            invite = path[1:] if path.startswith("+") else path.split("/", 1)[1]
            if re.fullmatch(r"[A-Za-z0-9_-]{8,}", invite):
                return ChannelRef("invite", invite)
            raise ValueError(f"{text!r} is not a valid invite link")
        if path.lower().startswith("c/"):
            parts = path.split("/")
            if len(parts) >= 2 and parts[1].isdigit():
                return ChannelRef("id", f"-100{parts[1]}")
        text = path.split("/", 1)[0]
    name = text.removeprefix("@")
    if _USERNAME.fullmatch(name) and not name.endswith("_"):
        return ChannelRef("username", name)
    raise ValueError(
        f"{raw!r} is not a channel reference; use @username, https://t.me/username, "
        "an invite link https://t.me/+… or a marked id such as -1001234567890"
    )
