"""The router's middleware, once around every command: concurrency bound, rate limit window,
access, and errors that never reach the user as a traceback."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.commands.context import Context, Origin
from bot.commands.reply import Reply, plain
from bot.commands.router import NOT_ALLOWED, SORRY, Access, CommandSpec, RateLimit, Router
from bot.config import Config
from bot.errors import UsageError


def context(user: int = 1, *, allowed: bool = True) -> Context:
    return Context(None, Config(), ZoneInfo("UTC"), Origin(user, user),  # type: ignore[arg-type]
                   datetime(2026, 3, 1, tzinfo=UTC), allowed=allowed)


async def test_no_more_commands_run_at_once_than_the_bound() -> None:
    running, most = 0, 0
    release = asyncio.Event()

    async def slow(ctx: Context, rest: str) -> list[Reply]:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await release.wait()
        running -= 1
        return [plain("done")]

    router = Router([CommandSpec("slow", "/slow", "waits", slow)], per_minute=100, max_tasks=2)
    tasks = [asyncio.create_task(router.handle("/slow", context(user), bot_username=None))
             for user in range(5)]
    for _ in range(20):
        await asyncio.sleep(0)
    assert (running, most) == (2, 2)
    release.set()
    answers = await asyncio.gather(*tasks)
    assert [a[0].html for a in answers] == ["done"] * 5 and most == 2


def test_the_rate_limit_is_a_sliding_minute_per_user() -> None:
    now = [0.0]
    limit = RateLimit(2, clock=lambda: now[0])
    assert [limit.check(1), limit.check(1), limit.check(1), limit.check(1)] == [
        "ok", "ok", "warn", "drop"]
    assert limit.check(2) == "ok"  # another user has a budget of their own
    assert limit.wait_seconds(1) == 61
    now[0] = 60.5
    assert limit.check(1) == "ok"


async def test_access_and_errors_are_applied_around_every_command() -> None:
    async def broken(ctx: Context, rest: str) -> list[Reply]:
        raise RuntimeError("no such table: posts_fts")

    async def picky(ctx: Context, rest: str) -> list[Reply]:
        raise UsageError("that is not a number")

    async def hello(ctx: Context, rest: str) -> list[Reply]:
        return [plain("hi")]

    router = Router([CommandSpec("broken", "/broken", "fails", broken),
                     CommandSpec("picky", "/picky N", "checks", picky),
                     CommandSpec("hello", "/hello", "greets", hello, access=Access.ANYONE)],
                    per_minute=100, max_tasks=1)
    (reply,) = await router.handle("/broken", context(), bot_username=None)
    assert reply.html == SORRY
    (reply,) = await router.handle("/picky x", context(), bot_username=None)
    assert reply.html == "that is not a number\nUsage: /picky N"
    (reply,) = await router.handle("/picky", context(allowed=False), bot_username=None)
    assert reply.html == NOT_ALLOWED
    (reply,) = await router.handle("/hello@other_bot", context(), bot_username="me_bot") or [
        plain("ignored")]
    assert reply.html == "ignored"
    (reply,) = await router.handle("/hello", context(allowed=False), bot_username=None)
    assert reply.html == "hi"
