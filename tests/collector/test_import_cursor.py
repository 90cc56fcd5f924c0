"""An import moves a channel's cursor only over posts it really holds: the collector reads
any gap between the cursor and the export itself, so nothing is lost or announced twice."""

from __future__ import annotations

import json
from pathlib import Path

from bot.domain import Analysis
from bot.importer.pipeline import import_export
from bot.store import Archive
from tests.collector.harness import Harness
from tests.faketg import FakeWorld


def export_of(world: FakeWorld, name: str, ids: range, path: Path) -> Path:
    """A Desktop export of some of a fake channel's posts, as Telegram Desktop writes it."""
    ch = world.channel(name)
    messages = [{"id": p.id, "type": "message", "date": "2026-01-01T00:00:00",
                 "date_unixtime": str(p.date), "text": p.text}
                for p in ch.posts if p.id in ids]
    path.write_text(json.dumps({"name": ch.title, "type": "public_channel", "id": ch.id,
                                "messages": messages}, ensure_ascii=False), encoding="utf-8")
    return path


def no_analysis(text: str) -> Analysis:
    return Analysis()


async def test_an_export_that_leaves_a_gap_after_the_cursor_leaves_the_cursor(
        harness: Harness, world: FakeWorld, tmp_path: Path) -> None:
    news = world.channel("news")
    world.post_many(news, 100, text="до остановки {id}")
    await harness.run_once(until=lambda: harness.cursor(news.marked_id) == 100)
    world.post_many(news, 300, text="пока tgmon стоял {id}")  # 101..400, while down
    export = export_of(world, "news", range(300, 401), tmp_path / "late.json")
    async with Archive.open(harness.config.storage.path) as archive:
        report = await import_export(export, archive, no_analysis)
        assert report.stored.inserted == 101
        assert (await archive.cursors())[news.marked_id] == 100  # 101..299 not read yet
    await harness.run_once(until=lambda: harness.cursor(news.marked_id) == 400)
    ids = [r[0] for r in harness.query(
        "SELECT msg_id FROM posts WHERE channel_id = ? ORDER BY msg_id", (news.marked_id,))]
    assert ids == list(range(1, 401))  # 0 lost, 0 doubled
    assert harness.count("SELECT count(*) FROM post_texts") == 400


async def test_an_export_that_reaches_back_to_the_cursor_moves_it(
        harness: Harness, world: FakeWorld, tmp_path: Path) -> None:
    news = world.channel("news")
    world.post_many(news, 100, text="до остановки {id}")
    await harness.run_once(until=lambda: harness.cursor(news.marked_id) == 100)
    world.post_many(news, 50, text="пока tgmon стоял {id}")
    export = export_of(world, "news", range(90, 151), tmp_path / "covering.json")
    async with Archive.open(harness.config.storage.path) as archive:
        await import_export(export, archive, no_analysis)
        assert (await archive.cursors())[news.marked_id] == 150
        # Imported posts are history: nothing in the gap is announced as news later.
        rows = await archive.fetch_all("SELECT count(*) FROM arrivals a JOIN posts p "
                                       "ON p.pid = a.pid WHERE p.msg_id > 100")
        assert rows[0][0] == 0


async def test_an_export_of_a_new_channel_records_where_its_history_ends(
        tmp_path: Path, world: FakeWorld) -> None:
    ch = world.create_channel("fresh", title="Fresh")
    world.post_many(ch, 30)
    export = export_of(world, "fresh", range(1, 31), tmp_path / "fresh.json")
    async with Archive.open(tmp_path / "a.sqlite3") as archive:
        await import_export(export, archive, no_analysis)
        assert await archive.cursors() == {ch.marked_id: 30}
