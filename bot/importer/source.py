"""Find and open the export a user points at: a file, its folder, a pipe or standard input.

Telegram Desktop writes ``result.json`` inside a folder of media, and its default format is
HTML; both are what a newcomer passes first, so each gets a message that says what to do.
"""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from bot.errors import ImportFormatError
from bot.importer.events import CountingReader

STDIN = Path("-")
_JSON_NAME = "result.json"
_HTML_HINT = (
    "Telegram Desktop's HTML export; export the channel again and choose "
    "'Machine-readable JSON' under Format in the export dialog"
)
_BOMS = {b"\xef\xbb\xbf": None, b"\xff\xfe": "UTF-16", b"\xfe\xff": "UTF-16"}


@dataclass
class ExportFile:
    """An opened export: its byte stream (counting what was read) and its size if known."""

    path: Path
    reader: CountingReader
    size: int | None
    _raw: BinaryIO

    def close(self) -> None:
        if self._raw is not sys.stdin.buffer:
            self._raw.close()


def open_export(path: Path) -> ExportFile:
    """Open the export at ``path``; raise ImportFormatError saying what to pass instead."""
    path = _resolve(path)
    if path == STDIN and (sys.stdin is None or sys.stdin.isatty()):
        raise ImportFormatError(
            "-: standard input is a terminal or closed; pipe the export in "
            "(`tgmon import - < result.json`) or name the file"
        )
    try:
        raw: BinaryIO = sys.stdin.buffer if path == STDIN else path.open("rb")
    except OSError as exc:
        raise ImportFormatError(f"{path}: cannot open: {exc.strerror or exc}") from None
    try:
        start, size = _sniff(path, raw)
    except BaseException:
        if raw is not sys.stdin.buffer:
            raw.close()
        raise
    return ExportFile(path, CountingReader(raw, start=start), size, raw)


def _resolve(path: Path) -> Path:
    if path == STDIN or not path.is_dir():
        return path
    found = path / _JSON_NAME
    if found.is_file():
        return found
    if (path / "messages.html").is_file():
        raise ImportFormatError(f"{path}: this folder holds {_HTML_HINT}")
    raise ImportFormatError(
        f"{path}: a folder without {_JSON_NAME}; pass the {_JSON_NAME} of a Telegram Desktop "
        "export (channel menu → Export chat history → format JSON)"
    )


def _sniff(path: Path, raw: BinaryIO) -> tuple[int, int | None]:
    """Return where the JSON starts (after a BOM) and the file's size, or refuse the file."""
    try:
        size: int | None = path.stat().st_size if path != STDIN and raw.seekable() else None
        head = raw.peek(512)[:512] if isinstance(raw, io.BufferedReader) else b""
    except OSError as exc:
        raise ImportFormatError(f"{path}: cannot read: {exc.strerror or exc}") from None
    start = 0
    for bom, encoding in _BOMS.items():
        if head.startswith(bom):
            if encoding:
                raise ImportFormatError(
                    f"{path}: the file is {encoding} text; Telegram Desktop writes UTF-8, so "
                    "export again (or convert the file to UTF-8)"
                )
            start = len(bom)
            raw.read(start)
    lead = head[start:].lstrip()[:200].lower()
    if lead.startswith((b"<!doctype html", b"<html")) or b"<html" in lead:
        raise ImportFormatError(f"{path}: this file is {_HTML_HINT}")
    if size == 0:
        raise ImportFormatError(f"{path}: the file is empty; export the channel again")
    return start, size
