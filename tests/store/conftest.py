from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.domain import AnalysedPost, Analysis, Channel, KeywordHit, Post, StoredPost
from bot.store import Archive
from bot.store.values import PostQuery

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


# Shorthands over the PostQueries port (bot/store/ports.py), so the suite asks what the
# commands and the CLI ask, and stays a contract any backend must meet.
async def search(archive: Archive, text: str, query: PostQuery = PostQuery(), *,
                 limit: int = 20) -> list[StoredPost]:
    page = await archive.queries.search(text, query, limit=limit, with_count=False)
    return [found.post for found in page.items]


async def latest(archive: Archive, query: PostQuery = PostQuery(), *,
                 limit: int = 20) -> list[StoredPost]:
    return [found.post for found in (await archive.queries.latest(query, limit=limit)).items]


async def history(archive: Archive, channel_id: int, msg_id: int
                  ) -> list[tuple[int, str, datetime]]:
    """Every stored text of one post as (version, text, when), oldest first."""
    found = await archive.queries.post_history(channel_id, msg_id)
    return [] if found is None else [(v.number, v.text, v.at) for v in found.versions]
