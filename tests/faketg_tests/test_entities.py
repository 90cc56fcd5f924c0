"""Usernames, channel access, joining."""

import pytest
from telethon import errors, functions, types, utils

from tests.faketg import FakeWorld


async def test_resolve_username_once_then_entity_is_cached(world: FakeWorld, clients) -> None:
    news = world.create_channel("news", title="News")
    client = await clients(world, as_user=world.create_user("alice"))

    entity = await client.get_entity("news")
    again = await client.get_input_entity(utils.get_peer_id(entity))

    assert (entity.id, entity.title, entity.left) == (news.id, "News", True)
    assert utils.get_peer_id(entity) == news.marked_id
    assert again.channel_id == news.id
    assert world.requests("ResolveUsername") == ["ResolveUsernameRequest"]


async def test_get_entity_by_username_asks_telegram_every_time(world: FakeWorld,
                                                               clients) -> None:
    world.create_channel("news")
    client = await clients(world, as_user=world.create_user("alice"))

    await client.get_entity("news")
    await client.get_entity("news")

    assert len(world.requests("ResolveUsername")) == 2


async def test_unknown_username_is_not_occupied(world: FakeWorld, clients) -> None:
    client = await clients(world, as_user=world.create_user("alice"))

    # get_entity turns USERNAME_NOT_OCCUPIED into a ValueError; the raw request raises it.
    with pytest.raises(ValueError, match="nosuchchannel") as caught:
        await client.get_entity("nosuchchannel")
    assert isinstance(caught.value.__cause__, errors.UsernameNotOccupiedError)
    with pytest.raises(errors.UsernameNotOccupiedError):
        await client(functions.contacts.ResolveUsernameRequest("nosuchchannel"))


async def test_channel_made_private_loses_username_and_history(world: FakeWorld,
                                                               clients) -> None:
    news = world.create_channel("news")
    world.post(news, "hello")
    client = await clients(world, as_user=world.create_user("alice"))
    entity = await client.get_entity("news")

    world.make_private(news)

    with pytest.raises(ValueError, match="news"):
        await client.get_entity("news")
    with pytest.raises(errors.ChannelPrivateError):
        await client.get_messages(entity, limit=10)
    forbidden = await client.get_entity(news.marked_id)
    assert isinstance(forbidden, types.ChannelForbidden)


async def test_banned_member_gets_channel_private(world: FakeWorld, clients) -> None:
    alice = world.create_user("alice")
    news = world.create_channel("news", members=[alice])
    world.post(news, "hello")
    client = await clients(world, as_user=alice)
    entity = await client.get_entity("news")
    assert len(await client.get_messages(entity, limit=5)) == 1

    world.ban(news, alice)

    with pytest.raises(errors.ChannelPrivateError):
        await client.get_messages(entity, limit=5)


async def test_injected_channel_private_on_history(world: FakeWorld, clients) -> None:
    world.create_channel("news")
    client = await clients(world, as_user=world.create_user("alice"))
    entity = await client.get_entity("news")
    world.inject_error("GetHistory", "CHANNEL_PRIVATE")

    with pytest.raises(errors.ChannelPrivateError):
        await client.get_messages(entity, limit=5)
    assert await client.get_messages(entity, limit=5) == []


async def test_join_channel_makes_account_a_member(world: FakeWorld, clients) -> None:
    alice = world.create_user("alice")
    news = world.create_channel("news")
    client = await clients(world, as_user=alice)

    result = await client(functions.channels.JoinChannelRequest(await client.get_entity("news")))

    assert alice.id in news.members
    assert isinstance(result.updates[0], types.UpdateChannel)
    assert (await client.get_entity(news.marked_id)).left is False


async def test_join_beyond_the_channel_limit_fails(world: FakeWorld, clients) -> None:
    world.channel_limit = 1
    alice = world.create_user("alice")
    world.create_channel("first", members=[alice])
    world.create_channel("second")
    client = await clients(world, as_user=alice)

    with pytest.raises(errors.ChannelsTooMuchError):
        await client(functions.channels.JoinChannelRequest(await client.get_entity("second")))


async def test_channel_with_several_handles_has_no_main_username(world: FakeWorld,
                                                                 clients) -> None:
    world.create_channel(None, title="Multi", extra_usernames=["multi_one", "multi_two"])
    client = await clients(world, as_user=world.create_user("alice"))

    entity = await client.get_entity("multi_two")

    assert entity.username is None
    assert [u.username for u in entity.usernames] == ["multi_one", "multi_two"]


async def test_full_channel(world: FakeWorld, clients) -> None:
    news = world.create_channel("news")
    world.post_many(news, 5)
    client = await clients(world, as_user=world.create_user("alice"))

    full = await client(functions.channels.GetFullChannelRequest(await client.get_entity("news")))

    assert full.full_chat.pts == news.pts


async def test_access_hashes_are_per_account(world: FakeWorld, clients) -> None:
    alice, bob = world.create_user("alice"), world.create_user("bobby")
    world.create_channel("news")
    alice_client = await clients(world, as_user=alice)
    bob_client = await clients(world, as_user=bob)
    alices_peer = await alice_client.get_input_entity("news")

    with pytest.raises(errors.ChannelInvalidError):
        await bob_client.get_messages(alices_peer, limit=1)
    assert alices_peer == world.input_peer("news", viewer=alice)
