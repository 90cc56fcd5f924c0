"""Flood waits: slept through under client.flood_sleep_threshold, raised over it."""

import pytest
from telethon import errors, functions

from tests.faketg import FakeWorld


@pytest.fixture
async def setup(world: FakeWorld, clients):
    alice = world.create_user("alice")
    for name in ("news", "sport"):
        world.post_many(world.create_channel(name), 3)
    client = await clients(world, as_user=alice)
    return client, await client.get_entity("news"), await client.get_entity("sport")


async def test_flood_wait_under_threshold_is_slept_through(world: FakeWorld, setup,
                                                           flood_sleeps) -> None:
    client, news, _ = setup
    world.inject_error("GetHistory", "FLOOD_WAIT_30")

    messages = await client.get_messages(news, limit=3)

    assert len(messages) == 3
    assert flood_sleeps.sleeps == [30]
    assert len(world.requests("GetHistory")) == 2


async def test_per_call_threshold_is_ignored(world: FakeWorld, setup, flood_sleeps) -> None:
    client, news, _ = setup
    world.inject_error("GetHistory", "FLOOD_WAIT_30")

    await client.get_messages(news, limit=1)
    world.inject_error("ResolveUsername", "FLOOD_WAIT_30")
    await client(functions.contacts.ResolveUsernameRequest("news"), flood_sleep_threshold=0)

    assert flood_sleeps.sleeps == [30, 30]


async def test_flood_wait_over_threshold_raises_and_blocks_the_request_type(
        world: FakeWorld, setup, flood_sleeps) -> None:
    client, news, sport = setup
    world.inject_error("GetHistory", "FLOOD_WAIT_120")

    with pytest.raises(errors.FloodWaitError) as caught:
        await client.get_messages(news, limit=1)
    # Another chat, same request type: refused locally, Telegram never sees it.
    with pytest.raises(errors.FloodWaitError):
        await client.get_messages(sport, limit=1)

    assert caught.value.seconds == 120
    assert len(world.requests("GetHistory")) == 1
    assert flood_sleeps.sleeps == []


async def test_lower_threshold_turns_a_short_wait_into_an_error(world: FakeWorld, setup,
                                                                flood_sleeps) -> None:
    client, news, _ = setup
    client.flood_sleep_threshold = 10
    world.inject_error("GetHistory", "FLOOD_WAIT_30")

    with pytest.raises(errors.FloodWaitError):
        await client.get_messages(news, limit=1)


async def test_injection_can_match_on_the_request(world: FakeWorld, setup,
                                                  flood_sleeps) -> None:
    client, news, sport = setup
    world.inject_error("GetHistory", "CHANNEL_PRIVATE",
                       match=lambda r: r.peer.channel_id == sport.id, times=2)

    assert len(await client.get_messages(news, limit=3)) == 3
    for _ in range(2):
        with pytest.raises(errors.ChannelPrivateError):
            await client.get_messages(sport, limit=3)
    assert len(await client.get_messages(sport, limit=3)) == 3
