"""Commands about setting tgmon up: check, run and demo."""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.cli import output
from bot.cli.browse import print_search
from bot.cli.check_report import next_step, placeholder_warnings, plural, session_line
from bot.cli.targets import check_archive_path
from bot.cli.terminal import html_to_terminal
from bot.config import Config, config_path, load_config, load_secrets, validate_config
from bot.delivery.assemble import DigestContent, default_title, digest_parts
from bot.delivery.scheduler import FIRST_WINDOW
from bot.digest.schedule import parse_schedule
from bot.errors import ConfigError
from bot.importer.pipeline import import_export
from bot.ingest import analyser_for
from bot.logs import configure_logging
from bot.store import Archive
from bot.telegram.session_file import session_state

_SHOWN_PROBLEMS = 20
DEMO_KEYWORDS = {
    "president": {"terms": ["Токаев", "Tokayev"]},
    "parliament": {"terms": ["Мажилис", "парламент", "parliament"]},
    "foreign-agents": {"terms": ["иноагент", "foreign agent"], "alert": True},
}


async def check(args: argparse.Namespace) -> int:
    """Validate the config and secrets; print what will be watched and sent."""
    source = config_path(args.config)
    config = load_config(source)
    secrets = load_secrets(args.env_file, config_file=source)
    problems = keyword_problems(config)
    if problems:
        shown = [f"{source}: {p}" for p in problems[:_SHOWN_PROBLEMS]]
        if len(problems) > _SHOWN_PROBLEMS:
            shown.append(f"… and {len(problems) - _SHOWN_PROBLEMS:,} more problems like these")
        raise ConfigError("\n".join(shown))
    check_archive_path(config.storage.path, must_exist=False)  # a folder, a device
    warnings = placeholder_warnings(config)
    print(f"config ok: {source}" + (f", with {plural(len(warnings), 'warning')}"
                                    if warnings else ""))
    for warning in warnings:
        print(f"  warning: {warning}")
    print(f"  archive: {config.storage.path}")
    print(
        f"  channels: {len(config.channels)}"
        + "".join(
            f"\n    {c.ref}{' (poll only)' if c.poll_only else ''}"
            f"{' [' + ', '.join(c.labels) + ']' if c.labels else ''}"
            for c in config.channels
        )
    )
    print(
        f"  keyword groups: {len(config.keywords)}"
        + "".join(
            f"\n    {name}: {plural(len(g.terms), 'term')}, "
            f"{plural(len(g.exclude), 'exclusion')}"
            f"{', alert' if g.alert else ''}"
            for name, g in config.keywords.items()
        )
    )
    now = datetime.now(UTC)
    for name, digest in config.digests.items():
        tz = ZoneInfo(digest.timezone)
        due = parse_schedule(digest.schedule).next_after(now, tz).astimezone(tz)
        print(
            f"  digest {name}: {digest.schedule!r} ({digest.timezone}), next {due:%Y-%m-%d %H:%M}"
            f", {plural(len(digest.chats), 'chat')}"
        )
    print(f"  bot: {plural(len(config.bot.admins), 'admin')}, "
          f"{plural(len(config.bot.allowed_users), 'allowed user')}")
    for label, present in (
        ("TGMON_API_ID", secrets.api_id is not None),
        ("TGMON_API_HASH", secrets.api_hash is not None),
        ("TGMON_BOT_TOKEN", secrets.bot_token is not None),
    ):
        print(f"  {label}: {'set' if present else 'missing'}")
    state = session_state(secrets.session_file("user"))
    print(f"  {session_line(state, secrets)}")
    step = next_step(config, secrets, state, source=str(source), warnings=warnings,
                     online=args.online)
    if not args.online:
        print(f"\nnext: {step}")
        return 0
    from bot.telegram.online_check import check_channels

    statuses = await check_channels(config, secrets)
    print("\nchannels on Telegram:")
    for status in statuses:
        print(f"  {'ok  ' if status.ok else 'FAIL'} {status.ref}: {status.detail}")
    ok = all(s.ok for s in statuses)
    print(f"\nnext: {step if ok else 'fix or remove the channels marked FAIL, then tgmon run'}")
    return 0 if ok else 1


_UTC = ZoneInfo("UTC")

#: The sample's post with an edit date, shown by the demo's `tgmon history`.
DEMO_POST = "https://t.me/c/1000000001/4"


async def _demo_digest_and_history(archive: Archive) -> None:
    """Show the digest the bot would send over the sample, and one post's history."""
    print("\n$ tgmon digest --dry-run --include-history\n")
    now = datetime.now(UTC)
    content = DigestContent(default_title("daily"), None, "notice", _UTC, 5)
    parts = await digest_parts(archive, content, start=now - FIRST_WINDOW, end=now,
                               include_history=True)
    for part in parts:
        print(html_to_terminal(part, colour=sys.stdout.isatty()))
    print(f"$ tgmon history {DEMO_POST}\n")
    found = await archive.queries.post_history(-1001000000001, 4)
    if found is not None:
        output.print_history(found)


def keyword_problems(config: Config) -> list[str]:
    """Problems in the keyword groups that the analyser itself finds."""
    from bot.analysis.analyzer import check_keywords

    return check_keywords(config.keywords)


async def run(args: argparse.Namespace) -> int:
    """Run the collector until stopped (SIGTERM, Ctrl-C) or the session stops working."""
    from bot import app

    source = config_path(args.config)
    config = load_config(source)
    check_archive_path(args.db or config.storage.path, must_exist=False)
    if args.db:
        config = config.model_copy(update={"storage": config.storage.model_copy(
            update={"path": args.db})})
    secrets = load_secrets(args.env_file, config_file=source)
    secrets.require("TGMON_API_ID", "TGMON_API_HASH")
    configure_logging(config.logging.level, config.logging.format)
    await app.run(config, secrets)
    return 0


async def login(args: argparse.Namespace) -> int:
    """Log the user account in interactively and write the session file."""
    from bot.telegram.login import login as do_login

    source = config_path(args.config)
    secrets = load_secrets(args.env_file, config_file=source)
    # The config is optional here; it only says which proxy, if any, reaches Telegram.
    proxy = load_config(source).network.proxy_spec if source.is_file() else None
    print(f"logged in as {await do_login(secrets, proxy=proxy)}")
    return 0


async def demo(args: argparse.Namespace) -> int:
    """Import the bundled sample into a temporary archive and show a search and the stats."""
    config = validate_config({"keywords": DEMO_KEYWORDS}, source="demo config")
    analyse = analyser_for(config)
    sample = resources.files("bot") / "sample" / "demo_export.json"
    with (
        tempfile.TemporaryDirectory(prefix="tgmon-demo-") as tmp,
        resources.as_file(sample) as sample_path,
    ):
        async with Archive.open(Path(tmp) / "demo.sqlite3") as archive:
            report = await import_export(sample_path, archive, analyse)
            print(
                f"imported {report.stored.inserted} posts from the bundled sample "
                f"({report.skipped} service message skipped) into a temporary archive\n"
            )
            for query in ("токаев*", 'иноагент* OR "foreign agents"'):
                print(f"$ tgmon search '{query}' --limit 3\n")
                page = await archive.queries.search(query, limit=3)
                print_search(page, query, tz=_UTC, status=sys.stdout)
                print()
            print("$ tgmon stats\n")
            output.print_stats(await archive.queries.stats())
            await _demo_digest_and_history(archive)
    print(
        "\nnext: `tgmon init` writes a commented config and a .env template and says what "
        "to fill in; then `tgmon check`, `tgmon login` and `tgmon run`"
    )
    return 0
