"""The autouse guard and the world's offline switch: nothing reaches the network."""

import asyncio
import socket

import pytest

from tests.faketg import FakeWorld, make_client
from tests.faketg.guard import NetworkBlockedError


def test_socket_connect_is_blocked() -> None:
    with socket.socket() as s, pytest.raises(NetworkBlockedError):
        s.connect(("149.154.167.51", 443))
    with socket.socket() as s, pytest.raises(NetworkBlockedError):
        s.connect_ex(("127.0.0.1", 9))


async def test_asyncio_connections_are_blocked() -> None:
    with pytest.raises(NetworkBlockedError):
        await asyncio.open_connection("149.154.167.51", 443)


async def test_offline_world_refuses_connections(world: FakeWorld) -> None:
    world.offline = True
    client = make_client(world, as_user=world.create_user("alice"))

    with pytest.raises(ConnectionError):
        await client.connect()
    await client.disconnect()


async def test_world_journaling_everything_from_the_start(tmp_path) -> None:
    path = tmp_path / "all.jsonl"
    first = FakeWorld(persist_path=path)
    first.post_many(first.create_channel("news"), 10)
    first.close()

    second = FakeWorld(persist_path=path)
    channel = second.channel("news")
    second.close()

    assert channel.pts == 11 and channel.posts[9].text == "Post 10"
