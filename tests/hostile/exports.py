"""Hostile Telegram Desktop exports, generated (nothing large is committed)."""

from __future__ import annotations

import json
from collections.abc import Iterable

CHANNEL_ID = 77  # not the seeded archive's channel: its rows must stay untouched
GOOD = 5  # good messages around every bad one


def message(msg_id: int, text: object = "обычный пост", **fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": msg_id, "type": "message", "date": "2025-02-01T10:00:00",
        "date_unixtime": str(1738404000 + msg_id), "from": "Hostile", "text": text,
    }
    base.update(fields)
    return base


def encode(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


def export(raw_messages: Iterable[bytes], *, header: bytes | None = None) -> bytes:
    """An export whose messages are given as raw JSON bytes (so they may be anything)."""
    head = header or b'"name": "Hostile", "type": "public_channel", "id": %d' % CHANNEL_ID
    return b"{" + head + b', "messages": [' + b",".join(raw_messages) + b"]}"


def good(start: int = 1, count: int = GOOD) -> list[bytes]:
    return [encode(message(i, f"хороший пост номер {i}")) for i in range(start, start + count)]


def around(*bad: bytes) -> bytes:
    """Good messages 1-5, the bad ones, then good messages 1001-1005."""
    return export([*good(1), *bad, *good(1001)])


def bad_message(msg_id: int | bytes, **raw_fields: bytes) -> bytes:
    """A message whose fields are raw JSON: ``text=b'[[['`` and the like."""
    fields = {"id": str(msg_id).encode() if isinstance(msg_id, int) else msg_id,
              "type": b'"message"', "date": b'"2025-02-01T10:00:00"'}
    fields.update(raw_fields)
    return b"{" + b", ".join(b'"%s": %s' % (k.encode(), v) for k, v in fields.items()) + b"}"


def deep(levels: int, open_: bytes = b"[", close: bytes = b"]") -> bytes:
    return open_ * levels + close * levels


#: Values of every JSON type, and the extremes of each.
WRONG_VALUES: dict[str, bytes] = {
    "null": b"null", "true": b"true", "zero": b"0", "negative": b"-1", "float": b"1.5",
    "int64": b"9223372036854775807", "huge_int": b"1" + b"0" * 40,
    "float_overflow": b"1e999", "neg_float_overflow": b"-1E400", "tiny": b"5e-324",
    "empty_string": b'""', "string": b'"x"', "long_string": b'"' + b"y" * 5000 + b'"',
    "empty_list": b"[]", "list_of_lists": b"[[1], [2]]", "object": b'{"a": 1}',
    "deep": deep(200),
}
#: The fields tgmon reads from a message.
FIELDS = ("id", "type", "date", "date_unixtime", "edited", "edited_unixtime", "text",
          "text_entities", "author", "forwarded_from", "media_type", "photo", "file")
