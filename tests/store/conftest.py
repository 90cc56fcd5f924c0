from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.domain import AnalysedPost, Analysis, Channel, KeywordHit, Post
from bot.store import Archive

CHANNEL = Channel(id=-1001000000001, title="Ashimbayev", username="ashimbayev")
OTHER = Channel(id=-1001000000002, title="Без имени")


def make_post(
    msg_id: int,
    text: str | None = None,
    *,
    channel: Channel = CHANNEL,
    day: int = 1,
    **extra: object,
) -> Post:
    return Post(
        channel_id=channel.id,
        msg_id=msg_id,
        date=datetime(2026, 3, day, 12, msg_id % 60, tzinfo=UTC),
        text=f"post {msg_id}" if text is None else text,
        **extra,
    )  # type: ignore[arg-type]


def analysed(post: Post, lang: str = "ru", hits: tuple[KeywordHit, ...] = ()) -> AnalysedPost:
    return AnalysedPost(post, Analysis(lang, 0.99, hits))


def _sqlite(tmp_path: Path) -> AbstractAsyncContextManager[Archive]:
    return Archive.open(tmp_path / "archive.sqlite3")


#: The store's tests are a contract suite: every backend that implements the store's
#: ports (bot/store/ports.py) runs them. PostgreSQL joins this table when it exists.
BACKENDS: dict[str, Callable[[Path], AbstractAsyncContextManager[Archive]]] = {
    "sqlite": _sqlite,
}


@pytest.fixture(params=sorted(BACKENDS))
async def archive(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Archive]:
    async with BACKENDS[request.param](tmp_path) as opened:
        await opened.upsert_channel(CHANNEL)
        await opened.upsert_channel(OTHER)
        yield opened
