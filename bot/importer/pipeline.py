"""Import a Desktop export: the next batch is parsed and analysed while this one is written.

Parsing runs in a thread, analysis in worker processes for a large export
(bot/workers.py) or else in a thread (bot.ingest.analyse_posts), and SQLite writes
in its own thread, a few statements per table (bot/store/bulk.py), so the stages overlap
instead of alternating. With workers, as many batches as there are workers (and one more)
are parsed or analysing while the writer stores the one before them, so no worker waits for
the parser; memory stays bounded by those batches.

A message id seen twice (an export edited by hand, or two exports concatenated) ends the
batch, so that its second text is stored as a version of the first exactly as it would be
from the next batch or the next import.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable, Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeAlias

from bot.domain import AnalysedPost, Post
from bot.errors import ImportFormatError
from bot.importer.desktop import ExportHeader, Skipped, read_export
from bot.importer.source import ExportFile, open_export
from bot.ingest import Analyse, ChannelLean, analyse_posts
from bot.progress import Progress
from bot.store import StoreResult
from bot.store.ports import PostStore
from bot.workers import AnalysisPool, pool_for

log = logging.getLogger(__name__)

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
    #: Why the file could not be read further; raised once this batch is stored.
    failure: ImportFormatError | None = None


Item: TypeAlias = Post | Skipped


async def import_export(
    source: Path | ExportFile,
    archive: PostStore,
    analyse: Analyse,
    *,
    progress: Progress | None = None,
    batch_size: int = 1000,
) -> ImportReport:
    """Import every message of the export at ``source``; re-running it changes nothing."""
    export = source if isinstance(source, ExportFile) else open_export(source)
    report = ImportReport()
    cursor = _Cursor()
    headers: list[ExportHeader] = []
    pool = pool_for(analyse, export.path)
    try:
        batches = _Batches(read_export(export.reader, on_header=headers.append), batch_size)
        # Bytes read, not tell(): a pipe cannot tell.
        ahead = _ReadAhead(batches, analyse, lambda: export.reader.bytes_read,
                           depth=pool.workers + 1 if pool else 1, pool=pool)
        lean = ChannelLean(archive, analyse)
        try:
            while True:
                batch = await ahead.next()
                batch.posts = await lean(batch.posts)
                if headers and not report.channel_title:
                    await archive.upsert_channel(headers[0].channel)
                    report.channel_title = headers[0].channel.title or str(headers[0].channel.id)
                await _store(batch, archive, report, cursor)
                if progress:
                    progress.update(report.stored.total, position=batch.position)
                if batch.failure:
                    raise _stopped(batch.failure, report)
                if batch.done:
                    break
        finally:
            # On a failed write, let the reader thread finish before the file closes.
            await ahead.close()
            if pool:
                await pool.close()
    finally:
        export.close()
    if progress:
        progress.close()
    return report


def _stopped(failure: ImportFormatError, report: ImportReport) -> ImportFormatError:
    if not report.channel_title:
        return failure
    kept = report.stored.total
    return ImportFormatError(
        f"{failure.message}; {kept:,} posts were imported before it stopped and are kept "
        "(re-running an import never doubles them)"
    )


@dataclass
class _Cursor:
    """Where the collector's cursor of the exported channel may move.

    A cursor promises that every post up to it was read. An export moves it only when that
    stays true: the channel had no cursor yet (the export then records where history
    ends, and the collector continues from there instead of backfilling it again), or the
    export reaches back to the cursor, so it covers everything after it. Otherwise the
    collector reads the gap itself.
    """

    channel_id: int | None = None
    start: int | None = None  # the cursor when the import began
    lowest: int | None = None
    newest: int = 0

    async def begin(self, archive: PostStore, channel_id: int) -> None:
        if self.channel_id is None:
            self.channel_id = channel_id
            self.start = (await archive.cursors()).get(channel_id)

    def moves_with_batches(self) -> dict[int, int] | None:
        if self.channel_id is None or self.start is not None:
            return None
        return {self.channel_id: self.newest}

    def covers_the_gap(self, report: ImportReport) -> bool:
        # A broken entry after the cursor may be a post the export could not give us.
        return (self.start is not None and self.lowest is not None
                and self.lowest <= self.start + 1 and report.error_count == 0)


async def _store(batch: _Batch, archive: PostStore, report: ImportReport,
                 cursor: _Cursor) -> None:
    for skip in batch.skips:
        report.note(skip)
    if batch.posts:
        ids = [p.post.msg_id for p in batch.posts]
        await cursor.begin(archive, batch.posts[0].post.channel_id)
        cursor.newest = max(cursor.newest, *ids)
        cursor.lowest = min(ids) if cursor.lowest is None else min(cursor.lowest, *ids)
        # Imported posts are history: searchable, never announced as news.
        report.stored += await archive.store_posts(
            batch.posts, cursors=cursor.moves_with_batches(), historic_up_to=sys.maxsize)
    if batch.done and batch.failure is None and cursor.covers_the_gap(report):
        assert cursor.channel_id is not None
        await archive.move_cursors({cursor.channel_id: cursor.newest})


class _ReadAhead:
    """Parse batches ahead of the writer and start each one's analysis as soon as it is read.

    Up to ``depth`` batches are parsed or analysing while the writer stores the one before
    them, so with worker processes every worker has a batch while the parser reads the next
    one and SQLite writes: the stages overlap instead of waiting for each other. Batches come
    out in file order, so the store sees exactly what a serial import would.
    """

    def __init__(self, batches: _Batches, analyse: Analyse, position: Callable[[], int], *,
                 depth: int, pool: AnalysisPool | None = None) -> None:
        self._batches = batches
        self._analyse = analyse
        self._pool = pool
        self._position = position
        self._slots = asyncio.Semaphore(depth)
        self._ready: asyncio.Queue[asyncio.Future[_Batch]] = asyncio.Queue()
        self._stopping = False
        self._reader = asyncio.create_task(self._read())

    async def next(self) -> _Batch:
        """The next batch in file order, analysed."""
        batch = await (await self._ready.get())
        self._slots.release()
        return batch

    async def close(self) -> None:
        """Stop reading ahead; wait for the parser thread and the analyses in flight."""
        self._stopping = True
        self._slots.release()
        await asyncio.gather(self._reader, return_exceptions=True)
        left = []
        while not self._ready.empty():
            left.append(self._ready.get_nowait())
        await asyncio.gather(*left, return_exceptions=True)

    async def _read(self) -> None:
        while True:
            await self._slots.acquire()
            if self._stopping:
                return
            try:
                posts, skips, done, failure = await asyncio.to_thread(self._batches.next)
            except Exception as exc:  # handed to the writer, which raises it
                broken: asyncio.Future[_Batch] = asyncio.get_running_loop().create_future()
                broken.set_exception(exc)
                self._ready.put_nowait(broken)
                return
            done = done or failure is not None
            self._ready.put_nowait(asyncio.ensure_future(
                self._analysed(posts, _Batch([], skips, self._position(), done, failure))))
            if done:
                return

    async def _analysed(self, posts: list[Post], batch: _Batch) -> _Batch:
        if self._pool is not None and posts:
            try:
                batch.posts = await self._pool.analyse(posts)
                return batch
            except BrokenProcessPool:
                # A worker died (the OOM killer, most likely): the batches in flight and
                # the rest of the import are analysed here instead of ending in a traceback.
                if self._pool is not None:
                    log.warning("an analysis worker died; the import goes on in a thread")
                    self._pool = None
        batch.posts = await analyse_posts(posts, self._analyse)
        return batch


class _Batches:
    """Cut the message stream into batches of distinct ids, at most ``size`` posts each."""

    def __init__(self, messages: Iterator[Item], size: int) -> None:
        self._messages = messages
        self._size = size
        self._held: Post | None = None  # a repeated id: the first post of the next batch

    def next(self) -> tuple[list[Post], list[Skipped], bool, ImportFormatError | None]:
        posts: list[Post] = []
        skips: list[Skipped] = []
        ids: set[int] = set()
        if self._held is not None:
            posts.append(self._held)
            ids.add(self._held.msg_id)
            self._held = None
        try:
            for item in self._messages:
                if isinstance(item, Skipped):
                    skips.append(item)
                    continue
                if item.msg_id in ids:
                    self._held = item
                    return posts, skips, False, None
                posts.append(item)
                ids.add(item.msg_id)
                if len(posts) >= self._size:
                    return posts, skips, False, None
        except ImportFormatError as exc:
            # What was read before the break is still stored: the caller reports how much.
            return posts, skips, True, exc
        return posts, skips, True, None
