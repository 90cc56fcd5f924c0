"""``tgmon init [DIR]``: write a commented config and a .env template, then say what's next.

The templates ship inside the package (bot/templates), so a ``pipx install`` has them too.
Without DIR they go to the platform's config folder, which every command finds from any
working directory; the archive and the session then live in the platform's data folder.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
from importlib import resources
from pathlib import Path

from bot.config import CONFIG_NAME, DEFAULT_ENV, discover_config, user_config_file
from bot.errors import UsageError

#: The example's archive line, rewritten for the folder the config is written to.
_STORAGE_LINE = re.compile(r'^path = ".*"$', re.MULTILINE)
_SESSION_LINE = re.compile(r"^TGMON_SESSION=.*$", re.MULTILINE)


def template(name: str) -> str:
    """Return a template shipped in the package: ``tgmon.example.toml`` or ``env.example``."""
    return (resources.files("bot") / "templates" / name).read_text(encoding="utf-8")


def init(args: argparse.Namespace) -> int:
    """Write tgmon.toml and .env into DIR (default: the platform's config folder)."""
    folder: Path = args.dir if args.dir is not None else user_config_file().parent
    config_file, env_file = folder / CONFIG_NAME, folder / DEFAULT_ENV
    # A dangling symlink too: writing "through" it created a file wherever it pointed.
    existing = [str(p) for p in (config_file, env_file) if p.exists() or p.is_symlink()]
    if existing and not args.force:
        them = "them" if len(existing) > 1 else "it"
        raise UsageError(f"{' and '.join(existing)} already exist{'s' * (them == 'it')}; "
                         f"edit {them}, or pass --force to overwrite {them} with fresh "
                         "templates")
    data = Path("data") if args.dir is not None else _user_data_folder()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        config_file.write_text(_STORAGE_LINE.sub(
            f'path = "{(data / "tgmon.sqlite3").as_posix()}"', template("tgmon.example.toml"),
            count=1), encoding="utf-8")
        env_text = _SESSION_LINE.sub(f"TGMON_SESSION={(data / 'tgmon.session').as_posix()}",
                                     template("env.example"), count=1)
        # The .env will hold the API hash and the bot token: readable by its owner only.
        descriptor = os.open(env_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            out.write(env_text)
    except OSError as exc:
        raise UsageError(f"{folder}: cannot write the templates: {exc.strerror}") from None
    print(f"wrote {config_file}\nwrote {env_file} (readable by you only)\n")
    print(_next_steps(config_file, env_file))
    return 0


def _user_data_folder() -> Path:
    from platformdirs import user_data_path

    return user_data_path("tgmon", appauthor=False)


def _next_steps(config_file: Path, env_file: Path) -> str:
    found = discover_config()
    found_here = found is not None and found.resolve() == config_file.resolve()
    option = "" if found_here else f" --config {shlex.quote(str(config_file))}"
    steps = [
        f"edit {config_file}: the channels to watch, your keyword groups, "
        "[bot].admins (your user id: ask @userinfobot)",
        f"fill TGMON_API_ID and TGMON_API_HASH in {env_file} "
        "(https://my.telegram.org → API development tools) and, for digests, TGMON_BOT_TOKEN",
        f"tgmon check{option}",
        f"tgmon login{option}",
        f"tgmon run{option}",
    ]
    text = "next:\n" + "\n".join(f"  {n}. {step}" for n, step in enumerate(steps, 1))
    text += ("\nbefore any login, see a digest of a channel you exported from Telegram Desktop: "
             f"`tgmon import{option} FOLDER` then `tgmon digest{option} --dry-run "
             "--include-history`")
    if not found_here:
        text += (f"\n(or `export TGMON_CONFIG={shlex.quote(str(config_file))}` once, instead "
                 "of --config)")
    return text
