"""The ``tgmon`` command line: parse arguments, run one command, map errors to exit codes."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence

from bot.cli.parser import build_parser
from bot.errors import TgmonError


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``tgmon`` and return its exit code: 0 ok, 1 failure, 2 bad input, 130 interrupted."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2): argparse already explained
        return int(exc.code or 0)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        result = args.handler(args)
        if asyncio.iscoroutine(result):
            result = asyncio.run(result)
        return int(result or 0)
    except TgmonError as exc:
        print(f"tgmon: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("tgmon: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `tgmon export | head` is fine
        return 0
