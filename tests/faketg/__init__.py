"""Fake Telegram for tests (API documented below; filled in later)."""

from .sender import FakeSender, attach, make_client
from .world import FakeWorld

__all__ = ["FakeSender", "FakeWorld", "attach", "make_client"]
