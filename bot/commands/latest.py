"""/latest [@channel] [n]: the newest posts, of one channel or of all."""

from __future__ import annotations

from bot.commands.args import is_number
from bot.commands.context import Context
from bot.commands.reply import Reply
from bot.commands.router import CommandSpec
from bot.commands.search import show
from bot.errors import UsageError
from bot.store.values import PostQuery

MAX_POSTS = 10


async def run_latest(ctx: Context, rest: str) -> list[Reply]:
    words = rest.split()
    count = MAX_POSTS
    # A long number is the bare id of a t.me/c/ link, not a count.
    if words and is_number(words[-1]) and len(words[-1]) <= 3:
        count = int(words.pop())
        if not 1 <= count <= MAX_POSTS:
            raise UsageError(f"n must be between 1 and {MAX_POSTS}; /more shows the next page")
    ref = " ".join(words)
    query = PostQuery()
    title = "Latest posts"
    if ref:
        channel = await ctx.queries.resolve_channel(ref)
        query = PostQuery(channel_id=channel.id)
        title = f"Latest in {channel.title or ref}"
    return await show(ctx, title, None, query, shown=0, total=None, page_size=count)


SPECS = (CommandSpec("latest", "/latest [@channel] [n]", "the newest posts", run_latest),)
