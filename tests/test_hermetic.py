"""The suite never reads the working directory's config, .env or archive.

`make run` leaves a config/tgmon.toml (and the user a .env) in the checkout; `make test`
then runs in the same folder. This runs the tests that load a config and secrets the way
the CLI discovers them, from a folder holding a hostile config, .env and archive, with
hostile TGMON_* variables, and requires them to pass all the same.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.cli.context import config_for
from bot.cli.parser import build_parser
from bot.config import load_secrets

REPO = Path(__file__).resolve().parents[1]
#: Tests whose commands discover config/tgmon.toml and .env from the working directory.
DISCOVERING = ("tests/cli/test_digest_cmd.py", "tests/cli/test_commands.py")


def _hostile_folder(root: Path) -> Path:
    (root / "config").mkdir(parents=True)
    # Valid TOML that changes every digest and every archive path: a test reading it fails.
    (root / "config" / "tgmon.toml").write_text(
        "[storage]\npath = 'hostile.sqlite3'\n"
        "[keywords.hostile]\nterms = ['hostile']\n"
        "[digests.hostile]\nschedule = '09:00'\ntimezone = 'Asia/Almaty'\nmax_items = 1\n",
        encoding="utf-8",
    )
    (root / ".env").write_text(
        "TGMON_API_ID=12345\nTGMON_API_HASH=hostilehostilehostilehostile0000\n"
        "TGMON_BOT_TOKEN=1:hostile\nTGMON_SESSION=hostile/tgmon.session\n",
        encoding="utf-8",
    )
    (root / "data").mkdir()
    (root / "data" / "tgmon.sqlite3").write_bytes(b"not an archive")
    return root


def test_the_suite_itself_runs_outside_the_checkout() -> None:
    # Discovery from the suite's working directory finds nothing of the user's.
    assert not Path("config/tgmon.toml").exists() and not Path(".env").exists()
    assert Path.cwd() != REPO
    assert not any(name.startswith("TGMON_") for name in os.environ)
    config = config_for(build_parser().parse_args(["stats"]))
    assert config.digests == {} and config.storage.path == Path("data/tgmon.sqlite3")
    assert load_secrets().api_id is None


def test_the_cli_tests_pass_from_a_folder_with_a_hostile_config_and_env(tmp_path: Path) -> None:
    hostile = _hostile_folder(tmp_path / "checkout")
    env = {**os.environ, "TGMON_CONFIG": str(hostile / "config" / "tgmon.toml"),
           "TGMON_API_ID": "999", "TGMON_SESSION": str(hostile / "hostile.session")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-o", "addopts=-q", "-p", "no:cacheprovider",
         "--rootdir", str(REPO), *(str(REPO / path) for path in DISCOVERING)],
        cwd=hostile, env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "failed" not in result.stdout
    assert not (hostile / "hostile.sqlite3").exists()  # nothing written into the user's folder
