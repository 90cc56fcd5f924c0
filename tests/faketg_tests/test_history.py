"""messages.getHistory paging, as Telethon's iter_messages drives it."""

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telethon import errors, functions

from tests.faketg import FakeWorld
from tests.faketg.handlers.registry import history_window


async def test_reverse_paging_from_a_cursor_reads_every_newer_post(world: FakeWorld,
                                                                   clients) -> None:
    news = world.create_channel("news")
    world.post_many(news, 530)
    world.delete(news, [100, 101, 400])
    client = await clients(world, as_user=world.create_user("alice"))
    entity = await client.get_entity("news")

    ids = [m.id async for m in client.iter_messages(entity, min_id=42, reverse=True,
                                                      wait_time=0)]

    assert ids == [i for i in range(43, 531) if i not in (100, 101, 400)]
    assert len(world.requests("GetHistory")) == 6  # 5 full pages of 100, then an empty one


async def test_forward_paging_newest_first_with_limit(world: FakeWorld, clients) -> None:
    news = world.create_channel("news")
    world.post_many(news, 250, text="post {id}")
    client = await clients(world, as_user=world.create_user("alice"))
    entity = await client.get_entity("news")

    messages = await client.get_messages(entity, limit=150)

    assert [m.id for m in messages] == list(range(250, 100, -1))
    assert messages[0].text == "post 250"
    assert messages.total == 250


async def test_history_carries_post_fields(world: FakeWorld, clients) -> None:
    source = world.create_channel("source")
    news = world.create_channel("news")
    world.post(source, "original")
    msg_id = world.post(news, "look", media="photo", fwd_from=(source, 1), views=77)
    world.edit(news, msg_id, "look again")
    client = await clients(world, as_user=world.create_user("alice"))

    (message,) = await client.get_messages(await client.get_entity("news"), limit=1)

    assert message.text == "look again" and message.edit_date is not None
    assert message.photo is not None and message.photo.dc_id == 2
    assert message.fwd_from.from_id.channel_id == source.id
    assert message.fwd_from.channel_post == 1
    assert message.views == 77 and message.post


async def test_get_messages_by_id_returns_none_for_deleted(world: FakeWorld, clients) -> None:
    news = world.create_channel("news")
    world.post_many(news, 3)
    world.delete(news, [2])
    client = await clients(world, as_user=world.create_user("alice"))

    got = await client.get_messages(await client.get_entity("news"), ids=[1, 2, 3, 9])

    assert [m.id if m else None for m in got] == [1, None, 3, None]


async def test_bots_cannot_read_history(world: FakeWorld, clients) -> None:
    bot = world.create_bot("monbot")
    news = world.create_channel("news", admins=[bot])
    world.post(news, "x")
    client = await clients(world, as_user=world.create_user("alice"))
    entity = await client.get_entity("news")
    bot_client = await clients(world, as_bot=bot)

    with pytest.raises(errors.BotMethodInvalidError):
        await bot_client.get_messages(await client.get_input_entity(entity), limit=1)


def test_post_many_builds_100k_posts_quickly(world: FakeWorld) -> None:
    news = world.create_channel("news")
    started = time.perf_counter()

    ids = world.post_many(news, 100_000)

    assert time.perf_counter() - started < 2.0
    assert ids == range(1, 100_001) and news.pts == 100_001


async def test_paging_deep_inside_a_huge_channel(world: FakeWorld, clients) -> None:
    news = world.create_channel("news")
    world.post_many(news, 100_000)
    client = await clients(world, as_user=world.create_user("alice"))
    entity = await client.get_entity("news")

    ids = [m.id async for m in client.iter_messages(entity, min_id=99_750, reverse=True,
                                                      wait_time=0)]
    old = await client(functions.messages.GetHistoryRequest(
        entity, offset_id=50_001, offset_date=None, add_offset=0, limit=3, max_id=0,
        min_id=0, hash=0))

    assert ids == list(range(99_751, 100_001))
    assert [m.id for m in old.messages] == [50_000, 49_999, 49_998]


def _reference(ids, dates, offset_id, offset_date, add_offset, limit, max_id, min_id):
    desc = sorted(ids, reverse=True)
    if offset_id > 0:
        anchor = sum(1 for i in desc if i >= offset_id)
    elif offset_date > 0:
        anchor = sum(1 for i in desc if dates[i] >= offset_date)
    else:
        anchor = 0
    start, end = anchor + add_offset, anchor + add_offset + min(limit, 100)
    page = desc[max(0, start):max(0, end)]
    return [i for i in page if i > min_id and (max_id <= 0 or i < max_id)]


@given(
    ids=st.sets(st.integers(1, 300), max_size=120),
    offset_id=st.integers(0, 320),
    offset_date=st.integers(0, 320),
    add_offset=st.integers(-150, 150),
    limit=st.integers(0, 120),
    max_id=st.integers(0, 320),
    min_id=st.integers(0, 320),
)
def test_history_window_matches_a_brute_force_model(ids, offset_id, offset_date, add_offset,
                                                    limit, max_id, min_id) -> None:
    ordered = sorted(ids)
    dates = {i: i for i in ordered}  # dates grow with ids, as in a channel
    got = history_window(ordered, dates.__getitem__, offset_id=offset_id,
                         offset_date=offset_date, add_offset=add_offset, limit=limit,
                         max_id=max_id, min_id=min_id)
    assert got == _reference(ordered, dates, offset_id, offset_date, add_offset, limit,
                             max_id, min_id)
