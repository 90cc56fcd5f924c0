"""Connecting, logging in, and loud failure for what the fake does not implement."""

import pytest
from telethon import errors, functions

from tests.faketg import FakeWorld


async def test_user_client_connects_and_knows_itself(world: FakeWorld, clients) -> None:
    alice = world.create_user("alice", first_name="Alice")
    client = await clients(world, as_user=alice)

    me = await client.get_me()

    assert (me.id, me.username, me.bot) == (alice.id, "alice", False)
    assert await client.is_user_authorized()
    # connect() itself: InitConnection(GetConfig), then GetUsers(self), GetState, GetDifference.
    assert world.requests()[:4] == [
        "GetConfigRequest", "GetUsersRequest", "GetStateRequest", "GetDifferenceRequest"]


async def test_unknown_request_fails_loudly_with_its_type_name(world: FakeWorld, clients) -> None:
    client = await clients(world, as_user=world.create_user("alice"))

    with pytest.raises(NotImplementedError, match="GetContactsRequest"):
        await client(functions.contacts.GetContactsRequest(hash=0))
    assert world.unhandled == ["GetContactsRequest"]


async def test_revoked_session_is_unauthorized_from_connect_on(world: FakeWorld, clients) -> None:
    alice = world.create_user("alice")
    world.revoke_session(alice)

    client = await clients(world, as_user=alice)

    assert await client.get_me() is None
    assert not await client.is_user_authorized()
    with pytest.raises(errors.AuthKeyUnregisteredError):
        await client.get_entity("alice")


async def test_session_revoked_while_connected_fails_next_request(world: FakeWorld,
                                                                  clients) -> None:
    alice = world.create_user("alice")
    world.create_channel("news")
    client = await clients(world, as_user=alice)

    world.revoke_session(alice)

    with pytest.raises(errors.AuthKeyUnregisteredError):
        await client.get_entity("news")


async def test_injected_auth_key_unregistered_on_get_me(world: FakeWorld, clients) -> None:
    alice = world.create_user("alice")
    client = await clients(world, as_user=alice)
    world.inject_error("GetUsers", "AUTH_KEY_UNREGISTERED")

    assert await client.get_me() is None  # Telethon maps 401 to "not logged in"
    assert (await client.get_me()).id == alice.id  # the injection was used up
