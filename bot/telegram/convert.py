"""Translate Telethon messages and channels into tgmon's own records."""

from __future__ import annotations

from typing import Any

from telethon import types, utils

from bot.domain import Channel, Post


def to_channel(entity: Any) -> Channel:
    """Build a Channel from a Telethon Channel (username falls back to ``usernames``)."""
    username = getattr(entity, "username", None)
    if not username:
        # A channel with collectible usernames has username=None and its handles here.
        active = [u.username for u in (getattr(entity, "usernames", None) or []) if u.active]
        username = active[0] if active else None
    return Channel(id=utils.get_peer_id(entity), title=getattr(entity, "title", "") or "",
                   username=username, access_hash=getattr(entity, "access_hash", None))


def to_post(message: Any) -> Post | None:
    """Build a Post from a Telethon Message; service messages give None."""
    if not isinstance(message, types.Message) or message.peer_id is None:
        return None
    fwd = message.fwd_from
    fwd_from_id = utils.get_peer_id(fwd.from_id) if fwd and fwd.from_id else None
    replies = message.replies.replies if message.replies else None
    kind = media_kind(message.media)
    return Post(
        channel_id=utils.get_peer_id(message.peer_id),
        msg_id=message.id,
        date=message.date,
        text=message.message or "",
        edit_date=message.edit_date,
        views=message.views,
        forwards=message.forwards,
        replies=replies,
        fwd_from_id=fwd_from_id,
        fwd_from_msg=fwd.channel_post if fwd else None,
        fwd_from_name=(fwd.from_name or fwd.post_author) if fwd else None,
        grouped_id=message.grouped_id,
        media=(kind,) if kind else (),
        author=message.post_author,
    )


def media_kind(media: Any) -> str | None:
    """Name a message's media in one word (photo, video, voice, …), or None."""
    if media is None or isinstance(media, types.MessageMediaEmpty):
        return None
    if isinstance(media, types.MessageMediaPhoto):
        return "photo"
    if isinstance(media, types.MessageMediaDocument):
        return _document_kind(media.document)
    simple = {
        types.MessageMediaWebPage: "webpage", types.MessageMediaPoll: "poll",
        types.MessageMediaGeo: "geo", types.MessageMediaGeoLive: "geo",
        types.MessageMediaVenue: "venue", types.MessageMediaContact: "contact",
        types.MessageMediaDice: "dice", types.MessageMediaGame: "game",
        types.MessageMediaInvoice: "invoice", types.MessageMediaStory: "story",
    }
    return simple.get(type(media), "other")


def _document_kind(document: Any) -> str:
    attributes = getattr(document, "attributes", None) or []
    for attribute in attributes:
        if isinstance(attribute, types.DocumentAttributeSticker):
            return "sticker"
        if isinstance(attribute, types.DocumentAttributeAnimated):
            return "gif"
    for attribute in attributes:
        if isinstance(attribute, types.DocumentAttributeVideo):
            return "round" if attribute.round_message else "video"
        if isinstance(attribute, types.DocumentAttributeAudio):
            return "voice" if attribute.voice else "audio"
    return "document"
