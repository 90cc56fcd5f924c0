"""``tgmon completion SHELL``: a completion script generated from the parser itself (shtab).

A static script costs nothing at each <Tab>, unlike argcomplete's re-run of the program,
and it stays in step with the commands because it is drawn from the same parser.
"""

from __future__ import annotations

import argparse

import shtab

from bot.cli.parser import build_parser


def print_completion(args: argparse.Namespace) -> int:
    """Print the completion script for ``args.shell``."""
    print(shtab.complete(build_parser(), shell=args.shell))
    return 0
