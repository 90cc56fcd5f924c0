"""The bot client: token login, commands from users, HTML replies, random_id de-duplication."""

import pytest
from telethon import errors, events, functions, types

from tests.faketg import FakeWorld

from .helpers import listen


@pytest.fixture
def people(world: FakeWorld):
    return world.create_user("alice", first_name="Alice"), world.create_bot("monbot")


async def test_bot_logs_in_with_its_token(world: FakeWorld, people, clients) -> None:
    _, bot = people
    client = await clients(world, as_bot=bot)

    me = await client.get_me()

    assert me.bot and me.id == bot.id
    assert "ImportBotAuthorizationRequest" in world.requests()


async def test_wrong_token_is_rejected(world: FakeWorld, people, clients) -> None:
    _, bot = people
    client = await clients(world, as_bot=bot, start=False)

    with pytest.raises(errors.AccessTokenInvalidError):
        await client.start(bot_token=f"{bot.id}:wrong")


async def test_start_command_gets_an_html_reply(world: FakeWorld, people, clients) -> None:
    alice, bot = people
    client = await clients(world, as_bot=bot)
    commands = listen(client, events.NewMessage(pattern=r"^/start"))

    world.user_sends_to_bot(alice, "/start")
    event = await commands.get()
    reply = await event.respond("<b>Hello</b>, <i>Alice</i> &amp; co", parse_mode="html")

    assert event.sender_id == alice.id and event.is_private
    assert isinstance(event.message.entities[0], types.MessageEntityBotCommand)
    (sent,) = world.sent_messages(bot, chat=alice)
    assert sent.text == "Hello, Alice & co" and sent.msg_id == reply.id
    assert sent.html == "<strong>Hello</strong>, <em>Alice</em> &amp; co"
    assert alice.messages[alice.chats[bot.id][-1]].text == "Hello, Alice & co"


async def test_same_random_id_is_stored_once(world: FakeWorld, people, clients) -> None:
    alice, bot = people
    client = await clients(world, as_bot=bot)
    world.user_sends_to_bot(alice, "/start")
    peer = world.input_peer(alice, viewer=bot)
    request = functions.messages.SendMessageRequest(peer, "digest", random_id=4242)

    first = await client(request)
    second = await client(request)  # e.g. a retry after a crash, with the stored random_id

    assert first.id == second.id
    assert [m.random_id for m in world.sent_messages(bot)] == [4242]
    assert len(alice.chats[bot.id]) == 2  # /start and one digest


async def test_duplicate_random_id_as_an_error_is_retried_then_value_error(
        world: FakeWorld, people, clients, flood_sleeps) -> None:
    # RANDOM_ID_DUPLICATE is a 500 in Telethon's error table: _call() retries it (sleeping
    # 2 s each time) and then raises ValueError, unless raise_last_call_error=True.
    alice, bot = people
    world.duplicate_random_id = "error"
    client = await clients(world, as_bot=bot)
    strict = await clients(world, as_bot=bot, raise_last_call_error=True)
    peer = world.input_peer(alice, viewer=bot)
    request = functions.messages.SendMessageRequest(peer, "digest", random_id=7)
    await client(request)

    with pytest.raises(ValueError, match="unsuccessful 6 time"):  # request_retries=5: 6 tries
        await client(request)
    with pytest.raises(errors.RandomIdDuplicateError):
        await strict(request)
    assert flood_sleeps.sleeps == [2] * 12
    assert len(world.sent_messages(bot)) == 1


async def test_user_who_blocked_the_bot(world: FakeWorld, people, clients) -> None:
    alice, bot = people
    client = await clients(world, as_bot=bot)
    world.block(alice, bot)

    with pytest.raises(errors.UserIsBlockedError):
        await client.send_message(world.input_peer(alice, viewer=bot), "hi")


async def test_too_long_message_is_refused(world: FakeWorld, people, clients) -> None:
    alice, bot = people
    client = await clients(world, as_bot=bot)

    with pytest.raises(errors.MessageTooLongError):
        await client.send_message(world.input_peer(alice, viewer=bot), "я" * 4097)


async def test_set_bot_commands(world: FakeWorld, people, clients) -> None:
    _, bot = people
    client = await clients(world, as_bot=bot)

    await client(functions.bots.SetBotCommandsRequest(
        scope=types.BotCommandScopeDefault(), lang_code="",
        commands=[types.BotCommand("search", "Search posts")]))

    assert bot.bot_commands == [("search", "Search posts")]


async def test_user_client_sees_the_bot_reply(world: FakeWorld, people, clients) -> None:
    alice, bot = people
    bot_client = await clients(world, as_bot=bot)
    alice_client = await clients(world, as_user=alice)
    await alice_client.get_entity("monbot")
    replies = listen(alice_client, events.NewMessage(incoming=True))
    commands = listen(bot_client, events.NewMessage(pattern="/help"))

    await alice_client.send_message("monbot", "/help")
    await (await commands.get()).reply("Commands: /search")

    assert (await replies.get()).raw_text == "Commands: /search"
    history = await alice_client.get_messages("monbot", limit=10)
    assert [m.raw_text for m in history] == ["Commands: /search", "/help"]


async def test_bot_gets_messages_sent_while_it_was_offline(world: FakeWorld, people,
                                                           clients) -> None:
    alice, bot = people
    client = await clients(world, as_bot=bot)
    await client.disconnect()
    world.user_sends_to_bot(alice, "/start")

    await client.connect()
    commands = listen(client, events.NewMessage(pattern="/start"))
    await client.catch_up()

    assert (await commands.get()).sender_id == alice.id
