"""What the network throws while connecting, and the proxy path, through the real CLI.

The real Telethon connection code runs against servers the test starts on 127.0.0.1: a
captive portal that answers MTProto with an HTTP redirect, and a SOCKS5 proxy in front of it.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from telethon.sessions import SQLiteSession

from bot.cli import main
from bot.config import Secrets
from bot.config_network import parse_proxy
from bot.errors import ConfigError
from bot.telegram.client import create_client
from tests.ops.loopback import captive_portal, socks5_proxy


def point_session_at(path: Path, port: int) -> None:
    """A session whose data centre address is a loopback server (as if DNS led there)."""
    session = SQLiteSession(str(path))
    session.set_dc(2, "127.0.0.1", port)
    session.save()
    session.close()


def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, port: int, extra: str = "") -> Path:
    session = tmp_path / "tgmon.session"
    monkeypatch.setenv("TGMON_API_ID", "1")
    monkeypatch.setenv("TGMON_API_HASH", "abc")
    monkeypatch.setenv("TGMON_SESSION", str(session))
    point_session_at(session, port)
    config = tmp_path / "tgmon.toml"
    config.write_text(f"[storage]\npath = '{tmp_path / 'a.db'}'\n[[channels]]\n"
                      f"ref = '@news'\n{extra}")
    return config


@pytest.mark.parametrize("command", [["run"], ["check", "--online"], ["login"]])
async def test_a_captive_portal_gives_one_clear_line_and_exit_1(
        command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    async with captive_portal() as portal:
        config = setup(tmp_path, monkeypatch, portal.port)
        code = await asyncio.to_thread(main, [*command, "--config", str(config)])
    err = capsys.readouterr().err
    assert code == 1, err
    assert "cannot reach Telegram: IncompleteReadError" in err and "captive portal" in err
    assert "Traceback" not in err
    assert portal.received  # Telethon did talk to it


async def test_check_online_goes_through_the_socks5_proxy_with_the_password_from_the_env(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    async with captive_portal() as portal, socks5_proxy("alice", "pr0xy-s3cret") as proxy:
        extra = f"[network]\nproxy = 'socks5://alice@127.0.0.1:{proxy.port}'\n"
        config = setup(tmp_path, monkeypatch, portal.port, extra)
        monkeypatch.setenv("TGMON_PROXY_PASSWORD", "pr0xy-s3cret")
        code = await asyncio.to_thread(main, ["check", "--online", "--config", str(config)])
    err = capsys.readouterr().err
    assert code == 1 and "cannot reach Telegram" in err and "Traceback" not in err
    assert proxy.logins == [(b"alice", b"pr0xy-s3cret")]
    assert proxy.targets == [("127.0.0.1", portal.port)]
    assert portal.received and portal.received[0]  # the MTProto handshake, relayed
    assert proxy.relayed >= len(portal.received[0])


@pytest.mark.parametrize(("url", "problem"), [
    ("socks4://h:1", "socks5://, http:// or mtproxy://"),
    ("socks5://bob:pw@h:1080", "TGMON_PROXY_PASSWORD"),
    ("http://proxy.example", "port"),
    ("mtproxy://u@h:443", "no user"),
    ("socks5://h:1080/path", "only socks5://host:port"),
])
def test_a_bad_proxy_url_says_what_is_wrong(url: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem.replace("?", r"\?")):
        parse_proxy(url)


def test_a_bad_proxy_in_the_config_is_exit_2_naming_the_key(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "tgmon.toml"
    config.write_text("[network]\nproxy = 'ftp://h:21'\n")
    assert main(["check", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "network.proxy" in err and "Traceback" not in err


def test_an_mtproxy_needs_its_secret_from_the_environment(tmp_path: Path) -> None:
    from pydantic import SecretStr

    secrets = Secrets(api_id=1, api_hash=SecretStr("abc"), session=tmp_path / "s.session")
    proxy = parse_proxy("mtproxy://proxy.example:443")
    with pytest.raises(ConfigError, match="TGMON_MTPROXY_SECRET"):
        create_client("user", secrets, proxy=proxy, in_memory=True)
    with_secret = secrets.model_copy(update={"mtproxy_secret": SecretStr("dd" + "ab" * 16)})
    client = create_client("user", with_secret, proxy=proxy, in_memory=True)
    assert client._proxy == ("proxy.example", 443, "dd" + "ab" * 16)
    assert "MTProxy" in type(client._connection).__name__ or "MTProxy" in str(client._connection)
