"""A channel's title and posts cannot drive the terminal they are printed on: control
characters are shown, not obeyed, in what a person reads, and kept in machine output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.printable import printable, style

# With the very codes tgmon colours with (bold, red and struck): a channel must not fake them.
HOSTILE = "\x1b]0;owned\x07\x1b[2J\x1b[1A\rfake line\x9b31m\x00\x1b[31;9mremoved\x1b[0m\x1b[1m"
TITLE = "Evil" + HOSTILE
TEXT = "привет мир " + HOSTILE


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    export, db = tmp_path / "result.json", tmp_path / "a.sqlite3"
    export.write_text(json.dumps({"name": TITLE, "type": "public_channel", "id": 1000000079,
                                  "messages": [{"id": 1, "type": "message",
                                                "date": "2025-01-01T00:00:00",
                                                "date_unixtime": "1735689600", "text": TEXT,
                                                "text_entities": [{"type": "plain",
                                                                   "text": TEXT}]}]}),
                      encoding="utf-8")
    assert main(["import", str(export), "--db", str(db), "--quiet"]) == 0
    capsys.readouterr()
    return db


@pytest.mark.parametrize("argv", [["search", "привет", "--tz", "UTC"], ["latest", "--tz", "UTC"],
                                  ["channels"], ["stats"],
                                  ["history", "https://t.me/c/1000000079/1", "--tz", "UTC"]])
def test_what_a_person_reads_shows_control_characters_instead_of_obeying_them(
        argv: list[str], db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*argv, "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "Evil" in out or "привет" in out
    assert not {"\x1b", "\x07", "\r", "\x9b", "\x00"} & set(out), repr(out)
    assert "\\x1b]0;owned\\x07" in out or "\\x1b" in out


def test_machine_output_keeps_the_text_exactly(db: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--db", str(db)]) == 0
    (record,) = map(json.loads, capsys.readouterr().out.splitlines())
    assert (record["channel"], record["text"]) == (TITLE, TEXT)
    assert main(["search", "привет", "--db", str(db), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["text"] == TEXT


def test_tgmon_s_own_colours_pass_and_nothing_else_does() -> None:
    own = f"{style('1')}большой{style('0')} {style('31;9')}убран{style('0')}"
    assert printable(own) == "\x1b[1mбольшой\x1b[0m \x1b[31;9mубран\x1b[0m"
    assert printable("a\x1b[1mbold\x1b[0m") == "a\\x1b[1mbold\\x1b[0m"  # not tgmon's
    assert printable("line\r\nnext\ttab") == "line\\r\nnext\ttab"


def test_an_error_naming_a_channel_shows_its_control_characters(
        db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["history", "https://t.me/c/1000000079/2", "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert "post 2 of Evil" in err and "\\x1b[31;9mremoved" in err
    assert not {"\x1b", "\x07", "\r", "\x9b", "\x00"} & set(err), repr(err)
