"""Format the bot's replies as Telethon HTML. Names of channels and groups are user data:
every one is escaped, and long lists are cut so that a reply stays one message."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.commands.parse import help_text
from bot.digest.build import build_digest
from bot.digest.render import HtmlBuilder, local_time
from bot.digest.split import render_digest
from bot.digest.text import clean, clip
from bot.domain import Channel, StoredPost

#: Room for one list in a reply, in UTF-16 units; the rest of a reply is short and fixed.
_LIST_BUDGET = 1500


def format_help() -> str:
    """Return the command list."""
    return help_text()


def format_start(channels: Sequence[Channel], groups: Sequence[str], *,
                 can_subscribe: bool) -> str:
    """Say what is watched, which groups exist, and how (or whether) to subscribe.

    A stranger learns nothing about what is watched: the lists are for those who may use them.
    """
    out = HtmlBuilder().bold("tgmon").text(" watches Telegram channels and sends digests of "
                                           "posts that match keyword groups.\n\n")
    if not can_subscribe:
        out.text(format_not_allowed_text() + " /help lists what you can do.")
        return out.chunk().html
    out.bold(f"Channels ({len(channels)})").text("\n")
    _listing(out, [_channel_name(c) for c in channels], empty="none yet")
    out.text("\n\n").bold(f"Keyword groups ({len(groups)})").text("\n")
    _listing(out, list(groups), empty="none: digests list every post")
    out.text("\n\n")
    out.text("/subscribe to get every group, or /subscribe " +
             (groups[0] if groups else "group") + " for one. /help lists all commands.")
    return out.chunk().html


def format_not_allowed() -> str:
    """Politely refuse a user who may not subscribe."""
    return HtmlBuilder().text(format_not_allowed_text()).chunk().html


def format_not_allowed_text() -> str:
    """Return the refusal as plain text, for use inside other replies."""
    return ("Subscriptions on this bot are limited to its admins and invited users. "
            "If you need digests, ask the person who runs it to add your user id.")


def format_subscribed(groups: Sequence[str]) -> str:
    """Confirm a subscription; no groups means every group."""
    out = HtmlBuilder().text("Subscribed to ")
    _groups_phrase(out, groups)
    out.text(". Digests arrive on schedule; /digest sends one now.")
    return out.chunk().html


def format_unsubscribed(groups: Sequence[str], *, remaining: Sequence[str] | None) -> str:
    """Confirm an unsubscription and say what is left (None: nothing)."""
    out = HtmlBuilder().text("Unsubscribed from ")
    _groups_phrase(out, groups)
    out.text(". ")
    if remaining is None:
        out.text("This chat gets no digests now; /subscribe to start again.")
    else:
        out.text("Still subscribed to ")
        _groups_phrase(out, remaining)
        out.text(".")
    return out.chunk().html


def format_subscriptions(groups: Sequence[str] | None, *, tz: ZoneInfo,
                         last_digest: datetime | None = None,
                         next_digest: datetime | None = None) -> str:
    """Describe a chat's subscription; ``groups`` None = none, empty = every group."""
    if groups is None:
        return HtmlBuilder().text("This chat has no subscriptions. /subscribe to get digests."
                                  ).chunk().html
    out = HtmlBuilder().bold("Subscribed to").text(" ")
    _groups_phrase(out, groups)
    out.text(".")
    if last_digest is not None:
        out.text(f"\nLast digest: {_when(last_digest, tz)}")
    if next_digest is not None:
        out.text(f"\nNext digest: {_when(next_digest, tz)}")
    return out.chunk().html


def format_search_results(posts: Sequence[StoredPost], *, query: str, tz: ZoneInfo) -> list[str]:
    """Render search hits as digest items by channel; one message saying so when none."""
    title = f"Search: {clip(clean(query), 64)}"
    if not posts:
        return [HtmlBuilder().bold(title).text("\nNothing matches.").chunk().html]
    return _post_list(posts, title=title, tz=tz)


def format_latest(posts: Sequence[StoredPost], *, channel: str | None, tz: ZoneInfo) -> list[str]:
    """Render the newest posts, of one channel or of all."""
    title = f"Latest in {clip(clean(channel), 64)}" if channel else "Latest posts"
    if not posts:
        return [HtmlBuilder().bold(title).text("\nNo posts stored yet.").chunk().html]
    return _post_list(posts, title=title, tz=tz)


def _post_list(posts: Sequence[StoredPost], *, title: str, tz: ZoneInfo) -> list[str]:
    dates = [p.date for p in posts]
    digest = build_digest(posts, title=title, window_start=min(dates),
                          window_end=max(dates) + timedelta(seconds=1), tz=tz, groups=None,
                          empty="skip", by_group=False)
    return render_digest(digest, show_intro=False)


def _channel_name(channel: Channel) -> str:
    title = clip(clean(channel.title), 64) or str(channel.id)
    return f"{title} (@{channel.username})" if channel.username else title


def _listing(out: HtmlBuilder, names: list[str], *, empty: str) -> None:
    if not names:
        out.italic(empty)
        return
    start = out.length
    for index, name in enumerate(names):
        if out.length - start > _LIST_BUDGET:
            out.text(f" … and {len(names) - index} more")
            return
        out.text(("; " if index else "") + clip(clean(name), 64))


def _groups_phrase(out: HtmlBuilder, groups: Sequence[str]) -> None:
    if not groups:
        out.bold("every keyword group")
        return
    for index, name in enumerate(groups[:30]):
        out.text(", " if index else "").bold(clip(name, 48))
    if len(groups) > 30:
        out.text(f" and {len(groups) - 30} more")


def _when(moment: datetime, tz: ZoneInfo) -> str:
    return f"{local_time(moment, tz, with_date=True)} ({tz.key})"
