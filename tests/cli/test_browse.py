"""tgmon latest, edits, deleted, channels, trend, search --edited/--deleted and history, as a
new user would try them: times with their zone, counts, diffs, errors that suggest."""

from __future__ import annotations

import asyncio
import json
import struct
from pathlib import Path

import pytest

from bot.cli import main
from bot.cli.table import display_width
from bot.store import Archive
from tests.bot.query_data import fill


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = tmp_path / "archive.sqlite3"

    async def build() -> None:
        async with Archive.open(path) as archive:
            await fill(archive)

    asyncio.run(build())
    return str(path)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_search_says_how_many_matched_and_shows_times_in_the_zone(
        db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "search", "токаев", "--db", db, "--limit", "5",
                         "--tz", "Asia/Almaty")
    assert code == 0 and err.strip() == "5 of 13; --limit for more"
    assert "2026-02-28 11:12 Asia/Almaty  Новости <i>24</i> & Co  [ru]  DELETED" in out
    code, out, err = run(capsys, "search", "ветер", "--db", db, "--edited")
    assert code == 0 and err.strip() == "1 post" and "edited×2" in out
    code, out, err = run(capsys, "search", "токаев", "--db", db, "--deleted", "--tz", "UTC")
    assert err.strip() == "1 post" and "2026-02-28 06:12 UTC" in out


def test_a_since_date_is_midnight_in_the_display_zone(
        db: str, capsys: pytest.CaptureFixture[str]) -> None:
    # The edited post is dated 2026-03-01 06:20 UTC: the 1st in Almaty (+5) and in Honolulu
    # (-10) alike, but Honolulu's 1st begins only at 10:00 UTC.
    code, out, err = run(capsys, "edits", "--db", db, "--since", "2026-03-01",
                         "--tz", "Asia/Almaty")
    assert code == 0 and "https://t.me/news24/20" in out and err.strip() == "1 post"
    assert "edit 2, 2026-03-01 13:00 Asia/Almaty" in out
    assert "[-дождь-]{+ливень+}" in out
    code, out, err = run(capsys, "edits", "--db", db, "--since", "2026-03-01",
                         "--tz", "Pacific/Honolulu")
    assert code == 0 and out == "" and err.strip() == "0 posts"


def test_latest_deleted_and_history(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "latest", "--db", db, "--channel", "t.me/kazakh_voice",
                         "--limit", "1")
    assert code == 0 and "https://t.me/kazakh_voice/2" in out
    assert err.strip() == "1 of 2; --limit for more"
    code, out, _ = run(capsys, "deleted", "--db", db, "--tz", "UTC")
    assert "https://t.me/news24/12" in out and "deleted, noticed 2026-03-01 09:00 UTC" in out
    code, out, _ = run(capsys, "history", "https://t.me/news24/20", "--db", db, "--tz", "UTC")
    assert code == 0 and "--- edit 1, 2026-03-01 07:00 UTC" in out
    assert "changed: Погода: завтра {+сильный" in out
    assert "changed: Погода: завтра сильный [-дождь-]{+ливень+} и ветер" in out


def test_export_reads_filters_as_search_does(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    # One query layer: the same checked channel, and dates at midnight in the display zone.
    code, _, err = run(capsys, "export", "--db", db, "--channel", "@kazak_voice")
    assert code == 2 and "did you mean @kazakh_voice?" in err
    code, out, _ = run(capsys, "export", "--db", db, "--since", "2026-03-01", "--tz", "UTC")
    utc = {(r["channel_id"], r["id"]) for r in map(json.loads, out.splitlines())}
    code, out, _ = run(capsys, "export", "--db", db, "--since", "2026-03-01",
                       "--tz", "Pacific/Honolulu")
    honolulu = {(r["channel_id"], r["id"]) for r in map(json.loads, out.splitlines())}
    assert code == 0 and honolulu < utc  # Honolulu's 1st begins ten hours after UTC's


def test_unknown_channel_or_language_is_an_error_with_suggestions(
        db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "latest", "--db", db, "--channel", "@kazak_voice")
    assert code == 2 and "did you mean @kazakh_voice?" in err
    code, _, err = run(capsys, "search", "токаев", "--db", db, "--lang", "kz")
    assert code == 2 and "unknown language 'kz'" in err and "did you mean" in err
    config = Path(db).with_name("tgmon.toml")
    config.write_text('[keywords.politics]\nterms = ["Токаев"]\n', encoding="utf-8")
    code, _, err = run(capsys, "search", "токаев", "--db", db, "--config", str(config),
                       "--group", "politic")
    # The terminal names where its groups are listed: the config, not a bot command.
    assert code == 2 and "did you mean politics?" in err and "/keywords" not in err
    assert "the config's [keywords] lists them" in err
    code, _, err = run(capsys, "search", "токаев", "--db", db, "--tz", "Mars/Olympus")
    assert code == 2 and "unknown zone" in err
    for ref in ("-1001000000002", "1000000002", "https://t.me/c/1000000002/9", "Қазақ үні 🇰🇿"):
        code, out, _ = run(capsys, "latest", "--db", db, "--channel", ref)
        assert code == 0 and "kazakh_voice/2" in out, ref


def test_channels_table_lines_up_with_emoji_titles(
        db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "channels", "--db", db)
    lines = out.splitlines()
    assert code == 0 and lines[0].startswith("channel") and len(lines) == 3
    ends = {display_width(line[: line.index(" ok ") + 4]) for line in lines[1:]}
    assert len(ends) == 1  # "ok" starts in the same column under an emoji title
    assert "13" in lines[1] + lines[2] and "never" in lines[1]


def test_trend_writes_a_png_chart(db: str, capsys: pytest.CaptureFixture[str],
                                  tmp_path: Path) -> None:
    chart = tmp_path / "chart.png"
    code, out, _ = run(capsys, "trend", "politics", "--db", db, "--days", "3650",
                       "--out", str(chart))
    assert code == 2
    code, out, _ = run(capsys, "trend", "politics", "--db", db, "--days", "366",
                       "--out", str(chart))
    assert code == 0 and out.startswith(f"wrote {chart}: politics (group), last 366 days")
    data = chart.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1200, 800)


def test_a_group_stored_in_the_archive_filters_without_its_config(
        db: str, capsys: pytest.CaptureFixture[str]) -> None:
    # The archive's posts matched "politics"; opened without a config (or with one that has
    # since dropped the group), search and export still take it, as trend does.
    code, _, err = run(capsys, "search", "токаев", "--db", db, "--group", "Politics")
    assert code == 0 and err.strip() == "13 posts"
    code, out, _ = run(capsys, "export", "--db", db, "--group", "#politics")
    assert code == 0 and len(out.splitlines()) == 13
    config = Path(db).with_name("tgmon.toml")
    config.write_text('[keywords.fires]\nterms = ["пожар"]\n', encoding="utf-8")
    code, _, err = run(capsys, "latest", "--db", db, "--config", str(config),
                       "--group", "politics", "--limit", "1")
    assert code == 0 and err.strip() == "1 of 13; --limit for more"
    code, _, err = run(capsys, "search", "токаев", "--db", db, "--config", str(config),
                       "--group", "politic")
    assert code == 2 and "did you mean politics?" in err
    assert "the config's [keywords] lists them; the archive also holds politics" in err
    code, _, err = run(capsys, "search", "токаев", "--db", db, "--group", "sport")
    assert code == 2 and "no keyword group 'sport'" in err and "lists them" not in err
    assert "the archive also holds politics" in err
