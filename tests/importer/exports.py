"""The hand-written Desktop export fixture, and edited copies of it."""

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
