"""Flood waits, channels going private, dead sessions and bad usernames: the rest carry on."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from telethon import TelegramClient

from bot.cli import main
from bot.errors import SessionError
from bot.telegram.client import create_client
from tests.collector.harness import Harness
from tests.faketg import FakeWorld, FloodSleeps, attach


async def test_a_short_flood_wait_is_slept_through(harness: Harness, world: FakeWorld,
                                                  flood_sleeps: FloodSleeps) -> None:
    news = world.channel("news")
    world.post_many(news, 30)
    world.inject_error("GetHistory", "FLOOD_WAIT_30", times=1)
    await harness.run_once(until=lambda: harness.cursor(news.marked_id) == 30)
    assert [round(s) for s in flood_sleeps.sleeps] == [30]
    assert len(harness.texts(news.marked_id)) == 30


async def test_a_long_flood_wait_parks_history_reads_across_a_restart(
        harness: Harness, world: FakeWorld, flood_sleeps: FloodSleeps,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot")
    news = world.channel("news")
    world.inject_error("GetHistory", "FLOOD_WAIT_3600", times=1)
    await harness.start()
    try:
        await harness.wait(lambda: harness.count("SELECT count(*) FROM flood_parks") == 1)
        live = world.post(news, "live posts still arrive")
        await harness.wait(lambda: live in harness.texts(news.marked_id))
    finally:
        await harness.stop()
    before = len(world.requests("GetHistory"))
    second_live = world.post(news, "after restart", push=False)
    await harness.start()
    try:
        await harness.wait(lambda: "history reads parked" in caplog.text)
    finally:
        await harness.stop()
    assert second_live not in harness.texts(news.marked_id)
    assert len(world.requests("GetHistory")) == before  # still parked: nothing asked
    assert flood_sleeps.sleeps == []


async def test_a_channel_that_bans_us_is_marked_and_the_others_continue(
        harness: Harness, world: FakeWorld) -> None:
    news, other = world.channel("news"), world.channel("other")
    await harness.start()
    try:
        await harness.wait(lambda: harness.count("SELECT count(*) FROM cursors") == 2)
        world.make_private(other)
        world.ban(other, harness.account)
        with world.drop_updates():
            world.post(news, "still read")
        await harness.wait(lambda: harness.count(
            "SELECT count(*) FROM channels WHERE status = 'unavailable'") == 1, within=10)
        await harness.wait(lambda: len(harness.texts(news.marked_id)) == 1)
    finally:
        await harness.stop()
    ((status, failures, retry_at),) = harness.query(
        "SELECT status, failures, retry_at FROM channels WHERE id = ?", (other.marked_id,))
    assert status == "unavailable" and failures >= 1 and retry_at is not None


async def test_an_unresolvable_username_is_reported_once_and_not_looked_up_again(
        harness: Harness, world: FakeWorld, caplog: pytest.LogCaptureFixture) -> None:
    channels = [{"ref": "@no_such_channel"}, *[c.model_dump() for c in harness.config.channels]]
    harness.config = harness.config.model_copy(update={
        "channels": [harness.config.channels[0].model_validate(c) for c in channels]})
    news = world.channel("news")
    world.post(news, "good channels keep working")
    await harness.run_once(until=lambda: len(harness.texts(news.marked_id)) == 1)
    asked = len(world.requests("ResolveUsername"))  # @no_such_channel, @news, @other
    world.post(news, "second run")
    await harness.run_once(until=lambda: len(harness.texts(news.marked_id)) == 2)
    assert asked == 3 and len(world.requests("ResolveUsername")) == asked
    assert "@no_such_channel: skipped" in caplog.text and "change the reference" in caplog.text
    assert harness.query("SELECT ref FROM unresolved_refs") == [("@no_such_channel",)]


async def test_a_revoked_session_stops_cleanly_without_prompting(
        harness: Harness, world: FakeWorld) -> None:
    world.revoke_session(harness.account)
    await harness.start()
    assert harness.task is not None
    with pytest.raises(SessionError, match="tgmon login"):
        await harness.task


async def test_a_session_revoked_while_running_stops_the_app(
        harness: Harness, world: FakeWorld) -> None:
    await harness.start()
    assert harness.task is not None
    await harness.wait(lambda: harness.count("SELECT count(*) FROM cursors") == 2)
    world.revoke_session(harness.account)
    world.post(world.channel("news"), "x", push=False)
    with pytest.raises(SessionError, match="no longer accepts this session"):
        await harness.task


async def test_a_second_process_on_the_same_session_is_refused(harness: Harness) -> None:
    from bot.telegram.client import session_path
    from bot.telegram.session_lock import session_lock

    with session_lock(session_path(harness.secrets, "user")):
        await harness.start()
        assert harness.task is not None
        with pytest.raises(SessionError, match="in use by another tgmon process"):
            await harness.task


async def test_run_without_a_logged_in_session_stops_and_never_prompts(
        harness: Harness, world: FakeWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("builtins.input", lambda *_: pytest.fail("tgmon run prompted"))

    def not_logged_in(kind: str, secrets: object, **options: object) -> TelegramClient:
        client = create_client(kind, secrets, **options)  # type: ignore[arg-type]
        attach(client, world)  # a session that never logged in
        return client

    harness.factory = not_logged_in  # type: ignore[method-assign]
    await harness.start()
    assert harness.task is not None
    with pytest.raises(SessionError, match=r"not logged in.*tgmon login"):
        await harness.task


def test_run_when_telegram_is_unreachable_exits_1_with_a_clear_message(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TGMON_API_ID", "1")
    monkeypatch.setenv("TGMON_API_HASH", "abc")
    monkeypatch.setenv("TGMON_SESSION", str(tmp_path / "s.session"))
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "c.toml"
    config.write_text("[[channels]]\nref = '@news'\n")
    monkeypatch.setattr("bot.telegram.client.TelegramClient.connect", _refuse_network)
    assert main(["run", "--config", str(config)]) == 1
    err = capsys.readouterr().err
    assert "cannot reach Telegram" in err and "Traceback" not in err


async def _refuse_network(self: object) -> None:
    raise ConnectionError("no network in tests")


async def test_check_online_reports_each_channel_status(harness: Harness, world: FakeWorld
                                                        ) -> None:
    from bot.telegram.online_check import check_channels

    channels = [{"ref": "@no_such_channel"}, *[c.model_dump() for c in harness.config.channels]]
    harness.config = harness.config.model_copy(update={
        "channels": [harness.config.channels[0].model_validate(c) for c in channels]})
    world.post(world.channel("news"), "hello")
    world.make_private(world.channel("other"))
    statuses = await check_channels(harness.config, harness.secrets,
                                    client_factory=harness.factory)
    assert [(s.ref, s.ok) for s in statuses] == [
        ("@no_such_channel", False), ("@news", True), ("@other", False)]
    assert "newest post #1" in statuses[1].detail
    for client in harness.clients:
        assert not client.is_connected()


async def test_an_unexpected_telegram_error_skips_one_round_not_the_collector(
        harness: Harness, world: FakeWorld) -> None:
    news = world.channel("news")
    world.post_many(news, 10)
    world.inject_error("GetHistory", "MSG_ID_INVALID", times=1)
    await harness.run_once(until=lambda: harness.cursor(news.marked_id) == 10)
    assert len(harness.texts(news.marked_id)) == 10


def test_tgmon_check_online_prints_each_channel_and_exits_1_on_a_failure(
        harness: Harness, world: FakeWorld, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    config = tmp_path / "tgmon.toml"
    config.write_text(f"[storage]\npath = '{harness.config.storage.path}'\n"
                      "[[channels]]\nref = '@news'\n[[channels]]\nref = '@nope_nope'\n")
    monkeypatch.setenv("TGMON_API_ID", "12345")
    monkeypatch.setenv("TGMON_API_HASH", "0123456789abcdef")
    monkeypatch.setenv("TGMON_SESSION", str(harness.secrets.session))
    monkeypatch.setattr("bot.telegram.online_check.create_client", harness.factory)
    assert main(["check", "--online", "--config", str(config)]) == 1
    out = capsys.readouterr().out
    assert "ok   @news: News: readable" in out and "FAIL @nope_nope" in out


async def test_a_channel_that_fails_to_resolve_for_a_passing_reason_is_retried(
        harness: Harness, world: FakeWorld) -> None:
    other = world.channel("other")
    world.inject_error("ResolveUsername", "CHANNEL_PRIVATE", times=1,
                       match=lambda request: request.username == "other")
    await harness.start()
    try:
        await harness.wait(lambda: harness.cursor(world.channel("news").marked_id) == 0)
        msg_id = world.post(other, "readable after all", push=False)
        await harness.wait(lambda: msg_id in harness.texts(other.marked_id), within=10)
    finally:
        await harness.stop()
    assert harness.query("SELECT ref FROM unresolved_refs") == []
