"""The hand-written Desktop export fixture, edited copies of it, and big generated exports."""

from __future__ import annotations

import json
from pathlib import Path

FIXTURE = Path(__file__).parent / "fixtures" / "channel_export.json"


def edited_copy(directory: Path, msg_id: int, text: str, *, edited_unixtime: int) -> Path:
    """Write the fixture again with one message's text changed, as a later export would."""
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    for message in data["messages"]:
        if message["id"] == msg_id:
            message["text"] = text
            message["text_entities"] = [{"type": "plain", "text": text}]
            message["edited_unixtime"] = str(edited_unixtime)
    path = directory / "edited.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def write_export(path: Path, posts: int) -> Path:
    """Write a one-channel export of ``posts`` messages of about 500 characters."""
    text = "Президент Тоқаев провёл заседание правительства. " * 10
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        out.write('{"name": "big", "type": "public_channel", "id": 77, "messages": [')
        for i in range(1, posts + 1):
            message = {"id": i, "type": "message", "date_unixtime": str(1735689600 + i),
                       "date": "2025-01-01T00:00:00", "text": f"{i} {text}"}
            out.write(("," if i > 1 else "") + json.dumps(message, ensure_ascii=False))
        out.write("]}")
    return path
