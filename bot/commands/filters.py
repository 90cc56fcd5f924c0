"""Turn a command's filters (channel:, lang:, group:, since:, until:, edited:, deleted:) into
a PostQuery, resolving the channel to its id and checking every value first."""

from __future__ import annotations

import difflib
from collections.abc import Collection

from bot.analysis.lang_codes import lang_code, lang_suggestions
from bot.commands.args import Args, yes_no
from bot.commands.context import Context
from bot.commands.when import parse_when
from bot.errors import UsageError
from bot.store.post_filters import PostQuery

FILTER_KEYS = ("channel", "lang", "group", "since", "until", "edited", "deleted")


async def build_query(ctx: Context, args: Args, **fixed: bool) -> PostQuery:
    """The PostQuery for ``args``; ``fixed`` sets edited/deleted for /edits and /deleted."""
    f = args.filters
    channel_id = (await ctx.queries.resolve_channel(f["channel"])).id if "channel" in f else None
    since = parse_when(f["since"], "since:", tz=ctx.tz, now=ctx.now) if "since" in f else None
    until = parse_when(f["until"], "until:", tz=ctx.tz, now=ctx.now) if "until" in f else None
    if since and until and since >= until:
        raise UsageError("since: must be before until:")
    return PostQuery(
        channel_id=channel_id,
        lang=check_lang(f["lang"]) if "lang" in f else None,
        group=check_group(f["group"], ctx.config.keywords) if "group" in f else None,
        since=since, until=until,
        edited=fixed.get("edited", yes_no(f["edited"], "edited") if "edited" in f else None),
        deleted=fixed.get("deleted",
                          yes_no(f["deleted"], "deleted") if "deleted" in f else None),
    )


def check_lang(text: str) -> str:
    """The language code ``text`` names, or UsageError with the nearest codes."""
    code = lang_code(text)
    if code is not None:
        return code
    close = lang_suggestions(text)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise UsageError(f"unknown language {text[:24]!r}{hint} (use a code such as ru, kk, en)")


def check_group(text: str, groups: Collection[str], *, listed_by: str = "/keywords") -> str:
    """The configured keyword group ``text`` names (any case), or UsageError.

    ``listed_by`` says where the asker sees the groups: a bot command, or the config file.
    """
    by_key = {g.casefold(): g for g in groups}
    found = by_key.get(text.lstrip("#").casefold())
    if found is not None:
        return found
    if not by_key:
        raise UsageError("no keyword groups are configured")
    close = difflib.get_close_matches(text.casefold(), list(by_key), n=1)
    hint = f"; did you mean {by_key[close[0]]}?" if close else ""
    raise UsageError(f"there is no keyword group {text[:48]!r}{hint} ({listed_by} lists them)")
