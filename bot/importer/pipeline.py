"""Import a Desktop export: the next batch is parsed and analysed while this one is written.

Parsing runs in a thread, analysis in worker processes for a large export
(bot/importer/workers.py) or else in a thread (bot.ingest.analyse_posts), and SQLite writes
in its own thread, in one step per table (bot/store/bulk.py), so the stages overlap instead
of alternating. Memory stays bounded by two batches.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bot.domain import AnalysedPost, Post
from bot.errors import ImportFormatError
from bot.importer.desktop import ExportHeader, Skipped, read_export
from bot.importer.workers import AnalysisPool, pool_for
from bot.ingest import Analyse, analyse_posts
from bot.progress import Progress
from bot.store import Archive, StoreResult


@dataclass
class ImportReport:
    """What an import did; ``errors`` keeps the first 100 problems, ``error_count`` all."""

    channel_title: str = ""
    stored: StoreResult = field(default_factory=StoreResult)
    skipped: int = 0
    error_count: int = 0
    errors: list[Skipped] = field(default_factory=list)

    def note(self, skip: Skipped) -> None:
        if skip.error:
            self.error_count += 1
            if len(self.errors) < 100:
                self.errors.append(skip)
        else:
            self.skipped += 1


@dataclass
class _Batch:
    posts: list[AnalysedPost]
    skips: list[Skipped]
    position: int
    done: bool


async def import_export(
    path: Path,
    archive: Archive,
    analyse: Analyse,
    *,
    progress: Progress | None = None,
    batch_size: int = 1000,
) -> ImportReport:
    """Import every message of the export at ``path``; re-running it changes nothing."""
    try:
        stream = path.open("rb")
    except OSError as exc:
        raise ImportFormatError(f"{path}: cannot open: {exc.strerror}") from None
    report = ImportReport()
    headers: list[ExportHeader] = []
    pool = pool_for(analyse, path)
    with stream:
        messages = read_export(stream, on_header=headers.append)

        def produce() -> asyncio.Task[_Batch]:
            return asyncio.create_task(
                _next_batch(messages, pool or analyse, batch_size, stream.tell)
            )

        pending = produce()
        try:
            while True:
                batch = await pending
                if not batch.done:
                    pending = produce()
                if headers and not report.channel_title:
                    await archive.upsert_channel(headers[0].channel)
                    report.channel_title = headers[0].channel.title or str(headers[0].channel.id)
                await _store(batch, archive, report)
                if progress:
                    progress.update(report.stored.total, position=batch.position)
                if batch.done:
                    break
        finally:
            # On a failed write, let the reader thread finish before the file closes.
            await asyncio.gather(pending, return_exceptions=True)
            if pool:
                await pool.close()
    if progress:
        progress.close()
    return report


async def _store(batch: _Batch, archive: Archive, report: ImportReport) -> None:
    for skip in batch.skips:
        report.note(skip)
    if batch.posts:
        # An export holds the channel's history up to its newest post, so the collector
        # may continue from there instead of backfilling it again.
        newest = max(p.post.msg_id for p in batch.posts)
        channel_id = batch.posts[0].post.channel_id
        # Imported posts are history: searchable, never announced as news.
        report.stored += await archive.store_posts(batch.posts, cursors={channel_id: newest},
                                                   historic_up_to=sys.maxsize)


async def _next_batch(
    messages: Iterator[Post | Skipped],
    analyse: Analyse | AnalysisPool,
    size: int,
    position: Callable[[], int],
) -> _Batch:
    posts, skips, done = await asyncio.to_thread(_read_batch, messages, size)
    if isinstance(analyse, AnalysisPool):
        analysed = await analyse.analyse(posts) if posts else []
    else:
        analysed = await analyse_posts(posts, analyse)
    return _Batch(analysed, skips, position(), done)


def _read_batch(messages: Iterator[Post | Skipped], size: int
                ) -> tuple[list[Post], list[Skipped], bool]:
    posts: list[Post] = []
    skips: list[Skipped] = []
    for item in messages:
        if isinstance(item, Skipped):
            skips.append(item)
        else:
            posts.append(item)
        if len(posts) >= size:
            return posts, skips, False
    return posts, skips, True
