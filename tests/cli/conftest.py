from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

SECRET_NAMES = (
    "TGMON_API_ID",
    "TGMON_API_HASH",
    "TGMON_BOT_TOKEN",
    "TGMON_SESSION",
    "TGMON_CONFIG",
)


@pytest.fixture(autouse=True)
def isolated_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Run each CLI test in an empty directory with no secrets in the environment, and
    platform folders of its own (`tgmon init` writes there)."""
    for name in SECRET_NAMES:
        monkeypatch.delenv(name, raising=False)
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        monkeypatch.setenv(name, str(tmp_path / "xdg" / name.lower()))
    monkeypatch.chdir(tmp_path)
    yield tmp_path
