"""The store's delivery interfaces: what the bot's scheduler, sender and commands may ask.

``Archive.outbox``, ``Archive.arrivals`` and ``Archive.subscribers`` are the SQLite sides
(bot/store/outbox.py, arrivals.py, subscribers.py). Exactly-once delivery rests on what these
promise: a window and its parts are created in one transaction with their random_ids, and a
part leaves the queue only through mark_sent, mark_failed or mark_unreachable.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Protocol

from bot.domain import StoredPost
from bot.store.delivery_values import OutboxMessage, SentPart, Subscription, Window
from bot.store.ports import PostQueries


class Outbox(Protocol):
    """Digest and alert windows with their parts, and the sender's queue of them."""

    async def create_windows(
        self, windows: Sequence[tuple[Window, Sequence[str]]],
        *,
        now: int,
        alert_watermark: int | None = None,
    ) -> list[int]:
        """Record digests with their parts in one transaction; return ids of those created."""
        ...

    async def alert_watermark(self) -> int | None:
        """Return the arrival number up to which posts were scanned for alerts, or None."""
        ...

    async def last_window_ends(self) -> dict[tuple[int, str], int]:
        """Return the end of the latest window per (chat, digest name)."""
        ...

    async def last_seq_ends(self) -> dict[tuple[int, str], int]:
        """Return the arrival number the latest window of each (chat, digest name) reached."""
        ...

    async def last_window_end(self, chat_id: int, name: str) -> int | None:
        """Return the end of the latest window of one chat's digest, or None."""
        ...

    async def due_messages(self, *, now: int, limit: int = 500,
                           skip: Collection[int] = ()) -> list[OutboxMessage]:
        """Return each chat's next pending part when it may go now, oldest first.

        Parts in ``skip`` (sent, their marks not yet written) count as gone.
        """
        ...

    async def next_not_before(self) -> int | None:
        """Return the earliest time a pending part may be sent, or None when nothing is pending."""
        ...

    async def mark_sent(self, parts: Sequence[SentPart]) -> None:
        """Record that parts reached Telegram, in one transaction."""
        ...

    async def postpone(self, message_id: int, *, until: int, error: str) -> None:
        """Count a failed attempt and try the part again at ``until``."""
        ...

    async def postpone_all(self, *, until: int, error: str) -> int:
        """Hold every pending part until ``until`` (a flood wait covers the whole account)."""
        ...

    async def mark_failed(self, message_id: int, *, error: str) -> None:
        """Give up on one part (a request Telegram will never accept)."""
        ...

    async def mark_unreachable(self, chat_id: int, *, reason: str) -> int:
        """Drop a chat's pending parts and disable its subscription; return parts dropped."""
        ...

    async def status_counts(self) -> dict[str, int]:
        """Count outbox parts by status."""
        ...


class Arrivals(Protocol):
    """Arrival numbers, taken inside each write: what digests and alerts advance on."""

    async def current_seq(self) -> int:
        """The newest arrival number committed."""
        ...

    async def seq_at(self, at: int) -> int:
        """The last arrival number stored at or before unix time ``at`` (for a first window)."""
        ...

    async def posts_arrived(
        self, *, after: int, until: int, groups: Collection[str] | None = None,
        include_edits: bool = False,
    ) -> list[StoredPost]:
        """Posts that arrived with numbers in (after, until], in arrival order."""
        ...

    async def posts_stored(self, *, after: int, until: int) -> list[StoredPost]:
        """Every post stored in (after, until] by clock, history included: for previews only."""
        ...

    async def history_arrived(self, *, after: int, until: int) -> int:
        """Count imported or backfilled posts stored in (after, until]: kept out of digests."""
        ...


class Subscribers(Protocol):
    """Which chats follow which keyword groups, and how to reach them."""

    async def subscribe(
        self, chat_id: int, groups: Sequence[str], *, access_hash: int | None, now: int
    ) -> tuple[str, ...]:
        """Follow ``groups`` (none: every group); return what the chat follows now (() = all)."""
        ...

    async def unsubscribe(
        self, chat_id: int, groups: Sequence[str], *, known_groups: Collection[str]
    ) -> tuple[str, ...] | None:
        """Stop following ``groups`` (none: all); return what is left, or None when nothing is."""
        ...

    async def subscription(self, chat_id: int) -> Subscription | None:
        """Return a chat's enabled subscription, or None."""
        ...

    async def active_subscriptions(self) -> list[Subscription]:
        """Return every enabled subscription, by chat id."""
        ...

    async def access_hash(self, chat_id: int) -> int | None:
        """Return the stored access hash of a subscribed chat (enabled or not), if any."""
        ...

    async def disabled_reason(self, chat_id: int) -> str | None:
        """Say why a chat's subscription was disabled, or None when it is not."""
        ...


class DeliveryStore(Protocol):
    """Everything delivery reads and writes, and the post queries its commands answer."""

    @property
    def outbox(self) -> Outbox:
        """Windows, parts and their delivery."""
        ...

    @property
    def arrivals(self) -> Arrivals:
        """Arrival numbers and what arrived between them."""
        ...

    @property
    def subscribers(self) -> Subscribers:
        """Who follows what."""
        ...

    @property
    def queries(self) -> PostQueries:
        """Questions about stored posts (the bot's commands)."""
        ...
