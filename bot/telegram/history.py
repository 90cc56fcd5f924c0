"""Read channel history from stored cursors: the only catch-up that never loses a post.

Telethon's own catch-up drops edits and deletions made while offline, and returns nothing
when more than 100 posts were missed. So every channel keeps a cursor (the last message id
stored), and history after it is read at start-up, after a reconnect and on a timer. Each
page is stored together with its cursor in one transaction: a crash between pages resumes
exactly where the last commit left off.

A reconcile after a catch-up (a round catches every channel up, then reconciles them)
starts below what the catch-up read: those messages were read earlier in the round, in
their current text (an edit made during the downtime is already in it) and with every
deletion made during the downtime already absent, so reading them again finds nothing, and
after a long downtime it was most of the window (11-15 s of a 170 s catch-up of 100,000
posts). What changes between the two reads arrives as live updates (edits and deletions are
never turned away), and the next reconcile window covers it like any other moment's.
The window itself is the same: the caught-up messages count towards ``reconcile_posts``,
and the read stops exactly where a read from the top would have stopped.
Deletions inside the caught-up part are still looked for: a post stored live (live writes
never move the cursor) and deleted while we were down is missing from what the catch-up
read, so the ids it read stand in for a second read of that part.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Coroutine, Set
from dataclasses import dataclass
from typing import Any, TypeVar

from telethon import TelegramClient, errors

from bot.clock import Clock
from bot.config import CollectorConfig
from bot.domain import AnalysedPost, Post
from bot.ingest import Analyse, ChannelLean, analyse_unseen, store_history
from bot.store.ports import CollectorStore
from bot.telegram.channels import Watched
from bot.telegram.convert import to_post
from bot.telegram.errors import translate
from bot.telegram.id_runs import IdRuns
from bot.workers import OnDemandPool

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class _Page:
    posts: list[Post]
    last_id: int


@dataclass(frozen=True, slots=True)
class _JustRead:
    """What this round's catch-up of a channel read: ``count`` messages after ``after``,
    the oldest of them dated ``oldest`` (unix seconds), with their ids ``ids``."""

    after: int
    count: int
    oldest: float
    ids: IdRuns


class HistoryReader:
    """Backfill, catch up and reconcile channel by channel, the next one read ahead."""

    def __init__(self, client: TelegramClient, archive: CollectorStore, analyse: Analyse,
                 config: CollectorConfig, *, batch: int = 2000, first_batch: int = 100,
                 clock: Clock) -> None:
        self._client = client
        self._archive = archive
        self._analyse = analyse
        self._config = config
        self._batch = batch
        self._first_batch = min(first_batch, batch)
        self._clock = clock
        # A long catch-up (after downtime) analyses in worker processes (bot/workers.py).
        self._workers = OnDemandPool(analyse)
        # Per channel, what the catch-up just read, for the reconcile that follows it.
        self._just_read: dict[int, _JustRead] = {}
        self._lean = ChannelLean(archive, analyse)
        #: Channels being read ahead of their catch-up (``catch_up(then=…)``).
        self._ahead: dict[int, _ChannelRead] = {}

    async def catch_up(self, watched: Watched, *, then: Watched | None = None) -> int:
        """Store every post after the channel's cursor (or its backfill on first sight).

        ``then``, the channel the round reads next, starts being read and analysed as soon
        as this one is read to its end.
        """
        self._just_read.pop(watched.channel.id, None)
        cursors = await self._archive.cursors()
        start = cursors.get(watched.channel.id)
        if start is None:
            start = await self.first_sight(watched)
        return await self._read_forward(watched, start, label="catch-up", then=then)

    async def first_sight(self, watched: Watched) -> int:
        """Take a new channel's starting point: what it holds now is history, later posts
        are news. Return the cursor its first read starts from (its backfill's start).

        The collector calls it as soon as it watches the channel, not at the channel's first
        read: that can come much later (300 channels read one by one, a flood wait, a kill
        before the round ends), and what was published meanwhile is news.
        """
        depth = (self._config.default_backfill if watched.config.backfill is None
                 else watched.config.backfill)
        top = await self._newest_id(watched)
        # Posts stored before the first read came live: the channel was watched by then, so
        # what was published after the first of them (missed live in an outage, say) is
        # news, not history.
        live = await self._archive.oldest_stored_id(watched.channel.id)
        if live is not None:
            top = min(top, live - 1)
        start = max(0, top - depth)
        log.info("%s: first sight, backfilling up to %d posts", _name(watched), top - start)
        await self._archive.begin_backfill(watched.channel.id, start=start, top=top)
        return start

    async def _newest_id(self, watched: Watched) -> int:
        messages = await self._call(self._client.get_messages(watched.input_peer, limit=1),
                                    watched)
        return int(messages[0].id) if messages else 0

    async def _read_forward(self, watched: Watched, start: int, *, label: str,
                            then: Watched | None = None) -> int:
        run = self._ahead.pop(watched.channel.id, None)
        if run is not None and run.start != start:  # the cursor moved meanwhile (an import)
            await run.close()
            run = None
        if run is None:
            run = await self._begin(watched, start)
        stored = 0

        async def consume() -> None:
            nonlocal stored
            while (page := await run.analysed.get()) is not None:
                analysing, last_id = page
                items = await analysing
                if items or last_id > start:
                    await self._archive.store_posts(items, cursors={watched.channel.id: last_id},
                                                    historic_up_to=run.historic_up_to)
                stored += len(items)
                if stored // 5000 > (stored - len(items)) // 5000:
                    log.info("%s %s: %d posts so far", label, _name(watched), stored)

        async def read_next() -> None:
            # Once this channel is read to its end, the next one's first pages are read and
            # analysed while this one's last pages are written: no stage waits at the seam.
            await run.all_read.wait()
            if then is not None and then.channel.id not in self._ahead:
                try:
                    await self._read_ahead(then)
                except Exception:  # its own catch-up reads it, and reports what fails
                    log.debug("reading %s ahead failed", _name(then), exc_info=True)

        # Fetching and analysing the next pages overlap with storing this one; SQLite
        # releases the GIL while it writes.
        try:
            await self._call(_together(run.wait(), consume(), read_next()), watched)
        finally:
            await run.close()
        if run.read:  # all of it is stored, with the cursor at its end
            self._just_read[watched.channel.id] = _JustRead(start, run.read, run.oldest,
                                                           run.ids)
        if stored:
            log.info("%s %s: %d posts stored", label, _name(watched), stored)
        return stored

    async def _read_ahead(self, watched: Watched) -> None:
        """Start reading ``watched`` from its cursor; its catch-up takes over what was read.

        Reading only: nothing is written before its own catch-up stores the pages (with their
        cursor). A channel without a cursor yet waits for its own turn (its first sight
        writes one); a read that fails here fails the same way when its catch-up awaits it.
        """
        start = (await self._archive.cursors()).get(watched.channel.id)
        if start is not None:
            self._ahead[watched.channel.id] = await self._begin(watched, start)

    async def _begin(self, watched: Watched, start: int) -> _ChannelRead:
        historic_up_to = await self._archive.historic_until(watched.channel.id)
        return _ChannelRead(self, watched, start, historic_up_to)

    async def finish_round(self) -> None:
        """Stop the analysis workers a long catch-up started (at the end of a sync round),
        and any read ahead of a channel the round did not reach."""
        self._just_read.clear()
        ahead, self._ahead = list(self._ahead.values()), {}
        for run in ahead:
            await run.close()
        await self._workers.close()

    async def reconcile(self, watched: Watched) -> tuple[int, int]:
        """Re-read the recent window: store edits, mark vanished posts deleted.

        Right after this round's catch-up of the channel, only the part of the window
        below what it read (see the module's docstring).
        """
        cutoff = self._clock.now().timestamp() - self._config.reconcile_days * 86400
        wanted = self._config.reconcile_posts
        most = 20 * max(wanted, 50)
        fresh = self._just_read.pop(watched.channel.id, None)
        # The caught-up messages count as a read from the top would have counted them.
        counted = fresh.count if fresh else 0
        # Inside the caught-up part, a post stored live (above the cursor, which live writes
        # never move) and deleted while we were down is absent from what the catch-up read;
        # its deletion is found here, whether or not the window reaches below.
        caught_up: Set[int] = fresh.ids if fresh else frozenset()
        if fresh and not await self._window_reaches_below(watched, fresh, cutoff, wanted, most):
            return (0, await self._mark_vanished(watched, fresh.after + 1, caught_up, set()))
        # iter_messages' offset_id is exclusive: from the newest message the catch-up did
        # not read, down.
        below = {"offset_id": fresh.after + 1} if fresh else {}
        posts: list[Post] = []
        seen: set[int] = set()
        reached_start = True  # False when the window ended before the channel's first post

        async def read() -> None:
            nonlocal reached_start
            async for message in self._client.iter_messages(watched.input_peer, wait_time=0,
                                                            **below):
                seen.add(message.id)
                post = to_post(message)
                if post is not None:
                    posts.append(post)
                old_enough = message.date.timestamp() < cutoff
                count = counted + len(seen)
                if (count >= wanted and old_enough) or count >= most:
                    reached_start = False
                    break

        await self._call(read(), watched)
        oldest_kept = await self._archive.book.oldest_msg_id(watched.channel.id)
        cursor = (await self._archive.cursors()).get(watched.channel.id)
        if oldest_kept is None or cursor is None or (not seen and not reached_start):
            return (0, 0)
        # Only what the archive already covers: older posts are outside the backfill depth.
        posts = [p for p in posts if p.msg_id >= oldest_kept]
        result = await store_history(self._archive, self._analyse, posts, lean=self._lean)
        # The read went newest-first from the top (or from the catch-up's start), so
        # everything up to the cursor (or that start) was in reach: a stored post above the
        # oldest one returned, and missing, was deleted.
        low = oldest_kept if reached_start else max(min(seen), oldest_kept)
        deleted = await self._mark_vanished(watched, low, seen, caught_up)
        if result.updated or deleted:
            log.info("reconciled %s: %d edited, %d deleted while we were away", _name(watched),
                     result.updated, deleted)
        return (result.updated, deleted)

    async def _mark_vanished(self, watched: Watched, low: int, seen: Set[int],
                             caught_up: Set[int]) -> int:
        """Mark deleted every stored post from ``low`` up to the cursor none of whose
        messages (an album's too) is in ``seen`` or ``caught_up``; return how many were
        marked."""
        oldest_kept = await self._archive.book.oldest_msg_id(watched.channel.id)
        cursor = (await self._archive.cursors()).get(watched.channel.id)
        if oldest_kept is None or cursor is None:
            return 0
        stored = await self._archive.book.live_posts(watched.channel.id,
                                                     max(low, oldest_kept), cursor)
        # An album post becomes deleted only when all its messages are gone.
        vanished = {m for messages in stored.values() for m in messages
                    if m not in seen and m not in caught_up}
        return await self._archive.mark_deleted(watched.channel.id, vanished) if vanished else 0

    async def _window_reaches_below(self, watched: Watched, fresh: _JustRead, cutoff: float,
                                    wanted: int, most: int) -> bool:
        """Tell whether the window extends below what the catch-up just read, to posts the
        archive holds."""
        if fresh.count >= most or (fresh.count >= wanted and fresh.oldest < cutoff):
            return False  # a read from the top would have stopped inside the caught-up part
        oldest_kept = await self._archive.book.oldest_msg_id(watched.channel.id)
        # Nothing stored at or below the catch-up's start (a first backfill): nothing to
        # re-read there.
        return oldest_kept is not None and oldest_kept <= fresh.after

    async def _call(self, awaitable: Awaitable[T], watched: Watched) -> T:
        try:
            return await awaitable
        except errors.RPCError as exc:
            converted = translate(exc, request=f"read {_name(watched)}")
            if converted is None:
                raise
            raise converted from None


#: A page being analysed (its posts in a task) and the message id its cursor moves to.
_Analysing = tuple["asyncio.Future[list[AnalysedPost]]", int]


class _ChannelRead:
    """One channel's history from ``start``: read and analysed in a task of its own, a few
    pages ahead of the writer, which takes them from ``analysed`` in order.

    With the analysis in worker processes, the next pages' analysis starts while the one
    before is still analysing: a worker that finished its half of a page takes the next
    page's instead of waiting for the other half. In a thread (before the workers run, or on
    one core) pages are analysed one at a time, as a second thread would only take the GIL
    from the writer.
    """

    def __init__(self, reader: HistoryReader, watched: Watched, start: int,
                 historic_up_to: int) -> None:
        self.start = start
        self.historic_up_to = historic_up_to
        self.read = 0
        self.oldest = 0.0
        self.ids = IdRuns()
        #: Set once every message after ``start`` has been read (and queued for analysis).
        self.all_read = asyncio.Event()
        #: At most two pages analysing beside the one the writer takes next.
        self.analysed: asyncio.Queue[_Analysing | None] = asyncio.Queue(maxsize=1)
        self._pages: asyncio.Queue[_Page | None] = asyncio.Queue(maxsize=1)
        self._reader = reader
        self._watched = watched
        self._task = asyncio.ensure_future(_together(self._produce(), self._analyse()))

    async def wait(self) -> None:
        """Return when everything is read and queued for analysis; raise its failure."""
        await asyncio.shield(self._task)

    async def close(self) -> None:
        """Stop reading and drop the pages not yet stored (every one after a failure)."""
        self._task.cancel()
        await asyncio.wait({self._task})
        if not self._task.cancelled():
            self._task.exception()  # taken: it was (or will be) raised by ``wait``
        while not self.analysed.empty():
            page = self.analysed.get_nowait()
            if page is not None:
                _drop(page[0])

    async def _produce(self) -> None:
        reader, watched = self._reader, self._watched
        posts: list[Post] = []
        last_id = self.start
        # Small pages first, so analysing and storing start while the rest is read; then
        # bigger ones, so a long catch-up commits (and syncs) less often.
        size = reader._first_batch
        messages = reader._client.iter_messages(watched.input_peer, min_id=self.start,
                                                reverse=True, wait_time=0)
        async for message in messages:
            if not self.read:
                self.oldest = message.date.timestamp()
            self.read += 1
            self.ids.add(message.id)
            post = to_post(message)
            # A page never ends inside an album: a caption that came with the next page
            # would be stored as an edit of the album's first message.
            if post is not None and len(posts) >= size and not _same_album(posts[-1], post):
                await self._pages.put(_Page(posts, last_id))
                posts = []
                size = min(2 * size, reader._batch)
            last_id = max(last_id, message.id)
            if post is not None:
                posts.append(post)
        await self._pages.put(_Page(posts, last_id))
        await self._pages.put(None)

    async def _analyse(self) -> None:
        reader = self._reader
        while (page := await self._pages.get()) is not None:
            analysing = asyncio.ensure_future(analyse_unseen(
                reader._archive, page.posts, reader._workers.analyse, reader._lean))
            try:
                if not reader._workers.running:
                    await asyncio.wait({analysing})
                await self.analysed.put((analysing, page.last_id))
            except BaseException:
                _drop(analysing)
                raise
        self.all_read.set()
        await self.analysed.put(None)


def _drop(analysing: asyncio.Future[list[AnalysedPost]]) -> None:
    """Cancel a page's analysis, or take its outcome (so no failure is reported unread)."""
    if not analysing.cancel() and not analysing.cancelled():
        analysing.exception()


async def _together(*stages: Coroutine[Any, Any, None]) -> None:
    """Run pipeline stages together; the first failure cancels the rest and is re-raised."""
    try:
        async with asyncio.TaskGroup() as group:
            for stage in stages:
                group.create_task(stage)
    except BaseExceptionGroup as group_error:
        raise group_error.exceptions[0] from None


def _same_album(previous: Post, post: Post) -> bool:
    return previous.grouped_id is not None and previous.grouped_id == post.grouped_id


def _name(watched: Watched) -> str:
    return f"@{watched.channel.username}" if watched.channel.username else (
        watched.channel.title or str(watched.channel.id))
