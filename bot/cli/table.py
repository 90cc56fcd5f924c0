"""Terminal tables that line up with emoji and CJK titles: width as a terminal draws it."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence


def display_width(text: str) -> int:
    """Columns ``text`` takes: wide (CJK, most emoji) count 2, marks and joiners 0."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch) or ch in "\u200b\u200c\u200d\ufe0e\ufe0f":
            continue
        if unicodedata.category(ch) in ("Cc", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def fit(text: str, columns: int) -> str:
    """Cut ``text`` to at most ``columns`` terminal columns, marking a cut with "…"."""
    if display_width(text) <= columns:
        return text
    out, used = [], 0
    for ch in text:
        w = display_width(ch)
        if used + w > columns - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def table(rows: Sequence[Sequence[str]], *, right: Sequence[bool] = ()) -> list[str]:
    """Lay ``rows`` out in columns; ``right[i]`` right-aligns column i (numbers)."""
    if not rows:
        return []
    widths = [max(display_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            pad = " " * (widths[i] - display_width(cell))
            cells.append(pad + cell if i < len(right) and right[i] else cell + pad)
        lines.append("  ".join(cells).rstrip())
    return lines
