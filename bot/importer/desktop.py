"""Read a Telegram Desktop "Export chat history" JSON file as a stream of posts.

Exports reach hundreds of MB, so the file is parsed as a stream (ijson) and only one message
is held in memory at a time. A malformed message is reported and skipped; a file that is not
a channel export at all raises ImportFormatError.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, BinaryIO

import ijson

from bot.domain import Channel, Post, marked_channel_id
from bot.errors import ImportFormatError

_CHAT_TYPES = {
    "public_channel",
    "private_channel",
    "public_supergroup",
    "private_supergroup",
    "private_group",
}
_MEDIA_KINDS = {
    "video_file": "video",
    "voice_message": "voice",
    "video_message": "round",
    "audio_file": "audio",
    "animation": "gif",
    "sticker": "sticker",
}
_OTHER_MEDIA = {
    "poll": "poll",
    "location_information": "geo",
    "contact_information": "contact",
    "place_name": "venue",
    "game_title": "game",
    "invoice_information": "invoice",
}


@dataclass(frozen=True, slots=True)
class ExportHeader:
    """The channel an export belongs to."""

    channel: Channel
    chat_type: str


@dataclass(frozen=True, slots=True)
class Skipped:
    """A message that was not imported, and why (service messages are not errors)."""

    msg_id: object
    reason: str
    error: bool


def read_export(
    stream: BinaryIO, *, on_header: Callable[[ExportHeader], None]
) -> Iterator[Post | Skipped]:
    """Yield a Post (or a Skipped note) for each message; call ``on_header`` first."""
    header: dict[str, Any] = {}
    saw_messages = False
    events = ijson.parse(stream, use_float=True)
    try:
        first = next(events, None)
        if first is None or first[1] != "start_map":
            raise ImportFormatError("not a Telegram Desktop export: the file is not a JSON object")
        for prefix, event, value in events:
            if saw_messages:
                continue  # keys after the messages list carry nothing we import
            if prefix in {"name", "type", "id"} and event in {"string", "number"}:
                header[prefix] = value
            elif prefix == "messages" and event == "start_array":
                saw_messages = True
                parsed = _header(header)
                on_header(parsed)
                yield from _messages(events, parsed.channel.id)
            elif prefix == "chats" and event == "start_map":
                raise ImportFormatError(
                    "this is a whole-account export; export one channel instead "
                    "(channel menu → Export chat history → JSON)"
                )
    except ijson.JSONError as exc:
        raise ImportFormatError(f"not valid JSON: {exc}") from None
    if not saw_messages:
        raise ImportFormatError(
            "not a Telegram Desktop export: no 'messages' list (export with format JSON)"
        )


def _header(values: Mapping[str, Any]) -> ExportHeader:
    missing = [k for k in ("name", "type", "id") if k not in values]
    if missing:
        raise ImportFormatError(
            f"not a Telegram Desktop chat export: {', '.join(missing)} missing before 'messages'"
        )
    if values["type"] not in _CHAT_TYPES:
        raise ImportFormatError(
            f"this export is a {values['type']!r} chat; tgmon imports channels and groups"
        )
    try:
        bare_id = int(values["id"])
    except (TypeError, ValueError):
        raise ImportFormatError(f"the export's chat id {values['id']!r} is not a number") from None
    channel = Channel(id=marked_channel_id(bare_id), title=str(values["name"]))
    return ExportHeader(channel, str(values["type"]))


def _messages(events: Iterator[tuple[str, str, Any]], channel_id: int) -> Iterator[Post | Skipped]:
    builder: Any = None
    for prefix, event, value in events:
        if prefix == "messages" and event == "end_array":
            return
        if prefix == "messages.item" and event == "start_map":
            builder = ijson.ObjectBuilder()
        if builder is not None:
            builder.event(event, value)
            if prefix == "messages.item" and event == "end_map":
                yield _to_post(builder.value, channel_id)
                builder = None
        elif prefix == "messages.item":
            yield Skipped(None, f"entry is a {event}, not a message object", error=True)
    raise ImportFormatError("the file ends inside the 'messages' list (is it truncated?)")


def _to_post(raw: Any, channel_id: int) -> Post | Skipped:
    msg_id = raw.get("id") if isinstance(raw, dict) else None
    try:
        if not isinstance(raw, dict):
            raise ValueError("entry is not an object")
        if raw.get("type", "message") == "service":
            return Skipped(msg_id, "service message", error=False)
        if not isinstance(msg_id, int) or isinstance(msg_id, bool) or msg_id <= 0:
            raise ValueError(f"bad message id {msg_id!r}")
        text = _text(raw.get("text_entities"), raw.get("text", ""))
        media = _media(raw)
        return Post(
            channel_id=channel_id,
            msg_id=msg_id,
            date=_required_date(raw, "date"),
            edit_date=_date(raw, "edited"),
            text=text,
            media=media,
            author=_optional_str(raw, "author"),
            fwd_from_name=_optional_str(raw, "forwarded_from"),
        )
    except ValueError as exc:
        return Skipped(msg_id, str(exc), error=True)


def _text(entities: Any, text: Any) -> str:
    # text_entities is the newer, flat form; text is a string or a list of strings and parts.
    source = entities if isinstance(entities, list) else text
    if isinstance(source, str):
        return source
    if not isinstance(source, list):
        raise ValueError(f"text is a {type(source).__name__}, not a string or list")
    pieces = []
    for part in source:
        if isinstance(part, str):
            pieces.append(part)
        elif isinstance(part, dict) and isinstance(part.get("text", ""), str):
            pieces.append(part.get("text", ""))
        else:
            raise ValueError("a text part is neither a string nor {type, text}")
    return "".join(pieces)


def _media(raw: Mapping[str, Any]) -> tuple[str, ...]:
    if "photo" in raw:
        return ("photo",)
    if "media_type" in raw:
        return (_MEDIA_KINDS.get(str(raw["media_type"]), str(raw["media_type"])),)
    if "file" in raw:
        return ("document",)
    return tuple(kind for key, kind in _OTHER_MEDIA.items() if key in raw)[:1]


def _required_date(raw: Mapping[str, Any], key: str) -> datetime:
    moment = _date(raw, key)
    if moment is None:
        raise ValueError(f"no {key}")
    return moment


def _date(raw: Mapping[str, Any], key: str) -> datetime | None:
    unix = raw.get(f"{key}_unixtime")
    if unix is not None:
        try:
            return datetime.fromtimestamp(int(unix), UTC)
        except (TypeError, ValueError, OverflowError):
            raise ValueError(f"{key}_unixtime {unix!r} is not a unix time") from None
    value = raw.get(key)
    if value is None:
        return None
    try:
        # Old exports have only local wall time; UTC is the least surprising reading.
        return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)
    except ValueError:
        raise ValueError(f"{key} {value!r} is not a date") from None


def _optional_str(raw: Mapping[str, Any], key: str) -> str | None:
    value = raw.get(key)
    return value if isinstance(value, str) and value else None
