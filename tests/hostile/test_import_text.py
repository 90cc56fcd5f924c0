"""An export whose text_entities disagree with its text (written or trimmed by another tool)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from bot.cli import main


def message(msg_id: int, text: object, entities: object) -> dict[str, object]:
    return {"id": msg_id, "type": "message", "date": "2025-01-01T00:00:00",
            "date_unixtime": str(1735689600 + msg_id), "text": text, "text_entities": entities}


def test_empty_entities_beside_a_text_keep_the_text(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export, db = tmp_path / "result.json", tmp_path / "a.sqlite3"
    export.write_text(json.dumps({"name": "x", "type": "public_channel", "id": 1000000077,
                                  "messages": [
        message(1, "запрет\u0000 после нуля", []),
        message(2, ["список ", {"type": "bold", "text": "частей"}], []),
        message(3, "обе формы", [{"type": "plain", "text": "обе формы"}]),
    ]}), encoding="utf-8")
    assert main(["import", str(export), "--db", str(db), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["export", "--db", str(db)]) == 0
    texts = {r["id"]: r["text"] for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert texts == {1: "запрет\u0000 после нуля", 2: "список частей", 3: "обе формы"}
    for word, found in (("нуля", "1 post"), ("частей", "1 post")):
        assert main(["search", word, "--db", str(db)]) == 0
        assert capsys.readouterr().err.strip() == found


def test_an_export_and_an_archive_whose_names_are_not_utf8_are_used(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A cp1251 name from a Windows zip: Python names the file with surrogates. The file
    # exists, so it is used; a word that is not UTF-8 is still refused (test_cli_args).
    export = Path(os.fsdecode(bytes(tmp_path) + "/Экспорт.json".encode("cp1251")))
    export.write_text(json.dumps({"name": "x", "type": "public_channel", "id": 1000000077,
                                  "messages": [message(1, "запрет", [])]}), encoding="utf-8")
    created = tmp_path / "a.sqlite3"
    assert main(["import", str(export), "--db", str(created), "--quiet"]) == 0
    db = Path(os.fsdecode(bytes(tmp_path) + "/архив.sqlite3".encode("cp1251")))
    created.rename(db)
    assert main(["import", str(export), "--db", str(db), "--quiet"]) == 0
    assert main(["search", "запрет", "--db", str(db)]) == 0
    out, err = capsys.readouterr()
    assert "unchanged 1" in out and err.strip().endswith("1 post")
