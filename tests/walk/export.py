"""A realistic Telegram Desktop export: the shape Desktop writes, in the mix a news channel has.

Russian, Kazakh and English posts; formatting entities; every 7th post edited (the export
keeps only its last text and an ``edited`` date); every 11th forwarded; photos, videos and a
service message now and then; dates rising a few minutes apart.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

CHANNEL_ID = 1555000111
TITLE = "Новости Центральной Азии"
_TEXTS = (
    ("Президент Токаев провёл встречу с депутатами Мажилиса и обсудил бюджет на следующий год.",
     "Подробнее"),
    ("Мемлекет басшысы Тоқаев Мәжіліс депутаттарымен кездесіп, келесі жылдың бюджетін талқылады.",
     "Толығырақ"),
    ("The parliament of Kazakhstan debated the new budget; President Tokayev urged restraint.",
     "Read more"),
    ("Законопроект об иноагентах снова в повестке: эксперты спорят о последствиях для СМИ.",
     "Читать"),
)


def message(msg_id: int, start: datetime) -> dict[str, object]:
    """One message of the export, numbered from 1."""
    date = start + timedelta(minutes=7 * msg_id)
    stamp = {"date": date.strftime("%Y-%m-%dT%H:%M:%S"),
             "date_unixtime": str(int(date.timestamp()))}
    if msg_id % 97 == 0:
        return {"id": msg_id, "type": "service", **stamp, "actor": TITLE,
                "actor_id": f"channel{CHANNEL_ID}", "action": "pin_message",
                "message_id": msg_id - 1, "text": "", "text_entities": []}
    body, more = _TEXTS[msg_id % len(_TEXTS)]
    entities = [{"type": "bold", "text": f"№{msg_id}. "}, {"type": "plain", "text": body + " "},
                {"type": "text_link", "text": more, "href": f"https://example.org/{msg_id}"}]
    out: dict[str, object] = {
        "id": msg_id, "type": "message", **stamp, "from": TITLE, "from_id": f"channel{CHANNEL_ID}",
        "text": [entities[0], entities[1]["text"], entities[2]], "text_entities": entities,
    }
    if msg_id % 7 == 0:
        edited = date + timedelta(minutes=3)
        out["edited"] = edited.strftime("%Y-%m-%dT%H:%M:%S")
        out["edited_unixtime"] = str(int(edited.timestamp()))
    if msg_id % 11 == 0:
        out["forwarded_from"] = "Ақорда"
    if msg_id % 5 == 0:
        out.update(photo=f"photos/photo_{msg_id}.jpg", width=1280, height=720)
    elif msg_id % 13 == 0:
        out.update(file=f"video_files/{msg_id}.mp4", media_type="video_file", mime_type="video/mp4")
    return out


def write_export(folder: Path, count: int, *, start: datetime | None = None) -> Path:
    """Write ``folder/ChatExport/result.json`` with ``count`` messages; return the file."""
    start = start or datetime(2025, 4, 1, tzinfo=UTC)
    export = folder / "ChatExport"
    export.mkdir(parents=True, exist_ok=True)
    path = export / "result.json"
    with path.open("w", encoding="utf-8") as out:
        # Written as Desktop does: one header, then the messages one by one.
        out.write(json.dumps({"name": TITLE, "type": "public_channel", "id": CHANNEL_ID},
                             ensure_ascii=False)[:-1] + ', "messages": [\n')
        for msg_id in range(1, count + 1):
            out.write(("," if msg_id > 1 else "") + json.dumps(message(msg_id, start),
                                                               ensure_ascii=False) + "\n")
        out.write("]}\n")
    return path
