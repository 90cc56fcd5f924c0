"""`tgmon check` helps: placeholders, a login told from a file, plurals, and the next step."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from telethon.crypto import AuthKey
from telethon.sessions import SQLiteSession

from bot.cli import main

REPO = Path(__file__).resolve().parents[2]
MINE = "[[channels]]\nref = '@news'\n[keywords.president]\nterms = ['Токаев']\n" \
       "exclude = ['Токарев']\n[bot]\nadmins = [42]\n"


def check(tmp_path: Path, toml: str, capsys: pytest.CaptureFixture[str], *,
          env: str = "") -> tuple[int, str]:
    config = tmp_path / "tgmon.toml"
    config.write_text(toml, encoding="utf-8")
    (tmp_path / ".env").write_text(env, encoding="utf-8")
    code = main(["check", "--config", str(config)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def session(path: Path, *, logged_in: bool) -> None:
    """A real Telethon session file, with an auth key (a login) or without one."""
    stored = SQLiteSession(str(path))
    stored.set_dc(2, "149.154.167.51", 443)
    if logged_in:
        stored.auth_key = AuthKey(os.urandom(256))
    stored.save()
    stored.close()


def test_the_untouched_example_is_valid_but_its_placeholders_are_named(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    example = (REPO / "bot" / "templates" / "tgmon.example.toml").read_text(encoding="utf-8")
    code, out = check(tmp_path, example, capsys)
    assert code == 0
    assert out.startswith(f"config ok: {tmp_path / 'tgmon.toml'}, with 3 warnings\n")
    assert "warning: channels[1].ref: @example_commentary is the example's placeholder" in out
    assert "warning: channels[2].ref: -1001234567890 is the example's placeholder" in out
    assert "warning: bot.admins: 111111111 is the example's placeholder; put your own" in out
    assert out.rstrip().endswith(
        f"next: replace the example's placeholders above in {tmp_path / 'tgmon.toml'}")


def test_counts_of_one_are_singular(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out = check(tmp_path, MINE + "[digests.d]\nschedule = '@daily'\nchats = [-1001]\n", capsys)
    assert "president: 1 term, 1 exclusion" in out
    assert "bot: 1 admin, 0 allowed users" in out and ", 1 chat\n" in out
    assert "warning" not in out


def test_an_empty_session_file_is_not_a_login(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "tgmon.session").write_bytes(b"")  # left by a failed `tgmon run`
    env = "TGMON_API_ID=12345\nTGMON_API_HASH=0123456789abcdef\n"
    _, out = check(tmp_path, MINE, capsys, env=env)
    assert "session: data/tgmon.session exists but holds no login" in out
    assert out.rstrip().endswith("next: tgmon login")
    session(tmp_path / "data" / "tgmon.session", logged_in=False)  # a session, no auth key
    _, out = check(tmp_path, MINE, capsys, env=env)
    assert "exists but holds no login" in out


def test_a_session_with_an_auth_key_is_a_login_and_the_next_step_is_online(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "data").mkdir()
    session(tmp_path / "data" / "tgmon.session", logged_in=True)
    env = "TGMON_API_ID=12345\nTGMON_API_HASH=0123456789abcdef\n"
    _, out = check(tmp_path, MINE, capsys, env=env)
    assert "session: logged in (data/tgmon.session)" in out
    assert out.rstrip().endswith(
        "next: tgmon check --online (each channel on Telegram), then tgmon run")


def test_missing_secrets_come_before_the_login(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out = check(tmp_path, MINE, capsys)
    assert "session: none yet" in out
    assert out.rstrip().endswith("next: fill TGMON_API_ID and TGMON_API_HASH in .env "
                                 "(https://my.telegram.org → API development tools)")
