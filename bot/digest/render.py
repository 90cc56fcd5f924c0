"""Render a digest's pieces as Telethon HTML, tracking what Telegram will count.

Only ``<b>``, ``<i>`` and ``<a href>`` are emitted, and every piece of user data (post text,
channel titles, terms, group names) is escaped, so markup in a post comes out literally.
Each piece carries its visible length in UTF-16 units and its entity count, measured from
the plain text we escaped, which is exactly what Telethon's parser gives back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from bot.digest.model import ChannelBlock, Digest, DigestItem, DigestSection
from bot.digest.text import clip, shrink_to_units, utf16_len

#: Shown copies per item; a viral post forwarded to 40 channels would drown the digest.
MAX_COPIES = 5
MAX_TERMS = 10
_TERMS_CHARS = 160
_COPY_TITLE_CHARS = 48
_NAME_CHARS = 64
_TITLE_CHARS = 128
OTHER_POSTS = "Other posts"
#: Groups named in the "…and N more" line; the rest are summed as "+k groups".
MORE_GROUPS = 5
#: Where a reader finds the items a capped digest left out.
MORE_HINT = "find them with /search or /latest in the bot, or tgmon search"


@dataclass(frozen=True, slots=True)
class Chunk:
    """A piece of HTML with its parsed length (UTF-16 units) and entity count."""

    html: str
    length: int
    entities: int


@dataclass(slots=True)
class HtmlBuilder:
    """Append escaped text and the three tags we use, counting as Telegram will."""

    parts: list[str] = field(default_factory=list)
    length: int = 0
    entities: int = 0

    def text(self, value: str) -> HtmlBuilder:
        self.parts.append(escape(value, quote=False))
        self.length += utf16_len(value)
        return self

    def bold(self, value: str) -> HtmlBuilder:
        return self._tagged("b", value)

    def italic(self, value: str) -> HtmlBuilder:
        return self._tagged("i", value)

    def strike(self, value: str) -> HtmlBuilder:
        return self._tagged("s", value)

    def link(self, url: str, label: str) -> HtmlBuilder:
        return self._entity(f'<a href="{escape(url, quote=True)}">', "</a>", label)

    def chunk(self) -> Chunk:
        return Chunk("".join(self.parts), self.length, self.entities)

    def _tagged(self, tag: str, value: str) -> HtmlBuilder:
        return self._entity(f"<{tag}>", f"</{tag}>", value)

    def _entity(self, opening: str, closing: str, visible: str) -> HtmlBuilder:
        # One formatting entity: only its visible text counts towards Telegram's limit.
        if not visible:
            return self
        self.parts.append(f"{opening}{escape(visible, quote=False)}{closing}")
        self.length += utf16_len(visible)
        self.entities += 1
        return self


def local_time(moment: datetime, tz: ZoneInfo, *, with_date: bool) -> str:
    """Format an aware moment in ``tz``; naive moments are taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    local = moment.astimezone(tz)
    return local.strftime("%d.%m %H:%M" if with_date else "%H:%M")


def spans_days(digest: Digest) -> bool:
    """Say whether the window crosses a local midnight, so item times need a date."""
    start = local_time(digest.window_start, digest.tz, with_date=True)[:5]
    end = local_time(digest.window_end, digest.tz, with_date=True)[:5]
    return start != end


def part_header(title: str, number: int, total: int) -> Chunk:
    """Render the first line of a part: the title, and "(2/3)" when there are several."""
    out = HtmlBuilder().bold(clip(title, _TITLE_CHARS))
    if total > 1:
        out.text(f" ({number}/{total})")
    return out.text("\n").chunk()


def intro(digest: Digest) -> Chunk:
    """Render the window and the totals, shown once at the top of the first part."""
    tz = digest.tz
    window = (f"{local_time(digest.window_start, tz, with_date=True)} – "
              f"{local_time(digest.window_end, tz, with_date=True)} ({tz.key})")
    channels = len(digest.channel_counts) + digest.hidden_channels
    total = digest.total_items
    items = (_plural(total, "item") if not digest.omitted
             else f"{digest.item_count:,} of {_plural(total, 'item')} shown")
    summary = f"{items} from {_plural(channels, 'channel')}"
    if digest.post_count != total:
        summary += f" ({_plural(digest.post_count, 'post')} before folding albums and copies)"
    return HtmlBuilder().italic(window).text("\n" + summary + "\n").chunk()


def nothing_new() -> Chunk:
    """Render the body of an empty digest whose config asks for a notice."""
    return HtmlBuilder().text("\nNothing new.").chunk()


def section_header(section: DigestSection, *, continued: bool) -> Chunk:
    """Render a keyword group's heading, with its item count ("3 of 40 items" when capped)."""
    out = HtmlBuilder().text("\n").bold(f"▌ {_section_name(section)}")
    count = _plural(section.total, "item")
    if section.omitted:
        count = f"{section.count:,} of {count}"
    out.text(" (continued)\n" if continued else f" · {count}\n")
    return out.chunk()


def channel_header(block: ChannelBlock, *, continued: bool) -> Chunk:
    """Render a channel's heading inside a section, with its item count ("3 of 7" if capped)."""
    out = HtmlBuilder().bold(clip(block.title, _TITLE_CHARS))
    count = f"{block.count:,} of {block.total:,}" if block.omitted else f"{block.count:,}"
    out.text(" (continued)\n" if continued else f" · {count}\n")
    return out.chunk()


def more_line(digest: Digest) -> Chunk | None:
    """Render what the cap left out, per section, and where to find it; None if nothing was."""
    if not digest.omitted:
        return None
    cut = [s for s in digest.sections if s.omitted]
    named = [f"{s.omitted:,} in #{clip(s.group, _NAME_CHARS)}" if s.group is not None
             else f"{s.omitted:,} other" for s in cut[:MORE_GROUPS]]
    rest = cut[MORE_GROUPS:]
    if rest:
        named.append(f"{sum(s.omitted for s in rest):,} elsewhere")
    # A flat digest has one unnamed section: its breakdown would only repeat the total.
    breakdown = f" ({', '.join(named)})" if any(s.headed for s in cut) else ""
    text = f"…and {_plural(digest.omitted, 'more item')}{breakdown}"
    return HtmlBuilder().text("\n").italic(text).text(f" — {MORE_HINT}.\n").chunk()


def _section_name(section: DigestSection) -> str:
    return OTHER_POSTS if section.group is None else f"#{clip(section.group, _NAME_CHARS)}"


def item_chunk(item: DigestItem, *, tz: ZoneInfo, with_date: bool,
               max_length: int | None = None) -> Chunk:
    """Render one item; past ``max_length`` units, shorten its snippet until it fits."""
    chunk = _item(item, item.snippet, tz=tz, with_date=with_date)
    if max_length is not None and chunk.length > max_length:
        excess = chunk.length - max_length
        snippet = shrink_to_units(item.snippet, max(utf16_len(item.snippet) - excess, 0))
        chunk = _item(item, snippet, tz=tz, with_date=with_date)
    return chunk


def _item(item: DigestItem, snippet: str, *, tz: ZoneInfo, with_date: bool) -> Chunk:
    out = HtmlBuilder().text("• ")
    if item.deleted:
        out.bold("🗑 deleted").text(" · ")
    out.text(local_time(item.date, tz, with_date=with_date))
    if item.lang and item.lang != "und":
        out.text(f" · {clip(item.lang, 8)}")
    if item.terms:
        shown = ", ".join(item.terms[:MAX_TERMS])
        more = len(item.terms) - MAX_TERMS
        out.text(" · ").italic(clip(shown, _TERMS_CHARS) + (f" +{more}" if more > 0 else ""))
    if item.other_groups:
        out.text(f" · also #{clip(', #'.join(item.other_groups), _NAME_CHARS)}")
    if item.edited:
        out.text(" · ✏️ edited")
    media = _media(item)
    if media:
        out.text(f" · {media}")
    if snippet:
        out.text("\n" + snippet)
    out.text("\n").link(item.link, item.link.removeprefix("https://"))
    if item.also_in:
        out.text(" · also in: ")
        for index, copy in enumerate(item.also_in[:MAX_COPIES]):
            out.text(", " if index else "").link(copy.link, clip(copy.channel_title,
                                                                 _COPY_TITLE_CHARS))
        hidden = len(item.also_in) - MAX_COPIES
        if hidden > 0:
            out.text(f" +{hidden} more")
    return out.text("\n\n").chunk()


def _media(item: DigestItem) -> str:
    kinds = clip(", ".join(item.media), 40)
    if item.album_size > 1:
        return f"album of {item.album_size}" + (f": {kinds}" if kinds else "")
    return f"[{kinds}]" if kinds else ""


def _plural(count: int, noun: str) -> str:
    # Thousands separated: "100 of 11,877 items" reads at a glance, "11877" does not.
    return f"{count} {noun}" if count == 1 else f"{count:,} {noun}s"
