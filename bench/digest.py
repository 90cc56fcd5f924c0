"""Time building and rendering a digest of 10,000 synthetic multilingual posts.

Run: /work/main/.venv/bin/python bench/digest.py   (target: build + render ≤ 1 s)

Each digest is timed uncapped and at the default cap of ``max_items`` (100 items).
"""

from __future__ import annotations

import hashlib
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.digest import DEFAULT_MAX_ITEMS, build_digest, render_digest
from bot.domain import KeywordHit, StoredPost

POSTS = 10_000
GROUPS = {"politics": ["Токаев", "parliament"], "economy": ["тенге", "inflation"],
          "security": ["шекара", "чегара"], "elections": ["выборы", "сайлау"]}
WORDS = {
    "ru": "президент заявил что правительство примет меры по поддержке экономики и курса тенге",
    "kk": "Тоқаев Мәжіліс отырысында елдің экономикалық дамуы туралы айтты және шекара",
    "en": "the parliament voted on the new budget while inflation kept rising across region",
    "uk": "уряд оголосив нові заходи щодо підтримки економіки та кордону країни",
    "uz": "prezident hukumat iqtisodiyot chegara saylov parlament qaror qabul qildi",
    "ky": "президент Жогорку Кеңеш шайлоо экономика чек ара боюнча билдирүү жасады",
}


def synthetic_posts(count: int, *, seed: int = 7) -> list[StoredPost]:
    """Make ``count`` posts over 24 h in 40 channels, with duplicates, albums, edits, deletions."""
    rng = random.Random(seed)
    start = datetime(2025, 3, 1, tzinfo=UTC)
    posts: list[StoredPost] = []
    msg_ids = dict.fromkeys(range(40), 1000)
    while len(posts) < count:
        channel = rng.randrange(40)
        lang = rng.choice(list(WORDS))
        vocabulary = WORDS[lang].split()
        words = [rng.choice(vocabulary) for _ in range(rng.randint(8, 120))]
        if rng.random() < 0.05:
            words.append("<b>&amp; </a>")
        text = " ".join(words)
        if rng.random() < 0.08 and posts:  # an identical text elsewhere
            text = rng.choice(posts[-50:]).text
        chosen = [g for g in GROUPS if rng.random() < 0.3]
        album = rng.randint(2, 5) if rng.random() < 0.05 else 1
        grouped = rng.randrange(1 << 40) if album > 1 else None
        for part in range(album):
            msg_ids[channel] += 1
            posts.append(StoredPost(
                channel_id=-1_000_000_000_000 - 1_000 - channel, msg_id=msg_ids[channel],
                date=start + timedelta(seconds=rng.randrange(86_400)),
                text=text if part == 0 else "", lang=lang,
                channel_title=f"Канал {channel} <news>", channel_username=(
                    f"chan{channel}" if channel % 3 else None),
                views=rng.randrange(10_000), edit_count=int(rng.random() < 0.1),
                deleted=rng.random() < 0.03, groups=tuple(chosen),
                hits=tuple(KeywordHit(g, GROUPS[g][0], GROUPS[g][0]) for g in chosen),
                media=("photo",) if album > 1 else (), grouped_id=grouped,
                content_hash=hashlib.blake2b(text.encode(), digest_size=8).hexdigest(),
            ))
    return posts[:count]


def main() -> None:
    posts = synthetic_posts(POSTS)
    start = datetime(2025, 3, 1, tzinfo=UTC)
    rows = []
    for label, groups in (("all groups", None), ("two groups", ["elections", "economy"])):
        for cap in (None, DEFAULT_MAX_ITEMS):
            began = time.perf_counter()
            digest = build_digest(posts, title="Daily digest", window_start=start,
                                  window_end=start + timedelta(days=1),
                                  tz=ZoneInfo("Asia/Almaty"), groups=groups, empty="notice",
                                  max_items=cap)
            built = time.perf_counter()
            parts = render_digest(digest)
            rendered = time.perf_counter()
            name = f"{label}, " + ("uncapped" if cap is None else f"cap {cap}")
            rows.append((name, built - began, rendered - built, len(parts), digest.item_count,
                         rendered - began))
    print(f"{'digest of 10,000 posts':<26}{'build s':>9}{'render s':>10}{'parts':>7}"
          f"{'items':>7}{'total s':>9}")
    for name, build_s, render_s, parts_n, items, total_s in rows:
        print(f"{name:<26}{build_s:>9.3f}{render_s:>10.3f}{parts_n:>7}{items:>7}{total_s:>9.3f}")

if __name__ == "__main__":
    main()
