"""Parsing and analysis run batches ahead of the writer: nothing lost, nothing doubled.

A write that fails while later batches are parsed or analysing (here a full disk, raised by a
trigger inside the real archive) keeps whole batches only, with the cursor on the last one
stored; re-running the import then stores every post exactly once.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import time
from pathlib import Path

import pytest

from bot import workers
from bot.config import validate_config
from bot.domain import Analysis
from bot.errors import ArchiveFull
from bot.importer.desktop import read_export
from bot.importer.pipeline import _Batches, _ReadAhead, import_export
from bot.importer.source import open_export
from bot.ingest import Analyse, analyser_for
from bot.store import Archive
from tests.importer.exports import write_export

POSTS = 600
FAILING_ID = 230  # inside the fifth batch of 50: four batches are stored before it


def counting(text: str) -> Analysis:
    return Analysis("ru", 0.9)


def add_full_disk(db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute(f"""CREATE TRIGGER full_disk BEFORE INSERT ON posts WHEN new.msg_id = {FAILING_ID}
                     BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END""")
    conn.commit()
    conn.close()


def drop_full_disk(db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute("DROP TRIGGER full_disk")
    conn.commit()
    conn.close()


async def counts(archive: Archive) -> dict[str, object]:
    async def one(sql: str) -> object:
        return (await archive.fetch_all(sql))[0][0]

    return {
        "posts": await one("SELECT count(*) FROM posts"),
        "distinct": await one("SELECT count(DISTINCT msg_id) FROM posts"),
        "index rows": await one("SELECT count(*) FROM posts_fts"),
        "versions": await one("SELECT count(*) FROM post_versions"),
        "hits": await one("SELECT count(*) FROM keyword_hits"),
        "cursor": await one("SELECT last_msg_id FROM cursors"),
        "newest": await one("SELECT max(msg_id) FROM posts"),
    }


@pytest.mark.parametrize("in_workers", [False, True], ids=["thread", "workers"])
async def test_a_write_failing_mid_import_keeps_whole_batches_and_a_rerun_stores_each_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, in_workers: bool
) -> None:
    export = write_export(tmp_path / "export.json", POSTS)
    db = tmp_path / "a.sqlite3"
    analyse: Analyse = counting
    if in_workers:  # several batches in flight in the pool while the writer fails
        monkeypatch.setattr(workers, "MIN_EXPORT_BYTES", 0)
        monkeypatch.setattr(os, "cpu_count", lambda: 2)
        analyse = analyser_for(validate_config(
            {"keywords": {"president": {"terms": ["Тоқаев"]}}}, source="test"))
    async with Archive.open(db):
        pass
    add_full_disk(db)
    async with Archive.open(db) as archive:
        with pytest.raises(ArchiveFull):
            await import_export(export, archive, analyse, batch_size=50)
        kept = await counts(archive)
    # Whole batches only, the cursor on the newest post stored, nothing half written.
    assert kept["posts"] == kept["distinct"] == kept["index rows"] == 200
    assert kept["cursor"] == kept["newest"] == 200
    assert kept["versions"] == 0
    drop_full_disk(db)
    monkeypatch.undo()  # the re-run in a thread: starting workers twice costs seconds
    async with Archive.open(db) as archive:
        report = await import_export(export, archive, analyse, batch_size=50)
        assert (report.stored.inserted, report.stored.unchanged) == (POSTS - 200, 200)
        after = await counts(archive)
    assert after["posts"] == after["distinct"] == after["index rows"] == POSTS
    assert after["cursor"] == after["newest"] == POSTS
    assert after["versions"] == 0
    if in_workers:  # every post names the president once: one hit each, none doubled
        assert after["hits"] == POSTS


async def test_batches_come_out_in_file_order_however_their_analyses_finish(
    tmp_path: Path,
) -> None:
    export = open_export(write_export(tmp_path / "export.json", 40))

    def slow_first_batches(text: str) -> Analysis:
        # Earlier posts take longer, so later batches (in other threads) finish first.
        number = int(text.split()[0])
        time.sleep(0.002 * max(0, 20 - number))
        return Analysis("ru", 0.9)

    try:
        batches = _Batches(read_export(export.reader, on_header=lambda header: None), 5)
        ahead = _ReadAhead(batches, slow_first_batches, lambda: 0, depth=4)
        seen: list[int] = []
        try:
            while True:
                batch = await ahead.next()
                seen += [item.post.msg_id for item in batch.posts]
                if batch.done:
                    break
        finally:
            await ahead.close()
    finally:
        export.close()
    assert seen == list(range(1, 41))


async def test_closing_early_waits_for_the_parser_and_the_analyses_in_flight(
    tmp_path: Path,
) -> None:
    export = open_export(write_export(tmp_path / "export.json", 200))
    started: list[int] = []

    def analyse(text: str) -> Analysis:
        started.append(int(text.split()[0]))
        time.sleep(0.001)
        return Analysis()

    batches = _Batches(read_export(export.reader, on_header=lambda header: None), 10)
    ahead = _ReadAhead(batches, analyse, lambda: 0, depth=3)
    first = await ahead.next()
    await ahead.close()  # as after a failed write
    analysed = len(started)
    await asyncio.sleep(0.05)
    export.close()
    # Nothing runs on after close: no thread reads the closed file or analyses more.
    assert len(started) == analysed
    assert [p.post.msg_id for p in first.posts] == list(range(1, 11))
    assert analysed <= 10 * (1 + 3)

