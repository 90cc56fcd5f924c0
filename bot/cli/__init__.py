"""The ``tgmon`` command line: parse arguments, run one command, map errors to exit codes."""

from __future__ import annotations

import argparse
import contextlib
import errno
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from bot.cli.parser import build_parser
from bot.errors import TgmonError, UsageError
from bot.printable import Printable, printable


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``tgmon`` and return its exit code: 0 ok, 1 failure, 2 bad input, 130 interrupted."""
    _tolerant_streams()
    parser = build_parser()
    try:
        args = parser.parse_args(_decoded(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:  # --help (0) or a usage error (2): argparse already explained
        return int(exc.code or 0)
    except TgmonError as exc:
        print(f"tgmon: {exc.message}", file=sys.stderr)
        return exc.exit_code
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    # What a command shows a person (posts, titles) passes through Printable; standard
    # error keeps its own: tgmon's messages quote values with repr(), and the progress bar
    # redraws with carriage returns.
    stdout = sys.stdout
    if not _machine_output(args):
        sys.stdout = Printable(stdout)
    try:
        return _run(args)
    finally:
        sys.stdout = stdout


#: Commands whose standard output is data, written byte for byte (bot/printable.py).
_DATA_OUTPUT = ("bot.cli.queries:export", "bot.cli.completion:print_completion")


def _machine_output(args: argparse.Namespace) -> bool:
    return (getattr(args, "json", False) or getattr(args, "html", False)
            or args.handler in _DATA_OUTPUT)


def _run(args: argparse.Namespace) -> int:
    import asyncio  # not at the top: --version and --help need none of it

    try:
        result = _handler(args.handler)(args)
        if asyncio.iscoroutine(result):
            result = asyncio.run(result)
        sys.stdout.flush()  # here, where a full disk under it is still answered
        return int(result or 0)
    except TgmonError as exc:
        # A message may quote a channel's title ("did you mean …", "post 9 of …").
        print(f"tgmon: {printable(exc.message)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("tgmon: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `tgmon export | head` is fine
        return 0
    except PermissionError as exc:  # a file no check above saw coming: still one line
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"tgmon: {where}permission denied; run tgmon as the user who owns it, or give "
              "this user access", file=sys.stderr)
        return 1
    except MemoryError:
        print("tgmon: out of memory; nothing stored so far is lost", file=sys.stderr)
        return 1
    except OSError as exc:  # standard output on a full disk or a failing device
        if exc.filename is not None or exc.errno not in _OUTPUT_FAILURES:
            raise
        _drop_stdout()
        print(f"tgmon: cannot write to standard output: {exc.strerror or exc}; what was "
              "written is incomplete", file=sys.stderr)
        return 1


#: What writing standard output raises when a redirect's disk fills or its device fails.
_OUTPUT_FAILURES = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO)


def _drop_stdout() -> None:
    # What stayed in the buffer would fail again, as a traceback, when Python exits.
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _handler(name: str | Callable[[argparse.Namespace], Any]
             ) -> Callable[[argparse.Namespace], Any]:
    """Import a command's module only now: "bot.cli.queries:search" → the function."""
    if callable(name):
        return name
    module, function = name.split(":")
    handler: Callable[[argparse.Namespace], Any] = getattr(importlib.import_module(module),
                                                           function)
    return handler


def _tolerant_streams() -> None:
    # Under LANG=C or PYTHONIOENCODING=ascii, a Cyrillic post would end the command with a
    # UnicodeEncodeError; an escape such as \u0442 is legible and keeps the output going.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and getattr(stream, "errors", "") != "backslashreplace":
            reconfigure(errors="backslashreplace")


def _decoded(argv: Sequence[str]) -> list[str]:
    """Arguments as text: under a non-UTF-8 locale Python keeps UTF-8 bytes as surrogates."""
    out = []
    for position, arg in enumerate(argv, 1):
        if any("\udc80" <= c <= "\udcff" for c in arg):
            try:
                arg = os.fsencode(arg).decode("utf-8")
            except (UnicodeDecodeError, UnicodeEncodeError):
                if os.path.lexists(arg):
                    # A file whose name is not UTF-8 (a cp1251 name from a Windows zip):
                    # Python names it so, and open() and SQLite find it by those bytes.
                    out.append(arg)
                    continue
                raise UsageError(
                    f"argument {position} is not UTF-8 text ({arg!a}); "
                    "type it again in a UTF-8 terminal"
                ) from None
        out.append(arg)
    return out
