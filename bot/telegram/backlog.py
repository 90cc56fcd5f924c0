"""A bound on Telethon's queue of received updates, which has none of its own.

Telethon parses every update off the socket into full objects and queues them until its
update loop dispatches them. When posts arrive faster than the process handles them (a
busy channel list, a slow disk, a catch-up holding the core), that queue held the whole
backlog: in the soak, ~9,000 pending updates of ~1.3 KB each (a Message and a copy of its
Channel), most of the service's memory growth.

Past ``UPDATE_BACKLOG_LIMIT`` updates held in full, a new channel post is queued *light*:
its update keeps its pts, so Telethon's message box sees no gap and asks Telegram for no
difference, but its message is a ``MessageEmpty`` (which the event builders skip) and the
channels Telethon already knows are left out of its container. No post is lost: live
writes never move a cursor, so ``on_light`` asks for the history read that stores it from
its channel's cursor, as the live writer does when its own queue is full. Edits and
deletions always stay whole: the reconcile window would miss one of an older post.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Final

from telethon import TelegramClient, types

from bot import metrics

#: Updates Telethon holds in full at most (~1.3 MB; about a second of the soak's week).
UPDATE_BACKLOG_LIMIT: Final = 1000


class UpdateBacklog(asyncio.Queue[Any]):
    """Telethon's ``_updates_queue``, with new channel posts past the bound queued light."""

    def __init__(self, known_chat: Callable[[int], bool]) -> None:
        super().__init__()
        self._known_chat = known_chat
        #: Asked for a history read whenever a post was queued light.
        self.on_light: Callable[[], None] | None = None
        #: Updates held in full now, and posts queued light so far.
        self.held = 0
        self.light = 0

    def _put(self, item: Any) -> None:
        if self.held >= UPDATE_BACKLOG_LIMIT:
            lightened = _lighten(item, self._known_chat)
            if lightened:
                self.light += lightened
                metrics.LIVE_DROPPED.inc(lightened)
                if self.on_light is not None:
                    self.on_light()
        self.held += _full(item)
        super()._put(item)

    def _get(self) -> Any:
        item = super()._get()
        self.held -= _full(item)
        return item


def _full(item: Any) -> int:
    """How many updates ``item`` holds in full (a light post counts for none)."""
    if not isinstance(item, types.Updates | types.UpdatesCombined):
        return 1
    return sum(not _is_light(u) for u in item.updates)


def _is_light(update: Any) -> bool:
    return (isinstance(update, types.UpdateNewChannelMessage)
            and isinstance(update.message, types.MessageEmpty))


def _lighten(item: Any, known_chat: Callable[[int], bool]) -> int:
    """Make the container's new channel posts light in place; return how many were."""
    if not isinstance(item, types.Updates | types.UpdatesCombined):
        return 0
    count = 0
    for i, update in enumerate(item.updates):
        if (isinstance(update, types.UpdateNewChannelMessage)
                and isinstance(update.message, types.Message)
                and isinstance(update.message.peer_id, types.PeerChannel)):
            message = update.message
            item.updates[i] = types.UpdateNewChannelMessage(
                types.MessageEmpty(message.id, peer_id=message.peer_id),
                update.pts, update.pts_count)
            count += 1
    if count:
        # Whatever a remaining whole update names stays, as does a channel Telethon has no
        # access hash for yet (it needs one to ask for the channel's difference).
        named = {u.message.peer_id.channel_id for u in item.updates
                 if not _is_light(u) and isinstance(getattr(u, "message", None), types.Message)
                 and isinstance(u.message.peer_id, types.PeerChannel)}
        named |= {getattr(u, "channel_id", None) for u in item.updates if not _is_light(u)}
        item.chats = [c for c in item.chats if c.id in named or not known_chat(c.id)]
    return count


def install_backlog(client: TelegramClient) -> UpdateBacklog:
    """Give a new (not yet connected) client the bounded queue, where its sender puts
    what it receives and its update loop takes from."""
    cache = client._mb_entity_cache

    def known(chat_id: int) -> bool:
        return cache.get(chat_id) is not None

    backlog = UpdateBacklog(known)
    client._updates_queue = backlog
    client._sender._updates_queue = backlog
    return backlog


def watch_backlog(client: TelegramClient, on_light: Callable[[], None]) -> None:
    """Ask ``on_light`` for a history read whenever the client's backlog queues a post
    light (a client made elsewhere, without the bound, has nothing to report)."""
    backlog = client._updates_queue
    if isinstance(backlog, UpdateBacklog):
        backlog.on_light = on_light
