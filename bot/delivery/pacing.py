"""Keep sends under Telegram's rates: 1/s per chat, 20/min per group or channel, 30/s overall.

Going over them earns flood waits that block every send of the account, so the sender asks
the pacer when a chat may get its next message instead of trying and backing off. The
overall rate is kept as an even spacing (1/30 s), not as bursts of 30: a restarted process
knows nothing of what it sent just before, and a burst would then double the rate.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Rates:
    """Send limits; the defaults are Telegram's published bot limits."""

    per_chat_interval: float = 1.0
    group_per_minute: int = 20
    overall_per_second: int = 30


@dataclass(slots=True)
class Pacer:
    """Remember recent sends and say when the next one to a chat is allowed (unix seconds)."""

    rates: Rates = field(default_factory=Rates)
    _last_by_chat: dict[int, float] = field(default_factory=dict)
    _group_sends: dict[int, deque[float]] = field(default_factory=dict)
    _all_sends: deque[float] = field(default_factory=deque)  # the latest send only

    def ready_at(self, chat_id: int, now: float) -> float:
        """Return the earliest moment (≥ now) a message to ``chat_id`` keeps every limit."""
        moment = now
        last = self._last_by_chat.get(chat_id)
        if last is not None:
            moment = max(moment, last + self.rates.per_chat_interval)
        recent = self._group_sends.get(chat_id)
        if is_group(chat_id) and recent and len(recent) >= self.rates.group_per_minute:
            moment = max(moment, recent[-self.rates.group_per_minute] + 60.0)
        if self._all_sends:
            moment = max(moment, self._all_sends[-1] + 1.0 / self.rates.overall_per_second)
        return moment

    def record(self, chat_id: int, at: float) -> None:
        """Note a send to ``chat_id`` at ``at``."""
        self._last_by_chat[chat_id] = at
        self._all_sends.append(at)
        while len(self._all_sends) > 1:
            self._all_sends.popleft()
        if is_group(chat_id):
            recent = self._group_sends.setdefault(chat_id, deque())
            recent.append(at)
            while len(recent) > self.rates.group_per_minute:
                recent.popleft()


def is_group(chat_id: int) -> bool:
    """Say whether a marked peer id is a group or channel (negative) rather than a user."""
    return chat_id < 0
