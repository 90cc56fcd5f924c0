"""What a command handler is given: the archive's queries, the config, who asked, and where."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.config import Config
from bot.store.ports import PostQueries


@dataclass(frozen=True, slots=True)
class Origin:
    """Who wrote the command, and where: ``access_hash`` reaches the chat later."""

    user_id: int
    chat_id: int
    access_hash: int | None = None


@dataclass(slots=True)
class Context:
    """One command's world; ``allowed`` says whether the sender is an admin or allowed user."""

    queries: PostQueries
    config: Config
    tz: ZoneInfo
    origin: Origin
    now: datetime
    allowed: bool
    #: What earlier commands in this chat left for /more (see bot/commands/paging.py).
    pages: Any = None
    #: Subscription services from bot/delivery (commands cannot import delivery).
    services: Any = None
    extra: dict[str, Any] = field(default_factory=dict)
