"""Read a Telegram Desktop "Export chat history" JSON file as a stream of posts.

Exports reach hundreds of MB, so the file is parsed as a stream of events
(bot/importer/events.py) and only one message is held in memory at a time, under a depth
and a size cap. A malformed message (wrong types, a lone surrogate, a number out of range,
too deep or too large) is reported and skipped; a file that is not a channel export at all
raises ImportFormatError.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Final

import ijson

from bot.domain import Channel, Post, bare_channel_id, marked_channel_id
from bot.errors import ImportFormatError
from bot.importer import events as ev
from bot.importer.events import CountingReader, Event, TooLarge

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
#: Telegram message ids are 32-bit; a unix time beyond year 9999 is no date.
_MAX_MSG_ID: Final = 2**31 - 1
_MAX_UNIX: Final = 253_402_300_799
_MAX_TITLE: Final = 1024


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


@dataclass(slots=True)
class _Progress:
    """What a parse has delivered, so that a second parse can resume after it."""

    header: ExportHeader | None = None
    messages: int = 0


def read_export(
    stream: CountingReader, *, on_header: Callable[[ExportHeader], None]
) -> Iterator[Post | Skipped]:
    """Yield a Post (or a Skipped note) for each message; call ``on_header`` first."""
    done = _Progress()
    try:
        yield from _read(ev.fast_events(stream), done, on_header)
        return
    except (ijson.JSONError, UnicodeDecodeError, ev.SurrogateEscape) as exc:
        if not ev.is_recoverable(exc):
            raise _broken(exc, done) from None
        if not stream.restart():
            raise ImportFormatError(
                f"after message {done.messages:,} the export holds a value the streaming "
                f"parser cannot read ({_first_line(exc)}); save the export to a file and "
                "import the file, so that the bad message can be skipped"
            ) from None
    try:
        yield from _read(ev.tolerant_events(stream), done, on_header)
    except (ijson.JSONError, UnicodeDecodeError) as exc:
        raise _broken(exc, done) from None


def _broken(exc: Exception, done: _Progress) -> ImportFormatError:
    # Python reads at most 4,300 digits into an int; ijson's Python backend then gives up.
    digits = re.match(r"Unexpected symbol '-?(\d{300,})'", str(exc))
    if digits:
        return ImportFormatError(
            f"after message {done.messages:,} the export holds a number of "
            f"{len(digits[1]):,} digits, more than can be read; delete that number from the "
            "file, or export the channel again"
        )
    if done.header is None:
        return ImportFormatError(f"not valid JSON: {_first_line(exc)}")
    return ImportFormatError(
        f"the file breaks off after message {done.messages:,} ({_first_line(exc)}); "
        "is it truncated? Export the channel again from Telegram Desktop"
    )


def _first_line(exc: Exception) -> str:
    text = exc.args[0] if exc.args else exc
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return str(text).strip().splitlines()[0][:200] if str(text).strip() else type(exc).__name__


def _read(
    events: Iterator[Event], done: _Progress, on_header: Callable[[ExportHeader], None]
) -> Iterator[Post | Skipped]:
    first = next(events, None)
    if first is None or first[0] != "start_map":
        raise ImportFormatError("not a Telegram Desktop export: the file is not a JSON object")
    header: dict[str, Any] = {}
    for event, key in events:
        if event == "end_map":
            break
        event, value = next(events)
        if key == "messages" and event == "start_array":
            parsed = done.header or _header(header)
            if done.header is None:
                done.header = parsed
                on_header(parsed)
            yield from _messages(events, parsed.channel.id, done)
            ev.skip_rest(events, 1)  # keys after the messages list carry nothing we import
            return
        if key == "chats" and event == "start_map":
            raise ImportFormatError(
                "this is a whole-account export; export one channel instead "
                "(channel menu → Export chat history → JSON)"
            )
        if key in {"name", "type", "id"} and event in {"string", "number"}:
            header[key] = value
        ev.skip(event, events)
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
            f"this export is a {_short(values['type'])} chat; tgmon imports channels and groups"
        )
    bare_id = values["id"]
    if isinstance(bare_id, str) and bare_id.isdigit() and len(bare_id) < 16:
        bare_id = int(bare_id)
    if isinstance(bare_id, int) and -(2**52) < bare_id + 10**12 < 0:
        bare_id = bare_channel_id(bare_id)  # written marked (-100…), as tgmon shows ids
    if not isinstance(bare_id, int) or not 0 < bare_id < 2**52:
        # A negative id not in the -100… form is a basic group's or a user's, never a
        # channel's: stored as it is, it named a channel that cannot exist.
        raise ImportFormatError(f"the export's chat id {_short(values['id'])} is not a chat id")
    name = values["name"]
    if not isinstance(name, str) or len(name) > _MAX_TITLE or not _encodable(name):
        raise ImportFormatError(f"the export's chat name {_short(name)} is not a chat title")
    channel = Channel(id=marked_channel_id(bare_id), title=name)
    return ExportHeader(channel, str(values["type"]))


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _messages(
    events: Iterator[Event], channel_id: int, done: _Progress
) -> Iterator[Post | Skipped]:
    # A second parse (after a value the fast parser could not read) skips what was delivered.
    seen = 0
    for event, value in events:
        if event == "end_array":
            return
        seen += 1
        if seen <= done.messages:
            ev.skip(event, events)
            continue
        try:
            raw = ev.build(event, value, events)
        except TooLarge as exc:
            item: Post | Skipped = Skipped(exc.msg_id, f"message {exc}; skipped", error=True)
        else:
            item = _to_post(raw, channel_id) if isinstance(raw, dict) else Skipped(
                None, f"entry is a {type(raw).__name__}, not a message object", error=True)
        done.messages = seen
        yield item
    raise ijson.IncompleteJSONError("the file ends inside the 'messages' list")


def _to_post(raw: dict[str, Any], channel_id: int) -> Post | Skipped:
    msg_id = raw.get("id")
    shown = msg_id if isinstance(msg_id, int | str) and len(str(msg_id)) < 30 else None
    try:
        if raw.get("type", "message") == "service":
            return Skipped(shown, "service message", error=False)
        if not isinstance(msg_id, int) or isinstance(msg_id, bool) or not 0 < msg_id <= _MAX_MSG_ID:
            raise ValueError(f"bad message id {_short(msg_id)}")
        post = Post(
            channel_id=channel_id,
            msg_id=msg_id,
            date=_required_date(raw, "date"),
            edit_date=_date(raw, "edited"),
            text=_text(raw.get("text_entities"), raw.get("text", "")),
            media=_media(raw),
            author=_optional_str(raw, "author"),
            fwd_from_name=_optional_str(raw, "forwarded_from"),
        )
        for value in (post.text, post.author, post.fwd_from_name, *post.media):
            if value is not None and not _encodable(value):
                raise ValueError("text holds a lone surrogate (an escape such as \\ud800 "
                                 "that is half of a character)")
        return post
    except ValueError as exc:
        return Skipped(shown, str(exc), error=True)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _text(entities: Any, text: Any) -> str:
    # text_entities is the newer, flat form; text is a string or a list of strings and parts.
    # Telegram writes both. An export made or trimmed by another tool may leave the
    # entities empty beside a text: the text is the post then, not an empty one.
    if isinstance(entities, list):
        flat = _joined(entities)
        return flat if flat or not isinstance(text, (str, list)) else _joined(text)
    return _joined(text)


def _joined(source: Any) -> str:
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
        kind = raw["media_type"]
        if not isinstance(kind, str) or len(kind) > 64:
            raise ValueError(f"media_type {_short(kind)} is not a media kind")
        return (_MEDIA_KINDS.get(kind, kind),)
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
        seconds = _unix_seconds(unix)
        if seconds is None:
            raise ValueError(f"{key}_unixtime {_short(unix)} is not a unix time")
        return datetime.fromtimestamp(seconds, UTC)
    value = raw.get(key)
    if value is None:
        return None
    try:
        # Old exports have only local wall time; UTC is the least surprising reading.
        if not isinstance(value, str) or len(value) > 40:
            raise ValueError
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    except ValueError:
        raise ValueError(f"{key} {_short(value)} is not a date") from None


def _unix_seconds(value: object) -> int | None:
    # Checked before int(): int(Decimal("1e999999999")) would build a 400 MB number.
    if isinstance(value, str) and value.isascii() and value.lstrip("-").isdigit():
        value = int(value) if len(value) <= 15 else None
    elif isinstance(value, float | Decimal) and -_MAX_UNIX <= value <= _MAX_UNIX:
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= _MAX_UNIX:
        return value
    return None


def _optional_str(raw: Mapping[str, Any], key: str) -> str | None:
    value = raw.get(key)
    return value if isinstance(value, str) and value else None
