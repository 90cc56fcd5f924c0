"""Hostile configs and .env files: every command refuses them in one line naming what to fix."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.hostile.harness import assert_fails_well, assert_unchanged, run

Stored = dict[str, set[tuple[object, ...]]]
GOOD = b'[keywords.g]\nterms = ["\xd1\x82\xd0\xbe\xd0\xba\xd0\xb0\xd0\xb5\xd0\xb2"]\n'


def _file(tmp_path: Path, content: bytes, name: str = "tgmon.toml") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


#: (case, config bytes, needles in the one-line message)
CONFIGS = [
    ("deep arrays", b"a = " + b"[" * 5000 + b"]" * 5000, ["nested hundreds deep"]),
    ("deep inline tables", b"a = " + b"{b = " * 3000 + b"1" + b"}" * 3000,
     ["nested hundreds deep"]),
    ("deep dotted table", b"[" + b".".join([b"a"] * 3000) + b"]\n", ["unknown key"]),
    ("huge file", b"# " + b"x" * 5_000_000 + b"\n", ["larger than 4 MB", "right file"]),
    ("latin-1 bytes", b'[bot]\ntimezone = "\xe9t\xe9"\n', ["not UTF-8", "byte", "save it"]),
    ("UTF-16", "[bot]\n".encode("utf-16"), ["UTF-16", "UTF-8"]),
    ("Cyrillic letter in a bare key", "[stоrage]\npath = 'x'\n".encode(),
     ["CYRILLIC SMALL LETTER O", "ASCII"]),
    ("Cyrillic letter in a quoted key", '["stоrage"]\npath = "x"\n'.encode(),
     ["unknown key", "did you mean 'storage'"]),
    ("zero-width space in a key", '["keywords\u200b"]\n'.encode(), ["unknown key"]),
    ("slow regex", b'[keywords.g]\nterms = ["/(a+)+$/"]\n', ["(a+)+$", "rewrite it"]),
    ("slow only on its own letters", b'[keywords.g]\nterms = ["/(x+x+)+y/"]\n',
     ["takes over 50 ms"]),
    ("regex that does not compile", b'[keywords.g]\nterms = ["/(unclosed/"]\n',
     ["does not compile"]),
    ("regex matching empty text", b'[keywords.g]\nterms = ["/x*/"]\n', ["matches empty text"]),
    ("a proxy port past 65535", b'[network]\nproxy = "socks5://127.0.0.1:99999"\n',
     ["network.proxy", "the port must be a number from 1 to 65535"]),
    ("nested counted repeats", b'[keywords.g]\nterms = ["/(?:ab{1000}){1000}/"]\n',
     ["repeats a part 1,000,000 times"]),
    ("a term that is a table", b"[keywords.g]\nterms = [{a = 1}]\n", ["keywords.g.terms"]),
    ("NUL byte", b'[bot]\ntimezone = "UTC\x00"\n', ["invalid TOML"]),
    ("a number past 64 bits", b"[collector]\ndefault_backfill = 99999999999999999999999\n",
     ["default_backfill"]),
    ("a date where a number goes", b"[bot]\nadmins = [1979-05-27]\n", ["bot.admins"]),
]


@pytest.mark.parametrize(("case", "content", "needles"), CONFIGS, ids=[c[0] for c in CONFIGS])
@pytest.mark.parametrize("command", ["check", "import", "search", "reanalyze"])
def test_a_malformed_config_is_refused_by_every_command(
        case: str, content: bytes, needles: list[str], command: str, archive: Path,
        stored: Stored, tmp_path: Path) -> None:
    config = _file(tmp_path, content)
    argv = {"check": ["check"], "import": ["import", "--db", str(archive), "x.json"],
            "search": ["search", "--db", str(archive), "токаев"],
            "reanalyze": ["reanalyze", "--quiet", "--db", str(archive)]}[command]
    outcome = run([*argv, "--config", str(config)])
    assert_fails_well(outcome, 2, str(config), *needles, seconds=10)
    assert outcome.err.count("\n") <= 3
    assert_unchanged(archive, stored)


@pytest.mark.parametrize("special", ["/dev/zero", "folder", "missing"])
def test_a_config_that_is_not_a_file_is_named(special: str, tmp_path: Path) -> None:
    target = {"/dev/zero": "/dev/zero", "folder": str(tmp_path), "missing": "nope.toml"}[special]
    needle = {"/dev/zero": "larger than", "folder": "a folder", "missing": "file not found"}
    outcome = run(["check", "--config", target])
    assert_fails_well(outcome, 2, target, needle[special], seconds=5)


def test_ten_thousand_terms_load_fast_and_problems_are_capped(tmp_path: Path) -> None:
    terms = ", ".join(f'"ab cd{n}"' for n in range(10_000))  # "ab" is too short
    config = _file(tmp_path, f"[keywords.g]\nterms = [{terms}]\n".encode())
    outcome = run(["check", "--config", str(config)])
    assert_fails_well(outcome, 2, "shorter than 3", "more problems like these", seconds=10)
    assert outcome.err.count("\n") == 21
    words = ", ".join(f'"слово{n}"' for n in range(10_000))
    outcome = run(["check", "--config", str(_file(tmp_path, f"[keywords.g]\nterms = [{words}]\n"
                                                  .encode()))])
    assert outcome.code == 0 and ("10,000 terms" in outcome.out or "10000 terms" in outcome.out)
    assert outcome.seconds < 30


def test_a_bom_before_the_config_is_accepted(tmp_path: Path) -> None:
    outcome = run(["check", "--config", str(_file(tmp_path, b"\xef\xbb\xbf" + GOOD))])
    assert outcome.code == 0, outcome.err


ENVS = [
    ("not UTF-8", b"TGMON_API_ID=1\nTGMON_API_HASH=\xff\xfe\n", ["not UTF-8", "save it"]),
    ("unclosed quote", b'TGMON_API_HASH="abc\nTGMON_BOT_TOKEN=1:x\n', ["line 1", "NAME=value"]),
    ("not NAME=value", b"TGMON_API_ID=1\nTGMON API HASH=x\n", ["line 2"]),
    ("api id past 32 bits", b"TGMON_API_ID=99999999999999999999\n", ["TGMON_API_ID", "1 to"]),
    ("api id with NUL", b"TGMON_API_ID=1\x00\n", ["TGMON_API_ID"]),
    ("api id in Arabic digits", "TGMON_API_ID=١٢٣\n".encode(), ["TGMON_API_ID"]),
    ("huge file", b"#" * 5_000_000, ["larger than 4 MB"]),
    ("UTF-16", "TGMON_API_ID=1\n".encode("utf-16"), ["UTF-16"]),
]


@pytest.mark.parametrize(("case", "content", "needles"), ENVS, ids=[e[0] for e in ENVS])
def test_a_malformed_env_file_is_named(case: str, content: bytes, needles: list[str],
                                       tmp_path: Path) -> None:
    env = _file(tmp_path, content, "secrets.env")
    outcome = run(["check", "--config", str(_file(tmp_path, GOOD)), "--env-file", str(env)])
    assert_fails_well(outcome, 2, *needles, seconds=5)


@pytest.mark.parametrize("special", ["/dev/zero", "folder"])
def test_an_env_file_that_is_not_a_file_is_named(special: str, tmp_path: Path) -> None:
    target = "/dev/zero" if special == "/dev/zero" else str(tmp_path)
    outcome = run(["check", "--config", str(_file(tmp_path, GOOD)), "--env-file", target])
    assert_fails_well(outcome, 2, target, "not a regular file", seconds=5)


def test_a_bom_and_crlf_in_the_env_file_are_accepted(tmp_path: Path) -> None:
    env = _file(tmp_path, b"\xef\xbb\xbfTGMON_API_ID=12345\r\nTGMON_API_HASH=abc\r\n", "a.env")
    outcome = run(["check", "--config", str(_file(tmp_path, GOOD)), "--env-file", str(env)])
    assert outcome.code == 0, outcome.err
    assert "TGMON_API_ID: set" in outcome.out and "TGMON_API_HASH: set" in outcome.out


def test_a_home_relative_archive_path_is_in_the_home_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    config = _file(tmp_path / "home", b'[storage]\npath = "~/archive/tgmon.sqlite3"\n')
    outcome = run(["check", "--config", str(config)])
    assert_fails_well(outcome, 0)
    assert f"archive: {home / 'archive' / 'tgmon.sqlite3'}" in outcome.out, outcome.out


@pytest.mark.parametrize(("path", "needle"), [("/", "a folder"), ("", "a folder"),
                                              (os.devnull, "not a regular file")])
def test_check_refuses_an_archive_path_that_is_no_file(path: str, needle: str,
                                                       tmp_path: Path) -> None:
    config = _file(tmp_path, f'[storage]\npath = "{path}"\n'.encode())
    assert_fails_well(run(["check", "--config", str(config)]), 2, needle, "archive file")
