"""Analyse posts and hand them to the archive: the one path every post takes.

Live events go through ``LiveWriter``: one task, one queue, so writes keep arrival order and
batch themselves (everything queued while a commit runs goes into the next one). History
reads call ``store_history`` directly, because their cursor must move with their posts.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

from bot.config import Config, KeywordGroup
from bot.domain import AnalysedPost, Analysis, Post
from bot.store import StoreResult
from bot.store.ports import PostStore

log = logging.getLogger(__name__)
Analyse = Callable[[str], Analysis]
#: Analyses a whole batch: in a thread (``analyse_posts``) or in worker processes.
AnalyseBatch = Callable[[Sequence[Post]], Awaitable[list[AnalysedPost]]]


async def analyse_posts(posts: Sequence[Post], analyse: Analyse) -> list[AnalysedPost]:
    """Analyse a batch, in a thread when it is big enough to be worth one."""
    if len(posts) <= 4:
        return [AnalysedPost(p, analyse(p.text)) for p in posts]
    # Detection and matching hold the GIL but SQLite does not, so a thread still overlaps.
    return await asyncio.to_thread(lambda: [AnalysedPost(p, analyse(p.text)) for p in posts])


async def analyse_unseen(archive: PostStore, posts: Sequence[Post], analyse: AnalyseBatch
                         ) -> list[AnalysedPost]:
    """Analyse (with ``analyse``, a whole batch at a time) only posts the archive lacks.

    History re-reads mostly return posts already stored (live, or in an earlier read); their
    analysis would be thrown away, so they get an empty one and only refresh their counters.
    """
    known = await archive.known_texts((p.channel_id, p.msg_id) for p in posts)
    fresh = [p for p in posts if known.get((p.channel_id, p.msg_id)) != p.text]
    analysed = {(a.post.channel_id, a.post.msg_id): a for a in await analyse(fresh)}
    return [analysed.get((p.channel_id, p.msg_id)) or AnalysedPost(p) for p in posts]


async def store_history(archive: PostStore, analyse: Analyse, posts: Sequence[Post], *,
                        cursors: Mapping[int, int] | None = None) -> StoreResult:
    """Analyse and store a page of history, moving the cursors in the same transaction."""
    fresh = await analyse_unseen(archive, posts, lambda batch: analyse_posts(batch, analyse))
    return await archive.store_posts(fresh, cursors=cursors)


@dataclass(frozen=True, slots=True)
class _Deletion:
    channel_id: int
    msg_ids: tuple[int, ...]


class LiveWriter:
    """Serialise live posts, edits and deletions into batched archive writes."""

    def __init__(self, archive: PostStore, analyse: Analyse, *, max_batch: int = 500) -> None:
        self._archive = archive
        self._analyse = analyse
        self._max_batch = max_batch
        self._queue: asyncio.Queue[Post | _Deletion] = asyncio.Queue()
        self.failures = 0

    def post(self, post: Post) -> None:
        """Queue a new or edited post."""
        self._queue.put_nowait(post)

    def delete(self, channel_id: int, msg_ids: Sequence[int]) -> None:
        """Queue a deletion."""
        self._queue.put_nowait(_Deletion(channel_id, tuple(msg_ids)))

    async def drain(self) -> None:
        """Wait until everything queued so far is written (or has failed)."""
        await self._queue.join()

    async def run(self) -> None:
        """Write forever; a failed batch is logged and left for the history re-read."""
        while True:
            items = [await self._queue.get()]
            while len(items) < self._max_batch and not self._queue.empty():
                items.append(self._queue.get_nowait())
            try:
                await self._write_with_retry(items)
            finally:
                for _ in items:
                    self._queue.task_done()

    async def _write_with_retry(self, items: Sequence[Post | _Deletion]) -> None:
        # A locked archive or a passing error: try again shortly, then give up on the batch.
        # New posts are still safe then (the cursor never moved for them, so the next history
        # read stores them); an edit or deletion waits for the hourly reconcile window.
        for attempt in range(3):
            try:
                await self._write(items)
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                self.failures += 1
                if attempt == 2:
                    log.exception("live write of %d items failed 3 times; new posts come back "
                                  "with the next history read", len(items))
                    return
                log.warning("live write of %d items failed; retrying", len(items),
                            exc_info=True)
                await asyncio.sleep(0.5 * (attempt + 1))

    async def _write(self, items: Sequence[Post | _Deletion]) -> None:
        # Keep order: consecutive posts go in one transaction; a deletion, or a second event
        # for a post already in the run (a quick edit), splits it, so every version is kept.
        run: list[Post] = []
        keys: set[tuple[int, int]] = set()
        for item in [*items, None]:
            key = (item.channel_id, item.msg_id) if isinstance(item, Post) else None
            if isinstance(item, Post) and key not in keys:
                run.append(item)
                keys.add((item.channel_id, item.msg_id))
                continue
            if run:
                await self._archive.store_posts(await analyse_posts(run, self._analyse))
                run, keys = [], set()
            if isinstance(item, Post):
                run, keys = [item], {(item.channel_id, item.msg_id)}
            elif isinstance(item, _Deletion):
                await self._archive.mark_deleted(item.channel_id, item.msg_ids)



def analyser_for(config: Config) -> Analyser:
    """Build the analyser once (models load here, never at import time)."""
    return Analyser(config.keywords, config.analysis.language_backend,
                    workers=config.analysis.workers)


class Analyser:
    """The configured analysis as an ``Analyse``; it pickles as its recipe, not its models.

    So an import can hand it to worker processes (bot/workers.py), which rebuild the
    models from the keywords and backend.
    """

    def __init__(self, keywords: Mapping[str, KeywordGroup], backend: str, *,
                 workers: int | None = None) -> None:
        from bot.analysis.analyzer import Analyzer

        self._recipe = (keywords, backend)
        #: Worker processes for long reads (``[analysis] workers``; None: bot/workers.py
        #: decides). A worker's own copy never starts more, so the recipe leaves it out.
        self.workers = workers
        self._analyse = Analyzer(keywords, language_backend=backend).analyse

    def __call__(self, text: str) -> Analysis:
        return self._analyse(text)

    def __reduce__(self) -> tuple[type[Analyser], tuple[Mapping[str, KeywordGroup], str]]:
        return (Analyser, self._recipe)
