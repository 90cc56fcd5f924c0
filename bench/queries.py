"""Every bot query command against a big archive, through the bot's own command router.

    python bench/queries.py --db ~/.cache/tgmon-bench/scale-1000000.sqlite3 [--runs 20]
    python bench/queries.py --build 100000 [--runs 20]    # a synthetic archive of N posts

--db takes the archive bench/scale.py builds (300 channels @bench_ch0…, two years, keyword
groups president, parliament, agents); --build makes a smaller one of the same shape in a
temporary folder when that archive is not there yet. Each command runs --runs times as the
bot would answer it (rate limit, access and formatting included, Telegram excluded) and the
table shows p50 and p95 in milliseconds against the targets: every command p95 <= 100 ms,
/trend over 30 days (with its chart) <= 2 s.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import KEYWORDS, make_post

from bot.analysis.fingerprint import content_hash, search_text
from bot.commands.context import Context, Origin
from bot.commands.paging import PageMemory
from bot.commands.router import Router
from bot.commands.table import QUERY_COMMANDS
from bot.config import validate_config
from bot.domain import AnalysedPost, Analysis, Channel, KeywordHit, Post
from bot.store import Archive

CHANNELS = 300
TARGET_MS, TREND_TARGET_MS = 100, 2000


def channel(k: int) -> Channel:
    return Channel(id=-1002000000000 - k, title=f"Канал {k} · news", username=f"bench_ch{k}")


async def build(db: Path, posts: int) -> None:
    """A smaller archive of bench/scale.py's shape: 300 channels, two years, 10 % edited."""
    rng = random.Random(5)
    end = datetime(2026, 11, 1, tzinfo=UTC)
    step = 730 * 86400 / posts
    forms = {f.lower(): (g, t) for g, spec in KEYWORDS.items() for t in spec["terms"]
             for f in (t, t + "а")}
    next_id = [0] * CHANNELS
    async with Archive.open(db) as archive:
        for k in range(CHANNELS):
            await archive.upsert_channel(channel(k))
        batch: list[AnalysedPost] = []
        for i in range(posts):
            k = rng.randrange(CHANNELS)
            next_id[k] += 1
            text = make_post(rng, words=(70, 110))
            lower = text.lower()
            hits = tuple({KeywordHit(*forms[w], w) for w in lower.split() if w in forms})
            lang = "kk" if set("әғқңөұүһі") & set(lower) else "ru"
            date = end - timedelta(days=730) + timedelta(seconds=i * step)
            batch.append(AnalysedPost(Post(channel(k).id, next_id[k], date, text),
                                      Analysis(lang, 0.9, hits, search_text(text),
                                               content_hash(text))))
            if len(batch) == 1000:
                await archive.store_posts(batch)
                batch = []
        await archive.store_posts(batch)
        edits = [AnalysedPost(Post(channel(k).id, m, end - timedelta(days=rng.randrange(700)),
                                   make_post(rng, words=(70, 110)), edit_date=end),
                              Analysis("ru", 0.9))
                 for k, m in ((rng.randrange(CHANNELS), rng.randint(1, max(1, posts // 400)))
                              for _ in range(posts // 10))]
        for start in range(0, len(edits), 1000):
            await archive.store_posts(edits[start:start + 1000])
        for k in range(0, CHANNELS, 3):
            await archive.mark_deleted(channel(k).id, range(1, 30), at=end)


def commands(newest_id: int) -> list[str]:
    return [
        "/search токаев", "/search парламент", "/search токаев channel:@bench_ch7",
        "/search парламент lang:kk", "/search токаев since:30d", "/search парламент until:365d",
        "/search токаев group:president", "/search парламент edited:yes",
        "/search токаев deleted:yes", "/search group:agents", "/more",
        "/latest", "/latest @bench_ch7 10", f"/post @bench_ch7 {newest_id}",
        "/edits", "/edits @bench_ch7", "/deleted", "/deleted @bench_ch9 30d",
        "/channels", "/stats 7", "/stats 30", "/keywords",
        "/trend president 30", "/trend токаев 30 @bench_ch7",
    ]


async def measure(db: Path, runs: int) -> list[tuple[str, float, float, int]]:
    config = validate_config({"keywords": KEYWORDS, "bot": {"timezone": "Asia/Almaty"}},
                             source="bench")
    # Read-only: the cached archive of bench/scale.py stays exactly as it was built.
    async with Archive.open(db, mode="ro") as archive:
        (top,) = await archive.fetch_all("SELECT max(pid) FROM posts")
        now = datetime.fromtimestamp((top[0] >> 20) + 60, UTC)
        rows = await archive.fetch_all(
            "SELECT max(msg_id) FROM posts WHERE channel_id = ?", (channel(7).id,))
        router = Router(QUERY_COMMANDS, per_minute=10**9, max_tasks=4)
        context = Context(archive.queries, config, ZoneInfo("Asia/Almaty"), Origin(1, 1), now,
                          allowed=True, pages=PageMemory())
        results = []
        for text in commands(int(rows[0][0] or 1)):
            times, size = [], 0
            for run in range(runs + 1):
                if text == "/more":  # /more continues the search before it
                    await router.handle("/search токаев", context, bot_username=None)
                started = time.perf_counter()
                replies = await router.handle(text, context, bot_username=None)
                if run:  # the first run warms the caches
                    times.append((time.perf_counter() - started) * 1000)
                size = sum(r.length for r in replies)
            times.sort()
            results.append((text, statistics.median(times),
                            times[max(0, round(0.95 * len(times)) - 1)], size))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, help="an archive bench/scale.py built")
    parser.add_argument("--build", type=int, metavar="N", help="build one of N posts instead")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db
        if db is None:
            if not args.build:
                parser.error("give --db PATH or --build N")
            db = Path(tmp) / "bench.sqlite3"
            started = time.perf_counter()
            asyncio.run(build(db, args.build))
            print(f"built {args.build:,} posts in {time.perf_counter() - started:.0f} s")
        elif not db.exists():
            parser.error(f"{db}: no archive there; run bench/scale.py first or use --build")
        results = asyncio.run(measure(db, args.runs))
    print("\n| command | p50 ms | p95 ms | target | reply units |\n|---|---|---|---|---|")
    for text, p50, p95, size in results:
        target = TREND_TARGET_MS if text.startswith("/trend") else TARGET_MS
        mark = "ok" if p95 <= target else "OVER"
        print(f"| `{text}` | {p50:.1f} | {p95:.1f} | ≤ {target:,} {mark} | {size:,} |")


if __name__ == "__main__":
    main()
