"""The worker-process analysis of large imports stores exactly what the in-thread path does."""

from __future__ import annotations

import asyncio
import os
import pickle
from pathlib import Path

import pytest

from bot import workers
from bot.config import validate_config
from bot.importer import pipeline
from bot.importer.pipeline import import_export
from bot.ingest import Analyser, analyser_for
from bot.store import Archive

FIXTURE = Path(__file__).parent / "fixtures" / "channel_export.json"
KEYWORDS = {"president": {"terms": ["Токаев", "Ақорда"]}, "budget": {"terms": ["бюджет"]}}
TABLES = (
    "SELECT pid, msg_id, text, lang, lang_conf, media, content_hash FROM posts ORDER BY pid",
    "SELECT rowid, body FROM posts_fts ORDER BY rowid",
    "SELECT pid, grp, term, form FROM keyword_hits ORDER BY 1, 2, 3, 4",
    "SELECT pid, version, text FROM post_versions ORDER BY 1, 2",
)


async def _import(db: Path, analyser: Analyser) -> list[list[tuple[object, ...]]]:
    async with Archive.open(db) as archive:
        report = await import_export(FIXTURE, archive, analyser, batch_size=2)
        assert report.stored.inserted == 6
        return [[tuple(r) for r in await archive.fetch_all(sql)] for sql in TABLES]


async def test_workers_store_the_same_as_a_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    analyser = analyser_for(validate_config({"keywords": KEYWORDS}, source="test"))
    in_thread = await _import(tmp_path / "thread.sqlite3", analyser)
    monkeypatch.setattr(workers, "MIN_EXPORT_BYTES", 0)
    monkeypatch.setattr(workers.os, "cpu_count", lambda: 2)
    pool = workers.pool_for(analyser, FIXTURE)
    assert pool is not None
    await pool.close()
    in_workers = await _import(tmp_path / "workers.sqlite3", analyser)
    assert in_workers == in_thread
    assert in_thread[2], "the fixture should produce keyword hits"


def test_an_analyser_pickles_as_its_recipe() -> None:
    analyser = analyser_for(validate_config({"keywords": KEYWORDS}, source="test"))
    copy = pickle.loads(pickle.dumps(analyser))
    text = "Токаев обсудил бюджет"
    assert copy(text) == analyser(text)


def test_small_exports_and_plain_functions_stay_in_a_thread() -> None:
    analyser = analyser_for(validate_config({"keywords": KEYWORDS}, source="test"))
    assert workers.pool_for(analyser, FIXTURE) is None  # far below MIN_EXPORT_BYTES
    assert workers.pool_for(lambda text: analyser(text), FIXTURE) is None


async def test_an_import_whose_workers_die_finishes_in_a_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    analyser = analyser_for(validate_config({"keywords": KEYWORDS}, source="test"))
    in_thread = await _import(tmp_path / "thread.sqlite3", analyser)
    pool = workers.AnalysisPool(analyser, 2)
    await pool.started()
    processes = list(pool._pool._processes.values())  # the real worker processes
    for process in processes:
        process.kill()  # as the OOM killer would
        process.join()
    monkeypatch.setattr(pipeline, "pool_for", lambda analyse, export: pool)
    assert await _import(tmp_path / "after.sqlite3", analyser) == in_thread


async def test_workers_run_at_a_lower_priority_than_the_writer() -> None:
    analyser = analyser_for(validate_config({"keywords": KEYWORDS}, source="test"))
    pool = workers.AnalysisPool(analyser, 1)
    try:
        await pool.started()
        loop = asyncio.get_running_loop()
        # os.nice(0) changes nothing and returns the caller's niceness.
        worker = await loop.run_in_executor(pool._pool, os.nice, 0)
    finally:
        await pool.close()
    assert worker == min(19, os.nice(0) + workers.WORKER_NICENESS)
