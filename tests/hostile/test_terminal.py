"""A channel's title and posts cannot drive the terminal they are printed on: control
characters are shown, not obeyed, in what a person reads, and kept in machine output. Nor can
they break the chart they are drawn in."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.charts.trend import render_trend
from bot.cli import main
from bot.printable import printable, style

# With the very codes tgmon colours with (bold, red and struck): a channel must not fake them.
HOSTILE = ("\x1b]0;owned\x07\x1b[2J\x1b[1A\rfake line\x9b31m\x00\x1b[31;9mremoved\x1b[0m\x1b[1m"
           "\u202edesrever\u2066")
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
    assert not {"\x1b", "\x07", "\r", "\x9b", "\x00", "\u202e", "\u2066"} & set(out), repr(out)
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


@pytest.mark.parametrize("title", ["$x^{$ news", "_news", r"$\undefined$"])
def test_a_trend_chart_draws_a_title_that_looks_like_tex(
        title: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # matplotlib reads $…$ as mathtext: "$x^{$" made the drawing raise.
    export, db, chart = tmp_path / "result.json", tmp_path / "a.sqlite3", tmp_path / "t.png"
    when = datetime.now(UTC) - timedelta(days=1)
    export.write_text(json.dumps({"name": title, "type": "public_channel", "id": 1000000080,
                                  "messages": [{"id": 1, "type": "message",
                                                "date": when.strftime("%Y-%m-%dT%H:%M:%S"),
                                                "date_unixtime": str(int(when.timestamp())),
                                                "text": "привет мир"}]}), encoding="utf-8")
    assert main(["import", str(export), "--db", str(db), "--quiet"]) == 0
    assert main(["trend", f"привет {title}", "--db", str(db), "--out", str(chart)]) == 0
    assert chart.read_bytes().startswith(b"\x89PNG"), capsys.readouterr().err


def test_a_channel_named_with_a_leading_underscore_is_in_the_legend() -> None:
    # matplotlib leaves labels that start with "_" out of the legend: both charts had none.
    days = [date(2026, 3, 1), date(2026, 3, 2)]
    assert render_trend("t", days, {"_a": [1, 2]}) != render_trend("t", days, {"_b": [1, 2]})
