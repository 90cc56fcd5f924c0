"""Analyse posts and hand them to the archive: the one path every post takes.

Live events go through ``LiveWriter``: one task, one queue, so writes keep arrival order and
batch themselves (everything queued while a commit runs goes into the next one). History
reads call ``store_history`` directly, because their cursor must move with their posts.

Analysis reads the text alone, wherever it runs (a thread or worker processes). Then, in
this process, ``ChannelLean`` lets the few short posts it was unsure of lean to the languages
their channel writes (bot/analysis/channel_prior.py), from the archive's per-channel counts.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from bot import metrics
from bot.analysis.channel_prior import Prior, may_lean, prior_from_counts
from bot.config import Config, KeywordGroup
from bot.domain import AnalysedPost, Analysis, Post
from bot.store import StoreResult
from bot.store.ports import PostStore

if TYPE_CHECKING:
    from bot.analysis.analyzer import Analyzer

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


#: A channel's language counts are read again after this many of its posts: they move slowly.
PRIOR_REFRESH_POSTS: Final = 100


class ChannelLean:
    """Let short posts analysis was unsure of lean to the languages their channel writes.

    A channel's prior counts its stored posts (the archive's counters, read when one of its
    posts first needs them and again once PRIOR_REFRESH_POSTS more of its posts have passed)
    and the sure answers of the batch at hand, so the first page of a backfill or an import
    has one too. Only an ``Analyser`` configured to lean does; any other ``Analyse``
    (tests' stand-ins) passes posts through.
    """

    def __init__(self, archive: PostStore, analyse: Analyse) -> None:
        self._archive = archive
        self._analyser = analyse if isinstance(analyse, Analyser) and analyse.leans else None
        self._stored: dict[int, dict[str, int]] = {}
        self._since_read: Counter[int] = Counter()

    async def __call__(self, items: list[AnalysedPost]) -> list[AnalysedPost]:
        """Return ``items`` with the unsure ones reconsidered in their channel's light."""
        analyser = self._analyser
        if analyser is None:
            return items
        self._since_read.update(item.post.channel_id for item in items)
        unsure: list[int] = []
        sure: defaultdict[int, Counter[str]] = defaultdict(Counter)
        for i, item in enumerate(items):
            if may_lean(item.analysis.lang, item.analysis.lang_confidence):
                unsure.append(i)
            else:  # an "und" among them is dropped by prior_from_counts
                sure[item.post.channel_id][item.analysis.lang] += 1
        if not unsure:
            return items
        stored = await self._stored_counts({items[i].post.channel_id for i in unsure})
        priors = {channel_id: prior_from_counts(Counter(counts) + sure[channel_id])
                  for channel_id, counts in stored.items()}
        todo = [(i, prior) for i in unsure
                if (prior := priors[items[i].post.channel_id]) is not None]
        if not todo:
            return items

        def lean() -> list[AnalysedPost]:
            return [AnalysedPost(items[i].post, analyser.in_channel(
                items[i].post.text, items[i].analysis, prior)) for i, prior in todo]

        leaned = lean() if len(todo) <= 4 else await asyncio.to_thread(lean)
        out = list(items)
        for (i, _), item in zip(todo, leaned, strict=True):
            out[i] = item
        return out

    async def _stored_counts(self, channel_ids: set[int]) -> dict[int, dict[str, int]]:
        stale = sorted(c for c in channel_ids if c not in self._stored
                       or self._since_read[c] >= PRIOR_REFRESH_POSTS)
        if stale:
            counts = await self._archive.channel_languages(stale)
            for channel_id in stale:
                self._stored[channel_id] = counts.get(channel_id, {})
                self._since_read[channel_id] = 0
        return {c: self._stored[c] for c in channel_ids}


async def analyse_unseen(archive: PostStore, posts: Sequence[Post], analyse: AnalyseBatch,
                         lean: ChannelLean | None = None) -> list[AnalysedPost]:
    """Analyse (with ``analyse``, a whole batch at a time) only posts the archive lacks.

    History re-reads mostly return posts already stored (live, or in an earlier read); their
    analysis would be thrown away, so they get an empty one and only refresh their counters.
    ``lean`` then reconsiders the unsure ones with their channel's languages.
    """
    known = await archive.known_texts((p.channel_id, p.msg_id) for p in posts)
    fresh = [p for p in posts if known.get((p.channel_id, p.msg_id)) != p.text]
    done = await analyse(fresh)
    if lean is not None:
        done = await lean(done)
    analysed = {(a.post.channel_id, a.post.msg_id): a for a in done}
    return [analysed.get((p.channel_id, p.msg_id)) or AnalysedPost(p) for p in posts]


async def store_history(archive: PostStore, analyse: Analyse, posts: Sequence[Post], *,
                        cursors: Mapping[int, int] | None = None,
                        lean: ChannelLean | None = None) -> StoreResult:
    """Analyse and store a page of history, moving the cursors in the same transaction.

    ``lean`` keeps its channels' priors between pages; without one, this page's own is made.
    """
    fresh = await analyse_unseen(archive, posts, lambda batch: analyse_posts(batch, analyse),
                                 lean or ChannelLean(archive, analyse))
    return await archive.store_posts(fresh, cursors=cursors)


@dataclass(frozen=True, slots=True)
class _Deletion:
    channel_id: int
    msg_ids: tuple[int, ...]


#: Live events queued for writing at most (~1 MB of posts; 2.5 s of the soak's compressed
#: week); new posts beyond it are left to the history re-read.
LIVE_QUEUE_LIMIT = 2000


class LiveWriter:
    """Serialise live posts, edits and deletions into batched archive writes.

    The queue of new posts is bounded: when posts arrive faster than they are written, it
    would hold the whole backlog in memory (the soak's RSS rose with it). Live writes never
    move a cursor, so a new post the full queue turns away is not lost: ``on_overflow()`` asks
    for a history read, which stores it from its channel's cursor. Edits and deletions are
    always queued: the reconcile window (the last ``reconcile_posts`` posts) would miss one of
    an older post, and they are few. (A post turned away and edited before the history read
    comes is stored with its edited text only: the first text was never written.)
    """

    def __init__(self, archive: PostStore, analyse: Analyse, *, max_batch: int = 500,
                 max_queued: int | None = None,
                 on_overflow: Callable[[], None] | None = None) -> None:
        self._archive = archive
        self._analyse = analyse
        self._lean = ChannelLean(archive, analyse)
        self._max_batch = max_batch
        self._max_queued = LIVE_QUEUE_LIMIT if max_queued is None else max_queued
        self._on_overflow = on_overflow
        self._queue: asyncio.Queue[Post | _Deletion] = asyncio.Queue()
        self.failures = 0
        #: New posts turned away by the full queue, and whether the latest one was.
        self.dropped = 0
        self._overflowing = False

    def post(self, post: Post) -> None:
        """Queue a new or edited post."""
        self._put(post)

    def delete(self, channel_id: int, msg_ids: Sequence[int]) -> None:
        """Queue a deletion."""
        self._put(_Deletion(channel_id, tuple(msg_ids)))

    def _put(self, item: Post | _Deletion) -> None:
        queued = self._queue.qsize()
        if (queued < self._max_queued or isinstance(item, _Deletion)
                or item.edit_date is not None):
            # One warning an overflow: it ends once the queue is half empty again.
            self._overflowing = self._overflowing and queued >= self._max_queued // 2
            self._queue.put_nowait(item)
            return
        self.dropped += 1
        metrics.LIVE_DROPPED.inc()
        if not self._overflowing:
            self._overflowing = True
            log.warning("the live queue holds %d events: later new posts are read from "
                        "history instead until it has room", self._max_queued)
        if self._on_overflow is not None:
            self._on_overflow()

    async def drain(self) -> None:
        """Wait until everything queued so far is written (or has failed)."""
        await self._queue.join()

    async def run(self) -> None:
        """Write forever; a failed batch is logged and left for the history re-read."""
        while True:
            items = [await self._queue.get()]
            while len(items) < self._max_batch and not self._queue.empty():
                items.append(self._queue.get_nowait())
            metrics.LIVE_QUEUE.set(self._queue.qsize())
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
                analysed = await analyse_posts(run, self._analyse)
                await self._archive.store_posts(await self._lean(analysed))
                run, keys = [], set()
            if isinstance(item, Post):
                run, keys = [item], {(item.channel_id, item.msg_id)}
            elif isinstance(item, _Deletion):
                await self._archive.mark_deleted(item.channel_id, item.msg_ids)



def analyser_for(config: Config) -> Analyser:
    """Build the analyser once (models load here, never at import time)."""
    return Analyser(config.keywords, config.analysis.language_backend,
                    workers=config.analysis.workers,
                    channel_prior=config.analysis.channel_prior)


class Analyser:
    """The configured analysis as an ``Analyse``; it pickles as its recipe, not its models.

    So an import can hand it to worker processes (bot/workers.py), which rebuild the
    models from the keywords and backend.
    """

    def __init__(self, keywords: Mapping[str, KeywordGroup], backend: str, *,
                 workers: int | None = None, channel_prior: bool = True) -> None:
        from bot.analysis.analyzer import Analyzer

        self._recipe = (keywords, backend)
        #: Worker processes for long reads (``[analysis] workers``; None: bot/workers.py
        #: decides). A worker's own copy never starts more, so the recipe leaves it out.
        self.workers = workers
        #: Whether ingest lets unsure short posts lean to their channel's languages
        #: (ChannelLean, in the ingesting process: workers never lean, so the recipe
        #: leaves it out too).
        self.leans = channel_prior
        self._analyzer: Analyzer = Analyzer(keywords, language_backend=backend)

    def __call__(self, text: str) -> Analysis:
        return self._analyzer.analyse(text)

    def in_channel(self, text: str, analysis: Analysis, prior: Prior) -> Analysis:
        """``analysis`` of ``text`` reconsidered with its channel's languages."""
        return self._analyzer.in_channel(text, analysis, prior)

    def __reduce__(self) -> tuple[type[Analyser], tuple[Mapping[str, KeywordGroup], str]]:
        return (Analyser, self._recipe)
