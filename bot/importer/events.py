"""JSON as a stream of events, with values built under a depth and a size cap.

``ijson.parse`` keeps a dotted prefix per event, whose length grows with the depth: a 60 KB
file of 30,000 ``[`` took 2.3 GB. So this module reads ijson's ``basic_parse`` events (no
prefixes) and keeps nothing but a counter for a value it skips, whatever its depth.

yajl (ijson's C backend, ~6x faster) gives up on the whole stream at a lone low surrogate
escape or a number it cannot hold, and silently turns a lone high surrogate into "?". So the
reader watches for surrogate escapes (Telegram Desktop writes UTF-8, not escapes, so real
exports have none) and the caller starts again from the top of a seekable file with ijson's
Python backend, which returns such strings and numbers as values it can report and skip.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, BinaryIO, Final

import ijson
from ijson.backends import python as python_backend

#: Deeper than any real export (a message's text entities sit about six levels down).
MAX_DEPTH: Final = 64
#: Characters (and scalars) in one message; a Telegram post holds at most 4,096 characters.
MAX_VALUE_UNITS: Final = 1_000_000

Event = tuple[str, Any]
_OPENS: Final = frozenset({"start_map", "start_array"})
_SURROGATE_ESCAPE: Final = re.compile(rb"\\u[dD][89a-fA-F]")


class SurrogateEscape(Exception):
    """The fast parser met a surrogate escape, which it would misread: parse again slowly."""


class TooLarge(ValueError):
    """A value nests deeper than MAX_DEPTH or holds more than MAX_VALUE_UNITS."""

    def __init__(self, message: str, *, msg_id: object) -> None:
        super().__init__(message)
        self.msg_id = msg_id  # the object's "id", when it came before the excess


class CountingReader:
    """A binary stream that counts the bytes read, for progress on pipes (no tell())."""

    def __init__(self, raw: BinaryIO, *, start: int = 0) -> None:
        self.raw = raw
        self.start = start  # after a byte order mark
        self.bytes_read = start
        # Only a file can be parsed again; on a pipe, yajl's reading is the best there is.
        self.watch_surrogates = _seekable(raw)
        self._tail = b""

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.bytes_read += len(data)
        if self.watch_surrogates:
            # The tail keeps an escape that a chunk boundary cuts in two.
            if _SURROGATE_ESCAPE.search(self._tail + data):
                raise SurrogateEscape("a surrogate escape such as \\ud800")
            self._tail = data[-5:]
        return data

    def restart(self) -> bool:
        """Go back to the first byte of JSON; False when the stream cannot seek (a pipe)."""
        if not _seekable(self.raw):
            return False
        try:
            self.raw.seek(self.start)
        except OSError:
            return False
        self.bytes_read = self.start
        self.watch_surrogates = False
        return True


def _seekable(raw: BinaryIO) -> bool:
    try:
        return raw.seekable()
    except OSError:
        return False


def fast_events(stream: CountingReader) -> Iterator[Event]:
    """Events from the C backend: fast, but a lone surrogate or huge number ends the parse."""
    return ijson.basic_parse(stream, use_float=True)  # type: ignore[no-any-return]


def tolerant_events(stream: CountingReader) -> Iterator[Event]:
    """Events from the Python backend: slower, but odd strings and numbers come through."""
    return python_backend.basic_parse(stream)  # type: ignore[no-any-return]


def is_recoverable(exc: Exception) -> bool:
    """Tell a value yajl cannot represent from a file that is not valid JSON."""
    if isinstance(exc, SurrogateEscape | UnicodeDecodeError):
        return True
    return isinstance(exc, ijson.JSONError) and "overflow" in str(exc)


def build(first: str, value: Any, events: Iterator[Event]) -> Any:
    """Build the value whose first event is given; raise TooLarge (after skipping it whole)."""
    if first != "start_map" and first != "start_array":
        return value
    top: Any = {} if first == "start_map" else []
    container, key = top, None
    parents: list[tuple[Any, Any]] = []  # the open containers above, with their pending key
    units = 0
    # The commonest events first, and no calls: this runs once per event of every message.
    for event, value in events:
        if event == "end_map" or event == "end_array":
            if not parents:
                return container
            container, key = parents.pop()
            continue
        units += 1 + len(value) if type(value) is str else 1
        if units > MAX_VALUE_UNITS:
            skip_rest(events, len(parents) + 1 + (event in _OPENS))
            raise TooLarge(f"larger than {MAX_VALUE_UNITS:,} characters", msg_id=_id(top))
        if event == "map_key":
            key = value
            continue
        if event == "start_map" or event == "start_array":
            if len(parents) + 1 >= MAX_DEPTH:
                skip_rest(events, len(parents) + 2)
                raise TooLarge(f"nested deeper than {MAX_DEPTH} levels", msg_id=_id(top))
            value = {} if event == "start_map" else []
            parents.append((container, key))
        if type(container) is dict:
            container[key] = value
        else:
            container.append(value)
        if type(value) is dict or type(value) is list:
            container, key = value, None
    raise ijson.IncompleteJSONError("the file ends inside a value")


def _id(top: Any) -> object:
    found = top.get("id") if isinstance(top, dict) else None
    return found if isinstance(found, int | str) and len(str(found)) < 30 else None


def skip(first: str, events: Iterator[Event]) -> None:
    """Skip the value whose first event is given, keeping only a depth counter."""
    if first in {"start_map", "start_array"}:
        skip_rest(events, 1)


def skip_rest(events: Iterator[Event], depth: int) -> None:
    """Consume events until ``depth`` open containers have closed."""
    for event, _ in events:
        if event in {"start_map", "start_array"}:
            depth += 1
        elif event in {"end_map", "end_array"}:
            depth -= 1
            if depth == 0:
                return
    raise ijson.IncompleteJSONError("the file ends inside a value")
