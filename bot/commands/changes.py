"""/edits and /deleted [@channel] [since]: the newest edited or deleted posts, with what
changed (the last edit, word by word) or when the deletion was noticed."""

from __future__ import annotations

from datetime import datetime

from bot.analysis.word_diff import changed_only, word_diff
from bot.commands.args import is_number
from bot.commands.context import Context
from bot.commands.post import write_diff
from bot.commands.reply import MESSAGE_UNITS, Reply, text_reply
from bot.commands.router import CommandSpec
from bot.commands.when import looks_like_when, parse_when
from bot.digest.render import HtmlBuilder, local_time
from bot.digest.text import clean, clip, cut_snippet
from bot.errors import UsageError
from bot.store.values import PostQuery

LIMIT = 10
_BUDGET = MESSAGE_UNITS - 500


async def changes_query(ctx: Context, rest: str, *, deleted: bool) -> tuple[PostQuery, str]:
    """Read ``[@channel] [since]``: a last word that reads as a date or age is the start."""
    words = rest.split()
    since = None
    if words:
        # "since:7d", as /search writes it, is the same start as a bare "7d".
        last = words[-1]
        marked = last[:6].lower() == "since:"
        try:
            since = parse_when(last[6:] if marked else last, "since", tz=ctx.tz, now=ctx.now)
            words.pop()
        except UsageError:
            # A wrong date or age is reported as one, not looked up as a channel's name.
            if marked or looks_like_when(last) or (len(words) == 1 and is_number(last[:1])):
                raise
    ref = " ".join(words)
    channel = await ctx.queries.resolve_channel(ref) if ref else None
    title = ("Deleted posts" if deleted else "Edited posts") + (
        f" in {channel.title or ref}" if channel else "")
    if since is not None:
        title += f" since {local_time(since, ctx.tz, with_date=True)}"
    query = PostQuery(channel_id=channel.id if channel else None, since=since,
                      deleted=True if deleted else None, edited=None if deleted else True)
    return query, title


async def run_edits(ctx: Context, rest: str) -> list[Reply]:
    return [await _listing(ctx, rest, deleted=False)]


async def run_deleted(ctx: Context, rest: str) -> list[Reply]:
    return [await _listing(ctx, rest, deleted=True)]


async def _listing(ctx: Context, rest: str, *, deleted: bool) -> Reply:
    query, title = await changes_query(ctx, rest, deleted=deleted)
    page = await ctx.queries.latest(query, limit=LIMIT)
    pids = [f.pid for f in page.items]
    gone = await ctx.queries.deletion_times(pids) if deleted else {}
    versions = {} if deleted else await ctx.queries.versions_of(pids)
    out = HtmlBuilder().bold(clip(clean(title), 100))
    if not page.items:
        return text_reply(out.text("\nNone stored."))
    for found in page.items:
        post = found.post
        piece = _item_head(post.channel_title, post.link, post.date, ctx)
        when = gone.get(found.pid)
        if when is not None:
            piece.text(f"deleted · noticed {local_time(when, ctx.tz, with_date=True)}\n")
        texts = versions.get(found.pid, [])
        if len(texts) >= 2:
            last = texts[-1]
            piece.text(f"edit {len(texts) - 1} · {local_time(last.at, ctx.tz, with_date=True)}\n")
            write_diff(piece, changed_only(word_diff(texts[-2].text, last.text), context=4),
                       clip_at=160)
        elif deleted:
            piece.text(cut_snippet(post.text, limit=240)
                       or f"({', '.join(post.media) or 'no text'})")
        piece.text("\n")
        if not _fits(out, piece):
            break
    return text_reply(out)


def _item_head(title: str, link: str, date: datetime, ctx: Context) -> HtmlBuilder:
    out = HtmlBuilder().text("\n").bold(clip(clean(title), 48) or "?")
    out.text(f" · {local_time(date, ctx.tz, with_date=True)} · ")
    return out.link(link, link.removeprefix("https://")).text("\n")


def _fits(out: HtmlBuilder, piece: HtmlBuilder) -> bool:
    if out.length + piece.length > _BUDGET:
        out.text("\n…")
        return False
    out.parts.append(piece.chunk().html)
    out.length += piece.length
    return True


SPECS = (
    CommandSpec("edits", "/edits [@channel] [since]", "the newest edited posts and what changed",
                run_edits),
    CommandSpec("deleted", "/deleted [@channel] [since]", "the newest deleted posts",
                run_deleted),
)
