"""Live updates: new posts, edits, deletions, albums, and gaps Telethon must recover."""

import pytest
from telethon import events

from tests.faketg import FakeWorld

from .helpers import listen


@pytest.fixture
async def watching(world: FakeWorld, clients):
    """A member account's client watching @news with handlers registered by marked id."""
    alice = world.create_user("alice")
    news = world.create_channel("news", members=[alice])
    world.create_channel("other", members=[alice])
    client = await clients(world, as_user=alice)
    await client.get_entity("news")  # cache it: chats= by marked id needs the access hash
    return news, client


async def test_new_edited_and_deleted_posts_reach_handlers(world: FakeWorld, watching) -> None:
    news, client = watching
    new = listen(client, events.NewMessage(chats=[news.marked_id]))
    edited = listen(client, events.MessageEdited(chats=[news.marked_id]))
    deleted = listen(client, events.MessageDeleted(chats=[news.marked_id]))

    msg_id = world.post(news, "breaking", views=3)
    world.post("other", "not watched")
    event = await new.get()
    world.edit(news, msg_id, "breaking, updated")
    edit = await edited.get()
    world.delete(news, [msg_id])
    deletion = await deleted.get()

    assert (event.message.id, event.raw_text, event.chat_id) == (msg_id, "breaking", news.marked_id)
    assert event.message.post and event.message.views == 3
    assert edit.message.text == "breaking, updated"
    assert deletion.deleted_ids == [msg_id] and deletion.chat_id == news.marked_id
    await new.nothing()


async def test_album_arrives_as_one_album_event_and_n_new_messages(
        world: FakeWorld, watching, fast_telethon_timers) -> None:
    news, client = watching
    albums = listen(client, events.Album(chats=[news.marked_id]))
    new = listen(client, events.NewMessage(chats=[news.marked_id]))

    ids = world.post_album(news, ["", "the caption", ""])
    album = await albums.get()
    singles = [await new.get() for _ in ids]

    assert [m.id for m in album.messages] == ids
    assert album.text == "the caption" and len({m.grouped_id for m in album.messages}) == 1
    assert [e.message.id for e in singles] == ids


async def test_small_gap_is_recovered_through_channel_difference(
        world: FakeWorld, watching, fast_telethon_timers) -> None:
    news, client = watching
    new = listen(client, events.NewMessage(chats=[news.marked_id]))
    world.post(news, "seen live")
    await new.get()

    with world.drop_updates():
        missed = [world.post(news, f"missed {i}") for i in range(30)]
    world.post(news, "after the gap")
    got = [(await new.get()).message.id for _ in range(31)]

    assert got == [*missed, missed[-1] + 1]
    assert world.requests("GetChannelDifference") == ["GetChannelDifferenceRequest"]


async def test_gap_of_more_than_100_posts_gives_users_nothing(
        world: FakeWorld, watching, fast_telethon_timers) -> None:
    news, client = watching
    new = listen(client, events.NewMessage(chats=[news.marked_id]))
    world.post(news, "seen live")
    await new.get()

    with world.drop_updates():
        world.post_many(news, 150)
    world.post(news, "after the gap")

    # channelDifferenceTooLong: Telethon moves its pts to the server's and dispatches nothing,
    # not even the post that revealed the gap. Only a history re-read finds these posts.
    await new.nothing(0.3)
    assert world.requests("GetChannelDifference")
    world.post(news, "live again")
    assert (await new.get()).raw_text == "live again"


async def test_difference_drops_edits_and_deletions_made_during_a_gap(
        world: FakeWorld, watching, fast_telethon_timers) -> None:
    news, client = watching
    new = listen(client, events.NewMessage(chats=[news.marked_id]))
    edited = listen(client, events.MessageEdited(chats=[news.marked_id]))
    deleted = listen(client, events.MessageDeleted(chats=[news.marked_id]))
    first = world.post(news, "first")
    second = world.post(news, "second")
    await new.get()
    await new.get()

    with world.drop_updates():
        world.edit(news, first, "first, edited")
        world.delete(news, [second])
        world.post(news, "missed")
    world.post(news, "reveals the gap")

    assert (await new.get()).raw_text == "missed"
    assert (await new.get()).raw_text == "reveals the gap"
    await edited.nothing(0.1)
    await deleted.nothing(0.1)


async def test_posts_to_channels_the_account_is_not_in_are_not_pushed(world: FakeWorld,
                                                                       clients) -> None:
    alice = world.create_user("alice")
    news = world.create_channel("news")
    client = await clients(world, as_user=alice)
    await client.get_entity("news")
    new = listen(client, events.NewMessage(chats=[news.marked_id]))

    world.post(news, "nobody is listening")

    await new.nothing(0.1)
