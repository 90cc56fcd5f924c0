"""Print language-detection accuracy and keyword recall/precision on the shared evaluation data.

    python bench/evaluate.py --data ../shared/data [--backends auto,langdetect,fasttext,cld2]

Language: every line of lang/... is one sentence in a known language; accuracy is measured on
whole sentences and on their first 50 characters, with a confusion matrix. Keywords: the
CoNLL-U treebanks in morph/ud give every word's gold lemma; the watch-list is the most frequent
NOUN/PROPN lemmas, and a (lemma, sentence) pair is a gold match when a word of the sentence
carries that lemma. The matcher is scored beside naive whole-word matching.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.analysis.keywords import KeywordMatcher
from bot.analysis.language import Detected, cld2_guess, make_detector, prepare
from bot.analysis.morphology import WORD
from bot.analysis.normalize import normalize
from bot.config import KeywordGroup

LANG_FILES = {
    **{lang: f"lang/lingua/sentences/{lang}.txt" for lang in ("ru", "kk", "en", "uk", "be")},
    "ky": "lang/ud/ky.txt",
    "uz": "lang/ud/uz_latn.txt",
    **{lang: f"lang/lingua/sentences/{lang}.txt" for lang in ("bg", "mn")},
    "tt": "lang/ud/tt.txt",
}
TARGETS: dict[str, tuple[int, int | None]] = {
    "ru": (99, 95),
    "kk": (99, 95),
    "en": (99, 95),
    "uk": (99, 95),
}
TARGETS |= {"ky": (97, None), "uz": (97, None), "be": (97, None)}
TREEBANKS = {
    "ru": "morph/ud/ru_taiga-ud-dev.conllu",
    "kk": "morph/ud/kk_ktb-ud-train.conllu",
    "ky": "morph/ud/ky_ktmu-ud-train.conllu",
}
WATCHLIST_SIZE = 200
WATCHLIST_MIN = 100
SNIPPET = 50


def main() -> None:
    """Parse arguments and print both reports."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="the shared data directory")
    parser.add_argument("--backends", default="auto,langdetect,fasttext,cld2")
    args = parser.parse_args()
    sentences = {
        lang: _lines(args.data / path)
        for lang, path in LANG_FILES.items()
        if (args.data / path).exists()
    }
    for backend in filter(None, args.backends.split(",")):
        detect = _detector(backend)
        language_report(backend, detect, sentences)
    keyword_report(args.data)


def _detector(backend: str) -> Callable[[str], Detected]:
    """Return a named backend, or one of the two components of "auto" on its own."""
    if backend == "cld2":
        return lambda text: _or_und(cld2_guess(prepare(text) or ""))
    if backend == "fasttext":
        from bot.analysis.language import _AutoDetector

        auto = _AutoDetector()
        return lambda text: (auto.fasttext_guesses(prepare(text) or "") or [_UND])[0]
    return make_detector(backend)


_UND = Detected("und", 0.0)


def _or_und(found: Detected | None) -> Detected:
    return found or _UND


def _lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def language_report(
    backend: str, detect: Callable[[str], Detected], sentences: dict[str, list[str]]
) -> None:
    """Print accuracy per language (sentences, 50 characters) and a confusion matrix."""
    print(f"\n## Language detection, backend {backend}\n")
    print("| lang | n | sentences % | first 50 chars % | target | met |")
    print("|---|---|---|---|---|---|")
    confusion: dict[str, Counter[str]] = {}
    for lang, lines in sentences.items():
        whole = Counter(detect(s).lang for s in lines)
        short = Counter(detect(s[:SNIPPET]).lang for s in lines)
        confusion[lang] = whole
        acc, acc50 = 100 * whole[lang] / len(lines), 100 * short[lang] / len(lines)
        target = TARGETS.get(lang)
        met = "-"
        if target:
            met = "yes" if acc >= target[0] and (target[1] is None or acc50 >= target[1]) else "NO"
        goal = "-" if not target else f"≥{target[0]}" + (f" / ≥{target[1]}" if target[1] else "")
        print(f"| {lang} | {len(lines)} | {acc:.1f} | {acc50:.1f} | {goal} | {met} |")
    columns = [*sentences, "other"]
    print("\nConfusion on whole sentences (rows: truth, columns: answer)\n")
    print("| truth | " + " | ".join(columns) + " |")
    print("|---" * (len(columns) + 1) + "|")
    for lang, counts in confusion.items():
        other = sum(n for answer, n in counts.items() if answer not in sentences)
        cells = [str(counts[c]) if c != "other" else str(other) for c in columns]
        print(f"| {lang} | " + " | ".join(cells) + " |")


def keyword_report(data: Path) -> None:
    """Print recall and precision of the matcher and of naive whole-word matching."""
    print("\n## Keyword matching on gold lemmas (pairs of watched lemma and sentence)\n")
    print("| lang | lemmas | sentences | gold pairs | matcher R | matcher P | naive R | naive P |")
    print("|---|---|---|---|---|---|---|---|")
    for lang, path in TREEBANKS.items():
        if not (data / path).exists():
            continue
        sentences = _conllu(data / path)
        watch = _watchlist(sentences)
        gold = {(lemma, i) for i, (_, lemmas) in enumerate(sentences) for lemma in lemmas & watch}
        matcher = KeywordMatcher({lemma: KeywordGroup(terms=[lemma]) for lemma in watch})
        found = {
            (hit.group, i)
            for i, (text, _) in enumerate(sentences)
            for hit in matcher.match(text, lang)
        }
        naive = {
            (lemma, i)
            for i, (text, _) in enumerate(sentences)
            for lemma in set(WORD.findall(normalize(text))) & watch
        }
        row = [lang, len(watch), len(sentences), len(gold)]
        for predicted in (found, naive):
            hits = len(predicted & gold)
            row += [f"{hits / len(gold):.3f}", f"{hits / max(1, len(predicted)):.3f}"]
        print("| " + " | ".join(map(str, row)) + " |")


def _conllu(path: Path) -> list[tuple[str, set[str]]]:
    """Return each sentence's text with the normalised lemmas of its words."""
    sentences: list[tuple[str, set[str]]] = []
    text, lemmas = "", set[str]()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# text = "):
            text, lemmas = line[len("# text = ") :], set()
        elif not line.strip():
            if text:
                sentences.append((text, lemmas))
            text = ""
        elif not line.startswith("#"):
            cols = line.split("\t")
            if cols[0].isdigit():
                lemmas.add(normalize(cols[2]))
                lemmas.add(f"\t{cols[3]}\t{normalize(cols[2])}")
    if text:
        sentences.append((text, lemmas))
    return sentences


def _watchlist(sentences: list[tuple[str, set[str]]]) -> set[str]:
    """Return the most frequent NOUN/PROPN lemmas of three letters or more.

    A treebank too small for WATCHLIST_MIN of them (kk has 31 sentences) adds ADJ, then VERB.
    """
    watch: list[str] = []
    for tags in (("NOUN", "PROPN"), ("ADJ",), ("VERB",)):
        counts: Counter[str] = Counter()
        for _, lemmas in sentences:
            for item in lemmas:
                _, tag, lemma = item.split("\t") if item.startswith("\t") else ("", "", "")
                if tag in tags and len(lemma) >= 3 and WORD.fullmatch(lemma):
                    counts[lemma] += 1
        ranked = [lemma for lemma in sorted(counts, key=lambda x: (-counts[x], x))]
        watch += [lemma for lemma in ranked if lemma not in watch]
        if len(watch) >= WATCHLIST_MIN:
            break
    return set(watch[:WATCHLIST_SIZE])


if __name__ == "__main__":
    main()
