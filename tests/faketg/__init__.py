"""Fake Telegram for tests (API documented below; filled in later)."""

from .errors import FakeRpcError
from .flood import FloodSleeps, install_flood_sleep, patch_flood_sleep
from .guard import install_socket_guard
from .model import Account, Channel, SentMessage
from .sender import FakeSender, attach, make_client
from .spec import WorldSpec, build_world
from .world import FakeWorld

__all__ = [
    "Account", "Channel", "FakeRpcError", "FakeSender", "FakeWorld", "FloodSleeps",
    "SentMessage", "WorldSpec", "attach", "build_world", "install_flood_sleep",
    "install_socket_guard", "make_client", "patch_flood_sleep",
]
