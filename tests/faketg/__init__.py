"""A fake Telegram for tests: the real Telethon client, no network.

``attach()`` puts a :class:`FakeSender` in ``client._sender``; everything above it (update
loop, gap recovery, events, entity cache, flood waits, parse modes, paging) is Telethon's
own code. Requests and answers cross as bytes, errors are mapped with
``rpc_message_to_error``, answers that carry updates go through the real
``MTProtoSender._store_own_updates``, and pushed updates are parsed copies put into
``client._updates_queue``. Media lives on DC 2. Requests the fake does not implement raise
``NotImplementedError`` naming the request type (also listed in ``world.unhandled``).

World and clients::

    world = FakeWorld()                                   # or build_world(WorldSpec(...))
    alice = world.create_user("alice")                    # Account
    bot = world.create_bot("tgmon_bot")                   # token: world.bot_token(bot)
    news = world.create_channel("news", title="News", members=[alice])  # Channel
    user = make_client(world, as_user=alice)              # already logged in
    await user.connect()
    botc = make_client(world, as_bot=bot)                 # logs in with its token
    await botc.start(bot_token=world.bot_token(bot))
    # Or attach(existing_client, world, as_user=...) before connect(); any session works
    # (MemorySession by default, SQLiteSession / a path for restart tests).

The world acts (synchronous; live changes are pushed to members' connected clients)::

    world.post(news, "text", media="photo", fwd_from=(other, 5), views=10, entities=[...])
    world.post_album(news, ["", "caption", ""])           # N posts, one grouped_id
    world.edit(news, msg_id, "new text");  world.delete(news, [ids])
    world.post_many(news, 100_000, text="Post {id}", start_date=..., step=60)  # silent
    with world.drop_updates(): world.post(news, "x")      # stored, not pushed: a gap
    world.post(news, "x", push=False)                     # same, for one call
    world.user_sends_to_bot(alice, "/start")              # NewMessage on the bot client
    world.join / leave / add_admin(channel, account);  world.block(user, bot)
    world.make_private(news);  world.ban(news, alice);  world.revoke_session(alice)
    world.offline = True                                   # connect() raises ConnectionError
    world.outage(alice);  world.end_outage(alice)          # the network drops (all if none
        # named) as after Telethon's own reconnects ran out: `disconnected` resolves with
        # ConnectionError, connect() fails until end_outage()
    world.inject_error("GetHistory", "FLOOD_WAIT_30", times=1, match=lambda req: ...,
                       account=alice)                     # also CHANNEL_PRIVATE,
        # USERNAME_NOT_OCCUPIED, AUTH_KEY_UNREGISTERED, USER_IS_BLOCKED, any RPC error
    world.channel_limit = 500                              # CHANNELS_TOO_MUCH beyond it
    world.duplicate_random_id = "original" | "error"       # see below

Assertions::

    world.sent_messages(bot, chat=alice)   # [SentMessage(msg_id, random_id, text, entities,
                                           #   date, chat_id); .html re-renders the HTML]
    world.requests("ResolveUsername", account=alice)      # request log (innermost types)
    world.channel("news").posts / .live_ids / .pts / .members
    alice.messages / alice.chats[bot.id]                  # a private mailbox
    world.input_peer(alice, viewer=bot)   # access hashes are per account, like Telegram

Persistence and other processes::

    world = build_world(WorldSpec(seed=1, channels=3, messages_per_channel=100,
                                  subscribers=2), persist_path=tmp / "tg.jsonl")
    # build_world makes the same world in every process (@monitor, @subscriber000…,
    # @tgmon_bot, @channel000…), then replays the journal. From then on every change
    # (sends with their random_id, joins, bot logins, world actions) is appended and
    # fsync'ed *before* the client gets its answer, so after kill -9 the next process
    # still knows what Telegram accepted. FakeWorld(persist_path=p) journals everything
    # from the start instead. world.close() closes the file.

The world in another process (tests/faketg/remote.py; its docstring shows how)::

    with spawn_server(tmp / "tg.sock", WorldSpec(...)) as server:   # a server process
        attach_remote(client, server.path, as_user="monitor")       # instead of attach()
        server.world.post("channel000", "text")                     # world actions by name
    # or FakeServer(world).start(path) to serve a world you drive in your own process.

Flood waits and timers::

    flood_sleeps fixture / patch_flood_sleep(monkeypatch) / install_flood_sleep()
        -> FloodSleeps: .sleeps lists what Telethon slept; its clock advances accordingly.
    fast_telethon_timers fixture: possible-gap wait and album delay 0.5 s -> 0.05 s.
    Fixtures (import into your conftest): world, clients, flood_sleeps,
    fast_telethon_timers. A subprocess calls install_socket_guard() itself.

Telethon 1.45 behaviour these tests confirm (see tests/faketg_tests):
- A gap of <=100 channel posts is filled by updates.getChannelDifference (0.5 s after the
  out-of-order update). More than 100 (users; bots ask for 100,000): Telegram answers
  channelDifferenceTooLong and Telethon jumps to the new pts and dispatches *nothing*, not
  even the post that revealed the gap. Edits and deletions in a difference are dropped.
- catch_up=True with an SQLiteSession replays posts missed while down (via
  updateChannelTooLong -> getChannelDifference); same 100 limit.
- An album is one Updates with N messages: NewMessage fires N times and one Album event
  follows 0.5 s after the last item.
- get_entity("name") raises ValueError (cause: UsernameNotOccupiedError) and calls
  ResolveUsername every time; get_input_entity(marked_id) uses the cache.
- Flood waits <= client.flood_sleep_threshold are slept through (the per-call argument is
  ignored); longer ones raise FloodWaitError and block that request type locally.
- RANDOM_ID_DUPLICATE is a 500 for Telethon: retried 6 times, then ValueError (or the
  error itself with raise_last_call_error=True).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

#: Where each name lives; imported on first use, so a process that only runs clients
#: (tests/faketg/remote.py in a measured tgmon process) loads none of the world's code.
_HOMES = {
    "FakeRpcError": "errors", "FloodSleeps": "flood", "install_flood_sleep": "flood",
    "patch_flood_sleep": "flood", "install_socket_guard": "guard", "Account": "model",
    "Channel": "model", "SentMessage": "model", "FakeSender": "sender", "attach": "sender",
    "make_client": "sender", "WorldSpec": "spec", "build_world": "spec",
    "FakeWorld": "world",
}

if TYPE_CHECKING:
    from .errors import FakeRpcError
    from .flood import FloodSleeps, install_flood_sleep, patch_flood_sleep
    from .guard import install_socket_guard
    from .model import Account, Channel, SentMessage
    from .sender import FakeSender, attach, make_client
    from .spec import WorldSpec, build_world
    from .world import FakeWorld


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{home}", __name__), name)


__all__ = [
    "Account", "Channel", "FakeRpcError", "FakeSender", "FakeWorld", "FloodSleeps",
    "SentMessage", "WorldSpec", "attach", "build_world", "install_flood_sleep",
    "install_socket_guard", "make_client", "patch_flood_sleep",
]
