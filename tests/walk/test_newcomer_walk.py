"""The newcomer's path, typed at an 80-column terminal: the README's quick start, `tgmon init`,
a first import of a realistic export (progress bar, Ctrl-C, resume), a digest preview and a
post's history. Each step asserts what the user sees."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.walk.export import CHANNEL_ID, TITLE, write_export
from tests.walk.terminal import Screen, Terminal

REPO = Path(__file__).resolve().parents[2]
POSTS = 12_000  # a few seconds of import: long enough to see the bar and to interrupt it
_BAR = re.compile(r"importing result\.json: +\d+%\|.{10,}\| [\d.]+[kMG]?B/s, [\d,]+ posts · ETA \d")


@pytest.fixture
def user(tmp_path: Path) -> tuple[Terminal, Path]:
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TGMON_", "XDG_"))}
    # PYTHONPATH: the checkout's code, whatever the installed `tgmon` script points at.
    env.update(PYTHONPATH=str(REPO), HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
               XDG_DATA_HOME=str(home / ".local" / "share"))
    return Terminal(home, env), home


def quick_start_commands() -> list[list[str]]:
    """The tgmon commands of the README's quick start, in order, as the user types them."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Quick start"):readme.index("\n## ", readme.index(
        "## Quick start") + 1)]
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", section, flags=re.S):
        for line in block.splitlines():
            words = shlex.split(line, comments=True)
            if words and words[0] in ("tgmon", ".venv/bin/tgmon"):
                commands.append(words[1:])
    return commands


def test_the_readme_quick_start_then_a_first_import_digest_and_history(
        user: tuple[Terminal, Path]) -> None:
    terminal, home = user
    export = write_export(home / "Downloads", POSTS)
    steps = quick_start_commands()
    assert ["init"] in steps and ["demo"] in steps and steps[-1] == ["stats"]
    for argv in steps:
        if argv[0] == "import":
            argv = ["import", str(export.parent)]  # the export folder Desktop wrote
        screen = terminal.run(*argv)
        assert "Traceback" not in screen.text, screen.text
        if argv[0] == "init":
            assert screen.returncode == 0
            config = home / ".config" / "tgmon" / "tgmon.toml"
            assert f"wrote {config}" in screen.text and "next:\n  1. edit" in screen.text
        elif argv[0] == "demo":
            assert screen.returncode == 0
            assert "$ tgmon digest --dry-run --include-history" in screen.text
        elif argv[0] == "import":  # a first import of a realistic export, on a terminal
            assert screen.returncode == 0, screen.text
            assert f"{TITLE}: imported {POSTS - POSTS // 97:,}, updated 0" in screen.final
            _bar_fits(screen)
        elif argv[0] == "search":
            assert screen.returncode == 0 and TITLE in screen.text
        elif argv[0] == "stats":
            assert screen.returncode == 0 and f"{POSTS - POSTS // 97:,}" in screen.text
    archive = home / ".local" / "share" / "tgmon" / "tgmon.sqlite3"
    assert archive.is_file()  # found from the home folder: the init config's data folder

    preview = terminal.run("digest", "--dry-run", "--include-history")
    assert preview.returncode == 0, preview.text
    assert preview.text.startswith("----- part 1/")
    assert "\nDigest: daily (1/" in preview.text
    assert "<b>" not in preview.text and "&lt;" not in preview.text
    assert "100 of " in preview.text and "items shown from 1 channel" in preview.text
    assert "\x1b[1m" in preview.raw  # bold on a terminal
    assert re.search(r"t\.me/c/1555000111/\d+", preview.text)

    history = terminal.run("history", f"https://t.me/c/{CHANNEL_ID}/14")
    assert history.returncode == 0, history.text
    assert "· 1 version · media: " not in history.text  # post 14 has no media
    # Post 14 was edited 3 minutes after it was posted (01:38 UTC), in the zone shown.
    assert re.search(r"--- posted 2025-04-01 \d\d:38\b.*, edited 2025-04-01 \d\d:41\b.*; the text "
                     r"before the edit was never stored\n№14\. ", history.text), history.text


def _bar_fits(screen: Screen) -> None:
    """The bar was drawn, by bytes of the export, and no frame is wider than the terminal."""
    frames = [f.replace("^C", "") for f in screen.frames()]  # the tty echoes Ctrl-C
    assert frames and all(len(f) <= 80 for f in frames), frames[:3]
    assert any(_BAR.search(f) for f in frames), frames[:3]


def test_ctrl_c_in_an_import_keeps_what_was_stored_and_a_rerun_resumes(
        user: tuple[Terminal, Path]) -> None:
    terminal, home = user
    export = write_export(home / "Downloads", POSTS)
    db = home / "first.sqlite3"

    def moving(output: str) -> bool:  # the bar has counted a stored batch
        return bool(re.search(r"\d+%\|[^\r\n]*, [1-9][\d,]* posts · ETA", output))

    stopped = terminal.run("import", str(export), "--db", str(db), interrupt_when=moving)
    assert stopped.returncode == 130, stopped.text
    assert "Traceback" not in stopped.text and "KeyboardInterrupt" not in stopped.text
    last = stopped.final.strip().splitlines()[-1]
    kept = re.fullmatch(r"tgmon: interrupted: at least ([\d,]+) posts of this import are kept "
                        rf"in {re.escape(str(db))}; run the same command again to resume "
                        r"\(posts already stored are skipped\)", last)
    assert kept, stopped.final[-600:]
    kept_count = int(kept[1].replace(",", ""))
    assert 0 < kept_count < POSTS
    _bar_fits(stopped)

    resumed = terminal.run("import", str(export), "--db", str(db))
    assert resumed.returncode == 0, resumed.text
    done = re.search(r"imported ([\d,]+), updated 0, unchanged ([\d,]+)", resumed.final)
    assert done, resumed.final[-400:]
    inserted, unchanged = (int(n.replace(",", "")) for n in done.groups())
    assert unchanged >= kept_count and inserted + unchanged == POSTS - POSTS // 97


def test_off_a_terminal_an_import_prints_only_its_summary(tmp_path: Path) -> None:
    export = write_export(tmp_path, 300)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TGMON_")}
    env["PYTHONPATH"] = str(REPO)
    result = subprocess.run([sys.executable, "-m", "bot", "import", str(export), "--db",
                             str(tmp_path / "a.sqlite3")], capture_output=True, text=True,
                            cwd=tmp_path, env=env, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == (f"{TITLE}: imported 297, updated 0, unchanged 0, skipped 3 "
                             "service messages, 0 errors\n")
