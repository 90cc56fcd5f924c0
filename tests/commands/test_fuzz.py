"""Thousands of generated arguments for every query command (and button data): each gets a
reply that parses as Telegram HTML within Telegram's limits, and none is an error reply."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telethon.extensions import html

from bot.commands.context import Context, Origin
from bot.commands.paging import PageMemory
from bot.commands.reply import CAPTION_UNITS, MESSAGE_UNITS, Reply
from bot.commands.router import SORRY, Router
from bot.commands.table import QUERY_COMMANDS
from bot.digest.text import utf16_len
from bot.store import Archive
from tests.bot.harness import make_config
from tests.bot.query_data import fill

NAMES = [spec.name for spec in QUERY_COMMANDS]
KEYS = ["channel", "chanel", "lang", "group", "grop", "since", "until", "edited", "deleted",
        "http", "x"]
VALUES = st.one_of(
    st.sampled_from(["@news24", "@kazakh_voice", "news24", "https://t.me/news24/3", "kk",
                     "ru", "russian", "politics", "fires", "yes", "no", "7d", "2026-03-01",
                     "2026-02-30", "12h", "999999999w", "-1001000000001", "1000000001",
                     "t.me/c/1000000002/1", "<b>", "&amp;", '"', "*", "OR", "-"]),
    st.text(max_size=12))
WORDS = st.one_of(
    st.builds(lambda k, v: f"{k}:{v}", st.sampled_from(KEYS), VALUES),
    VALUES,
    st.integers(-5, 100_000).map(str),
    st.text(st.characters(codec="utf-8"), min_size=1, max_size=20),
)
ARGS = st.lists(WORDS, max_size=6).map(" ".join)


@dataclass
class World:
    loop: asyncio.AbstractEventLoop
    router: Router
    context: Context


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    loop = asyncio.new_event_loop()
    path: Path = tmp_path_factory.mktemp("fuzz") / "a.db"
    opened = Archive.open(path)
    with pytest.MonkeyPatch.context() as patch:
        # Charts are tested on their own; here only the arguments matter, and drawing
        # thousands of them would take minutes.
        patch.setattr("bot.charts.trend.render_trend", lambda title, days, series: b"png")
        archive = loop.run_until_complete(opened.__aenter__())
        try:
            loop.run_until_complete(fill(archive))
            router = Router(QUERY_COMMANDS, per_minute=10**9, max_tasks=4)
            context = Context(archive.queries, make_config(), ZoneInfo("Asia/Almaty"), Origin(1, 1),
                              datetime(2026, 3, 2, 4, tzinfo=UTC), allowed=True,
                              pages=PageMemory())
            yield World(loop, router, context)
        finally:
            loop.run_until_complete(opened.__aexit__(None, None, None))
            loop.close()


def check(replies: list[Reply], *, typed: str = "") -> None:
    assert replies, "every command gets an answer"
    for reply in replies:
        text, entities = html.parse(reply.html)
        limit = MESSAGE_UNITS if reply.photo is None and reply.document is None else CAPTION_UNITS
        assert utf16_len(text) <= limit
        assert SORRY not in text
        for word in ("Traceback", "sqlite", "fts5", "syntax error", "OperationalError"):
            # A reply may quote what the user typed ("Search: sqlite"), nothing more.
            assert word not in text or word.lower() in typed.lower()
        assert all(len(b.data.encode()) <= 64 for b in reply.buttons)
        assert {type(e).__name__ for e in entities} <= {
            "MessageEntityBold", "MessageEntityItalic", "MessageEntityTextUrl",
            "MessageEntityStrike"}


@settings(max_examples=2500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(NAMES), rest=ARGS)
def test_every_command_answers_any_arguments_cleanly(world: World, name: str,
                                                     rest: str) -> None:
    replies = world.loop.run_until_complete(
        world.router.handle(f"/{name} {rest}", world.context, bot_username=None))
    check(replies, typed=rest)


@settings(max_examples=300, deadline=None)
@given(data=st.one_of(st.text(max_size=64), st.builds(lambda t: f"more:{t}", st.text(max_size=8))))
def test_any_button_data_gets_a_clean_answer(world: World, data: str) -> None:
    check(world.loop.run_until_complete(world.router.handle_callback(data, world.context)))
