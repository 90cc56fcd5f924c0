"""What the service logs: JSON lines with fields, no secrets at DEBUG, no post text at INFO."""

from __future__ import annotations

import base64
import json
import logging
from pathlib import Path

import pytest
from pydantic import SecretStr
from telethon.sessions import SQLiteSession

from bot.logs import configure_logging
from tests.collector.harness import Harness, make_config, make_secrets
from tests.faketg import FakeWorld

POST_TEXT = "Совершенно-секретный-текст-поста-42"


async def test_a_debug_run_logs_no_secret_and_no_post_text_at_info(
        world: FakeWorld, tmp_path: Path, fast_telethon_timers: None,
        capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> None:
    monitor = world.create_user("monitor")
    bot = world.create_bot("tgmon_bot")
    alice = world.create_user("alice")
    news = world.create_channel("news", title="News", members=[monitor])
    token = world.bot_token(bot)
    secrets = make_secrets(tmp_path).model_copy(update={
        "api_id": world.api_id, "api_hash": SecretStr(world.api_hash),
        "bot_token": SecretStr(token)})
    config = make_config(tmp_path / "a.sqlite3", [{"ref": "@news"}])
    config = config.model_copy(update={"bot": config.bot.model_copy(
        update={"admins": [alice.id]})})
    harness = Harness(world, monitor, config, secrets, bot_account=bot)
    configure_logging("DEBUG", "json")
    caplog.set_level(logging.DEBUG)
    await harness.start()
    try:
        await harness.wait(lambda: harness.cursor(news.marked_id) == 0)
        world.post(news, POST_TEXT)
        world.post(news, f"{POST_TEXT} без пуша", push=False)
        await harness.wait(lambda: len(harness.texts(news.marked_id)) == 2)
        world.user_sends_to_bot(alice, "/subscribe", bot=bot)
        await harness.wait(lambda: len(world.sent_messages(bot, chat=alice)) == 1)
    finally:
        await harness.stop()
    session = SQLiteSession(str(secrets.session_file("user")))
    key = session.auth_key.key if session.auth_key else b""
    session.close()
    bot_session = SQLiteSession(str(secrets.session_file("bot")))
    bot_key = bot_session.auth_key.key if bot_session.auth_key else b""
    bot_session.close()
    assert key and bot_key
    captured = capsys.readouterr().err
    lines = [line for line in captured.splitlines() if line.strip()]
    assert lines, "the DEBUG run logged nothing"
    everything = captured + "\n".join(r.getMessage() for r in caplog.records)
    for secret in (world.api_hash, token, token.split(":", 1)[-1], key.hex(), bot_key.hex(),
                   base64.b64encode(key).decode(), base64.urlsafe_b64encode(key).decode()):
        assert secret not in everything
    for line in lines:  # JSON lines, one record each
        record = json.loads(line)
        assert {"ts", "level", "logger", "msg"} <= record.keys()
        if record["level"] != "debug":
            assert POST_TEXT not in line
    assert not [r for r in caplog.records if r.levelno >= logging.INFO
                and POST_TEXT in r.getMessage()]
    assert not [r for r in caplog.records if r.levelno >= logging.INFO
                and "Loading dictionaries" in r.getMessage()]


def test_json_lines_carry_the_context_fields(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", "json")
    logging.getLogger("bot.test").warning("send to %s failed", 42,
                                          extra={"chat": 42, "loop": "outbox sender"})
    (line,) = capsys.readouterr().err.splitlines()
    record = json.loads(line)
    assert record["chat"] == 42 and record["loop"] == "outbox sender"
    assert record["msg"] == "send to 42 failed" and record["level"] == "warning"


def test_text_lines_on_a_terminal_carry_the_date_and_time(
        capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", "text")
    logging.getLogger("bot.test").info("hello")
    line = capsys.readouterr().err.strip()
    assert line[:4].isdigit() and line[4] == "-" and line[10] == " " and line[13] == ":"
    assert line.endswith("bot.test: hello")


def test_text_lines_show_a_channels_control_characters_instead_of_obeying_them(
        capsys: pytest.CaptureFixture[str]) -> None:
    # A title that retitles the window (OSC) and forges a line with a carriage return.
    title = "News\x1b]0;pwned\x07\rERROR all posts deleted"
    configure_logging("INFO", "text")
    logging.getLogger("bot.test").info("caught up %s", title)
    line = capsys.readouterr().err.strip()
    assert "\x1b" not in line and "\r" not in line and "\x07" not in line
    assert line.endswith("caught up News\\x1b]0;pwned\\x07\\rERROR all posts deleted")
    configure_logging("INFO", "json")  # JSON escapes them itself, and keeps the text exact
    logging.getLogger("bot.test").info("caught up %s", title)
    assert json.loads(capsys.readouterr().err)["msg"] == "caught up " + title
