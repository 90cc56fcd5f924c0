"""Hostile Desktop exports: every one is imported as far as it can be, or refused in one line."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
from pathlib import Path

import pytest

from bot.domain import Analysis
from bot.importer.events import MAX_DEPTH, MAX_VALUE_UNITS
from bot.importer.pipeline import import_export
from bot.store import Archive
from tests.hostile import exports as ex
from tests.hostile.harness import assert_fails_well, assert_kept, run
from tests.store.conftest import history

Stored = dict[str, set[tuple[object, ...]]]
MARKED = -(10**12) - ex.CHANNEL_ID
GOOD_IDS = {*range(1, 6), *range(1001, 1006)}


def _import(archive: Path, export: Path | str, *extra: str) -> tuple[int, dict[str, int], str]:
    outcome = run(["import", "--json", "--db", str(archive), str(export), *extra])
    assert_fails_well(outcome, outcome.code)  # no traceback, within the time and memory bounds
    assert outcome.code in (0, 1), outcome.err
    report = json.loads(outcome.out)
    problems = "\n".join(f"id={d['id']}: {d['problem']}" for d in report["error_details"])
    return outcome.code, report, problems


def _texts(archive: Path) -> dict[int, str]:
    with contextlib.closing(sqlite3.connect(archive)) as conn:
        return dict(conn.execute("SELECT msg_id, text FROM posts WHERE channel_id = ?", (MARKED,)))


def _write(tmp_path: Path, data: bytes, name: str = "result.json") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _accounted(report: dict[str, int], total: int) -> None:
    """Every message was imported, found unchanged, or reported: none vanished."""
    seen = sum(report[k] for k in ("imported", "updated", "unchanged", "skipped", "errors"))
    assert seen == total, report


@pytest.mark.parametrize("field", ex.FIELDS)
def test_every_wrong_type_of_a_field_is_imported_or_reported_and_the_rest_imports(
        field: str, archive: Path, stored: Stored, tmp_path: Path) -> None:
    bad = []
    for n, value in enumerate(ex.WRONG_VALUES.values()):
        fields = {field: value} if field != "id" else {}
        bad.append(ex.bad_message(value if field == "id" else 100 + n, **fields))
    code, report, _err = _import(archive, _write(tmp_path, ex.around(*bad)))
    _accounted(report, 2 * ex.GOOD + len(bad))
    assert code == (1 if report["errors"] else 0)
    assert set(_texts(archive)) >= GOOD_IDS
    for detail in report["error_details"]:
        assert detail["problem"] and len(detail["problem"]) < 200  # one short line each
    assert_kept(archive, stored)


@pytest.mark.parametrize("field", ["id", "date", "text", "type", "date_unixtime"])
def test_a_message_missing_a_field_is_imported_or_reported(
        field: str, archive: Path, stored: Stored, tmp_path: Path) -> None:
    full = ex.message(50, "полный пост", edited="2025-02-01T11:00:00",
                      edited_unixtime="1738407600", text_entities=[{"type": "plain",
                                                                    "text": "полный пост"}])
    del full[field]
    code, report, _ = _import(archive, _write(tmp_path, ex.around(ex.encode(full))))
    _accounted(report, 2 * ex.GOOD + 1)
    assert set(_texts(archive)) >= GOOD_IDS
    assert (50 in _texts(archive)) == (field != "id")
    assert code == (0 if 50 in _texts(archive) else 1)
    assert_kept(archive, stored)


@pytest.mark.parametrize(("name", "fields", "imported"), [
    ("largest id", {"id": 2**31 - 1}, True),
    ("id past 32 bits", {"id": 2**31}, False),
    ("year 9999", {"date": "9999-12-31T23:59:59", "date_unixtime": None}, True),
    ("year 1", {"date": "0001-01-01T00:00:00", "date_unixtime": None}, True),
    ("unix time at year 9999", {"date_unixtime": "253402300799"}, True),
    ("unix time past year 9999", {"date_unixtime": "253402300800"}, False),
    ("negative unix time", {"date_unixtime": "-1"}, False),
    ("unix time of 40 digits", {"date_unixtime": "9" * 40}, False),
    ("a date of 10,000 characters", {"date": "2" * 10_000, "date_unixtime": None}, False),
    ("edit before the post", {"edited_unixtime": "1"}, True),
    ("4,096 digits of views", {"views": int("9" * 4096)}, True),
])
def test_extreme_values_are_imported_or_reported(
        name: str, fields: dict[str, object], imported: bool, archive: Path, stored: Stored,
        tmp_path: Path) -> None:
    msg = ex.message(60, name, **fields)
    msg_id = msg["id"] if isinstance(msg["id"], int) else 60
    code, report, _ = _import(archive, _write(tmp_path, ex.around(ex.encode(msg))))
    _accounted(report, 2 * ex.GOOD + 1)
    assert (msg_id in _texts(archive)) is imported
    assert code == (0 if imported else 1)
    assert_kept(archive, stored)


@pytest.mark.parametrize("raw", [b"1e999999999", b"-1e999999999", b"1" * 4000])
def test_a_number_no_parser_can_hold_skips_only_its_message(
        raw: bytes, archive: Path, stored: Stored, tmp_path: Path) -> None:
    bad = ex.bad_message(70, text=b'"x"', date_unixtime=raw, views=raw)
    code, report, err = _import(archive, _write(tmp_path, ex.around(bad)))
    _accounted(report, 2 * ex.GOOD + 1)
    assert code == 1 and "id=70" in err
    assert set(_texts(archive)) == GOOD_IDS
    assert_kept(archive, stored)


def test_a_number_of_more_digits_than_python_reads_says_where_the_import_stopped(
        archive: Path, stored: Stored, tmp_path: Path) -> None:
    # A known limit: ijson's Python backend cannot read an integer past 4,300 digits, and
    # neither backend can resume after it, so the import stops there, and says so.
    path = _write(tmp_path, ex.around(ex.bad_message(71, views=b"1" * 5000)))
    outcome = run(["import", "--db", str(archive), str(path)])
    assert_fails_well(outcome, 2, "after message 5", "number of 5,000 digits",
                      "delete that number", "5 posts were imported before it stopped")
    assert set(_texts(archive)) == set(range(1, 6))
    assert_kept(archive, stored)


@pytest.mark.parametrize("where", ["text", "unknown key", "entity"])
def test_deep_nesting_in_a_message_skips_it_in_bounded_memory(
        where: str, archive: Path, stored: Stored, tmp_path: Path) -> None:
    # 300,000 levels is 600 KB of file; ijson.parse's prefixes made 30,000 take 2.3 GB.
    nest = ex.deep(300_000)
    fields = {"text": nest} if where == "text" else (
        {"zz": nest} if where == "unknown key" else
        {"text_entities": b'[{"type": "bold", "text": ' + nest + b"}]"})
    code, report, err = _import(archive, _write(tmp_path, ex.around(ex.bad_message(80, **fields))))
    assert code == 1 and f"nested deeper than {MAX_DEPTH} levels" in err and "id=80" in err
    _accounted(report, 2 * ex.GOOD + 1)
    assert set(_texts(archive)) == GOOD_IDS
    assert_kept(archive, stored)


def test_deep_nesting_outside_the_messages_costs_nothing(
        archive: Path, stored: Stored, tmp_path: Path) -> None:
    header = (b'"about": ' + ex.deep(300_000, b'{"a":', b"}").replace(b"{\"a\":}", b"{}")
              + b', "name": "Hostile", "type": "public_channel", "id": 77')
    data = ex.export([*ex.good(1)], header=header)[:-1] + b', "tail": ' + ex.deep(300_000) + b"}"
    code, report, _ = _import(archive, _write(tmp_path, data))
    assert code == 0 and report["imported"] == ex.GOOD
    assert_kept(archive, stored)


def test_a_file_that_is_only_deep_nesting_is_refused(archive: Path, stored: Stored,
                                                     tmp_path: Path) -> None:
    outcome = run(["import", "--db", str(archive), str(_write(tmp_path, ex.deep(500_000)))])
    assert_fails_well(outcome, 2, "not a JSON object")
    assert_kept(archive, stored)


def test_a_message_over_the_size_cap_is_skipped_with_a_warning(
        archive: Path, stored: Stored, tmp_path: Path) -> None:
    huge = b'"' + b"\xd0\xb6" * (MAX_VALUE_UNITS + 10) + b'"'
    path = _write(tmp_path, ex.around(ex.bad_message(90, text=huge)))
    code, _report, err = _import(archive, path)
    assert code == 1 and f"larger than {MAX_VALUE_UNITS:,} characters" in err and "id=90" in err
    assert set(_texts(archive)) == GOOD_IDS
    assert_kept(archive, stored)


@pytest.mark.parametrize(("raw", "imported"), [
    (rb'"a\ud800b"', False),  # lone high surrogate (yajl turned it into "?")
    (rb'"a\udc00b"', False),  # lone low surrogate (yajl raised UnicodeDecodeError)
    (rb'"\ude00\ud83d"', False),  # a pair in the wrong order
    (rb'"emoji \ud83d\ude00"', True),  # a proper pair
    (rb'"nul \u0000 inside"', True),
    ('"\u202eRTL \u200b zero\u2060width \ufeff"'.encode(), True),
    ('"𝕋𝕖𝕩𝕥 in the astral plane 🏳️‍🌈"'.encode(), True),
])
def test_odd_unicode_in_a_message_is_imported_or_reported(
        raw: bytes, imported: bool, archive: Path, stored: Stored, tmp_path: Path) -> None:
    code, report, err = _import(archive, _write(tmp_path, ex.around(ex.bad_message(95, text=raw))))
    _accounted(report, 2 * ex.GOOD + 1)
    assert (95 in _texts(archive)) is imported
    assert code == (0 if imported else 1)
    if not imported:
        assert "lone surrogate" in err
    assert_kept(archive, stored)


def test_a_lone_surrogate_in_the_author_skips_the_message(
        archive: Path, stored: Stored, tmp_path: Path) -> None:
    bad = ex.bad_message(96, text=b'"ok"', author=rb'"\udfff"')
    code, _, err = _import(archive, _write(tmp_path, ex.around(bad)))
    assert code == 1 and "id=96" in err and 96 not in _texts(archive)
    assert_kept(archive, stored)


@pytest.mark.parametrize(("raw", "needle"), [
    (b'"\xff\xfe"', "breaks off after message 5"),  # bytes that are not UTF-8
    (b'"\xed\xa0\x80"', "breaks off after message 5"),  # a surrogate encoded as UTF-8
])
def test_bytes_that_are_not_utf8_stop_the_import_and_say_how_far_it_got(
        raw: bytes, needle: str, archive: Path, stored: Stored, tmp_path: Path) -> None:
    path = _write(tmp_path, ex.around(ex.bad_message(97, text=raw)))
    outcome = run(["import", "--db", str(archive), str(path)])
    assert_fails_well(outcome, 2, needle, "5 posts were imported before it stopped",
                      "export the channel again")
    assert set(_texts(archive)) == set(range(1, 6))
    assert_kept(archive, stored)


def test_a_chat_name_that_is_not_text_is_refused(archive: Path, stored: Stored,
                                                 tmp_path: Path) -> None:
    for name in (rb'"\ud800"', b'"' + b"n" * 5000 + b'"', b"[1]", b"12"):
        header = b'"name": ' + name + b', "type": "public_channel", "id": 77'
        outcome = run(["import", "--db", str(archive),
                       str(_write(tmp_path, ex.export(ex.good(), header=header)))])
        assert_fails_well(outcome, 2, "name")
    assert_kept(archive, stored)


def test_a_chat_id_that_no_channel_can_have_is_refused_and_a_marked_one_is_read(
        archive: Path, stored: Stored, tmp_path: Path) -> None:
    for chat_id in (b"-1000000123", b"-5", b"0", b"4503599627370496", b"-1004503599627370496"):
        header = b'"name": "Chan", "type": "public_channel", "id": ' + chat_id
        outcome = run(["import", "--db", str(archive),
                       str(_write(tmp_path, ex.export(ex.good(), header=header)))])
        assert_fails_well(outcome, 2, f"chat id {chat_id.decode()} is not a chat id")
    assert_kept(archive, stored)
    for chat_id, imported in ((ex.CHANNEL_ID, ex.GOOD), (MARKED, 0)):  # one channel
        header = f'"name": "Chan", "type": "public_channel", "id": {chat_id}'.encode()
        code, report, _ = _import(archive, _write(tmp_path, ex.export(ex.good(), header=header)))
        assert code == 0 and report["imported"] == imported, report
    assert set(_texts(archive)) == set(range(1, 6))


def test_a_byte_order_mark_is_accepted_and_utf16_is_named(archive: Path, stored: Stored,
                                                          tmp_path: Path) -> None:
    code, report, _ = _import(archive, _write(tmp_path, b"\xef\xbb\xbf" + ex.around()))
    assert code == 0 and report["imported"] == 2 * ex.GOOD
    utf16 = ex.around().decode().encode("utf-16")
    outcome = run(["import", "--db", str(archive), str(_write(tmp_path, utf16, "u16.json"))])
    assert_fails_well(outcome, 2, "UTF-16", "UTF-8")
    assert_kept(archive, stored)


def test_a_repeated_id_keeps_each_text_as_a_version_within_and_across_batches(
        archive: Path, stored: Stored, tmp_path: Path) -> None:
    texts = ["первый текст", "второй текст", "первый текст", "третий текст"]
    path = _write(tmp_path, ex.export([ex.encode(ex.message(7, t)) for t in texts]))
    code, _report, _ = _import(archive, path)
    assert code == 0
    in_one_batch = asyncio.run(_versions(archive))
    assert in_one_batch == texts

    async def one_per_batch() -> list[str]:
        async with Archive.open(tmp_path / "b.sqlite3") as other:
            await import_export(path, other, lambda text: Analysis("und", 0.0, ()), batch_size=1)
        return await _versions(tmp_path / "b.sqlite3")

    assert asyncio.run(one_per_batch()) == in_one_batch
    assert_kept(archive, stored)


async def _versions(db: Path) -> list[str]:
    async with Archive.open(db) as archive:
        return [text for _, text, _ in await history(archive, MARKED, 7)]


@pytest.mark.parametrize("tenth", range(1, 10))
def test_a_truncated_export_keeps_what_came_before_and_says_how_much(
        tenth: int, archive: Path, stored: Stored, tmp_path: Path) -> None:
    whole = ex.export(ex.good(1, 40))
    path = _write(tmp_path, whole[: len(whole) * tenth // 10])
    outcome = run(["import", "--db", str(archive), str(path)])
    assert_fails_well(outcome, 2, "truncated")
    kept = len(_texts(archive))
    if kept:
        assert f"{kept:,} posts were imported before it stopped" in outcome.err
    assert_kept(archive, stored)
    path.write_bytes(whole)  # the user exports again: the rest arrives, nothing doubles
    code, report, _ = _import(archive, path)
    assert code == 0 and (report["imported"], report["unchanged"]) == (40 - kept, kept)


@pytest.mark.parametrize(("content", "code", "needles"), [
    (b"", 2, ["empty"]),
    (b"   \n", 2, ["not valid json"]),
    (b"[1, 2]", 2, ["not a json object"]),
    (b"42", 2, ["not a json object"]),
    (b"{}", 2, ["no 'messages' list"]),
    (b'{"about": "x", "chats": {"list": []}}', 2, ["whole-account export"]),
    (b'{"name": "Bob", "type": "personal_chat", "id": 5, "messages": []}', 2, ["channels"]),
    (b'{"name": "x", "type": "public_channel", "id": "abc", "messages": []}', 2, ["chat id"]),
    (b'{"name": "x", "type": "public_channel", "id": 1' + b"0" * 30 + b', "messages": []}', 2,
     ["chat id"]),
    (b'{"name": "x", "type": "public_channel", "id": 5, "messages": {"a": 1}}', 2,
     ["no 'messages' list"]),
    (b"\x00\x01\x02garbage", 2, ["not valid json"]),
])
def test_a_file_that_is_not_an_export_is_refused_in_one_line(
        content: bytes, code: int, needles: list[str], archive: Path, stored: Stored,
        tmp_path: Path) -> None:
    outcome = run(["import", "--db", str(archive), str(_write(tmp_path, content))])
    assert_fails_well(outcome, code, *needles)
    assert outcome.err.count("\n") == 1
    assert_kept(archive, stored)


def test_a_folder_finds_its_result_json(archive: Path, stored: Stored, tmp_path: Path) -> None:
    folder = tmp_path / "ChatExport_2025-02-01"
    folder.mkdir()
    _write(folder, ex.around())
    code, report, _ = _import(archive, folder)
    assert code == 0 and report["imported"] == 2 * ex.GOOD
    assert_kept(archive, stored)


@pytest.mark.parametrize("layout", ["html folder", "html file", "empty folder", "missing"])
def test_the_html_export_and_wrong_paths_say_what_to_pass(
        layout: str, archive: Path, stored: Stored, tmp_path: Path) -> None:
    target = tmp_path / "ChatExport"
    needles = ["Machine-readable JSON"]
    if layout == "html folder":
        target.mkdir()
        _write(target, b"<!DOCTYPE html>\n<html><body>...</body></html>", "messages.html")
    elif layout == "html file":
        target = _write(tmp_path, b"\n  <!DOCTYPE html>\n<html>", "messages.html")
    elif layout == "empty folder":
        target.mkdir()
        needles = ["result.json", "format JSON"]
    else:
        needles = ["cannot open", "no such file"]
    outcome = run(["import", "--db", str(archive), str(target)])
    assert_fails_well(outcome, 2, str(target), *needles)
    assert_kept(archive, stored)
