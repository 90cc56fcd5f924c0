"""Print posts/s for language detection and keyword matching on 2,000-character posts.

    python bench/analysis.py --data ../shared/data [--passes 5]

Detection is also timed on the sentences themselves, one per post (most real posts are that
long or shorter, and short text takes the slower path with more votes). Each rate is the best
and the median of several passes: other processes share the machine.

Posts are built from the real sentences in lang/ (ru, kk, ky, uk, en in turn). Terms are the
words of lang/lingua/single-words (ru, kk, uk, en, be in turn, four letters or more): real
words from another sample of the same corpora, so some match and most do not, as with a
watch-list. The "hits/post" column shows how many.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.analysis.analyzer import Analyzer
from bot.analysis.keywords import KeywordMatcher
from bot.analysis.language import is_short, make_detector
from bot.analysis.morphology import WORD
from bot.analysis.short_text import SHORT_LETTERS
from bot.config import KeywordGroup

FILES = {
    "ru": "lang/lingua/sentences/ru.txt",
    "kk": "lang/lingua/sentences/kk.txt",
    "ky": "lang/ud/ky.txt",
    "uk": "lang/lingua/sentences/uk.txt",
    "en": "lang/lingua/sentences/en.txt",
}
POST_CHARS = 2000
T = TypeVar("T")


def main() -> None:
    """Build posts and term lists, then time each stage."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--posts", type=int, default=500)
    parser.add_argument("--passes", type=int, default=5)
    args = parser.parse_args()
    texts = {
        lang: (args.data / path).read_text("utf-8").splitlines() for lang, path in FILES.items()
    }
    posts = _posts(texts, args.posts)
    singles = {
        lang: (args.data / f"lang/lingua/single-words/{lang}.txt").read_text("utf-8").splitlines()
        for lang in ("ru", "kk", "uk", "en", "be", "bg", "mn")
    }
    # The single-word lists hold about 7,000 terms; sentence words make up the rest.
    words = list(dict.fromkeys(_distinct_words(singles) + _distinct_words(texts)))
    print(f"{len(posts)} posts of {POST_CHARS} characters\n")
    rate_of = functools.partial(_rate, passes=args.passes)
    sentences = [line for lines in zip(*texts.values(), strict=False) for line in lines]
    print("| stage | terms | build s | posts/s best / median | hits/post |")
    print("|---|---|---|---|---|")
    for backend in ("auto", "langdetect"):
        detect = make_detector(backend)
        sample = posts if backend == "auto" else posts[:100]
        print(f"| language detection ({backend}) | - | - | {rate_of(detect, sample)} | - |")
    short = sentences[: args.posts * 4]
    detect = make_detector("auto")
    name = "language detection (auto), one sentence a post"
    print(f"| {name} | - | - | {rate_of(detect, short)} | - |")
    # Posts under SHORT_LETTERS letters take the short-text votes (most of a soak's posts,
    # many real ones): the real sentences that short.
    short_posts = [line for line in sentences if is_short(line)][: args.posts * 4]
    name = f"language detection (auto), short posts (< {SHORT_LETTERS} letters)"
    print(f"| {name} | - | - | {rate_of(detect, short_posts)} | - |")
    langs = [make_detector("auto")(post).lang for post in posts]
    for count in (10, 100, 1_000, 10_000):
        groups = _groups(words[:count])
        start = time.perf_counter()
        matcher = KeywordMatcher(groups)
        built = time.perf_counter() - start
        pairs = list(zip(posts, langs, strict=True))
        rate = rate_of(functools.partial(_match, matcher), pairs)
        hits = sum(len(matcher.match(*pair)) for pair in pairs) / len(pairs)
        terms = sum(len(g.terms) for g in groups.values())
        print(f"| keyword matching | {terms:,} | {built:.1f} | {rate} | {hits:.1f} |")
    analyzer = Analyzer(_groups(words[:1_000]))
    rate = rate_of(analyzer.analyse, posts)
    print(f"| analyse (detection + matching) | 1,000 | - | {rate} | - |")


def _match(matcher: KeywordMatcher, pair: tuple[str, str]) -> object:
    return matcher.match(*pair)


def _posts(texts: dict[str, list[str]], count: int) -> list[str]:
    posts = []
    cursors = dict.fromkeys(texts, 0)
    langs = list(texts)
    for n in range(count):
        lang = langs[n % len(langs)]
        lines, post = texts[lang], ""
        while len(post) < POST_CHARS:
            post += lines[cursors[lang] % len(lines)] + " "
            cursors[lang] += 1
        posts.append(post[:POST_CHARS])
    return posts


def _distinct_words(texts: dict[str, list[str]]) -> list[str]:
    seen: dict[str, None] = {}
    for lines in zip(*texts.values(), strict=False):
        for line in lines:
            for word in WORD.findall(line.lower()):
                if len(word) >= 4 and word.isalpha():
                    seen.setdefault(word)
    return list(seen)


def _groups(terms: list[str]) -> dict[str, KeywordGroup]:
    # Ten terms per group, as a watch-list is usually written.
    return {f"g{i // 10}": KeywordGroup(terms=terms[i : i + 10]) for i in range(0, len(terms), 10)}


def _rate(work: Callable[[T], object], items: list[T], passes: int) -> str:
    """Return "best / median" items per second over several passes."""
    rates = []
    for _ in range(passes):
        start = time.perf_counter()
        for item in items:
            work(item)
        rates.append(len(items) / (time.perf_counter() - start))
    return f"{max(rates):,.0f} / {statistics.median(rates):,.0f}"


if __name__ == "__main__":
    main()
