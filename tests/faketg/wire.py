"""Round-trip TL objects through bytes, the way they would cross the network."""

from __future__ import annotations

import struct
from typing import Any

from telethon.extensions import BinaryReader
from telethon.tl.tlobject import TLObject

_VECTOR = 0x1CB5C415
_BOOL_TRUE = 0x997275B5
_BOOL_FALSE = 0xBC799737


def encode(value: Any) -> bytes:
    """Serialise a server answer: a TL object, a bool, or a vector of TL objects."""
    if isinstance(value, TLObject):
        return bytes(value)
    if isinstance(value, bool):
        return struct.pack("<I", _BOOL_TRUE if value else _BOOL_FALSE)
    if isinstance(value, list):
        if not all(isinstance(x, TLObject) for x in value):
            raise TypeError(f"only vectors of TL objects are supported, got {value!r}")
        return struct.pack("<Ii", _VECTOR, len(value)) + b"".join(bytes(x) for x in value)
    raise TypeError(f"cannot serialise {type(value).__name__} as a TL answer")


def decode(data: bytes) -> Any:
    """Parse any boxed TL object (request, update, type) from bytes."""
    with BinaryReader(data) as reader:
        return reader.tgread_object()


def copy_tl(obj: TLObject) -> Any:
    """Return an independent copy of ``obj`` as it would come off the wire."""
    return decode(bytes(obj))


def read_result(request: Any, data: bytes) -> Any:
    """Parse an answer with the request's own reader, like MTProtoSender does."""
    with BinaryReader(data) as reader:
        return request.read_result(reader)
