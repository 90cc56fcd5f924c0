"""An imported channel's short posts lean to the language its export is written in, and
``tgmon reanalyze`` keeps them there."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from bot.analysis.channel_prior import MIN_POSTS
from bot.cli import main
from bot.config import Config
from bot.importer.pipeline import import_export
from bot.ingest import analyser_for
from bot.store import Archive

# Written for this test; the name (from a Kyrgyz news headline) reads as kk context-free.
KYRGYZ = "Президент өкмөт мүчөлөрү менен жыйын өткөрүп, күйүүчү майдын баасын талкуулады."
NAME = "Тилек Текебаев"


def kyrgyz_export(folder: Path) -> Path:
    """A Desktop export of a channel's Kyrgyz posts, the last one a name alone."""
    texts = [KYRGYZ] * MIN_POSTS + [NAME]
    messages = [{"id": i, "type": "message", "date_unixtime": str(1735689600 + i),
                 "date": "2025-01-01T00:00:00", "text": text}
                for i, text in enumerate(texts, start=1)]
    export = folder / "result.json"
    export.write_text(json.dumps({"name": "ky", "type": "public_channel", "id": 77,
                                  "messages": messages}, ensure_ascii=False), encoding="utf-8")
    return export


async def test_a_short_post_of_a_kyrgyz_export_is_read_as_kyrgyz(tmp_path: Path) -> None:
    analyse = analyser_for(Config())
    assert analyse(NAME).lang == "kk"
    async with Archive.open(tmp_path / "a.sqlite3") as archive:
        await import_export(kyrgyz_export(tmp_path), archive, analyse)
        rows = await archive.fetch_all("SELECT lang FROM posts WHERE text = ?", (NAME,))
    assert rows == [("ky",)]


def test_reanalyze_keeps_a_short_post_in_its_channels_language(tmp_path: Path) -> None:
    db, config = tmp_path / "a.sqlite3", tmp_path / "tgmon.toml"
    config.write_text("", encoding="utf-8")
    common = ["--db", str(db), "--config", str(config), "--quiet"]
    assert main(["import", str(kyrgyz_export(tmp_path)), *common]) == 0
    assert main(["reanalyze", *common]) == 0
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT lang FROM posts WHERE text = ?", (NAME,)).fetchall()
    assert rows == [("ky",)]
