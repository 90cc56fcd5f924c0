"""Root test configuration: no test may reach the network or the user's own files.

The suite runs in an empty working directory with no ``TGMON_*`` variables and private XDG
folders, so a ``config/tgmon.toml``, ``.env`` or archive left by ``make run`` (or the user's
platform config folder) can never change a result.
"""

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faketg.guard import install_socket_guard, uninstall_socket_guard

#: Platform folders (platformdirs) pointed at the session's own temporary folder.
ISOLATED_VARIABLES = ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME")


@pytest.fixture(autouse=True, scope="session")
def _hermetic_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("hermetic")
    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if n.startswith("TGMON_")]:
            patch.delenv(name)
        for name in ISOLATED_VARIABLES:
            patch.setenv(name, str(home / name.lower()))
        cwd = home / "cwd"
        cwd.mkdir()
        patch.chdir(cwd)
        yield cwd


@pytest.fixture(autouse=True)
def _no_network() -> Iterator[None]:
    install_socket_guard()
    yield
    uninstall_socket_guard()


@pytest.fixture(autouse=True)
def _fresh_log_handlers() -> Iterator[None]:
    """`tgmon run` in a test configures logging on the stderr pytest captured for that test;
    a later test would log into the closed stream. Each test starts without such handlers."""
    root = logging.getLogger()
    saved, level = root.handlers[:], root.level
    root.handlers[:] = [h for h in saved if type(h) is not logging.StreamHandler]
    yield
    root.handlers[:] = saved
    root.setLevel(level)
