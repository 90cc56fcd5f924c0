"""Analyse a large import or catch-up in worker processes, beside the process that writes.

Analysis is Python work that holds the GIL (fastText's prediction too: two threads ran at
0.85-0.92x the speed of one), so in a thread
it shares one core's worth of interpreter with parsing and with the writer's statement
preparation. In processes it gets a core of its own: 50,000 synthetic posts on 2 cores
(bench/synthetic.py, two runs each) imported at 2,800-3,250 posts/s with a thread and
3,950-4,100 with two workers. At 20,000 posts the workers were slower (2,400 against 2,700).

Workers start with the spawn method, because the parent already runs threads (SQLite's,
the parser's) that fork would copy in whatever state their locks are. Starting one costs
1.0-1.3 s of CPU (imports, pymorphy3's forms, fastText, lingua), which only a large export
repays; py3langid's model, which doubled that, comes built from the user's cache folder
(bot/analysis/model_cache.py: 1.7-2.1 s before it, measured on the same machine).

A catch-up after downtime is the same work in the collector, where a thread's analysis also
holds the GIL against Telethon's parsing and against the writer, whose every statement waits
for the GIL when it ends. So history reads start workers once a sync round has read
``CATCH_UP_WORKERS_AFTER`` posts (``OnDemandPool``), keep analysing in a thread until a
worker has started, and stop them when the round ends: a collector that has caught up runs
without them.

How many: ``[analysis] workers`` in the config, else one per core up to ``MAX_WORKERS``
(none on one core), and never more than the memory available holds at ``WORKER_PEAK_BYTES``
each, or ``WORKER_PEAK_CACHED_BYTES`` when the model cache spares them building py3langid's
model (bot/host_memory.py: the system's and every cgroup limit's, such as the systemd unit's
``MemoryMax=1G``). The workers start at once, so they reach their peaks together.

Workers run at a lower CPU priority (``WORKER_NICENESS``) than the process that writes. On
2 cores a catch-up has four busy threads (the writer, the event loop with Telethon's parsing,
two workers), and the writer, the stage the others wait for, sat in the run queue behind the
workers: in a 100,000-post catch-up (bench/collect.py) its thread waited 22-38 s for a core
beside 31-37 s of CPU. Niced, it waited 3.8-14 s. The catch-up's wall time barely moved (back
to back at load 3.3: 69.0 s, niced 66.6 s; on a quiet machine the collect.py ratio stayed at
0.25-0.27): the workers' analysis is CPU the two cores must find either way. What it buys is
order: the workers take what the writer and the event loop leave, so live updates and bot
replies stay prompt while a long catch-up or an import analyses.

Workers never outlive the import, however it ends (kill -9 included, where no cleanup can
run): on Linux the kernel sends them SIGKILL when the parent dies (PR_SET_PDEATHSIG), and
everywhere a thread in each worker exits it once its parent is gone (the parent pid changes).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from bot.domain import AnalysedPost, Analysis, KeywordHit, Post
from bot.host_memory import available_memory
from bot.ingest import Analyse, Analyser, analyse_posts

log = logging.getLogger(__name__)

# About 30,000 posts (2,700 bytes each in bench/ingest.py): below it the workers measured
# slower than a thread (their start is a large share of a short import), above it faster.
MIN_EXPORT_BYTES = 80_000_000
MAX_WORKERS = 4
#: A worker's peak resident size when it must build py3langid's model itself (it reads the
#: whole 97-language model before keeping the region's languages): 310-340 MB.
WORKER_PEAK_BYTES = 350 * 2**20
#: ... and when it loads the model from the cache (bot/analysis/model_cache.py): 136-175 MB
#: per worker (bench/import_memory.py and /proc sampling of `tgmon import` of 40,000 posts).
WORKER_PEAK_CACHED_BYTES = 180 * 2**20
#: How much lower the workers' CPU priority is than their parent's (see the docstring).
WORKER_NICENESS = 10
#: Posts a sync round's history reads analyse in a thread before workers start: a backlog
#: that size (half a day of 300 busy channels) repays their start.
CATCH_UP_WORKERS_AFTER = 10_000

# An Analysis as plain tuples: they pickle several times faster than frozen dataclasses.
_Result = tuple[str, float, tuple[tuple[str, str, str], ...], str | None, str | None]
_analyser: Analyser | None = None


class AnalysisPool:
    """Worker processes that analyse batches of posts; close it when the import ends."""

    def __init__(self, analyser: Analyser, workers: int) -> None:
        self.workers = workers
        self._pool = ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start,
            initargs=(analyser, os.getpid()),
        )

    async def analyse(self, posts: Sequence[Post]) -> list[AnalysedPost]:
        """Analyse a batch, split evenly between the workers."""
        loop = asyncio.get_running_loop()
        texts = [p.text for p in posts]
        size = max(1, -(-len(texts) // self.workers))
        parts = await asyncio.gather(
            *(
                loop.run_in_executor(self._pool, _analyse, texts[start : start + size])
                for start in range(0, len(texts), size)
            )
        )
        results = [result for part in parts for result in part]
        return [
            AnalysedPost(post, Analysis(lang, conf, tuple(KeywordHit(*h) for h in hits),
                                        folded, digest))
            for post, (lang, conf, hits, folded, digest) in zip(posts, results, strict=True)
        ]

    def started(self) -> asyncio.Future[list[None]]:
        """Start every worker; the future is done once each has answered."""
        loop = asyncio.get_running_loop()
        return asyncio.gather(*(loop.run_in_executor(self._pool, _ready)
                                for _ in range(self.workers)))

    async def close(self) -> None:
        """Stop the workers, dropping batches not yet started (after a failed write)."""
        await asyncio.to_thread(self._pool.shutdown, wait=True, cancel_futures=True)


class OnDemandPool:
    """Analyse batches in a thread, and in worker processes once ``after`` posts went by.

    Workers start in the background and take batches once all of them have answered; until
    then (and on a machine with one core, or for a plain function) the thread goes on.
    ``close`` stops them and starts the count again.
    """

    def __init__(self, analyse: Analyse, *, after: int | None = None) -> None:
        self._analyse = analyse
        self._after = CATCH_UP_WORKERS_AFTER if after is None else after
        self._seen = 0
        self._pool: AnalysisPool | None = None
        self._started: asyncio.Future[list[None]] | None = None

    @property
    def running(self) -> bool:
        """True while batches go to worker processes."""
        started = self._started
        return started is not None and started.done() and not started.cancelled() \
            and started.exception() is None

    async def analyse(self, posts: Sequence[Post]) -> list[AnalysedPost]:
        """Analyse a batch, in the workers once they run."""
        self._seen += len(posts)
        if self._pool is None and self._seen >= self._after:
            self._start()
        if self._pool is not None and self.running:
            try:
                return await self._pool.analyse(posts)
            except BrokenProcessPool:
                # A worker died (out of memory?): the rest of this round runs in the thread.
                log.warning("an analysis worker died; analysing in a thread until the "
                            "next sync round", exc_info=True)
                await self.close()
                self._seen = -sys.maxsize
        return await analyse_posts(posts, self._analyse)

    async def close(self) -> None:
        """Stop the workers, if they were started."""
        pool, self._pool, self._started, self._seen = self._pool, None, None, 0
        if pool is not None:
            await pool.close()

    def _start(self) -> None:
        workers = _workers_for(self._analyse)
        if not workers:
            self._seen = -sys.maxsize  # never: a thread is all there is
            return
        assert isinstance(self._analyse, Analyser)
        self._pool = AnalysisPool(self._analyse, workers)
        self._started = self._pool.started()
        # A worker that fails to start shows as not running; its error is logged here.
        self._started.add_done_callback(_log_failed_start)
        log.info("a long history read: analysing in %d worker processes", self._pool.workers)


def _log_failed_start(started: asyncio.Future[list[None]]) -> None:
    if not started.cancelled() and started.exception() is not None:
        log.warning("analysis workers did not start (%s); analysing in a thread",
                    started.exception())


def _workers_for(analyse: Analyse) -> int:
    """Workers for this machine and config: none for a plain function (it may not pickle)."""
    if not isinstance(analyse, Analyser):
        return 0
    # A worker loads py3langid's model from the cache when an earlier run (or this process's
    # own analyser) put it there; a cold or unwritable cache makes every worker build it.
    from bot.analysis.short_text import langid_cached

    return worker_count(analyse.workers, cores=os.cpu_count() or 1,
                        available=available_memory(),
                        peak=WORKER_PEAK_CACHED_BYTES if langid_cached() else WORKER_PEAK_BYTES)


def worker_count(configured: int | None, *, cores: int, available: int | None,
                 peak: int = WORKER_PEAK_BYTES) -> int:
    """The configured number of workers (default: a core each, up to four, none on one
    core), as far as ``available`` bytes of memory hold ``peak`` each (None: unknown)."""
    wanted = configured if configured is not None else (
        min(cores, MAX_WORKERS) if cores >= 2 else 0)
    if available is None:
        return wanted
    fit = min(wanted, available // peak)
    if fit < wanted:
        log.info("memory for %d of %d analysis workers (%d MB available, %d MB each at "
                 "start)%s", fit, wanted, available // 2**20, peak // 2**20,
                 "; analysing in a thread" if not fit else "")
    return fit


def pool_for(analyse: Analyse, export: Path) -> AnalysisPool | None:
    """Return workers for a large export on a multi-core machine, else None (use a thread)."""
    workers = _workers_for(analyse)
    if not workers:
        return None
    assert isinstance(analyse, Analyser)
    try:
        if export.stat().st_size < MIN_EXPORT_BYTES:
            return None
    except OSError:
        return None  # the import reports it when it opens the file
    return AnalysisPool(analyse, workers)


def _start(analyser: Analyser, parent: int) -> None:
    global _analyser
    _die_with_parent(parent)
    _lower_priority()
    _analyser = analyser


def _lower_priority() -> None:
    """Give this worker's CPU to the writer and the event loop first when both want it."""
    nice = getattr(os, "nice", None)  # absent on Windows, where workers keep the priority
    if nice is not None:
        with contextlib.suppress(OSError):
            nice(WORKER_NICENESS)


#: Seconds between a worker's checks that its parent is alive (the portable fallback).
PARENT_CHECK_SECONDS = 0.5
_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """End this worker when ``parent`` dies: by the kernel on Linux, by polling elsewhere."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # the polling below still holds
    if os.getppid() != parent:  # it died before the kernel was told to watch
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), name="parent watch",
                     daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)  # adopted by init: the import is gone, and nobody will read our results


def _ready() -> None:
    """A worker's first task: it answers once its analyser is built."""


def _analyse(texts: list[str]) -> list[_Result]:
    analyse = _analyser
    assert analyse is not None, "worker started without an analyser"
    results: list[_Result] = []
    for text in texts:
        a = analyse(text)
        hits = tuple((h.group, h.term, h.form) for h in a.hits)
        results.append((a.lang, a.lang_confidence, hits, a.search_text, a.content_hash))
    return results
