"""History paging, fetching by id, sending (with random_id de-duplication) and dialogs."""

from __future__ import annotations

import base64
from typing import Any

from telethon.tl import functions, types

from ..errors import FakeRpcError
from ..model import (
    Account,
    Channel,
    Group,
    channel_tl,
    encode_tl_list,
    post_tl,
    private_tl,
    user_tl,
    utc,
)
from .registry import Ctx, handles, history_window

MESSAGE_LENGTH_MAX = 4096  # UTF-16 code units, after parsing the formatting


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@handles(functions.messages.GetHistoryRequest)
def get_history(ctx: Ctx, request: Any) -> Any:
    ctx.forbid_bots()  # bots cannot read history, in channels or private chats
    peer = ctx.peer(request.peer)
    offset_date = int(request.offset_date.timestamp()) if request.offset_date else 0
    window = dict(offset_id=request.offset_id, offset_date=offset_date,
                  add_offset=request.add_offset, limit=request.limit,
                  max_id=request.max_id, min_id=request.min_id)
    me = ctx.me
    if isinstance(peer, Channel):
        ctx.check_readable(peer)
        posts = peer.posts
        ids = history_window(peer.live_ids, lambda i: posts[i - 1].date, **window)
        return types.messages.ChannelMessages(
            pts=peer.pts, count=len(peer.live_ids),
            messages=[post_tl(peer, posts[i - 1]) for i in ids], topics=[],
            chats=[channel_tl(peer, viewer_id=me.id)], users=[])
    chat = me.chats.get(peer.id, [])
    ids = history_window(chat, lambda i: me.messages[i].date, **window)
    return types.messages.MessagesSlice(
        count=len(chat), messages=[private_tl(me, me.messages[i]) for i in ids], topics=[],
        chats=[], users=[user_tl(peer, viewer_id=me.id), user_tl(me, viewer_id=me.id)])


@handles(functions.messages.GetMessagesRequest)
def get_messages(ctx: Ctx, request: Any) -> types.messages.Messages:
    me = ctx.me
    messages, peers = [], set()
    for input_message in request.id:
        if not isinstance(input_message, types.InputMessageID):
            raise NotImplementedError(f"fake Telegram: {type(input_message).__name__}")
        message = me.messages.get(input_message.id)
        if message is None:
            messages.append(types.MessageEmpty(id=input_message.id, peer_id=None))
        else:
            messages.append(private_tl(me, message))
            peers.add(message.peer_id)
    users = [user_tl(ctx.world.accounts[p], viewer_id=me.id) for p in sorted(peers)]
    return types.messages.Messages(messages=messages, topics=[], chats=[], users=users)


def _check_entities(text: str, entities: list[Any] | None) -> None:
    length = utf16_len(text)
    for entity in entities or ():
        if entity.offset < 0 or entity.length <= 0 or entity.offset + entity.length > length:
            raise FakeRpcError("ENTITY_BOUNDS_INVALID")


def _answer(ctx: Ctx, peer: Account | Channel | Group, msg_id: int, pts: int,
            random_id: int) -> Any:
    """What sendMessage returns: updateShortSentMessage in private chats, Updates in channels."""
    me = ctx.me
    if isinstance(peer, Channel):
        post = peer.posts[msg_id - 1]
        return ctx.world.updates(me, [
            types.UpdateMessageID(id=msg_id, random_id=random_id),
            types.UpdateNewChannelMessage(post_tl(peer, post), pts, 1),
        ], date=post.date, channels=[peer])
    message = me.messages[msg_id]
    return types.UpdateShortSentMessage(
        id=msg_id, pts=pts, pts_count=1, date=utc(message.date), out=True,
        entities=message.entities)


def markup_of(request: Any) -> list[list[Any]] | None:
    """The inline keyboard of a send, as JSON-friendly rows of [label, base64 data]."""
    markup = getattr(request, "reply_markup", None)
    if markup is None:
        return None
    if not isinstance(markup, types.ReplyInlineMarkup):
        raise NotImplementedError(f"fake Telegram: {type(markup).__name__}")
    rows = []
    for row in markup.rows:
        cells = []
        for button in row.buttons:
            data = getattr(button.type, "data", None)
            if data is None:
                raise NotImplementedError(f"fake Telegram: {type(button.type).__name__}")
            if len(data) > 64:
                raise FakeRpcError("BUTTON_DATA_INVALID")
            cells.append([button.text, base64.b64encode(data).decode()])
        rows.append(cells)
    return rows


def send_kind(ctx: Ctx, peer: Account | Channel | Group) -> str:
    """Check that ``ctx.me`` may write to ``peer``; return the send's kind."""
    me = ctx.me
    if isinstance(peer, Group):
        return "group"
    if isinstance(peer, Channel):
        ctx.check_readable(peer)
        if me.id not in peer.admins:
            raise FakeRpcError("CHAT_ADMIN_REQUIRED")
        return "channel"
    if me.is_bot and peer.is_bot:
        raise FakeRpcError("USER_IS_BOT")
    if me.id in peer.blocked:
        raise FakeRpcError("USER_IS_BLOCKED")
    return "user"


@handles(functions.messages.SendMessageRequest)
def send_message(ctx: Ctx, request: Any) -> Any:
    world, me = ctx.world, ctx.me
    peer = ctx.peer(request.peer)
    known = world.random_ids.get((me.id, request.random_id))
    if known is not None:
        if world.duplicate_random_id == "error":
            raise FakeRpcError("RANDOM_ID_DUPLICATE")
        return _answer(ctx, peer, known[1], known[2], request.random_id)
    if not request.message.strip():
        raise FakeRpcError("MESSAGE_EMPTY")
    if utf16_len(request.message) > MESSAGE_LENGTH_MAX:
        raise FakeRpcError("MESSAGE_TOO_LONG")
    _check_entities(request.message, request.entities)
    kind = send_kind(ctx, peer)
    _, msg_id, pts = world.execute({
        "op": "send", "from": me.id, "kind": kind, "to": peer.id, "text": request.message,
        "entities": encode_tl_list(request.entities), "random_id": request.random_id,
        "date": world.now(), "push": world.push_enabled, "api": True,
        "buttons": markup_of(request),
    })
    return _answer(ctx, peer, msg_id, pts, request.random_id)


@handles(functions.messages.GetDialogsRequest)
def get_dialogs(ctx: Ctx, request: Any) -> Any:
    """Every joined channel and private chat, newest first (offsets by date only)."""
    ctx.forbid_bots()
    world, me = ctx.world, ctx.me
    entries: list[tuple[int, int, Any, Any, Account | Channel]] = []
    for channel in world.channels.values():
        if me.id in world.readers(channel):
            top = channel.live_ids[-1] if channel.live_ids else 0
            date = channel.posts[top - 1].date if top else channel.date
            message = post_tl(channel, channel.posts[top - 1]) if top else None
            entries.append((date, top, types.PeerChannel(channel.id), message, channel))
    for peer_id, ids in me.chats.items():
        if peer_id < 0:  # basic groups are not listed here
            continue
        top_message = me.messages[ids[-1]]
        entries.append((top_message.date, top_message.id, types.PeerUser(peer_id),
                        private_tl(me, top_message), world.accounts[peer_id]))
    entries.sort(key=lambda e: (e[0], e[1]), reverse=True)
    offset_date = int(request.offset_date.timestamp()) if request.offset_date else 0
    if offset_date:
        entries = [e for e in entries if e[0] < offset_date]
    page = entries[: max(0, min(request.limit, 100))]
    dialogs = [types.Dialog(
        peer=peer, top_message=top, read_inbox_max_id=top, read_outbox_max_id=top,
        unread_count=0, unread_mentions_count=0, unread_reactions_count=0,
        unread_poll_votes_count=0, notify_settings=types.PeerNotifySettings(),
        pts=entity.pts if isinstance(entity, Channel) else None,
    ) for _, top, peer, _, entity in page]
    chats = [channel_tl(e[4], viewer_id=me.id) for e in page if isinstance(e[4], Channel)]
    users = [user_tl(e[4], viewer_id=me.id) for e in page if isinstance(e[4], Account)]
    messages = [e[3] for e in page if e[3] is not None]
    if len(page) == len(entries) and not offset_date:
        return types.messages.Dialogs(dialogs=dialogs, messages=messages, chats=chats,
                                      users=users)
    return types.messages.DialogsSlice(count=len(entries), dialogs=dialogs, messages=messages,
                                       chats=chats, users=users)
