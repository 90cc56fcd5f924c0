"""Usernames, channel info, joining, channel messages and channel difference."""

from __future__ import annotations

import bisect
import re
from typing import Any

from telethon.tl import functions, types

from ..errors import FakeRpcError
from ..model import Channel, channel_tl, post_tl, user_tl
from .registry import Ctx, handles

_USERNAME = re.compile(r"[a-zA-Z][a-zA-Z0-9_]{3,31}")


@handles(functions.contacts.ResolveUsernameRequest)
def resolve_username(ctx: Ctx, request: Any) -> types.contacts.ResolvedPeer:
    if not _USERNAME.fullmatch(request.username):
        raise FakeRpcError("USERNAME_INVALID")
    found = ctx.world.usernames.get(request.username.lower())
    if found is None:
        raise FakeRpcError("USERNAME_NOT_OCCUPIED")
    kind, entity_id = found
    me = ctx.me
    if kind == "channel":
        channel = ctx.world.channels[entity_id]
        return types.contacts.ResolvedPeer(
            peer=types.PeerChannel(channel.id),
            chats=[channel_tl(channel, viewer_id=me.id)], users=[])
    user = ctx.world.accounts[entity_id]
    return types.contacts.ResolvedPeer(
        peer=types.PeerUser(user.id), chats=[], users=[user_tl(user, viewer_id=me.id)])


@handles(functions.channels.GetChannelsRequest)
def get_channels(ctx: Ctx, request: Any) -> types.messages.Chats:
    # Banned or private-to-us channels come back as ChannelForbidden, not as an error.
    return types.messages.Chats(
        chats=[channel_tl(ctx.channel(c), viewer_id=ctx.me.id) for c in request.id])


@handles(functions.channels.GetFullChannelRequest)
def get_full_channel(ctx: Ctx, request: Any) -> types.messages.ChatFull:
    channel = ctx.channel(request.channel)
    ctx.check_readable(channel)
    top = channel.live_ids[-1] if channel.live_ids else 0
    full = types.ChannelFull(
        id=channel.id, about="", read_inbox_max_id=top, read_outbox_max_id=0, unread_count=0,
        chat_photo=types.PhotoEmpty(id=0), notify_settings=types.PeerNotifySettings(),
        bot_info=[], pts=channel.pts, participants_count=len(channel.members),
    )
    return types.messages.ChatFull(
        full_chat=full, chats=[channel_tl(channel, viewer_id=ctx.me.id)], users=[])


def _channel_updates(ctx: Ctx, channel: Channel, updates: list[Any]) -> types.Updates:
    return ctx.world.updates(ctx.me, updates, date=ctx.world.now(), channels=[channel])


@handles(functions.channels.JoinChannelRequest)
def join_channel(ctx: Ctx, request: Any) -> types.Updates:
    channel = ctx.channel(request.channel)
    ctx.forbid_bots()
    me, world = ctx.me, ctx.world
    ctx.check_readable(channel)
    if me.id in channel.members:
        return _channel_updates(ctx, channel, [])
    joined = sum(1 for c in world.channels.values() if me.id in c.members)
    if joined >= world.channel_limit:
        raise FakeRpcError("CHANNELS_TOO_MUCH")
    world.join(channel, me)
    return _channel_updates(ctx, channel, [types.UpdateChannel(channel.id)])


@handles(functions.channels.LeaveChannelRequest)
def leave_channel(ctx: Ctx, request: Any) -> types.Updates:
    channel = ctx.channel(request.channel)
    if ctx.me.id not in channel.members:
        raise FakeRpcError("USER_NOT_PARTICIPANT")
    ctx.world.leave(channel, ctx.me)
    return _channel_updates(ctx, channel, [types.UpdateChannel(channel.id)])


@handles(functions.channels.ReadHistoryRequest)
def read_channel_history(ctx: Ctx, request: Any) -> bool:
    ctx.check_readable(ctx.channel(request.channel))
    return True


@handles(functions.channels.GetMessagesRequest)
def get_channel_messages(ctx: Ctx, request: Any) -> types.messages.ChannelMessages:
    channel = ctx.channel(request.channel)
    ctx.check_readable(channel)
    messages = []
    for input_message in request.id:
        if not isinstance(input_message, types.InputMessageID):
            raise NotImplementedError(f"fake Telegram: {type(input_message).__name__}")
        post = channel.post(input_message.id)
        messages.append(post_tl(channel, post) if post is not None
                        else types.MessageEmpty(id=input_message.id,
                                              peer_id=types.PeerChannel(channel.id)))
    return types.messages.ChannelMessages(
        pts=channel.pts, count=len(channel.live_ids), messages=messages, topics=[],
        chats=[channel_tl(channel, viewer_id=ctx.me.id)], users=[])


@handles(functions.updates.GetChannelDifferenceRequest)
def get_channel_difference(ctx: Ctx, request: Any) -> Any:
    """Like Telegram: more than ``limit`` missed events gives ``channelDifferenceTooLong``
    (Telethon asks users for 100, bots for 100,000)."""
    channel = ctx.channel(request.channel)
    ctx.check_readable(channel)
    me = ctx.me
    chats = [channel_tl(channel, viewer_id=me.id)]
    if request.pts <= 0:
        raise FakeRpcError("PERSISTENT_TIMESTAMP_EMPTY")
    if request.pts >= channel.pts:
        return types.updates.ChannelDifferenceEmpty(pts=channel.pts, final=True)
    if channel.pts - request.pts > request.limit:
        latest = channel.live_ids[-request.limit:][::-1]
        dialog = types.Dialog(
            peer=types.PeerChannel(channel.id), top_message=latest[0] if latest else 0,
            read_inbox_max_id=0, read_outbox_max_id=0,
            unread_count=len(channel.live_ids), unread_mentions_count=0,
            unread_reactions_count=0, unread_poll_votes_count=0,
            notify_settings=types.PeerNotifySettings(), pts=channel.pts)
        return types.updates.ChannelDifferenceTooLong(
            dialog=dialog, messages=[post_tl(channel, channel.posts[i - 1]) for i in latest],
            chats=chats, users=[], final=True)
    new_ids: list[int] = []
    other: list[Any] = []
    for pts, count, kind, data in channel.events[
            bisect.bisect_right(channel.event_pts, request.pts):]:
        if kind == "new":
            new_ids.append(data)
        elif kind == "edit" and data not in new_ids and not channel.posts[data - 1].deleted:
            other.append(types.UpdateEditChannelMessage(
                post_tl(channel, channel.posts[data - 1]), pts, count))
        elif kind == "delete":
            other.append(types.UpdateDeleteChannelMessages(channel.id, list(data), pts, count))
    new_messages = [post_tl(channel, channel.posts[i - 1]) for i in new_ids
                    if not channel.posts[i - 1].deleted]
    return types.updates.ChannelDifference(
        pts=channel.pts, new_messages=new_messages, other_updates=other, chats=chats,
        users=[], final=True)

