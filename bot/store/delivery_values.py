"""The values the delivery ports take and return (bot/store/delivery_ports.py).

Plain frozen dataclasses: a backend builds them, delivery reads them, and none of them
holds a connection or knows SQL.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The name of alert batches in ``digests``; "!" keeps it apart from config digest names.
ALERT_NAME = "!alert"


@dataclass(frozen=True, slots=True)
class Window:
    """A digest or alert batch for one chat.

    A digest's ``start``/``end`` are its schedule's unix times (shown in its header, and
    unique per chat and name); it holds the posts that arrived up to arrival number
    ``seq_end`` since the chat's previous window (bot/store/arrivals.py). An alert batch's
    ``start``/``end`` are arrival numbers themselves.
    """

    chat_id: int
    name: str
    start: int
    end: int
    seq_end: int = 0


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """One part waiting to be sent."""

    id: int
    chat_id: int
    part: int
    parts: int
    random_id: int
    body: str
    attempts: int


@dataclass(frozen=True, slots=True)
class SentPart:
    """A part Telegram accepted: its outbox id, Telegram's message id (if known), and when."""

    id: int
    msg_id: int | None
    at: int


@dataclass(frozen=True, slots=True)
class Subscription:
    """A chat's enabled subscription; ``groups`` empty means every group."""

    chat_id: int
    groups: tuple[str, ...]
    access_hash: int | None
    created_at: int
