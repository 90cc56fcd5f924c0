"""Argument parsing for every ``tgmon`` command; ``--help`` on each teaches its use."""

from __future__ import annotations

import argparse
import difflib
import re
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from bot.cli import browse_parser

# Every command's handler is named "module:function" and imported only when that command
# runs (bot.cli.main), so --version, --help and a typo answer at once, without Telethon.
_INVALID_CHOICE = re.compile(r"invalid choice: '([^']*)' \(choose from (.*)\)")

_EPILOG = """\
first steps:
  tgmon demo                         try the whole pipeline offline, no credentials needed
  tgmon init                         write a commented config and a .env template
  tgmon import result.json           load a channel exported from Telegram Desktop (JSON)
  tgmon search 'токаев* -выборы'     search what is stored
  tgmon check                        validate config/tgmon.toml and .env
  tgmon run                          watch the channels of the config (needs .env secrets)

search syntax: words (all must appear), "exact phrase", prefix*, a OR b, -excluded
The archive folds case, ё/е, Kazakh letters and look-alike Latin letters, so
`токаев*` finds Токаева and Тоқаевтың.
"""


class Parser(argparse.ArgumentParser):
    """argparse with "did you mean" for misspelt commands, choices and options."""

    def error(self, message: str) -> NoReturn:
        wrong = _INVALID_CHOICE.search(message)
        if wrong:
            message += _did_you_mean(wrong[1], re.findall(r"'([^']*)'", wrong[2]))
        super().error(message)

    def parse_args(self, args: Sequence[str] | None = None,  # type: ignore[override]
                   namespace: None = None) -> argparse.Namespace:
        parsed, extras = self.parse_known_args(args)
        if extras:
            # The top parser would report these without knowing the command's own options.
            command: Parser = getattr(parsed, "_parser", self)
            options = [o for a in command._actions for o in a.option_strings]
            hints = "".join(_did_you_mean(e.split("=")[0], options)
                            for e in extras if e.startswith("-"))
            command.error(f"unrecognized arguments: {' '.join(extras)}{hints}")
        return parsed


def _did_you_mean(word: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, known, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def build_parser() -> Parser:
    """Build the ``tgmon`` argument parser with one sub-command per job."""
    parser = Parser(
        prog="tgmon",
        description="Keep, search and summarise Telegram channels.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"tgmon {_version()}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    def command(
        name: str, help_text: str, *, db: bool = False, json: bool = False, config: bool = True
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name,
            help=help_text,
            description=help_text,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sub.set_defaults(_parser=sub)
        if config:
            sub.add_argument(
                "--config",
                type=Path,
                metavar="PATH",
                help="config file (default: $TGMON_CONFIG, else config/tgmon.toml here, "
                "else the one `tgmon init` wrote)",
            )
            sub.add_argument(
                "--env-file",
                type=Path,
                metavar="PATH",
                help="secrets file (default: .env here, else the .env beside the config)",
            )
        if db:
            sub.add_argument(
                "--db",
                type=Path,
                metavar="PATH",
                help="archive file, overriding storage.path of the config",
            )
        if json:
            sub.add_argument("--json", action="store_true", help="machine-readable output")
        return sub

    init = command(
        "init",
        "Write a commented config (tgmon.toml) and a secrets template (.env) into DIR, "
        "then say what to edit next.",
        config=False,
    )
    init.add_argument("dir", type=Path, nargs="?", metavar="DIR",
                      help="folder to write to (default: the platform's config folder, "
                      "e.g. ~/.config/tgmon, which every command finds from anywhere)")
    init.add_argument("--force", action="store_true", help="overwrite existing files")
    init.set_defaults(handler="bot.cli.init_cmd:init")

    run = command(
        "run", "Watch the configured channels and keep every post (runs until stopped).", db=True
    )
    run.set_defaults(handler="bot.cli.setup_cmds:run")

    login = command("login", "Log the user account in (phone, code, 2FA password) and save "
                    "the session file. The only command that prompts.")
    login.set_defaults(handler="bot.cli.setup_cmds:login")

    check = command("check", "Validate the config and .env, and print a short summary.")
    check.add_argument(
        "--online",
        action="store_true",
        help="also log in and show each channel's status on Telegram",
    )
    check.set_defaults(handler="bot.cli.setup_cmds:check")

    imp = command(
        "import",
        "Import a channel exported by Telegram Desktop "
        "(Export chat history → JSON). Safe to re-run.",
        db=True,
        json=True,
    )
    imp.add_argument("export", type=Path, metavar="EXPORT.json",
                     help="the result.json file, its folder, or - for standard input")
    imp.add_argument("--quiet", action="store_true", help="no progress bar")
    imp.set_defaults(handler="bot.cli.archive_cmds:import_file")

    reanalyze = command(
        "reanalyze",
        "Re-run language detection and keyword matching over the whole archive, after the "
        "keyword config changed. Fetches nothing from Telegram.",
        db=True,
    )
    reanalyze.add_argument("--quiet", action="store_true", help="no progress bar")
    reanalyze.set_defaults(handler="bot.cli.archive_cmds:reanalyze")

    search = command(
        "search", "Full-text search of stored posts, newest first.", db=True, json=True
    )
    search.epilog = (
        'examples:\n  tgmon search токаев\n  tgmon search \'"мажилис депутаты" '
        "выборы -отставка'\n  tgmon search 'tokayev OR токаев*' --lang en "
        "--since 7d"
    )
    search.add_argument("query", help='words, "phrase", prefix*, a OR b, -exclude')
    _add_filters(search)
    search.add_argument("--limit", type=int, default=20, help="at most this many (default 20)")
    browse_parser.add_change_flags(search)
    browse_parser.add_zone(search)
    search.set_defaults(handler="bot.cli.browse:search")

    hist = command("history", "Show every version of one post (edits) and whether it was deleted.",
                   db=True, json=True)
    hist.epilog = ("examples:\n  tgmon history https://t.me/ashimbayev/123\n"
                   "  tgmon history @ashimbayev 123\n  tgmon history -1001234567890 123")
    hist.add_argument("channel", help="a post link, or @username, title or -100… id")
    hist.add_argument("msg_id", type=int, nargs="?", help="the post id (not needed with a link)")
    browse_parser.add_zone(hist, also="")
    hist.set_defaults(handler="bot.cli.queries:history")

    stats = command(
        "stats",
        "Posts per channel, date range, languages, edits and deletions.",
        db=True,
        json=True,
    )
    stats.set_defaults(handler="bot.cli.queries:stats")

    export = command("export", "Write every post with its analysis as JSON lines or CSV.", db=True)
    export.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    export.add_argument("--out", type=Path, metavar="FILE", help="output file (default: stdout)")
    export.add_argument("--excel", action="store_true",
                        help="CSV as Excel opens it: UTF-8 with a byte order mark (implies csv)")
    _add_filters(export)
    browse_parser.add_zone(export)
    export.set_defaults(handler="bot.cli.queries:export")

    back = command("backup", "Copy the archive to OUT, consistently, even while `tgmon run` "
                   "writes to it; the copy is integrity-checked.", db=True)
    back.add_argument("out", type=Path, metavar="OUT", help="the copy to write (must not exist)")
    back.set_defaults(handler="bot.cli.backup_cmds:backup_archive")

    restore = command("restore", "Replace the archive with a backup (the replaced one is kept "
                      "as ARCHIVE.replaced-STAMP); refused while `tgmon run` or any other "
                      "process has the archive open.", db=True)
    restore.add_argument("backup", type=Path, metavar="BACKUP", help="a file `tgmon backup` wrote")
    restore.set_defaults(handler="bot.cli.backup_cmds:restore_archive")

    dig = command(
        "digest",
        "Preview a digest exactly as it would be sent (--dry-run), or send it through the bot.",
        db=True,
    )
    dig.epilog = (
        "examples:\n  tgmon digest --dry-run                     the last day, as it will read\n"
        "  tgmon digest --dry-run --include-history   also imported/backfilled posts\n"
        "  tgmon digest --name daily --since 12h --dry-run --html   the exact payload\n"
        "  tgmon digest --chat -1001234567890 --until 2025-01-31T09:00   send once\n\n"
        "A digest's window is measured on arrival time (when the archive got a post), not on\n"
        "the post's date, so a post caught up late still reaches the next digest."
    )
    dig.add_argument("--name", help="which [digests.NAME] to use (default: the only one)")
    dig.add_argument("--chat", help="@username or -100… id (default: the digest's chats)")
    dig.add_argument("--since", help="window start, by ARRIVAL time (when the archive got the "
                     "post): date (midnight in [display].timezone), datetime or age such as "
                     "12h (default: the chat's last digest, or a day)")
    dig.add_argument("--until", help="window end, by arrival time (default: now)")
    dig.add_argument("--dry-run", action="store_true", help="print the parts; send nothing")
    dig.add_argument("--include-history", action="store_true",
                     help="with --dry-run: also imported and backfilled posts, to see a digest "
                     "before going live")
    dig.add_argument("--html", action="store_true",
                     help="with --dry-run: print the exact HTML sent to Telegram")
    dig.set_defaults(handler="bot.cli.digest_cmd:digest")

    browse_parser.add_browse_commands(command, _add_filters)

    demo = commands.add_parser(
        "demo",
        help="Run the offline pipeline on a bundled sample; no network, no credentials.",
        description="Import a bundled sample channel into a temporary archive, then show a "
        "search and the stats. Nothing is written outside a temporary folder.",
    )
    demo.set_defaults(handler="bot.cli.setup_cmds:demo", _parser=demo)

    completion = command("completion", "Print a shell completion script for tgmon.",
                         config=False)
    completion.add_argument("shell", choices=["bash", "zsh", "tcsh"])
    completion.epilog = (
        "install:\n  tgmon completion bash > ~/.local/share/bash-completion/completions/tgmon\n"
        "  tgmon completion zsh > \"${fpath[1]}/_tgmon\"")
    completion.set_defaults(handler="bot.cli.completion:print_completion")
    return parser


def _add_filters(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--channel", help="@username, title, t.me link, -100… id or the id of a "
                     "t.me/c/ link")
    sub.add_argument("--lang", help="ISO 639-1 code, e.g. ru, kk, en")
    sub.add_argument("--since", help="posts DATED from then on (the post's own date, not when "
                     "it was stored): date (2025-01-31), datetime, or age such as 7d or 12h")
    sub.add_argument("--until", help="posts dated before this date or datetime")
    sub.add_argument("--group", help="only posts that matched this keyword group")


def _version() -> str:
    from bot import __version__

    return __version__
