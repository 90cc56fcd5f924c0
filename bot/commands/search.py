"""/search words [filters], /more, and the "more" button: ten posts a page, newest first."""

from __future__ import annotations

from bot.commands.args import split_args
from bot.commands.context import Context
from bot.commands.filters import FILTER_KEYS, build_query
from bot.commands.paging import Listing, PageMemory
from bot.commands.post_list import render_page
from bot.commands.reply import Reply, plain
from bot.commands.router import CommandSpec
from bot.errors import UsageError
from bot.store.post_search import next_query
from bot.store.values import Page, PostQuery

PAGE = 10
MAX_QUERY_CHARS = 256
USAGE = ("/search words [channel:@name] [lang:kk] [group:name] [since:2026-03-01] "
         "[until:7d] [edited:yes] [deleted:yes]")


async def run_search(ctx: Context, rest: str) -> list[Reply]:
    """Search; filters alone (no words) list the posts that pass them."""
    if len(rest) > MAX_QUERY_CHARS:
        raise UsageError(f"that query is {len(rest)} characters long; keep it under "
                         f"{MAX_QUERY_CHARS}")
    args = split_args(rest, FILTER_KEYS)
    if not args.words and not args.filters:
        raise UsageError("give words to look for, for example /search Токаев выборы")
    query = await build_query(ctx, args)
    text = " ".join(args.words) or None
    title = f"Search: {rest.strip()}"
    return await show(ctx, title, text, query, shown=0, total=None)


async def run_more(ctx: Context, rest: str) -> list[Reply]:
    """Go on with this chat's newest listing."""
    memory = _memory(ctx)
    latest = memory.latest(ctx.origin.chat_id)
    if latest is None:
        ended = memory.ended(ctx.origin.chat_id)
        if ended is not None:
            return [plain(f"That was the last page of “{ended}”; nothing more to show.")]
        return [plain("Nothing to continue: run /search or /latest first.")]
    return await _continue(ctx, latest[1])


async def on_more_button(ctx: Context, token: str) -> list[Reply]:
    """Go on with the listing the button belongs to."""
    listing = _memory(ctx).get(token, ctx.origin.chat_id)
    if listing is None:
        return [plain("That button has expired; run the command again.")]
    return await _continue(ctx, listing)


async def show(ctx: Context, title: str, text: str | None, query: PostQuery, *, shown: int,
               total: str | None, page_size: int = PAGE) -> list[Reply]:
    """Fetch and render one page, remembering where the next one starts."""
    first_page = total is None
    page: Page
    if text is not None:
        page = await ctx.queries.search(text, query, limit=page_size, with_count=first_page)
    else:
        page = await ctx.queries.latest(query, limit=page_size, with_count=first_page)
    count = page.count_text if first_page else (total or "?")
    reply, fitted = render_page(title, page.items, first=shown + 1, total=count, tz=ctx.tz,
                                more_token="0")
    if fitted < len(page.items):  # the message was full: go on right after what fitted
        page = Page(page.items[:fitted], page.total, page.capped, page.items[fitted - 1].pid)
    following = next_query(query, page)
    token = None
    if following is not None:
        token = _memory(ctx).remember(Listing(title, text, following, shown + fitted, count,
                                              ctx.origin.chat_id))
    else:
        _memory(ctx).end(ctx.origin.chat_id, title)
    reply, _ = render_page(title, page.items, first=shown + 1, total=count, tz=ctx.tz,
                           more_token=token)
    return [reply]


async def _continue(ctx: Context, listing: Listing) -> list[Reply]:
    return await show(ctx, listing.title, listing.text, listing.query, shown=listing.shown,
                      total=listing.total)


def _memory(ctx: Context) -> PageMemory:
    memory = ctx.pages
    if not isinstance(memory, PageMemory):
        raise TypeError("the command context needs a PageMemory")
    return memory


SPECS = (
    CommandSpec("search", USAGE, "search the archive", run_search, callback="more",
                on_callback=on_more_button),
    CommandSpec("more", "/more", "the next page of the last search or listing", run_more),
)
