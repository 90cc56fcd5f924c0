"""Uploading files, sending them as photos or documents, and answering button presses."""

from __future__ import annotations

import base64
from typing import Any

from telethon.tl import functions, types

from ..errors import FakeRpcError
from ..model import Channel, encode_tl_list, private_tl
from .messages import _check_entities, markup_of, send_kind, utf16_len
from .registry import Ctx, handles

CAPTION_LENGTH_MAX = 1024
_PART_MAX = 512 * 1024


@handles(functions.upload.SaveFilePartRequest)
def save_file_part(ctx: Ctx, request: Any) -> bool:
    if len(request.bytes) > _PART_MAX:
        raise FakeRpcError("FILE_PART_TOO_BIG")
    ctx.world.uploads.setdefault((ctx.me.id, request.file_id), {})[request.file_part] = \
        bytes(request.bytes)
    return True


@handles(functions.messages.SendMediaRequest)
def send_media(ctx: Ctx, request: Any) -> Any:
    world, me = ctx.world, ctx.me
    peer = ctx.peer(request.peer)
    media = request.media
    if isinstance(media, types.InputMediaUploadedPhoto):
        kind, name = "photo", media.file.name
    elif isinstance(media, types.InputMediaUploadedDocument):
        kind, name = "document", media.file.name
    else:
        raise NotImplementedError(f"fake Telegram: {type(media).__name__}")
    parts = world.uploads.pop((me.id, media.file.id), None)
    if parts is None or sorted(parts) != list(range(media.file.parts)):
        raise FakeRpcError("FILE_PARTS_INVALID")
    if utf16_len(request.message) > CAPTION_LENGTH_MAX:
        raise FakeRpcError("MEDIA_CAPTION_TOO_LONG")
    _check_entities(request.message, request.entities)
    kind_of_send = send_kind(ctx, peer)
    if isinstance(peer, Channel):
        raise NotImplementedError("fake Telegram: media posts to channels")
    data = b"".join(parts[i] for i in range(media.file.parts))
    _, msg_id, pts = world.execute({
        "op": "send", "from": me.id, "kind": kind_of_send, "to": peer.id,
        "text": request.message, "entities": encode_tl_list(request.entities),
        "random_id": request.random_id, "date": world.now(), "push": world.push_enabled,
        "api": True, "buttons": markup_of(request),
        "media": {"kind": kind, "b64": base64.b64encode(data).decode(), "name": name},
    })
    message = me.messages[msg_id]
    return world.updates(me, [
        types.UpdateMessageID(id=msg_id, random_id=request.random_id),
        types.UpdateNewMessage(private_tl(me, message), pts, 1),
    ], date=message.date, users=[me])


@handles(functions.messages.SetBotCallbackAnswerRequest)
def set_bot_callback_answer(ctx: Ctx, request: Any) -> bool:
    if not ctx.me.is_bot:
        raise FakeRpcError("BOT_METHOD_INVALID")
    ctx.world.callback_answers.append((ctx.me.id, request.query_id))
    return True
