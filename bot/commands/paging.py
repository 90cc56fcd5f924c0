"""Remember what a chat was shown, so /more and the "more" button can go on from there.

A button can carry 64 bytes, far less than a query, so it carries a short token; the query
itself stays here (bounded, oldest forgotten first). After a restart a token is unknown and
the user is asked to run the command again.
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from dataclasses import dataclass

from bot.store.values import PostQuery

_KEEP = 2000


@dataclass(frozen=True, slots=True)
class Listing:
    """A listing to continue: what it searched for, and how far the chat has read."""

    title: str
    text: str | None  # the search words; None lists posts newest first
    query: PostQuery
    shown: int  # posts shown so far
    total: str  # "1,234" or "10,000+"
    chat_id: int


class PageMemory:
    """Listings by token, and each chat's newest token."""

    def __init__(self) -> None:
        self._listings: OrderedDict[str, Listing] = OrderedDict()
        self._latest: OrderedDict[int, str] = OrderedDict()
        #: Chats whose newest listing was shown to its end, with its title.
        self._ended: OrderedDict[int, str] = OrderedDict()
        self._ids = itertools.count(1)

    def remember(self, listing: Listing) -> str:
        token = format(next(self._ids), "x")
        self._listings[token] = listing
        self._ended.pop(listing.chat_id, None)
        self._latest[listing.chat_id] = token
        self._latest.move_to_end(listing.chat_id)
        self._trim()
        return token

    def end(self, chat_id: int, title: str) -> None:
        """The chat saw the last page of ``title``: /more must not go back to an older one."""
        self._latest.pop(chat_id, None)
        self._ended[chat_id] = title
        self._ended.move_to_end(chat_id)
        self._trim()

    def ended(self, chat_id: int) -> str | None:
        """The title of the listing the chat last read to its end, if that was its newest."""
        return self._ended.get(chat_id)

    def _trim(self) -> None:
        for store in (self._listings, self._latest, self._ended):
            while len(store) > _KEEP:
                store.popitem(last=False)

    def get(self, token: str, chat_id: int) -> Listing | None:
        listing = self._listings.get(token)
        return listing if listing is not None and listing.chat_id == chat_id else None

    def latest(self, chat_id: int) -> tuple[str, Listing] | None:
        token = self._latest.get(chat_id)
        listing = self._listings.get(token) if token else None
        return (token, listing) if token and listing else None
