"""BotTransport on a client made by create_client: what Telegram answers becomes an outcome."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from bot.delivery.sender import Outcome
from bot.store import Archive
from bot.telegram.botui import BotTransport
from bot.telegram.client import create_client, log_in_bot
from tests.collector.harness import make_secrets
from tests.faketg import FakeWorld, FloodSleeps, attach


async def test_a_resend_telegram_calls_a_duplicate_is_delivered_at_once_without_retries(
        world: FakeWorld, tmp_path: Path, flood_sleeps: FloodSleeps) -> None:
    alice, bot = world.create_user("alice"), world.create_bot("tgmon_bot")
    world.user_sends_to_bot(alice, "/start", bot=bot)
    world.duplicate_random_id = "error"  # Telegram's answer to a random_id it already has
    secrets = make_secrets(tmp_path).model_copy(
        update={"api_id": world.api_id, "api_hash": SecretStr(world.api_hash),
                "bot_token": SecretStr(world.bot_token(bot))})
    client = create_client("bot", secrets, flood_sleep_threshold=0, in_memory=True)
    attach(client, world, as_bot=bot)
    await client.connect()
    try:
        await log_in_bot(client, secrets)
        async with Archive.open(tmp_path / "a.db") as archive:
            transport = BotTransport(client, archive)
            first = await transport.send(alice.id, "digest <b>1</b>", 4242)
            again = await transport.send(alice.id, "digest <b>1</b>", 4242)  # after a crash
    finally:
        await client.disconnect()
    assert first.kind is Outcome.SENT and again.kind is Outcome.SENT
    assert len(world.requests("SendMessage", account=bot)) == 2  # one try each, no retries
    assert flood_sleeps.sleeps == [2]  # Telethon's one pause before it raises; was 2 s x 6
    assert len(world.sent_messages(bot, chat=alice)) == 1
