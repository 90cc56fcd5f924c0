"""Fails loudly when Telethon's private seams that tests/faketg relies on change."""

import inspect

import telethon
from telethon import TelegramClient
from telethon._updates import messagebox
from telethon.client import users
from telethon.events import album
from telethon.network import MTProtoSender
from telethon.sessions import MemorySession


def test_telethon_version_is_the_pinned_one() -> None:
    assert telethon.__version__ == "1.45.0", "re-verify tests/faketg against the new Telethon"


def test_client_has_the_sender_and_updates_queue_we_replace() -> None:
    client = TelegramClient(MemorySession(), 1, "hash")
    sender = client._sender
    assert isinstance(sender, MTProtoSender)
    assert sender._updates_queue is client._updates_queue
    for name in ("auth_key", "_auth_key_callback", "_auto_reconnect_callback"):
        assert hasattr(sender, name), name
    for name in ("_message_box", "_flood_waited_requests", "_albums"):
        assert hasattr(client, name), name


def test_sender_interface_the_client_uses_is_unchanged() -> None:
    for name in ("connect", "disconnect", "is_connected", "send", "_transport_connected",
                 "_keepalive_ping", "disconnected", "_store_own_updates"):
        assert hasattr(MTProtoSender, name), name
    assert list(inspect.signature(MTProtoSender.send).parameters) == ["self", "request",
                                                                      "ordered"]
    source = inspect.getsource(MTProtoSender._store_own_updates)
    assert "self._updates_queue.put_nowait" in source


def test_flood_wait_sleep_and_clock_live_where_flood_sleeps_patches_them() -> None:
    source = inspect.getsource(users.UserMethods._call)
    assert "await asyncio.sleep(e.seconds)" in source
    assert "time.time() + e.seconds" in source
    assert users.asyncio.__name__ == "asyncio" and users.time.__name__ == "time"


def test_update_handling_constants_the_tests_document() -> None:
    assert messagebox.USER_CHANNEL_DIFF_LIMIT == 100
    assert messagebox.BOT_CHANNEL_DIFF_LIMIT == 100_000
    assert messagebox.POSSIBLE_GAP_TIMEOUT == 0.5
    assert album._HACK_DELAY == 0.5
