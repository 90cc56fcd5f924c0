"""The store at a year's scale: a 1M-post archive, its size, and every product query's latency.

    python bench/scale.py [--posts 1000000] [--cache DIR] [--rebuild] [--runs 30]

Builds (once, cached in --cache, default ~/.cache/tgmon-bench) an archive the realistic way:
300 channels over two years of ru/kk/en posts of ~650 characters (bench/synthetic.py),
written through the archive's own write path (history channel by channel, 1,000 posts a
transaction, as an import or a first catch-up writes it; the last 30 days a few posts at a
time, as live posts arrive; analysis is a quick stand-in, bench/analysis.py measures the
real one); 10 % of posts edited; 50 subscribers with two years of
digests and alert batches (over 1M sent outbox parts). Then prints one table:

- archive size against a bare ``posts`` + FTS5 table of the same rows (target <= 1.5x);
- p50/p95 of each query the product issues (search with every filter <= 50 ms, latest
  <= 20 ms, stats <= 1 s, the sender's poll <= 5 ms);
- live-write latency while a reader runs a 10 s query (p99 <= 50 ms);
- import speed into the big archive against an empty one (>= 0.7x).

The import and live-write measurements add posts to the cached archive (a new channel of
20,000 posts per import round, ~150 live posts); they are removed again after each run (and
at the start, for a cache an earlier version of this script let grow), so every run measures
the same 1M-post archive.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import KEYWORDS, make_post

from bot.analysis.fingerprint import content_hash, search_text
from bot.config import validate_config
from bot.domain import AnalysedPost, Analysis, Channel, KeywordHit, Post
from bot.importer.pipeline import import_export
from bot.ingest import analyser_for
from bot.store import Archive, retention
from bot.store.values import PostQuery

CHANNELS = 300
DAYS = 730
SUBSCRIBERS = 50
END = datetime(2026, 11, 1, tzinfo=UTC)
START = END - timedelta(days=DAYS)
LIVE_DAYS = 30
DELETED_EVERY = 50  # every 50th message id of a channel: 2 % of its posts
BUILD_VERSION = "4"  # bump when the build changes, so a stale cache is rebuilt


def channel(k: int) -> Channel:
    return Channel(id=-1002000000000 - k, title=f"Канал {k} · news", username=f"bench_ch{k}")


def schedule(posts: int) -> list[tuple[int, int, int]]:
    """(channel index, msg id, unix date) of every post, oldest first."""
    rng = random.Random(11)
    step = DAYS * 86400 / posts
    next_id = [0] * CHANNELS
    out = []
    for i in range(posts):
        k = rng.randrange(CHANNELS)
        next_id[k] += 1
        out.append((k, next_id[k], int(START.timestamp() + i * step)))
    return out


def write_export(path: Path, k: int, rows: list[tuple[int, int, str]]) -> None:
    ch = channel(k)
    with path.open("w", encoding="utf-8") as out:
        head = {"name": ch.title, "type": "public_channel", "id": -ch.id - 1000000000000}
        out.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "messages": [\n')
        for n, (msg_id, date, text) in enumerate(rows):
            message = {"id": msg_id, "type": "message", "date": "2025-01-01T00:00:00",
                       "date_unixtime": str(date), "text": text}
            out.write(("," if n else "") + json.dumps(message, ensure_ascii=False) + "\n")
        out.write("]}\n")


_KK = set("әғқңөұүһі")
_FORMS = {form.lower(): (group, term) for group, spec in KEYWORDS.items()
          for term in spec["terms"] for form in (term, term + "а", term + "тың")}


def quick_analysis(text: str) -> Analysis:
    """Language and keyword hits without the models: the store, not analysis, is measured
    here (bench/analysis.py measures that), and a million posts of it would take hours."""
    lower = text.lower()
    lang = "kk" if _KK & set(lower) else ("en" if lower[:1].isascii() else "ru")
    hits = {KeywordHit(*_FORMS[w], w) for w in {w.strip(".") for w in lower.split()}
            if w in _FORMS}
    return Analysis(lang, 0.9, tuple(sorted(hits, key=lambda h: (h.group, h.form))),
                    search_text(text), content_hash(text))


async def build(db: Path, posts: int) -> None:
    rng = random.Random(5)
    plan = schedule(posts)
    live_from = int((END - timedelta(days=LIVE_DAYS)).timestamp())
    history = [p for p in plan if p[2] < live_from]
    live = [p for p in plan if p[2] >= live_from]
    texts: dict[tuple[int, int], str] = {}
    started = time.perf_counter()

    def analysed(k: int, msg_id: int, date: int, text: str, **extra: Any) -> AnalysedPost:
        post = Post(channel(k).id, msg_id, datetime.fromtimestamp(date, UTC), text, **extra)
        return AnalysedPost(post, quick_analysis(text))

    async with Archive.open(db) as archive:
        for k in range(CHANNELS):
            await archive.upsert_channel(channel(k))
        # Two years of history, channel by channel as an import or a first catch-up
        # writes it, 1,000 posts a transaction, each channel's cursor moving with its posts.
        by_channel: dict[int, list[tuple[int, int]]] = {}
        for k, msg_id, date in history:
            by_channel.setdefault(k, []).append((msg_id, date))
        for n, (k, rows) in enumerate(sorted(by_channel.items())):
            for start in range(0, len(rows), 1000):
                batch = []
                for msg_id, date in rows[start:start + 1000]:
                    text = make_post(rng, words=(70, 110))
                    texts[(k, msg_id)] = text
                    batch.append(analysed(k, msg_id, date, text))
                await archive.store_posts(batch, cursors={channel(k).id: batch[-1].post.msg_id},
                                          historic_up_to=sys.maxsize)
            if n % 30 == 0:
                print(f"  history of {n + 1}/{len(by_channel)} channels stored "
                      f"({time.perf_counter() - started:.0f} s)", flush=True)
        # The last month arrives live, a few posts per write as the collector batches them.
        for start in range(0, len(live), 20):
            await archive.store_posts([analysed(k, msg_id, date, make_post(rng, words=(70, 110)))
                                       for k, msg_id, date in live[start:start + 20]])
        print(f"  live month stored ({time.perf_counter() - started:.0f} s)", flush=True)
        # 10 % of posts edited once, as the collector's reconcile stores them.
        edited = rng.sample(history, len(plan) // 10)
        for start in range(0, len(edited), 1000):
            await archive.store_posts([
                analysed(k, msg_id, date,
                         texts[(k, msg_id)] + " UPD " + make_post(rng, words=(3, 8)),
                         edit_date=datetime.fromtimestamp(date + 3600, UTC))
                for k, msg_id, date in edited[start:start + 1000]])
        print(f"  edits stored ({time.perf_counter() - started:.0f} s)", flush=True)
        await archive.write(_fill_outbox)
        print(f"  outbox filled ({time.perf_counter() - started:.0f} s)", flush=True)


def _fill_outbox(conn: sqlite3.Connection) -> None:
    """Two years of daily digests (8 parts) and alert batches (20 a day) for 50 chats."""
    rng = random.Random(3)
    body = make_post(rng, words=(400, 500))
    alert = make_post(rng, words=(100, 150))
    part_id = 0
    for chat in range(1, SUBSCRIBERS + 1):
        conn.execute("INSERT INTO subscribers (chat_id, grp, created_at) VALUES (?, '*', ?)",
                     (chat, int(START.timestamp())))
        rows = []
        for day in range(DAYS):
            end = int((START + timedelta(days=day + 1)).timestamp())
            windows = [("subscriber", end, 8, body)] + [
                ("!alert", end - 3600 * h, 1, alert) for h in range(20)]
            for name, window_end, parts, text in windows:
                cur = conn.execute(
                    "INSERT INTO digests (chat_id, name, window_start, window_end, created_at,"
                    " seq_end) VALUES (?, ?, ?, ?, ?, 0)",
                    (chat, name, window_end - 86400, window_end, window_end))
                for part in range(1, parts + 1):
                    part_id += 1
                    rows.append((cur.lastrowid, chat, part, parts, part_id, text, window_end,
                                 window_end + 5))
        conn.executemany(
            """INSERT INTO outbox (digest_id, chat_id, part, parts, random_id, body, status,
               created_at, sent_at, attempts) VALUES (?, ?, ?, ?, ?, ?, 'sent', ?, ?, 1)""",
            rows)
    conn.executemany(  # a few parts still pending, as after a flood wait
        """INSERT INTO outbox (chat_id, part, parts, random_id, body, created_at)
           VALUES (?, 1, 1, ?, 'pending part', ?)""",
        [(chat, -chat, int(END.timestamp())) for chat in range(1, 6)])


def build_bare(db: Path, bare: Path) -> None:
    """A bare posts table and an FTS5 index over the same rows: the size baseline."""
    bare.unlink(missing_ok=True)
    conn = sqlite3.connect(bare, isolation_level=None)
    conn.execute("ATTACH ? AS src", (str(db),))
    conn.executescript("""
        CREATE TABLE posts (pid INTEGER PRIMARY KEY, channel_id INTEGER, msg_id INTEGER,
                            date INTEGER, text TEXT);
        CREATE VIRTUAL TABLE posts_fts USING fts5(text);
        BEGIN;
        INSERT INTO posts SELECT pid, channel_id, msg_id, date, text FROM src.posts;
        INSERT INTO posts_fts (rowid, text) SELECT pid, text FROM posts;
        COMMIT;""")
    conn.execute("DETACH src")
    conn.close()


def size(path: Path) -> int:
    """Bytes in use: pruned rows leave free pages that new rows reuse (VACUUM returns them)."""
    conn = sqlite3.connect(path)
    try:
        pages, free, page = (conn.execute(f"PRAGMA {p}").fetchone()[0]
                             for p in ("page_count", "freelist_count", "page_size"))
    finally:
        conn.close()
    return int((pages - free) * page)


async def delete_some(db: Path) -> None:
    """Mark 2 % of each channel's posts deleted, as the collector does, when none are yet.

    Channels delete posts all the time; without any, /deleted and deleted:yes measure
    nothing. Done after the build (and once on a cache built before this step), in
    DELETED_EVERY steps of message ids.
    """
    async with Archive.open(db) as archive:
        if (await archive.queries.latest(PostQuery(deleted=True), limit=1)).items:
            return
        for k in range(CHANNELS):
            rows = await archive.queries.latest(PostQuery(channel_id=channel(k).id), limit=1)
            top = rows.items[0].post.msg_id if rows.items else 0
            await archive.mark_deleted(channel(k).id, range(DELETED_EVERY, top + 1,
                                                            DELETED_EVERY))


#: Channels of the import measurement are channel(k) for k >= this; the build uses k < CHANNELS.
IMPORTED_FROM = 10_000
#: Message ids of the live-write measurement start here, in built channels.
LIVE_IDS_FROM = 10_000_000


def forget_measured_posts(db: Path, *, chunk: int = 20_000) -> int:
    """Remove what the import and live-write measurements added; return the posts removed.

    The archive's triggers keep its counters (post_counts, post_hours, group_hours, lang_hours)
    right when posts and hits are deleted; the index rows go with them. FTS5 records a deleted
    row as a delete marker for each of its terms, kept until the segments merge: after
    280,000 posts removed, searches with their counts took 3-5x as long (search word median
    32 ms against 6), so the index is then merged back into one segment (17 s).
    """
    conn = sqlite3.connect(db, isolation_level=None, timeout=60)
    try:
        conn.execute("CREATE TEMP TABLE gone (pid INTEGER PRIMARY KEY)")
        extra = [c for (c,) in conn.execute("SELECT id FROM channels WHERE id <= ?",
                                            (channel(IMPORTED_FROM).id,))]
        for k in range(CHANNELS):
            conn.execute("INSERT INTO gone SELECT pid FROM posts WHERE channel_id = ?"
                         " AND msg_id >= ?", (channel(k).id, LIVE_IDS_FROM))
        for channel_id in extra:
            conn.execute("INSERT INTO gone SELECT pid FROM posts WHERE channel_id = ?",
                         (channel_id,))
        removed = int(conn.execute("SELECT count(*) FROM gone").fetchone()[0])
        while conn.execute("SELECT 1 FROM gone LIMIT 1").fetchone():
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("CREATE TEMP TABLE step AS SELECT pid FROM gone ORDER BY pid LIMIT ?",
                         (chunk,))
            for table in ("keyword_hits", "post_aliases", "post_versions", "arrivals"):
                conn.execute(f"DELETE FROM {table} WHERE pid IN (SELECT pid FROM step)")
            conn.execute("DELETE FROM posts_fts WHERE rowid IN (SELECT pid FROM step)")
            conn.execute("DELETE FROM posts WHERE pid IN (SELECT pid FROM step)")
            conn.execute("DELETE FROM gone WHERE pid IN (SELECT pid FROM step)")
            conn.execute("DROP TABLE step")
            conn.execute("COMMIT")
        conn.execute("BEGIN IMMEDIATE")
        for table in ("cursors", "post_counts"):
            conn.executemany(f"DELETE FROM {table} WHERE channel_id = ?",
                             [(c,) for c in extra])
        conn.executemany("DELETE FROM channels WHERE id = ?", [(c,) for c in extra])
        conn.execute("COMMIT")
        if removed:
            conn.execute("INSERT INTO posts_fts (posts_fts) VALUES ('optimize')")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return removed
    finally:
        conn.close()


def post_count(path: Path) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM posts").fetchone()[0])
    finally:
        conn.close()


async def timed(runs: int, make: Callable[[int], Awaitable[Any]]) -> list[float]:
    out = []
    for i in range(runs):
        started = time.perf_counter()
        await make(i)
        out.append((time.perf_counter() - started) * 1000)
    return out


def row(name: str, ms: list[float], target: str) -> str:
    ms = sorted(ms)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    return (f"{name:<44}{min(ms):>9.2f}{statistics.median(ms):>9.2f}{p95:>9.2f}"
            f"  {target}")


async def measure_queries(db: Path, runs: int, posts: int) -> list[str]:
    rng = random.Random(9)
    per_day = posts // DAYS
    words = ["правительство", "Токаев", "бюджет", "экономика", "parliament", "Мәжіліс",
             "закон", "сегодня"]
    lines = []
    async with Archive.open(db) as archive:
        ch = [f"@bench_ch{k}" for k in rng.sample(range(CHANNELS), runs)]
        since = [END - timedelta(days=rng.randint(5, 300)) for _ in range(runs)]

        def word(i: int) -> str:
            return words[i % len(words)]

        queries = archive.queries

        async def query(channel: str | None = None, **filters: Any) -> PostQuery:
            # As the CLI does: the channel reference is resolved first, inside the timing.
            found = await queries.resolve_channel(channel) if channel else None
            return PostQuery(channel_id=found.id if found else None, **filters)

        async def search(text: str, **filters: Any) -> Any:
            return await queries.search(text, await query(**filters), limit=20)

        async def latest(**filters: Any) -> Any:
            return await queries.latest(await query(**filters), limit=20, with_count=True)

        cases: list[tuple[str, Callable[[int], Awaitable[Any]], str]] = [
            ("search word", lambda i: search(word(i)), "<= 50"),
            ("search --channel", lambda i: search(word(i), channel=ch[i]), "<= 50"),
            ("search --lang kk", lambda i: search(word(i), lang="kk"), "<= 50"),
            ("search --channel --since", lambda i: search(word(i), channel=ch[i],
                                                          since=since[i]), "<= 50"),
            ("search --since --until", lambda i: search(
                word(i), since=since[i], until=since[i] + timedelta(days=3)), "<= 50"),
            ("search --group", lambda i: search(word(i), group="president"), "<= 50"),
            ("search every filter", lambda i: search(
                word(i), channel=ch[i], lang="ru", group="president", since=since[i],
                until=END), "<= 50"),
            ("latest", lambda i: latest(), "<= 20"),
            ("latest --channel", lambda i: latest(channel=ch[i]), "<= 20"),
            ("latest --lang en", lambda i: latest(lang="en"), "<= 20"),
            ("latest --group", lambda i: latest(group="parliament"), "<= 20"),
            ("history", lambda i: queries.post_history(channel(i % CHANNELS).id, 10 + i), ""),
            ("stats", lambda i: queries.stats(), "<= 1000"),
            ("digest window (a day of arrivals)", lambda i: _window(archive, per_day), ""),
            ("alert scan (groups, since watermark)", lambda i: _alerts(archive), ""),
            ("sender poll (due parts + next time)", lambda i: _poll(archive), "<= 5"),
        ]
        for name, make, target in cases:
            await make(0)  # warm the page cache once, as a running service has it
            lines.append(row(name, await timed(runs, make), target))
    return lines


async def _window(archive: Archive, per_day: int) -> None:
    top = await archive.arrivals.current_seq()
    await archive.arrivals.posts_arrived(after=top - per_day, until=top)


async def _alerts(archive: Archive) -> None:
    top = await archive.arrivals.current_seq()
    await archive.arrivals.posts_arrived(after=max(0, top - 100), until=top,
                                 groups=["president", "parliament"], include_edits=True)


async def _poll(archive: Archive) -> None:
    await archive.outbox.due_messages(now=int(time.time()))
    await archive.outbox.next_not_before()


async def measure_live_writes(db: Path) -> str:
    """Live single-post writes while a reader runs a query that takes ~10 s."""
    config = validate_config({"keywords": KEYWORDS}, source="bench")
    analyse = analyser_for(config)
    rng = random.Random(4)
    latencies: list[float] = []
    async with Archive.open(db, read_timeout=10) as archive:
        slow = asyncio.create_task(archive.fetch_all(
            "SELECT count(*) FROM posts a, posts b WHERE a.text < b.text"))
        await asyncio.sleep(0.2)
        ch = channel(0)
        base = LIVE_IDS_FROM + int(time.time()) % 1_000_000 * 10
        deadline = time.monotonic() + 9
        n = 0
        while time.monotonic() < deadline:
            n += 1
            post = Post(ch.id, base + n, END, make_post(rng, words=(70, 110)))
            item = AnalysedPost(post, analyse(post.text))
            started = time.perf_counter()
            await archive.store_posts([item])
            latencies.append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(0.05)
        try:
            await slow
        except Exception as exc:  # the 10 s limit stops it: that is the point
            print(f"  slow reader stopped: {exc}", flush=True)
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99)]
    return (f"{'live write while a 10 s read runs (p99)':<44}{latencies[0]:>9.2f}"
            f"{statistics.median(latencies):>9.2f}{p99:>9.2f}  p99 <= 50 ({len(latencies)} writes)")


async def measure_import(db: Path, rounds: int = 3) -> str:
    """20,000 new posts imported into the big archive and into an empty one, alternately
    (so a passing load on the machine hits both alike); the ratio of the median rates."""
    config = validate_config({"keywords": KEYWORDS}, source="bench")
    analyse = analyser_for(config)
    rng = random.Random(int(time.time()))
    n = 20_000
    rates: dict[str, list[float]] = {"big": [], "empty": []}
    with tempfile.TemporaryDirectory(prefix="tgmon-scale-") as tmp:
        for r in range(rounds):
            # A new channel each time: all posts new.
            k = IMPORTED_FROM + rng.randrange(1_000_000)
            rows = [(i, int(END.timestamp()) + i, make_post(rng, words=(70, 110)))
                    for i in range(1, n + 1)]
            export = Path(tmp) / f"e{r}.json"
            write_export(export, k, rows)
            for name, target in (("empty", Path(tmp) / f"empty{r}.sqlite3"), ("big", db)):
                async with Archive.open(target) as archive:
                    started = time.perf_counter()
                    await import_export(export, archive, analyse)
                    rates[name].append(n / (time.perf_counter() - started))
    big, empty = statistics.median(rates["big"]), statistics.median(rates["empty"])
    return (f"{'import into the big archive (posts/s)':<44}{max(rates['big']):>9.0f}"
            f"{big:>9.0f}\n{'import into an empty archive (posts/s)':<44}"
            f"{max(rates['empty']):>9.0f}{empty:>9.0f}\n"
            f"{'import ratio big / empty (medians)':<44}{big / empty:>18.2f}  >= 0.7")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "tgmon-bench")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    db = args.cache / f"scale-{args.posts}.sqlite3"
    stamp = db.with_suffix(".built")
    if args.rebuild or not stamp.exists() or stamp.read_text() != BUILD_VERSION:
        for old in args.cache.glob(db.name + "*"):
            old.unlink()
        print(f"building {db} ({args.posts:,} posts; cached for later runs)", flush=True)
        asyncio.run(build(db, args.posts))
        stamp.write_text(BUILD_VERSION)
    left = forget_measured_posts(db)
    if left:
        print(f"removed {left:,} posts an earlier run's measurements had added", flush=True)
    bare = db.with_name(db.stem + "-bare.sqlite3")
    if not bare.exists():
        build_bare(db, bare)
    asyncio.run(delete_some(db))
    conn = sqlite3.connect(db)
    parts = conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
    conn.close()
    print(f"archive: {args.posts:,} posts, {parts:,} outbox parts before retention")
    print(f"{'query (ms)':<44}{'best':>9}{'median':>9}{'p95':>9}  target")
    for line in asyncio.run(measure_queries(db, args.runs, args.posts)):
        print(line, flush=True)
    pruned = asyncio.run(_retention(db))
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    # Per post: the bare baseline keeps the rows it was built from, and the archive may hold
    # a few more (the live posts of measurements before forget_measured_posts existed).
    held, bare_held = post_count(db), post_count(bare)
    ratio = (size(db) / held) / (size(bare) / bare_held)
    print(f"{'retention pass (outbox parts pruned)':<44}{pruned:>9,}")
    print(f"{'archive size after retention (MB)':<44}{size(db) / 1e6:>9.0f}"
          f"{size(bare) / 1e6:>9.0f}{ratio:>9.2f}  <= 1.5x bare posts+FTS5, per post "
          f"({held:,} and {bare_held:,} posts)")
    print(asyncio.run(measure_live_writes(db)), flush=True)
    print(asyncio.run(measure_import(db)), flush=True)
    forget_measured_posts(db)
    shutil.rmtree(args.cache / "tmp", ignore_errors=True)


async def _retention(db: Path) -> int:
    async with Archive.open(db) as archive:
        report = await retention.prune(archive, keep_days=30, now=int(END.timestamp()))
        return report.outbox_parts


if __name__ == "__main__":
    main()
