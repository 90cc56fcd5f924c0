"""Every broken config names the file, the key path and the problem, and exits 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main

VALID = """
[[channels]]
ref = "@ashimbayev"
[keywords.president]
terms = ["Токаев"]
"""


def run_check(
    tmp_path: Path, toml: str, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, str]:
    path = tmp_path / "tgmon.toml"
    path.write_text(toml, encoding="utf-8")
    code = main(["check", "--config", str(path), *extra])
    captured = capsys.readouterr()
    return code, captured.err + captured.out


@pytest.mark.parametrize(
    ("toml", "key", "problem"),
    [
        ("[storage]\npaht = 'x.db'\n", "storage.paht", "unknown key; did you mean 'path'?"),
        ("[colector]\n", "colector", "unknown key; did you mean 'collector'?"),
        ("[collector]\ndefault_backfill = 'many'\n", "collector.default_backfill", "valid integer"),
        (
            "[[channels]]\nref = '@abcde'\nbackfill = -5\n",
            "channels[0].backfill",
            "greater than or equal to 0",
        ),
        (
            "[digests.daily]\nschedule = '09:00'\ntimezone = 'Asia/Almata'\n",
            "digests.daily.timezone",
            "unknown timezone 'Asia/Almata'",
        ),
        (
            "[digests.daily]\nschedule = '0 9 * * funday'\n",
            "digests.daily.schedule",
            "bad day-of-week field 'funday'",
        ),
        (
            "[digests.daily]\nschedule = '0 9 30 2 *'\n",
            "digests.daily.schedule",
            "never fires: day 30 does not exist in month 2",
        ),
        (
            "[digests.daily]\nschedule = '09:00'\nmax_items = 0\n",
            "digests.daily.max_items",
            "greater than or equal to 1",
        ),
        (
            "[digests.daily]\nschedule = '09:00'\nmax_items = 5001\n",
            "digests.daily.max_items",
            "less than or equal to 5000",
        ),
        (
            "[[channels]]\nref = 'https://example.com/x'\n",
            "channels[0].ref",
            "not a channel reference",
        ),
        ("[[channels]]\nref = 'ab'\n", "channels[0].ref", "not a channel reference"),
        ("[[channels]]\nref = 12345\n", "channels[0].ref", "marked form"),
        (
            "[[channels]]\nref = '@Ashimbayev'\n[[channels]]\nref = 'https://t.me/ashimbayev'\n",
            "channels[1].ref",
            "duplicate channel",
        ),
        ("[keywords.empty]\nterms = []\n", "keywords.empty", "has no terms"),
        ("[keywords.empty]\nterms = ['  ']\n", "keywords.empty", "has no terms"),
        ("[keywords.dup]\nterms = ['Токаев', 'токаев']\n", "keywords.dup", "duplicate term"),
        ("[keywords.rx]\nterms = ['/(unclosed/']\n", "keywords.rx", "does not compile"),
        ("[keywords.'Bad Name']\nterms = ['x']\n", "keywords.Bad Name", "group name"),
        ("[keywords.d]\nterms = ['x']\nderived = 'yes'\n", "keywords.d.derived", "valid boolean"),
        ("[bot]\nadmins = ['me']\n", "bot.admins[0]", "valid integer"),
        (
            "[bot]\nsubscriber_digest = 'weekly'\n",
            "bot.subscriber_digest",
            "no digest named 'weekly'",
        ),
        (
            "[digests.d]\nschedule = '09:00'\ngroups = ['nope']\n",
            "digests.d.groups",
            "unknown keyword group 'nope'",
        ),
        ("storage = 5\n", "storage", "valid dictionary"),
    ],
)
def test_config_error_names_file_key_and_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], toml: str, key: str, problem: str
) -> None:
    code, out = run_check(tmp_path, toml, capsys)
    assert code == 2
    assert f"{tmp_path / 'tgmon.toml'}: {key}: " in out
    assert problem in out
    assert "Traceback" not in out


def test_invalid_toml_reports_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_check(tmp_path, "[storage]\npath = 'x.db'\n\nlevel = = 3\n", capsys)
    assert code == 2
    assert "invalid TOML" in out and "line 4" in out


def test_missing_config_file_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", "--config", str(tmp_path / "nope.toml")])
    out = capsys.readouterr().err
    assert code == 2
    assert f"{tmp_path / 'nope.toml'}: file not found" in out


def test_missing_secrets_are_listed_with_where_to_get_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "tgmon.toml").write_text(VALID, encoding="utf-8")
    (tmp_path / ".env").write_text("TGMON_API_HASH=0123456789abcdef0123456789abcdef\n")
    code = main(["run", "--config", str(tmp_path / "tgmon.toml")])
    err = capsys.readouterr().err
    assert code == 2
    assert "missing TGMON_API_ID" in err and "my.telegram.org" in err
    assert "TGMON_API_HASH" not in err.split("missing", 1)[1].split("\n", 1)[0]
    assert "tgmon demo" in err
    assert "0123456789abcdef" not in err


def test_a_non_numeric_api_id_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".env").write_text("TGMON_API_ID=abc\n")
    code, out = run_check(tmp_path, VALID, capsys)
    assert code == 2 and "TGMON_API_ID: must be a number" in out


def test_check_prints_a_summary_and_never_a_secret(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".env").write_text(
        "TGMON_API_ID=12345\nTGMON_API_HASH=deadbeefdeadbeefdeadbeef\n"
        "TGMON_BOT_TOKEN=123:SECRETSECRET\n"
    )
    code, out = run_check(
        tmp_path, VALID + "[digests.daily]\nschedule = '09:00'\ntimezone = 'Asia/Almaty'\n", capsys
    )
    assert code == 0, out
    assert "channels: 1" in out and "@ashimbayev" in out
    assert "president: 1 term, 0 exclusions" in out
    assert "digest daily: '09:00' (Asia/Almaty), next " in out
    assert "TGMON_API_ID: set" in out and "TGMON_BOT_TOKEN: set" in out
    for secret in ("12345", "deadbeef", "SECRETSECRET"):
        assert secret not in out


def test_the_example_config_is_valid(capsys: pytest.CaptureFixture[str]) -> None:
    example = Path(__file__).parents[2] / "config" / "tgmon.example.toml"
    assert main(["check", "--config", str(example)]) == 0, capsys.readouterr().err


def test_an_invite_link_is_stored_whole_but_shown_redacted() -> None:
    from bot.config_refs import parse_channel_ref

    ref = parse_channel_ref("https://t.me/+AbCdEfGhIjKl")
    assert ref.canonical == "https://t.me/+AbCdEfGhIjKl"
    assert "EfGh" not in str(ref) and str(ref).startswith("https://t.me/+AbCd")


def test_a_config_that_is_not_utf8_is_named(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "tgmon.toml"
    path.write_bytes("[storage]\npath = 'архив.db'\n".encode("cp1251"))
    assert main(["check", "--config", str(path)]) == 2
    assert f"{path}: not UTF-8 text" in capsys.readouterr().err


def test_a_schedule_that_never_fires_stops_run_at_start(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "tgmon.toml"
    path.write_text("[digests.leap]\nschedule = '0 9 31 feb,apr *'\n", encoding="utf-8")
    assert main(["run", "--config", str(path), "--db", str(tmp_path / "a.sqlite3")]) == 2
    err = capsys.readouterr().err
    assert "digests.leap.schedule: '0 9 31 feb,apr *' never fires" in err
    assert not (tmp_path / "a.sqlite3").exists()
