"""The layers above the store reach it through its ports only (bot/store/ports.py,
bot/store/delivery_ports.py): no SQL, no SQLite driver and no Archive outside bot/store and
the composition roots that open it. A PostgreSQL backend depends on this holding."""

from __future__ import annotations

import ast
from pathlib import Path

BOT = Path(__file__).resolve().parents[2] / "bot"
#: Where an Archive is opened: the service's root, the CLI commands, `check --online`.
ROOTS = ("app.py", "cli/", "telegram/online_check.py")
#: Telethon's session is an SQLite file of its own, read without Telethon to check a login.
SESSION_READER = "telegram/session_file.py"
#: The archive's internals: what only bot/store may call.
INTERNALS = {"fetch_all", "set_trace", "_db"}


def _modules() -> list[tuple[str, ast.Module]]:
    found = []
    for path in sorted(BOT.rglob("*.py")):
        name = path.relative_to(BOT).as_posix()
        if not name.startswith("store/"):
            found.append((name, ast.parse(path.read_text(encoding="utf-8"))))
    return found


def _imports(tree: ast.Module) -> list[tuple[str, str]]:
    pairs = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            pairs += [(alias.name, "") for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            pairs += [(node.module, alias.name) for alias in node.names]
    return pairs


def test_no_layer_above_the_store_uses_an_sqlite_driver() -> None:
    bad = [(name, module) for name, tree in _modules() for module, _ in _imports(tree)
           if module.split(".")[0] in {"sqlite3", "aiosqlite"} and name != SESSION_READER]
    assert bad == []


def test_only_the_composition_roots_open_the_archive() -> None:
    bad = [name for name, tree in _modules() if not name.startswith(ROOTS)
           for module, item in _imports(tree)
           if (module, item) in {("bot.store", "Archive"), ("bot.store.archive", "Archive")}]
    assert bad == []


def test_no_layer_above_the_store_calls_the_archives_internals() -> None:
    bad = [(name, node.attr) for name, tree in _modules() for node in ast.walk(tree)
           if isinstance(node, ast.Attribute) and node.attr in INTERNALS]
    assert bad == []


def test_the_checks_see_the_code_they_guard() -> None:
    # A wrong BOT path would make every check above pass on nothing.
    names = [name for name, _ in _modules()]
    assert "commands/search.py" in names and "delivery/sender.py" in names and len(names) > 50


#: The backend-neutral part of bot/store: the ports and the values they take and return.
PORTS = ("store/ports.py", "store/delivery_ports.py", "store/values.py",
         "store/delivery_values.py")
NEUTRAL = {"bot.domain", "bot.analysis.snippet", *(f"bot.{p[:-3].replace('/', '.')}"
                                                    for p in PORTS)}


def _store_modules() -> dict[str, ast.Module]:
    return {path.relative_to(BOT).as_posix(): ast.parse(path.read_text(encoding="utf-8"))
            for path in sorted((BOT / "store").glob("*.py"))}


def test_the_ports_and_their_values_know_no_sqlite_module() -> None:
    # A PostgreSQL backend implements the ports; it must not inherit SQLite code with them.
    modules = _store_modules()
    bad = [(name, module) for name in PORTS for module, _ in _imports(modules[name])
           if (module.startswith("bot.") and module not in NEUTRAL)
           or module.split(".")[0] in {"sqlite3", "aiosqlite"}]
    assert bad == []


def test_layers_above_the_store_take_its_values_from_the_neutral_modules() -> None:
    # `from bot.store.post_search import Page` would tie a command to the SQLite module.
    values = {item for name in ("store/values.py", "store/delivery_values.py")
              for node in _store_modules()[name].body if isinstance(node, ast.ClassDef)
              for item in [node.name]}
    bad = [(name, module, item) for name, tree in _modules() for module, item in _imports(tree)
           if item in values and module not in NEUTRAL | {"bot.store"}]
    assert values >= {"Page", "PostQuery", "Window", "OutboxMessage"} and bad == []
