"""Turn a command's filters (channel:, lang:, group:, since:, until:, edited:, deleted:) into
a PostQuery, resolving the channel to its id and checking every value first."""

from __future__ import annotations

import difflib
from collections.abc import Collection

from bot.analysis.lang_codes import lang_code, lang_suggestions
from bot.commands.args import Args, yes_no
from bot.commands.context import Context
from bot.commands.when import parse_window
from bot.errors import UsageError
from bot.store.ports import PostQueries
from bot.store.values import PostQuery

FILTER_KEYS = ("channel", "lang", "group", "since", "until", "edited", "deleted")


async def build_query(ctx: Context, args: Args, **fixed: bool) -> PostQuery:
    """The PostQuery for ``args``; ``fixed`` sets edited/deleted for /edits and /deleted."""
    f = args.filters
    channel_id = (await ctx.queries.resolve_channel(f["channel"])).id if "channel" in f else None
    since, until = parse_window(f.get("since"), f.get("until"), ("since:", "until:"),
                                tz=ctx.tz, now=ctx.now)
    return PostQuery(
        channel_id=channel_id,
        lang=check_lang(f["lang"]) if "lang" in f else None,
        group=(await check_group(ctx.queries, f["group"], ctx.config.keywords)
               if "group" in f else None),
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


async def check_group(queries: PostQueries, text: str, configured: Collection[str], *,
                      listed_by: str = "/keywords") -> str:
    """The keyword group ``text`` names, or UsageError with the nearest names.

    A group is configured, or stored: posts in the archive matched it under a config that has
    since dropped it, or that this command was not given. ``listed_by`` says where the asker
    sees the configured groups: a bot command, or the config file.
    """
    found = await find_group(queries, text, configured)
    if found is not None:
        return found
    known = await _known_groups(queries, configured)
    if not known:
        raise UsageError("no keyword groups are configured, and no post in the archive "
                         "matched one")
    close = difflib.get_close_matches(text.lstrip("#").casefold(), list(known), n=1)
    hint = f"; did you mean {known[close[0]]}?" if close else ""
    configured_keys = {g.casefold() for g in configured}
    stored_only = [g for k, g in known.items() if k not in configured_keys]
    where = [f"{listed_by} lists them"] if configured else []
    if stored_only:
        where.append("the archive also holds " + ", ".join(stored_only[:10])
                     + (f" and {len(stored_only) - 10} more" if len(stored_only) > 10 else ""))
    raise UsageError(f"there is no keyword group {text[:48]!r}{hint} ({'; '.join(where)})")


async def find_group(queries: PostQueries, text: str, configured: Collection[str]) -> str | None:
    """The configured or stored keyword group ``text`` names (any case, ``#`` allowed)."""
    key = text.lstrip("#").casefold()
    for group in configured:  # the common case costs no query
        if group.casefold() == key:
            return group
    return (await _known_groups(queries, configured)).get(key)


async def _known_groups(queries: PostQueries, configured: Collection[str]) -> dict[str, str]:
    # The config's spelling wins over a stored one that differs only in case.
    return {g.casefold(): g for g in [*await queries.stored_groups(), *configured]}
