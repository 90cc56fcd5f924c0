"""Draw daily mentions per channel as a PNG that stays readable on a phone.

matplotlib is imported here, inside the function, so that no other command pays for it, and
with the Agg backend, which draws into memory without a display. Drawing takes a few hundred
milliseconds: callers in the event loop run it in a thread (``asyncio.to_thread``).
"""

from __future__ import annotations

import io
import unicodedata
import warnings
from collections.abc import Mapping, Sequence
from datetime import date

#: 1200×800 pixels: Telegram shows photos up to 1280 px wide, and a phone gets it whole.
WIDTH_PX, HEIGHT_PX, DPI = 1200, 800, 100
#: Lines drawn at most; the quieter channels are summed into one "other" line.
MAX_LINES = 7
_LABEL_CHARS = 32


def render_trend(title: str, days: Sequence[date], series: Mapping[str, Sequence[int]]) -> bytes:
    """Return a PNG with one line per series (channel) over ``days``."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    # Titles and terms are text, never TeX: a channel titled "$x^{$" made the drawing
    # raise (mathtext), and "$x$" came out in math italics.
    matplotlib.rcParams["text.parse_math"] = False
    from matplotlib.figure import Figure

    lines = _top_lines(series)
    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    axes = figure.add_subplot()
    # DejaVu Sans ships with matplotlib and covers Cyrillic; 16 pt is legible at phone size.
    figure.set_facecolor("white")
    for label, counts in lines.items():
        axes.plot(list(days), list(counts),  # type: ignore[arg-type]  # dates are fine marker="o" if len(days) <= 31 else None,
                  linewidth=2.5, label=_printable(label))
    axes.set_title(_printable(title), fontsize=20, fontfamily="DejaVu Sans")
    axes.set_ylabel("posts a day", fontsize=15)
    axes.tick_params(labelsize=13)
    axes.grid(alpha=0.3)
    axes.set_ylim(bottom=0)
    figure.autofmt_xdate()
    if lines:
        axes.legend(fontsize=13, loc="upper left", framealpha=0.85)
    if not any(any(c) for c in lines.values()):
        axes.text(0.5, 0.5, "no mentions", transform=axes.transAxes, ha="center",
                  fontsize=20, color="grey")
    buffer = io.BytesIO()
    with warnings.catch_warnings():  # a glyph missing from the font is drawn as a box
        warnings.simplefilter("ignore")
        figure.savefig(buffer, format="png", dpi=DPI)
    return _without_alpha(buffer)


def _without_alpha(buffer: io.BytesIO) -> bytes:
    # An RGBA image is re-encoded as JPEG by Telethon before upload; an RGB one is sent as
    # drawn (and is a third smaller).
    from PIL import Image

    buffer.seek(0)
    out = io.BytesIO()
    Image.open(buffer).convert("RGB").save(out, format="PNG", optimize=False)
    return out.getvalue()


def _top_lines(series: Mapping[str, Sequence[int]]) -> dict[str, Sequence[int]]:
    ranked = sorted(series.items(), key=lambda kv: (-sum(kv[1]), kv[0]))
    if len(ranked) <= MAX_LINES:
        return dict(ranked)
    kept = dict(ranked[: MAX_LINES - 1])
    rest = [counts for _, counts in ranked[MAX_LINES - 1:]]
    kept[f"{len(rest)} other channels"] = [sum(day) for day in zip(*rest, strict=True)]
    return kept


def _printable(text: str) -> str:
    # Emoji and other symbols are not in DejaVu Sans; leave them out rather than draw boxes.
    kept = "".join(ch for ch in text if ord(ch) < 0x10000 and unicodedata.category(ch) != "So"
                   and ch.isprintable())
    kept = " ".join(kept.split()) or "?"
    kept = kept if len(kept) <= _LABEL_CHARS else kept[: _LABEL_CHARS - 1] + "…"
    # matplotlib leaves a label that starts with "_" out of the legend: "_news" was missing.
    return "\N{NO-BREAK SPACE}" + kept if kept.startswith("_") else kept
