"""An imported channel's short posts lean to the language its export is written in."""

from __future__ import annotations

import json
from pathlib import Path

from bot.analysis.channel_prior import MIN_POSTS
from bot.config import Config
from bot.importer.pipeline import import_export
from bot.ingest import analyser_for
from bot.store import Archive

# Written for this test; the name (from a Kyrgyz news headline) reads as kk context-free.
KYRGYZ = "Президент өкмөт мүчөлөрү менен жыйын өткөрүп, күйүүчү майдын баасын талкуулады."
NAME = "Тилек Текебаев"


async def test_a_short_post_of_a_kyrgyz_export_is_read_as_kyrgyz(tmp_path: Path) -> None:
    texts = [KYRGYZ] * MIN_POSTS + [NAME]
    messages = [{"id": i, "type": "message", "date_unixtime": str(1735689600 + i),
                 "date": "2025-01-01T00:00:00", "text": text}
                for i, text in enumerate(texts, start=1)]
    export = tmp_path / "result.json"
    export.write_text(json.dumps({"name": "ky", "type": "public_channel", "id": 77,
                                  "messages": messages}, ensure_ascii=False), encoding="utf-8")
    analyse = analyser_for(Config())
    assert analyse(NAME).lang == "kk"
    async with Archive.open(tmp_path / "a.sqlite3") as archive:
        await import_export(export, archive, analyse)
        rows = await archive.fetch_all("SELECT lang FROM posts WHERE text = ?", (NAME,))
    assert rows == [("ky",)]
