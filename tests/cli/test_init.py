"""`tgmon init` and paths: a config's relative paths are its folder's, not the working one's."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import load_config, load_secrets
from tests.importer.exports import FIXTURE


def test_init_into_a_folder_writes_a_valid_commented_config_and_a_private_env(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "monitor"
    assert main(["init", str(folder)]) == 0
    out = capsys.readouterr().out
    config_file, env_file = folder / "tgmon.toml", folder / ".env"
    assert f"wrote {config_file}\nwrote {env_file} (readable by you only)" in out
    assert f"3. tgmon check --config {config_file}" in out  # not found without --config
    assert "TGMON_API_ID and TGMON_API_HASH" in out and "@userinfobot" in out
    assert f"`tgmon import --config {config_file} FOLDER` then `tgmon digest" in out
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    assert "# Keyword groups." in config_file.read_text(encoding="utf-8")  # the comments stay
    config = load_config(config_file)
    assert config.storage.path == folder / "data" / "tgmon.sqlite3"
    assert load_secrets(config_file=config_file).session == folder / "data" / "tgmon.session"


def test_init_refuses_to_overwrite_without_force(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", str(tmp_path / "m")]) == 0
    (tmp_path / "m" / "tgmon.toml").write_text("# mine\n", encoding="utf-8")
    assert main(["init", str(tmp_path / "m")]) == 2
    assert "already exist; edit them, or pass --force" in capsys.readouterr().err
    assert (tmp_path / "m" / "tgmon.toml").read_text(encoding="utf-8") == "# mine\n"
    assert main(["init", str(tmp_path / "m"), "--force"]) == 0
    assert "[[channels]]" in (tmp_path / "m" / "tgmon.toml").read_text(encoding="utf-8")


def test_init_never_writes_through_a_dangling_symlink_without_force(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder, elsewhere = tmp_path / "m", tmp_path / "elsewhere" / ".env"
    folder.mkdir()
    (folder / ".env").symlink_to(elsewhere)
    assert main(["init", str(folder)]) == 2
    assert f"{folder / '.env'} already exists; edit it, or pass --force" in \
        capsys.readouterr().err
    assert not (folder / "tgmon.toml").exists() and not elsewhere.parent.exists()


def test_default_init_is_found_from_any_folder_with_its_archive_in_the_data_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init"]) == 0
    out = capsys.readouterr().out
    config_file = tmp_path / "xdg" / "xdg_config_home" / "tgmon" / "tgmon.toml"
    assert f"wrote {config_file}" in out and "3. tgmon check\n" in out
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    main(["import", str(FIXTURE), "--quiet"])
    archive = tmp_path / "xdg" / "xdg_data_home" / "tgmon" / "tgmon.sqlite3"
    assert archive.is_file() and not (elsewhere / "data").exists()
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    assert main(["search", "токаев*"]) == 0
    assert "Президент Тоқаев подписал" in capsys.readouterr().out


def test_a_relative_storage_path_is_taken_from_the_config_folder(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "conf").mkdir()
    config_file = tmp_path / "conf" / "tgmon.toml"
    config_file.write_text("[storage]\npath = 'archive/a.sqlite3'\n", encoding="utf-8")
    (tmp_path / "conf" / ".env").write_text("TGMON_API_ID=12345\n", encoding="utf-8")
    assert main(["import", str(FIXTURE), "--config", str(config_file), "--quiet"]) == 1
    assert (tmp_path / "conf" / "archive" / "a.sqlite3").is_file()
    assert not (tmp_path / "archive").exists()
    capsys.readouterr()
    assert main(["check", "--config", str(config_file)]) == 0
    out = capsys.readouterr().out
    assert f"archive: {tmp_path / 'conf' / 'archive' / 'a.sqlite3'}" in out
    assert "TGMON_API_ID: set" in out  # the .env beside the config
