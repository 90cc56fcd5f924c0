"""Render a page of posts as one message: numbered, with channel, local time, language,
marks, the snippet (matches bold) and the link; and the "more" button."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot.analysis.snippet import snippet
from bot.commands.reply import MESSAGE_UNITS, Button, Reply, text_reply
from bot.digest.render import HtmlBuilder, local_time
from bot.digest.text import clean, clip
from bot.store.values import Found

#: Room left for the header and the last item: a page never reaches Telegram's limit.
_BUDGET = MESSAGE_UNITS - 600


def render_page(title: str, items: Sequence[Found], *, first: int, total: str,
                tz: ZoneInfo, more_token: str | None) -> tuple[Reply, int]:
    """Render ``items`` numbered from ``first``; return the reply and how many fitted."""
    out = HtmlBuilder().bold(clip(clean(title), 80))
    if not items:
        return text_reply(out.text("\nNothing matches.")), 0
    shown = 0
    body = HtmlBuilder()
    for index, found in enumerate(items):
        piece = _item(found, first + index, tz)
        if body.length + piece.length > _BUDGET and shown:
            break
        body.parts.append(piece.chunk().html)
        body.length += piece.length
        shown += 1
    last = first + shown - 1
    out.text(f" — {first}–{last} of {total}\n" if shown > 1 else f" — {first} of {total}\n")
    out.parts.append(body.chunk().html)
    out.length += body.length
    buttons = (Button("More ▸", f"more:{more_token}"),) if more_token else ()
    if more_token:
        out.text("/more for the next page")
    return text_reply(out, buttons=buttons), shown


def _item(found: Found, number: int, tz: ZoneInfo) -> HtmlBuilder:
    post = found.post
    out = HtmlBuilder().text(f"\n{number}. ").bold(clip(clean(post.channel_title), 48) or "?")
    marks = [local_time(post.date, tz, with_date=True), post.lang]
    if post.edit_count:
        marks.append(f"edited ×{post.edit_count}")
    if post.deleted:
        marks.append("deleted")
    out.text(" · " + " · ".join(marks) + "\n")
    segments = found.snippet or snippet(post.text, frozenset())
    if not segments:
        out.italic(f"({', '.join(post.media) or 'no text'})")
    for segment in segments:
        if segment.match:
            out.bold(segment.text)
        else:
            out.text(segment.text)
    out.text("\n").link(post.link, post.link.removeprefix("https://")).text("\n")
    return out
