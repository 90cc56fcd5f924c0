"""Analyse a large import in worker processes, beside the process that parses and writes.

Analysis is Python work that holds the GIL (fastText's prediction too: two threads ran at
0.85-0.92x the speed of one), so in a thread
it shares one core's worth of interpreter with parsing and with the writer's statement
preparation. In processes it gets a core of its own: 50,000 synthetic posts on 2 cores
(bench/synthetic.py, two runs each) imported at 2,800-3,250 posts/s with a thread and
3,950-4,100 with two workers. At 20,000 posts the workers were slower (2,400 against 2,700).

Workers start with the spawn method, because the parent already runs threads (SQLite's,
the parser's) that fork would copy in whatever state their locks are. Starting one costs
about a second (imports, pymorphy3 forms, fastText), which only a large export repays.

Workers never outlive the import, however it ends (kill -9 included, where no cleanup can
run): on Linux the kernel sends them SIGKILL when the parent dies (PR_SET_PDEATHSIG), and
everywhere a thread in each worker exits it once its parent is gone (the parent pid changes).
"""

from __future__ import annotations

import asyncio
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from bot.domain import AnalysedPost, Analysis, KeywordHit, Post
from bot.ingest import Analyse, Analyser

# About 30,000 posts (2,700 bytes each in bench/ingest.py): below it the workers measured
# slower than a thread (their start is a large share of a short import), above it faster.
MIN_EXPORT_BYTES = 80_000_000
MAX_WORKERS = 4

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

    async def close(self) -> None:
        """Stop the workers, dropping batches not yet started (after a failed write)."""
        await asyncio.to_thread(self._pool.shutdown, wait=True, cancel_futures=True)


def pool_for(analyse: Analyse, export: Path) -> AnalysisPool | None:
    """Return workers for a large export on a multi-core machine, else None (use a thread)."""
    cores = os.cpu_count() or 1
    if not isinstance(analyse, Analyser) or cores < 2:
        return None
    try:
        if export.stat().st_size < MIN_EXPORT_BYTES:
            return None
    except OSError:
        return None  # the import reports it when it opens the file
    return AnalysisPool(analyse, min(cores, MAX_WORKERS))


def _start(analyser: Analyser, parent: int) -> None:
    global _analyser
    _die_with_parent(parent)
    _analyser = analyser


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


def _analyse(texts: list[str]) -> list[_Result]:
    analyse = _analyser
    assert analyse is not None, "worker started without an analyser"
    results: list[_Result] = []
    for text in texts:
        a = analyse(text)
        hits = tuple((h.group, h.term, h.form) for h in a.hits)
        results.append((a.lang, a.lang_confidence, hits, a.search_text, a.content_hash))
    return results
