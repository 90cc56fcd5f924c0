"""The container files, kept correct by reading them (no container engine runs here)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import load_config
from bot.errors import StoreError
from bot.permissions import require_writable

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "docker-compose.yml"
HEARTBEAT = "/app/data/tgmon.heartbeat"


def test_the_dockerfile_passes_hadolint() -> None:
    hadolint = Path(sys.executable).parent / "hadolint"
    done = subprocess.run([str(hadolint), "--no-color", str(DOCKERFILE)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_image_runs_as_a_numeric_user_with_the_example_config_and_a_healthcheck() -> None:
    text = DOCKERFILE.read_text()
    assert "\nUSER 10001:10001\n" in text
    assert "COPY config/tgmon.example.toml /app/config/tgmon.toml" in text
    assert "HEALTHCHECK" in text and HEARTBEAT in text
    assert 'CMD ["tgmon", "run"]' in text


def test_the_example_config_writes_the_heartbeat_the_healthcheck_reads(tmp_path: Path) -> None:
    # As in the image: the example config at /app/config/tgmon.toml, data in /app/data.
    config_dir = tmp_path / "app" / "config"
    config_dir.mkdir(parents=True)
    example = config_dir / "tgmon.toml"
    example.write_text((ROOT / "config" / "tgmon.example.toml").read_text())
    config = load_config(example)
    assert config.network.heartbeat_file is not None
    inside = "/" + config.network.heartbeat_file.resolve().relative_to(tmp_path).as_posix()
    assert inside == HEARTBEAT
    assert config.storage.path.resolve().parent == tmp_path / "app" / "data"


def test_compose_runs_it_locked_down_and_restarts_it() -> None:
    text = COMPOSE.read_text()
    for line in ("env_file: .env", "read_only: true", "cap_drop: [ALL]", 'user: "10001:10001"',
                 "restart: unless-stopped", "stop_grace_period: 30s", "- tgmon-data:/app/data",
                 "- /tmp", "healthcheck:", HEARTBEAT, "no-new-privileges:true"):
        assert line in text, line
    assert "tgmon login" in text  # the first login is documented where it is needed


def test_the_systemd_unit_restarts_on_failure_and_stops_with_sigterm() -> None:
    unit = (ROOT / "deploy" / "tgmon.service").read_text()
    for line in ("ExecStart=/var/lib/tgmon/venv/bin/tgmon run", "Restart=on-failure",
                 "KillSignal=SIGTERM", "User=tgmon", "ProtectSystem=strict"):
        assert line in unit, line


@pytest.mark.skipif(not hasattr(os, "seteuid") or os.geteuid() != 0, reason="drops root")
def test_an_unwritable_data_folder_names_the_uid_to_chown_to(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)  # root's, like a host user's folder bind-mounted into the container
    os.setegid(65534)
    os.seteuid(65534)  # the container's user, for a moment
    try:
        with pytest.raises(StoreError) as caught:
            require_writable(data / "archive", holds="the archive")
    finally:
        os.seteuid(0)
        os.setegid(0)
    message = caught.value.message
    assert "not writable by uid 65534 (gid 65534)" in message
    assert "sudo chown -R 65534:65534" in message and "the archive" in message


def test_the_lint_config_explains_each_ignored_rule() -> None:
    lines = (ROOT / ".hadolint.yaml").read_text().splitlines()
    ignored = [n for n, line in enumerate(lines) if line.strip().startswith("- DL")]
    assert ignored and all(lines[n - 1].strip().startswith("#") for n in ignored)
