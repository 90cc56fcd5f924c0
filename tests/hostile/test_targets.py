"""Output targets and archives: nothing stored is ever overwritten, and each refusal says why."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.hostile.harness import assert_fails_well, assert_unchanged, run

Stored = dict[str, set[tuple[object, ...]]]
AS_ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False


@pytest.mark.parametrize("target", ["archive", "-wal", "-shm", "-journal", "other sqlite"])
def test_export_never_writes_over_an_archive_or_its_side_files(
        target: str, archive: Path, stored: Stored, tmp_path: Path) -> None:
    if target == "other sqlite":
        out = tmp_path / "other.db"
        shutil.copy(archive, out)
    else:
        out = Path(f"{archive}{'' if target == 'archive' else target}")
    before = out.read_bytes() if out.exists() else None
    outcome = run(["export", "--db", str(archive), "--out", str(out)])
    assert_fails_well(outcome, 2, str(out), "choose another file")
    assert (out.read_bytes() if out.exists() else None) == before
    assert_unchanged(archive, stored)
    # And a later command still finds the archive whole (it once re-created an empty one).
    stats = run(["stats", "--db", str(archive)])
    assert stats.code == 0 and "6 posts" in stats.out


def test_export_over_the_archive_through_another_name_is_refused(
        archive: Path, stored: Stored, tmp_path: Path) -> None:
    link = tmp_path / "link.jsonl"
    link.symlink_to(archive)
    outcome = run(["export", "--db", str(archive), "--out", str(link)])
    assert_fails_well(outcome, 2, "that is the archive")
    assert_unchanged(archive, stored)


@pytest.mark.parametrize(("target", "code", "needles"), [
    ("folder", 2, ["a folder", "name a file in it"]),
    ("missing folder", 2, ["does not exist", "create it first"]),
    ("/dev/full", 1, ["No space left on device", "write it again elsewhere"]),
    ("/proc/version", 1, ["cannot write the export"]),
])
def test_export_to_a_place_it_cannot_write_says_so(
        target: str, code: int, needles: list[str], archive: Path, stored: Stored,
        tmp_path: Path) -> None:
    out = {"folder": str(tmp_path), "missing folder": str(tmp_path / "no" / "x.csv")}.get(
        target, target)
    if target == "/proc/version" and not Path(target).exists():
        pytest.skip("no /proc here")
    outcome = run(["export", "--db", str(archive), "--out", out])
    assert_fails_well(outcome, code, *needles)
    assert_unchanged(archive, stored)


@pytest.mark.parametrize(("argv", "example"), [
    (["export"], "posts.jsonl"),
    (["export", "--format", "csv"], "posts.csv"),
    (["trend", "x"], "trend.png"),
])
def test_a_folder_as_out_is_answered_with_a_file_of_the_command_s_kind(
        argv: list[str], example: str, archive: Path, tmp_path: Path) -> None:
    outcome = run([*argv, "--db", str(archive), "--out", str(tmp_path)])
    assert_fails_well(outcome, 2, f"name a file in it, e.g. {tmp_path / example}")


@pytest.mark.skipif(AS_ROOT, reason="root writes read-only files")
def test_export_to_a_read_only_file_is_refused(archive: Path, stored: Stored,
                                               tmp_path: Path) -> None:
    out = tmp_path / "ro.csv"
    out.write_text("keep me")
    out.chmod(0o444)
    outcome = run(["export", "--db", str(archive), "--out", str(out)])
    assert_fails_well(outcome, 2, "read-only")
    assert out.read_text() == "keep me"


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(
        archive: Path, stored: Stored, tmp_path: Path) -> None:
    formulas = ["=HYPERLINK(\"http://evil\")", "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]
    export = tmp_path / "f.json"
    messages = [{"id": n, "type": "message", "date": "2025-01-01T00:00:00", "text": text}
                for n, text in enumerate(formulas, 1)]
    export.write_text(json.dumps({"name": "=cmd|calc", "type": "public_channel", "id": 77,
                                  "messages": messages}))
    assert run(["import", "--quiet", "--db", str(archive), str(export)]).code == 0
    out = tmp_path / "posts.csv"
    assert run(["export", "--db", str(archive), "--format", "csv", "--out", str(out)]).code == 0
    with out.open(encoding="utf-8", newline="") as stream:
        rows = [r for r in csv.DictReader(stream) if r["channel_id"] == str(-(10**12) - 77)]
    assert sorted(r["text"] for r in rows) == sorted("'" + f for f in formulas)
    assert {r["channel"] for r in rows} == {"'=cmd|calc"}
    assert all(r["channel_id"].startswith("-100") for r in rows)  # numbers stay numbers


def test_excel_csv_starts_with_a_byte_order_mark(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "excel.csv"
    outcome = run(["export", "--db", str(archive), "--excel", "--out", str(out)])
    assert outcome.code == 0, outcome.err
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfchannel,") and raw.count(b"\xef\xbb\xbf") == 1
    assert "Кто есть кто" in raw.decode("utf-8-sig")


ARCHIVES = ["not sqlite", "truncated", "folder", "empty file", "future schema", "random bytes",
            "another program's", "a device", "a pipe"]


@pytest.mark.parametrize("kind", ARCHIVES)
@pytest.mark.parametrize("command", ["stats", "search", "export", "import", "reanalyze"])
def test_a_broken_archive_is_named_and_left_as_it_was(
        kind: str, command: str, archive: Path, tmp_path: Path) -> None:
    db = tmp_path / "broken.sqlite3"
    if kind == "not sqlite":
        db.write_text("these are my notes, not an archive\n" * 100)
    elif kind == "truncated":
        db.write_bytes(archive.read_bytes()[:6000])
    elif kind == "folder":
        db.mkdir()
    elif kind == "a device":
        db.symlink_to(os.devnull)
    elif kind == "a pipe":
        os.mkfifo(db)
    elif kind == "empty file":
        db.write_bytes(b"")
    elif kind == "random bytes":
        db.write_bytes(os.urandom(8192))
    elif kind == "another program's":  # a browser's history, say: never made an archive
        with contextlib.closing(sqlite3.connect(db)) as conn:
            conn.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
            conn.commit()
    else:
        shutil.copy(archive, db)
        with contextlib.closing(sqlite3.connect(db)) as conn:
            conn.execute("PRAGMA user_version = 999")
            conn.commit()
    before = db.read_bytes() if db.is_file() else None
    export = tmp_path / "e.json"
    export.write_text('{"name": "x", "type": "public_channel", "id": 5, "messages": []}')
    argv = {"stats": ["stats"], "search": ["search", "x"], "export": ["export"],
            "import": ["import", str(export)], "reanalyze": ["reanalyze", "--quiet"]}[command]
    outcome = run([*argv, "--db", str(db)])
    needles = {"not sqlite": ["not a usable tgmon archive"],
               "truncated": ["not a usable tgmon archive"],
               "random bytes": ["not a usable tgmon archive"],
               "folder": ["a folder", "tgmon.sqlite3"],
               "a device": ["not a regular file"], "a pipe": ["not a regular file"],
               "empty file": ["empty"],
               "future schema": ["newer than this tgmon", "upgrade"],
               "another program's": ["another program (its tables: moz_places)",
                                     "left as it was"]}[kind]
    if kind == "empty file" and command == "import":
        assert outcome.code == 0  # an empty file is a new SQLite database: import may fill it
        return
    assert_fails_well(outcome, 1 if "usable" in needles[0] or "newer" in needles[0] else 2,
                      str(db), *needles)
    assert (db.read_bytes() if db.is_file() else None) == before


@pytest.mark.skipif(AS_ROOT, reason="root writes read-only files")
@pytest.mark.parametrize("command", ["stats", "search", "export"])
def test_a_read_only_archive_can_still_be_read(command: str, archive: Path, stored: Stored,
                                               tmp_path: Path) -> None:
    folder = archive.parent
    archive.chmod(0o444)
    folder.chmod(0o555)
    try:
        argv = {"stats": ["stats"], "search": ["search", "токаев*"], "export": ["export"]}
        outcome = run([*argv[command], "--db", str(archive)])
        assert_fails_well(outcome, 0)
    finally:
        folder.chmod(0o755)
        archive.chmod(0o644)
    assert_unchanged(archive, stored)
