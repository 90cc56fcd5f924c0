"""/post <t.me link | @channel id>: a post with every version, what each edit changed, the
deletion mark, counters, where it was forwarded from and the keyword groups it matched.

This is how an analyst proves what a channel said before it edited or deleted it, so when the
whole record does not fit one message it also comes as a text file, complete.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.analysis.word_diff import Change, changed_only, word_diff
from bot.commands.args import is_number
from bot.commands.context import Context
from bot.commands.reply import MESSAGE_UNITS, Reply, text_reply
from bot.commands.router import CommandSpec
from bot.digest.render import HtmlBuilder, local_time
from bot.digest.text import clean, clip, cut_snippet
from bot.domain import bare_channel_id
from bot.errors import UsageError
from bot.store.channel_lookup import split_post_link
from bot.store.values import PostHistory

USAGE = "/post https://t.me/name/123 | /post @name 123"
_BUDGET = MESSAGE_UNITS - 400
_TEXT_CHARS = 700


async def run_post(ctx: Context, rest: str) -> list[Reply]:
    words = rest.split()
    if not words:
        raise UsageError("name a post by its link or by channel and id")
    ref = split_post_link(words[0])
    msg_id = ref.msg_id
    if msg_id is None:
        if len(words) < 2 or not is_number(words[-1]) or len(words[-1]) > 10:
            raise UsageError("give the post id after the channel, or a post link")
        msg_id = int(words[-1])
        ref_text = " ".join(words[:-1])
    else:
        ref_text = ref.channel
    channel = await ctx.queries.resolve_channel(ref_text)
    found = await ctx.queries.post_history(channel.id, msg_id) if 0 < msg_id < 2**31 else None
    if found is None:
        raise UsageError(f"post {msg_id} of {channel.title or channel.id} is not in the archive")
    return render_post(found, ctx.tz)


def render_post(found: PostHistory, tz: ZoneInfo) -> list[Reply]:
    """The record as a message, and as a file too when it does not fit."""
    out = _header(found, tz)
    complete = True
    previous: str | None = None
    for version in found.versions:
        label = "original" if version.number == 1 else f"edit {version.number - 1}"
        when = local_time(version.at, tz, with_date=True)
        piece = HtmlBuilder().text("\n").bold(f"{label} · {when}")
        piece.text("\n")
        if previous is None:
            piece.text(cut_snippet(version.text, limit=_TEXT_CHARS) or "(no text)")
        else:
            write_diff(piece, changed_only(word_diff(previous, version.text)))
        previous = version.text
        if out.length + piece.length > _BUDGET:
            complete = False
            out.text(f"\n… {len(found.versions) - version.number + 1} more versions in the file")
            break
        out.parts.append(piece.chunk().html)
        out.length += piece.length
    if found.deleted_at is not None:
        out.text("\n").bold(f"deleted · noticed {local_time(found.deleted_at, tz, with_date=True)}")
    replies = [text_reply(out)]
    if not complete:
        name = f"post-{bare_channel_id(found.post.channel_id)}-{found.post.msg_id}.txt"
        replies.append(Reply(*_caption(found), document=history_text(found, tz).encode(),
                             filename=name))
    return replies


def history_text(found: PostHistory, tz: ZoneInfo) -> str:
    """Every version in full, and the deletion, as plain text."""
    lines = [f"{found.post.channel_title} {found.post.link}"]
    for version in found.versions:
        label = "original" if version.number == 1 else f"edit {version.number - 1}"
        lines += [f"--- {label}, {version.at.astimezone(tz):%Y-%m-%d %H:%M} {tz.key}",
                  version.text or "(no text)"]
    if found.deleted_at is not None:
        lines.append(f"--- deleted, noticed {found.deleted_at.astimezone(tz):%Y-%m-%d %H:%M}")
    return "\n".join(lines) + "\n"


def _header(found: PostHistory, tz: ZoneInfo) -> HtmlBuilder:
    post = found.post
    out = HtmlBuilder().bold(clip(clean(post.channel_title), 64) or str(post.channel_id))
    out.text(" · ").link(post.link, post.link.removeprefix("https://")).text("\n")
    facts = [local_time(post.date, tz, with_date=True) + f" ({tz.key})", post.lang]
    if post.views is not None:
        facts.append(f"{post.views:,} views")
    if found.forwards is not None:
        facts.append(f"{found.forwards:,} forwards")
    out.text(" · ".join(facts))
    if post.fwd_from_id or found.fwd_from_name:
        source = found.fwd_from_name or f"t.me/c/{bare_channel_id(post.fwd_from_id or 0)}"
        if post.fwd_from_msg and not found.fwd_from_name:
            source += f"/{post.fwd_from_msg}"
        out.text("\nforwarded from " + clip(clean(source), 64))
    if post.groups:
        out.text("\nkeyword groups: " + clip(", ".join(post.groups), 200))
    if post.media:
        out.text("\nmedia: " + ", ".join(sorted(set(post.media))))
    versions = len(found.versions)
    out.text(f"\n{versions} version{'' if versions == 1 else 's'}\n")
    return out


def write_diff(out: HtmlBuilder, changes: list[Change], *, clip_at: int = 400) -> None:
    """Removed words struck through, added ones bold, shared ones plain."""
    if not changes:
        out.italic("(same text)")
    for index, change in enumerate(changes):
        text = clip(change.text, clip_at)
        if index and change.kind == "added" and changes[index - 1].kind == "removed":
            out.text(" ")  # "old new", not "oldnew"
        if change.kind == "removed":
            out.strike(text)
        elif change.kind == "added":
            out.bold(text)
        else:
            out.text(text)


def _caption(found: PostHistory) -> tuple[str, int]:
    chunk = HtmlBuilder().text(f"Every version of post {found.post.msg_id}, in full").chunk()
    return chunk.html, chunk.length


SPECS = (CommandSpec("post", USAGE, "a post with every version and what changed", run_post),)
