"""CLI manners: fast --version and --help, "did you mean", completion, documented exit codes."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main

REPO = Path(__file__).resolve().parents[2]
#: What a command loads only when it runs: Telethon, pydantic, the archive, the analysers.
HEAVY = ("telethon", "pydantic", "aiosqlite", "bot.store", "bot.analysis", "bot.config", "asyncio")


@pytest.mark.parametrize("argv", [["--version"], ["--help"], ["search", "--help"],
                                  ["reanalyse"]])
def test_version_help_and_typos_load_nothing_heavy(argv: list[str]) -> None:
    probe = (f"import sys; from bot.cli import main; code = main({argv!r}); "
             f"print(code, [m for m in {HEAVY!r} if m in sys.modules])")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            cwd=REPO, check=True)
    code, loaded = result.stdout.strip().splitlines()[-1].split(" ", 1)
    assert loaded == "[]", f"{argv} loaded {loaded}"
    assert code == ("2" if argv == ["reanalyse"] else "0")


@pytest.mark.parametrize(("argv", "hint"), [
    (["reanalyse"], "invalid choice: 'reanalyse'"),
    (["serch", "x"], "did you mean 'search'?"),
    (["search", "x", "--sinse", "7d"],
     "unrecognized arguments: --sinse 7d; did you mean '--since'?"),
    (["export", "--format", "jsn"], "invalid choice: 'jsn'"),
    (["digest", "--dry-rnu"], "did you mean '--dry-run'?"),
])
def test_a_misspelt_command_option_or_choice_gets_a_suggestion(
        argv: list[str], hint: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert hint in err
    assert "did you mean" in err


def test_reanalyse_suggests_reanalyze(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reanalyse"]) == 2
    assert "; did you mean 'reanalyze'?" in capsys.readouterr().err


@pytest.mark.parametrize("shell", ["bash", "zsh", "tcsh"])
def test_completion_scripts_know_every_command_and_option(
        shell: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["completion", shell]) == 0
    script = capsys.readouterr().out
    for word in ("reanalyze", "digest", "include-history", "since", "init"):
        assert word in script


def test_exit_codes_are_as_documented(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "Exit codes: 0 ok, 1 failure" in readme and "130 interrupted (Ctrl-C" in readme
    assert main(["--version"]) == 0
    assert main(["stats", "--db", str(tmp_path / "none.sqlite3")]) == 2  # bad input
    assert main(["search", "x", "--limit", "0", "--db", str(tmp_path / "x")]) == 2
    assert main([]) == 2  # no command: the help, as a usage error


def test_help_names_only_options_the_command_has() -> None:
    from bot.cli.parser import build_parser

    commands = next(a for a in build_parser()._actions
                    if isinstance(a, argparse._SubParsersAction))
    checked = 0
    for name, sub in commands.choices.items():
        options = {o for a in sub._actions for o in a.option_strings}
        for action in sub._actions:
            for named in re.findall(r"(?<![\w-])--[a-z][a-z-]*", action.help or ""):
                checked += 1
                assert named in options, f"tgmon {name} {action.option_strings}: names {named}"
    assert checked  # the --tz and --excel texts name other options
