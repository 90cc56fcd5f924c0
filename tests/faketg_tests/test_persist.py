"""Worlds rebuilt from a spec and a journal, as after a crash or in another process."""

import json

from telethon import events, functions
from telethon.sessions import SQLiteSession

from tests.faketg import WorldSpec, build_world, make_client
from tests.faketg.journal import Journal
from tests.faketg.spec import BOT, MONITOR

from .helpers import listen

SPEC = WorldSpec(seed=7, channels=2, messages_per_channel=20, subscribers=1)


def test_same_spec_builds_the_same_world() -> None:
    a, b = build_world(SPEC), build_world(SPEC)

    assert [(c.id, c.access_hash, c.username, c.pts) for c in a.channels.values()] == \
        [(c.id, c.access_hash, c.username, c.pts) for c in b.channels.values()]
    assert [(u.id, u.access_hash, u.bot_token) for u in a.accounts.values()] == \
        [(u.id, u.access_hash, u.bot_token) for u in b.accounts.values()]
    assert a.channel("channel001").posts[4].text == "Channel 1 post 5"


async def test_sent_random_ids_survive_into_the_next_world(tmp_path) -> None:
    journal = tmp_path / "telegram.jsonl"
    first = build_world(SPEC, persist_path=journal)
    user = first.account("subscriber000")
    peer = first.input_peer(user, viewer=BOT)
    request = functions.messages.SendMessageRequest(peer, "<b>digest</b>", random_id=99)
    client = make_client(first, as_bot=BOT)
    await client.start(bot_token=first.bot_token(BOT))
    sent = await client(request)
    # Durable before the answer came back:
    records = [json.loads(line) for line in journal.read_text().splitlines()]
    assert any(r.get("random_id") == 99 for r in records)
    await client.disconnect()
    first.close()

    second = build_world(SPEC, persist_path=journal)
    client = make_client(second, as_bot=BOT)
    await client.start(bot_token=second.bot_token(BOT))
    again = await client(request)
    await client.disconnect()
    second.close()

    assert again.id == sent.id
    assert [(m.random_id, m.msg_id) for m in second.sent_messages(BOT)] == [(99, sent.id)]


async def test_joins_and_bot_login_are_remembered_with_sqlite_sessions(tmp_path) -> None:
    journal = tmp_path / "telegram.jsonl"
    spec = WorldSpec(seed=1, channels=1, join=False)
    first = build_world(spec, persist_path=journal)
    bot = make_client(first, as_bot=BOT, session=SQLiteSession(str(tmp_path / "bot")))
    await bot.start(bot_token=first.bot_token(BOT))
    user = make_client(first, as_user=MONITOR, session=SQLiteSession(str(tmp_path / "user")))
    await user.connect()
    await user(functions.channels.JoinChannelRequest(await user.get_entity("channel000")))
    await bot.disconnect()
    await user.disconnect()
    first.close()

    second = build_world(spec, persist_path=journal)
    bot = make_client(second, as_bot=BOT, session=SQLiteSession(str(tmp_path / "bot")))
    await bot.connect()
    me = await bot.get_me()  # no new ImportBotAuthorization: the session is still valid
    await bot.disconnect()
    second.close()

    assert me is not None and me.bot
    assert "ImportBotAuthorizationRequest" not in second.requests()
    assert second.account(MONITOR).id in second.channel("channel000").members


async def test_catch_up_after_restart_replays_missed_posts(tmp_path, fast_telethon_timers) -> None:
    journal = tmp_path / "telegram.jsonl"
    first = build_world(SPEC, persist_path=journal)
    channel = first.channel("channel000")
    client = make_client(first, as_user=MONITOR, session=SQLiteSession(str(tmp_path / "s")))
    await client.connect()
    await client.get_entity("channel000")
    live = listen(client, events.NewMessage(chats=[channel.marked_id]))
    first.post(channel, "seen live")
    await live.get()
    await client.disconnect()
    missed = [first.post(channel, f"while down {i}") for i in range(5)]
    first.close()

    second = build_world(SPEC, persist_path=journal)
    client = make_client(second, as_user=MONITOR, catch_up=True,
                         session=SQLiteSession(str(tmp_path / "s")))
    caught = listen(client, events.NewMessage(chats=[channel.marked_id]))
    await client.connect()
    got = [(await caught.get()).message.id for _ in missed]
    await client.disconnect()
    second.close()

    assert got == missed
    assert "GetChannelDifferenceRequest" in second.requests()


def test_torn_last_record_from_a_kill_is_dropped(tmp_path) -> None:
    path = tmp_path / "j.jsonl"
    path.write_text('{"op":"leave","channel":1,"account":2}\n{"op":"jo')

    journal = Journal(path)
    journal.append({"op": "x"})
    records = journal.read()
    journal.close()

    assert [r["op"] for r in records] == ["leave", "x"]


async def test_attach_to_a_client_with_a_sqlite_session_file(tmp_path) -> None:
    world = build_world(SPEC)
    client = make_client(world, as_user=MONITOR, session=str(tmp_path / "by_path"))
    await client.connect()
    assert (await client.get_me()).username == MONITOR
    await client.disconnect()
    again = make_client(world, as_user=MONITOR, session=str(tmp_path / "by_path"))
    await again.connect()
    assert (await again.get_me()).username == MONITOR
    await again.disconnect()
