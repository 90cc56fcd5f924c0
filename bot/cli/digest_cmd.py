"""``tgmon digest``: preview a digest exactly as it would be sent, or send it through the bot.

Sending goes through the same outbox as the running bot: the digest (chat, name, --until)
is created once with its random_ids, so re-running the same command (a cron retry, say)
sends nothing twice.
"""

from __future__ import annotations

import argparse
import sys
from contextlib import ExitStack
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.cli.context import config_for, existing_db
from bot.cli.terminal import html_to_terminal
from bot.cli.zone import display_zone, window
from bot.clock import SystemClock, from_unix, unix
from bot.config import Config, Secrets, discover_config, load_secrets
from bot.delivery.assemble import (
    DigestContent,
    default_title,
    digest_parts,
    render_window,
    window_posts,
)
from bot.delivery.scheduler import FIRST_WINDOW
from bot.delivery.sender import Sender
from bot.errors import SessionError, UsageError
from bot.store import Archive
from bot.store.delivery_values import Window
from bot.telegram.client import ClientFactory, create_client, session_path
from bot.telegram.session_lock import session_lock

#: The name of a digest previewed without any [digests] in the config.
ADHOC = "digest"


async def digest(args: argparse.Namespace, *, client_factory: ClientFactory = create_client) -> int:
    """Print (--dry-run) or send the digest of posts first seen in the window."""
    if args.chat is not None and not args.chat.strip():
        # `--chat "$CHAT"` with CHAT unset must not send to every chat of the digest.
        raise UsageError("--chat is empty; name the chat, or leave --chat out for the "
                         "digest's own chats")
    config = config_for(args)
    name, content = _definition(config, args.name)
    # As in search and export: a date is midnight in the display zone.
    tz = display_zone(args, config)
    since, given_until = window(args, tz)  # which checks the order of the two given
    until = given_until or datetime.now(UTC)
    if given_until is None and since is not None and since >= until:
        raise UsageError("--since must be before --until")
    if args.include_history and not args.dry_run:
        raise UsageError("--include-history is for previews (--dry-run): imported and "
                         "backfilled posts are never sent as news")
    async with Archive.open(existing_db(args, config)) as archive:
        if args.dry_run:
            chat_id = _chat_id(args.chat) if args.chat else None
            start = await _start(archive, chat_id, name, since=since, until=until)
            parts = await digest_parts(archive, content, start=start, end=until,
                                       include_history=args.include_history)
            history = 0 if args.include_history else await archive.arrivals.history_arrived(
                after=unix(start), until=unix(until))
            _print_parts(parts, html=args.html, history=history)
            return 0
        return await _send(
            args,
            archive,
            config,
            name,
            content,
            since=since,
            until=until,
            client_factory=client_factory,
        )


async def _send(
    args: argparse.Namespace,
    archive: Archive,
    config: Config,
    name: str,
    content: DigestContent,
    *,
    since: datetime | None,
    until: datetime,
    client_factory: ClientFactory,
) -> int:
    secrets = load_secrets(getattr(args, "env_file", None),
                           config_file=getattr(args, "config", None) or discover_config())
    secrets.require("TGMON_API_ID", "TGMON_API_HASH", "TGMON_BOT_TOKEN")
    with ExitStack() as stack:
        try:
            stack.enter_context(session_lock(session_path(secrets, "bot")))
        except SessionError:
            # `tgmon run` holds the bot session (a second user of it gets it revoked): queue
            # the digest in the shared outbox and let the running bot send it.
            chats = _offline_chats(args, config, name)
            if not chats:
                raise UsageError(
                    "the bot is running and holds its session; name numeric "
                    "chat ids (--chat -100…) to queue the digest for it"
                ) from None
            created = await _queue(archive, chats, name, content, since=since, until=until)
            print(f"{len(created)} digest(s) queued for the running bot", file=sys.stderr)
            return 0
        return await _send_now(
            archive,
            config,
            secrets,
            args.chat,
            name,
            content,
            since=since,
            until=until,
            client_factory=client_factory,
        )
    raise AssertionError("unreachable")  # pragma: no cover - ExitStack swallows nothing


async def _send_now(
    archive: Archive,
    config: Config,
    secrets: Secrets,
    chat: str | None,
    name: str,
    content: DigestContent,
    *,
    since: datetime | None,
    until: datetime,
    client_factory: ClientFactory,
) -> int:
    # Imported here: previews must work without Telethon's start-up cost or any secrets.
    from bot.telegram.botui import BotTransport, resolve_chat, resolve_digest_chats
    from bot.telegram.client import connected, log_in_bot

    assert secrets.bot_token is not None
    client = client_factory("bot", secrets, flood_sleep_threshold=0,
                            proxy=config.network.proxy_spec)
    async with connected(client):
        await log_in_bot(client, secrets)
        if chat:
            resolved = await resolve_chat(client, chat)
            chats = [resolved] if resolved is not None else []
        else:
            chats = (await resolve_digest_chats(client, config)).get(name, [])
        if not chats:
            raise UsageError(
                f"no chat to send the {name!r} digest to: give --chat, or list "
                f"chats in [digests.{name}].chats"
            )
        created = await _queue(archive, chats, name, content, since=since, until=until)
        sender = Sender(archive, BotTransport(client, archive), clock=SystemClock())
        done = await sender.drain(max_wait=60)
    counts = await archive.outbox.status_counts()
    print(
        f"{len(created)} new digest(s) for {len(chats)} chat(s); outbox: "
        + ", ".join(f"{n} {status}" for status, n in sorted(counts.items())),
        file=sys.stderr,
    )
    if not done:
        print(
            "some parts wait for a flood wait to end; `tgmon run` will send them", file=sys.stderr
        )
    return 0 if done else 1


async def _queue(
    archive: Archive,
    chats: list[int],
    name: str,
    content: DigestContent,
    *,
    since: datetime | None,
    until: datetime,
) -> list[int]:
    """Create the digest of each chat (once per chat, name and --until) with its parts."""
    windows = []
    for chat_id in chats:
        start = await _start(archive, chat_id, name, since=since, until=until)
        posts, seq_end = await window_posts(archive, start=start, end=until)
        parts = render_window(posts, content, start=start, end=until)
        windows.append((Window(chat_id, name, unix(start), unix(until), seq_end), parts))
    return await archive.outbox.create_windows(windows, now=unix(datetime.now(UTC)))


def _offline_chats(args: argparse.Namespace, config: Config, name: str) -> list[int]:
    """Return the chats known by numeric id alone, without asking Telegram."""
    if args.chat:
        chat_id = _chat_id(args.chat)
        return [chat_id] if chat_id is not None else []
    spec = config.digests.get(name)
    refs = [str(raw) for raw in spec.chats] if spec else []
    return [chat_id for ref in refs if (chat_id := _chat_id(ref)) is not None]


def _definition(config: Config, wanted: str | None) -> tuple[str, DigestContent]:
    digests = config.digests
    if wanted is None:
        if len(digests) == 1:
            wanted = next(iter(digests))
        elif config.bot.subscriber_digest:
            wanted = config.bot.subscriber_digest
        elif not digests:
            return ADHOC, DigestContent(
                default_title(ADHOC), None, "notice", ZoneInfo(config.bot.timezone)
            )
        else:
            raise UsageError(
                f"several digests are configured; choose one with --name: "
                f"{', '.join(sorted(digests))}"
            )
    spec = digests.get(wanted)
    if spec is None:
        known = ", ".join(sorted(digests)) or "none"
        raise UsageError(f"no digest named {wanted!r} in the config (configured: {known})")
    return wanted, DigestContent(
        default_title(wanted),
        tuple(spec.groups) or None,
        spec.empty,
        ZoneInfo(spec.timezone),
        spec.max_items,
    )


async def _start(
    archive: Archive, chat_id: int | None, name: str, *, since: datetime | None, until: datetime
) -> datetime:
    """Use --since, else the end of that chat's last digest, else a day before --until."""
    if since is not None:
        return since
    if chat_id is not None:
        last = await archive.outbox.last_window_end(chat_id, name)
        if last is not None and last < unix(until):
            return from_unix(last)
    try:
        return until - FIRST_WINDOW
    except OverflowError:
        raise UsageError("--until is too early for a digest window; give a later --until, "
                         "or a --since") from None


def _chat_id(raw: str) -> int | None:
    """Read a numeric chat id offline; a @name is only known to Telegram."""
    text = raw.strip()
    if not (text.lstrip("-").isascii() and text.lstrip("-").isdigit()):
        return None
    if len(text) > 20 or not -(2**63) < int(text) < 2**63:
        raise UsageError(f"--chat {text[:30]}: not a Telegram chat id (at most 19 digits)")
    return int(text)


def _print_parts(parts: list[str], *, html: bool, history: int) -> None:
    """Print each part for a terminal (or as the exact HTML with ``html``), notes on stderr."""
    if not parts:
        print('nothing to send: no news arrived in the window (empty = "skip")',
              file=sys.stderr)
    colour = not html and sys.stdout.isatty()
    for number, part in enumerate(parts, 1):
        print(f"----- part {number}/{len(parts)} -----", file=sys.stderr)
        print(part if html else html_to_terminal(part, colour=colour))
    if history:
        print(f"({history:,} imported or backfilled posts arrived in this window as history: "
              "never sent as news; preview them with --include-history, search them with "
              "`tgmon search`)", file=sys.stderr)
