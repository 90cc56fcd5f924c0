"""The CLI end to end: real files, real archive, exit codes as documented."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

from bot.cli import main
from bot.cli.setup_cmds import DEMO_KEYWORDS
from tests.importer.exports import FIXTURE, edited_copy


@pytest.fixture
def imported_db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    db = tmp_path / "archive.sqlite3"
    assert main(["import", str(FIXTURE), "--db", str(db), "--quiet"]) == 1  # 3 broken entries
    capsys.readouterr()
    return db


def test_import_reports_a_summary_and_each_skipped_entry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["import", str(FIXTURE), "--db", str(tmp_path / "a.sqlite3")])
    out, err = capsys.readouterr()
    assert code == 1
    assert "imported 6, updated 0, unchanged 0, skipped 2 service messages, 3 errors" in out
    assert "skipped message id=nine: bad message id 'nine'" in err
    assert "skipped message id=10: date 'not a date' is not a date" in err


def test_import_json_output_and_rerun_changes_nothing(
    imported_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["import", str(FIXTURE), "--db", str(imported_db), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert (report["imported"], report["unchanged"], report["errors"]) == (0, 6, 3)


def test_import_of_a_file_that_is_not_an_export_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bogus = tmp_path / "notes.json"
    bogus.write_text('{"hello": "world"}')
    assert main(["import", str(bogus), "--db", str(tmp_path / "a.sqlite3")]) == 2
    assert "not a Telegram Desktop export" in capsys.readouterr().err
    assert main(["import", str(tmp_path / "missing.json"), "--db", str(tmp_path / "a")]) == 2


def test_search_prints_matches_and_json(
    imported_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["search", "токаев", "--db", str(imported_db)]) == 0
    out = capsys.readouterr().out
    assert "Президент Тоқаев подписал указ" in out and "https://t.me/c/1234567890/2" in out
    assert main(["search", "парламент OR выборы", "--db", str(imported_db), "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert [p["id"] for p in found] == [11, 3]
    assert found[0]["channel"] == "Кто есть кто <test>"
    # The export dates an edit of post 3 but keeps only its last text: an edit all the same.
    assert (found[1]["edit_count"], found[1]["edited"], found[1]["versions"]) == (1, True, 1)
    assert found[1]["edit_date"] == "2025-01-11T09:30:00+00:00"


@pytest.mark.parametrize("query", ['"', "-токаев", "***", "OR", "()"])
def test_a_query_that_means_nothing_gets_a_helpful_reply(
    imported_db: Path, capsys: pytest.CaptureFixture[str], query: str
) -> None:
    assert main(["search", "--db", str(imported_db), "--", query]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tgmon: ") and "Traceback" not in err


def test_search_filters_by_language_and_date(
    imported_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(
            [
                "search",
                "указ OR выборы",
                "--db",
                str(imported_db),
                "--since",
                "2025-01-13",
                "--json",
            ]
        )
        == 0
    )
    assert [p["id"] for p in json.loads(capsys.readouterr().out)] == [11]
    assert main(["search", "x", "--db", str(imported_db), "--since", "yesterday"]) == 2
    assert "--since 'yesterday'" in capsys.readouterr().err


def test_data_commands_refuse_a_missing_archive(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["stats", "--db", str(tmp_path / "typo.sqlite3")]) == 2
    assert "no archive there yet" in capsys.readouterr().err
    assert not (tmp_path / "typo.sqlite3").exists()


def test_stats_json(imported_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--db", str(imported_db), "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["posts"] == 6
    (channel,) = stats["channels"]
    assert channel["title"] == "Кто есть кто <test>" and channel["first"].startswith("2025-01-10")


def test_export_jsonl_and_csv_hold_every_post(
    imported_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "--db", str(imported_db), "--format", "jsonl"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["id"] for r in lines] == [2, 3, 4, 5, 7, 11]
    assert set(lines[0]) >= {
        "channel",
        "id",
        "date",
        "text",
        "lang",
        "groups",
        "edit_count",
        "deleted",
    }
    out = tmp_path / "posts.csv"
    assert main(["export", "--db", str(imported_db), "--format", "csv", "--out", str(out)]) == 0
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 6 and rows[0]["text"].startswith("Президент")


def test_export_carries_edits_forwards_media_and_versions(
        imported_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--db", str(imported_db)]) == 0
    by_id = {r["id"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert by_id[3]["edit_date"] == "2025-01-11T09:30:00+00:00" and by_id[3]["edited"]
    assert (by_id[3]["edit_count"], by_id[3]["versions"]) == (1, 1)
    assert by_id[2]["edited"] is False and by_id[2]["edit_date"] is None
    assert by_id[4]["forwarded_from"] == {"name": "Ақорда", "channel_id": None, "id": None}
    assert by_id[5]["media"] == ["photo"] and by_id[7]["media"] == ["video"]
    assert {"views", "forwards"} <= set(by_id[2])
    out = tmp_path / "posts.csv"
    assert main(["export", "--db", str(imported_db), "--format", "csv", "--out", str(out)]) == 0
    with out.open(encoding="utf-8") as handle:
        rows = {r["id"]: r for r in csv.DictReader(handle)}
    assert rows["4"]["forwarded_from"] == "Ақорда"
    assert (rows["3"]["edited"], rows["3"]["edit_date"]) == ("True", "2025-01-11T09:30:00+00:00")


def test_demo_runs_offline_and_shows_search_and_stats(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "imported 13 posts" in out
    assert "Тоқаев" in out and "Токаев" in out
    assert "languages:" in out and "kk" in out


def test_demo_search_prints_what_tgmon_search_prints(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The demo's transcript is the real command's output, count line included.
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    command = "$ tgmon search 'токаев*' --limit 3"
    shown = out[out.index(command) + len(command):out.index("$ tgmon search 'иноагент")]
    config = tmp_path / "demo.toml"
    config.write_text("".join(
        f'[keywords."{name}"]\nterms = {json.dumps(group["terms"], ensure_ascii=False)}\n'
        + ("alert = true\n" if group.get("alert") else "")
        for name, group in DEMO_KEYWORDS.items()), encoding="utf-8")
    db = tmp_path / "demo.sqlite3"
    with resources.as_file(resources.files("bot") / "sample" / "demo_export.json") as sample:
        assert main(["import", str(sample), "--db", str(db), "--config", str(config),
                     "--quiet"]) == 0
    capsys.readouterr()
    assert main(["search", "токаев*", "--limit", "3", "--db", str(db), "--config",
                 str(config), "--tz", "UTC"]) == 0
    searched, count = capsys.readouterr()
    assert count == "3 of 5; --limit for more\n"
    assert shown.strip("\n") == (searched + count).strip("\n")


def test_demo_ends_with_a_digest_preview_and_a_post_history(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    digest = out[out.index("$ tgmon digest --dry-run --include-history"):]
    assert "Digest: daily\n" in digest and "5 of 13 items shown from 1 channel" in digest
    assert "▌ #president · 2 of 3 items" in digest and "<b>" not in digest
    assert "t.me/c/1000000001/12" in digest
    history = out[out.index("$ tgmon history https://t.me/c/1000000001/4"):]
    assert ("--- posted 2025-05-01 21:00 UTC, edited 2025-05-01 21:15 UTC; the text before the "
            "edit was never stored\nAnother wave of publications") in history
    assert history.rstrip().endswith("`tgmon login` and `tgmon run`")


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "tgmon demo" in capsys.readouterr().out


def test_python_dash_m_bot_works() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "search", "--help"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[2],
        check=False,
    )
    assert result.returncode == 0 and "prefix*" in result.stdout


def test_reanalyze_applies_a_changed_keyword_config_without_refetching(
        imported_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "парламент", "--db", str(imported_db), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["groups"] == []
    config = tmp_path / "tgmon.toml"
    config.write_text('[keywords.parliament]\nterms = ["парламент", "Мәжіліс"]\n',
                      encoding="utf-8")
    assert main(["reanalyze", "--config", str(config), "--db", str(imported_db)]) == 0
    out = capsys.readouterr().out
    assert "reanalysed 6 posts" in out and "parliament 2" in out
    assert main(["search", "парламент", "--db", str(imported_db), "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found[0]["groups"] == ["parliament"] and found[0]["terms"] == ["парламент"]


def test_history_shows_every_version_of_a_post(imported_db: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    edited = edited_copy(tmp_path, 2, "Указ отменён.", edited_unixtime=1736600000)
    main(["import", str(edited), "--db", str(imported_db), "--quiet"])
    capsys.readouterr()
    assert main(["history", "https://t.me/c/1234567890/2", "--db", str(imported_db)]) == 0
    out = capsys.readouterr().out
    assert out.index("--- original") < out.index("Президент Тоқаев") < out.index(
        "--- edit 1") < out.index("Указ отменён.")
    assert main(["history", "Кто есть кто <test>", "2", "--db", str(imported_db),
                 "--json"]) == 0
    versions = json.loads(capsys.readouterr().out)["versions"]
    assert [v["text"] for v in versions] == [
        "Президент Тоқаев подписал указ о созыве Мәжіліса.", "Указ отменён."]
    assert main(["history", "https://t.me/c/1234567890/4", "--db", str(imported_db),
                 "--json"]) == 0
    facts = json.loads(capsys.readouterr().out)["post"]
    assert facts["forwarded_from"]["name"] == "Ақорда" and facts["versions"] == 1
    for forum_link in ("https://t.me/c/1234567890/1/3", "t.me/c/1234567890/777/3?single"):
        # A forum topic's link: the topic (1, 777) sits between the channel and the post.
        assert main(["history", forum_link, "--db", str(imported_db), "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["id"] == 3
    assert main(["history", "https://t.me/c/1234567890/3", "--db", str(imported_db)]) == 0
    out = capsys.readouterr().out
    assert "· 1 version" in out
    assert "--- posted 2025-01-11 08:00 UTC, edited 2025-01-11 09:30 UTC; the text before" in out
    assert main(["history", "@nobody", "2", "--db", str(imported_db)]) == 2
    assert "no stored channel" in capsys.readouterr().err


@pytest.mark.parametrize(("command", "measure"), [
    ("digest", "window start, by ARRIVAL time (when the archive got the post)"),
    ("search", "posts DATED from then on (the post's own date, not when it was stored)"),
    ("export", "posts DATED from then on"),
])
def test_each_since_says_what_it_is_measured_on(
        command: str, measure: str, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # argparse wraps help at the terminal's width
    assert main([command, "--help"]) == 0
    assert measure in capsys.readouterr().out
