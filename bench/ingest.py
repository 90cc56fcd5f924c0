"""Import throughput against a bare executemany into the same schema.

    python bench/ingest.py [-n 100000] [--keep DIR]

Prints one table: posts/s for `tgmon import`'s code path (streaming parse, analysis, idempotent
upsert, versions, FTS, hits, cursor) and for a bare executemany of the same rows into the same
schema with FTS, and their ratio. The target is a ratio >= 0.5 at N = 100,000.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bare import prepare_rows, time_bare_insert
from synthetic import KEYWORDS, make_post

from bot.config import validate_config
from bot.importer.pipeline import import_export
from bot.ingest import analyser_for
from bot.store import Archive


def write_export(path: Path, n: int, *, seed: int = 7) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        out.write('{"name": "bench", "type": "public_channel", "id": 1000000042, "messages": [\n')
        for i in range(1, n + 1):
            text = make_post(rng)
            message = {
                "id": i,
                "type": "message",
                "date": "2025-01-01T00:00:00",
                "date_unixtime": str(1735689600 + i * 60),
                "text": text,
                "text_entities": [{"type": "plain", "text": text}],
            }
            out.write(("," if i > 1 else "") + json.dumps(message, ensure_ascii=False) + "\n")
        out.write("]}\n")


async def time_import(export: Path, db: Path) -> float:
    config = validate_config({"keywords": KEYWORDS}, source="bench")
    analyse = analyser_for(config)
    started = time.perf_counter()
    async with Archive.open(db) as archive:
        report = await import_export(export, archive, analyse)
    elapsed = time.perf_counter() - started
    assert report.stored.inserted > 0
    return elapsed


def time_bare(export: Path, db: Path, n: int) -> float:
    # The rows are prepared before the clock starts: the baseline is SQLite's work alone.
    messages = json.loads(export.read_text(encoding="utf-8"))["messages"][:n]
    rows = prepare_rows(
        (-1001000000042, m["id"], int(m["date_unixtime"]), m["text"]) for m in messages
    )
    return time_bare_insert(db, rows)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=100_000, help="posts (default 100,000)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tgmon-bench-") as tmp:
        export = Path(tmp) / "export.json"
        write_export(export, args.n)
        size_mb = export.stat().st_size / 1e6
        tgmon_s = asyncio.run(time_import(export, Path(tmp) / "tgmon.sqlite3"))
        bare_s = time_bare(export, Path(tmp) / "bare.sqlite3", args.n)
    tgmon_rate, bare_rate = args.n / tgmon_s, args.n / bare_s
    print(f"N = {args.n:,} posts ({size_mb:.0f} MB export, ~{size_mb * 1e6 / args.n:.0f} B/post)")
    print(f"{'path':<44}{'seconds':>10}{'posts/s':>12}")
    print(f"{'tgmon import (parse+analyse+upsert+FTS)':<44}{tgmon_s:>10.1f}{tgmon_rate:>12,.0f}")
    print(f"{'bare executemany (posts+FTS)':<44}{bare_s:>10.1f}{bare_rate:>12,.0f}")
    print(f"{'ratio (target >= 0.5)':<44}{'':>10}{tgmon_rate / bare_rate:>12.2f}")


if __name__ == "__main__":
    main()
