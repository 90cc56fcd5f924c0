"""Hostile command lines: odd bytes, extreme dates and numbers, all refused in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile.harness import assert_fails_well, assert_unchanged, run

Stored = dict[str, set[tuple[object, ...]]]

FORMATS = "use a date (2026-03-14)"
FAR_BACK = "too far back; the archive holds nothing before 2013"
#: A moment the calendar holds is answered (clamped to 2013-2100, bot/commands/when.py);
#: one it cannot hold is refused saying which end it passed, a malformed one with the formats.
MOMENTS = [
    ("--since", "0001-01-01", None),
    ("--until", "9999-12-31", None),
    ("--since", "9999-12-31T23:59:59+14:00", None),
    ("--since", "0001-01-01T00:00:00-14:00", None),
    ("--until", "0001-01-01T00:00:00+14:00", None),
    ("--until", "9999-12-31T23:59:59-14:00", None),
    ("--since", "5000d", None),
    ("--since", "99999999999999999999999d", FAR_BACK),
    ("--since", "999999999999d", FAR_BACK),
    ("--since", "999999d", FAR_BACK),
    ("--until", "9999999m", None),
    ("--since", "10000000w", FAR_BACK),
    ("--since", "7" * 5000 + "d", FAR_BACK),
    ("--since", "0000-01-01", FAR_BACK),
    ("--until", "99999-01-01", "too far ahead; the archive holds nothing after 2099"),
    ("--since", "2025-02-30", "no such date or time (day is out of range for month)"),
    ("--since", "2025-01-01T24:00", "no such date or time"),
    ("--since", "yesterday", FORMATS),
    ("--since", "", FORMATS),
    ("--since", "２０２５-01-01", FORMATS),
]


@pytest.mark.parametrize(("option", "value", "problem"), MOMENTS,
                         ids=[f"{o}={v[:30]}" for o, v, _ in MOMENTS])
@pytest.mark.parametrize("command", ["search", "export"])
def test_dates_at_the_ends_of_the_calendar_are_answered_or_refused(
        option: str, value: str, problem: str | None, command: str, archive: Path,
        stored: Stored) -> None:
    argv = ["search", "токаев*"] if command == "search" else ["export"]
    outcome = run([*argv, "--db", str(archive), option, value])
    if problem:
        assert_fails_well(outcome, 2, option, problem)
    else:
        assert_fails_well(outcome, 0)
    assert_unchanged(archive, stored)


@pytest.mark.parametrize(("argv", "needles"), [
    (["search", "x", "--limit", "0"], ["--limit", "between 1 and 10000"]),
    (["search", "x", "--limit", "9" * 40], ["--limit", "between 1 and 10000"]),
    (["history", "@x", "9" * 40], ["between 1 and 2147483647"]),
    (["history", "@x", "-5"], ["between 1 and 2147483647"]),
    (["history", "https://t.me/c/" + "9" * 30 + "/1"], ["no stored channel"]),
    (["search", "\udcff\udcfe"], ["argument 2 is not UTF-8", "UTF-8 terminal"]),
    (["search", "\x00"], ["no word to search for"]),
    (["digest", "--dry-run", "--chat", "9" * 30], ["--chat", "not a Telegram chat id"]),
    (["digest", "--dry-run", "--chat", "-" + "9" * 19], ["--chat", "not a Telegram chat id"]),
    (["search", '"' * 1001], ["no word to search for"]),
    (["stats", "--channel", "x"], ["unrecognized arguments"]),
    (["search", "x", "--channel", ""], ["--channel is empty", "leave --channel out"]),
    (["export", "--lang", " "], ["--lang is empty"]),
    (["latest", "--group", ""], ["--group is empty"]),
    (["digest", "--chat", ""], ["--chat is empty", "leave --chat out"]),
])
def test_odd_arguments_are_refused_in_one_line(argv: list[str], needles: list[str],
                                               archive: Path, stored: Stored) -> None:
    outcome = run([*argv, "--db", str(archive)])
    assert_fails_well(outcome, 2, *needles)
    assert_unchanged(archive, stored)


def test_a_search_for_ten_thousand_words_is_answered(archive: Path, stored: Stored) -> None:
    outcome = run(["search", " OR ".join(f"слово{n}" for n in range(2000)), "--db", str(archive)])
    assert_fails_well(outcome, 0)
    assert_unchanged(archive, stored)


def test_a_config_named_by_the_environment_is_checked_like_one_named_by_option(
        archive: Path, stored: Stored, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TGMON_CONFIG", str(tmp_path))
    outcome = run(["stats", "--db", str(archive)])
    assert_fails_well(outcome, 2, str(tmp_path), "a folder")
    assert_unchanged(archive, stored)


def test_an_empty_config_variable_is_no_config_variable(
        archive: Path, stored: Stored, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TGMON_CONFIG", "")
    outcome = run(["stats", "--db", str(archive)])
    assert_fails_well(outcome, 0)
    assert "posts in" in outcome.out
    assert_unchanged(archive, stored)


@pytest.mark.parametrize(("option", "value", "problem"), MOMENTS[:7] + MOMENTS[10:12],
                         ids=[f"{o}={v[:30]}" for o, v, _ in MOMENTS[:7] + MOMENTS[10:12]])
def test_a_digest_preview_over_extreme_dates_is_answered_or_refused(
        option: str, value: str, problem: str | None, archive: Path, stored: Stored) -> None:
    # The digest reads moments as search and export do (clamped to 2013-2100 in the display
    # zone), so an extreme date is refused in one line or answered, never a traceback.
    outcome = run(["digest", "--dry-run", "--db", str(archive), option, value])
    if problem and outcome.code == 2:
        assert_fails_well(outcome, 2, option)
    else:
        assert outcome.code in (0, 2) and "Traceback" not in outcome.err, outcome.err
        assert outcome.code == 0 or "--since must be before --until" in outcome.err
    assert_unchanged(archive, stored)


def test_a_config_path_of_odd_bytes_in_the_environment_is_named(
        archive: Path, stored: Stored, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TGMON_CONFIG", "\udcff\udcfe.toml")
    outcome = run(["stats", "--db", str(archive)])
    assert_fails_well(outcome, 2, "file not found")
    assert_unchanged(archive, stored)


@pytest.mark.parametrize("argv", [["search", "токаев*"], ["export"], ["latest"],
                                  ["digest", "--dry-run"]])
def test_a_window_before_telegram_existed_is_empty_not_reversed(
        argv: list[str], archive: Path, stored: Stored) -> None:
    # Both ends become 2013 inside; their order is the order typed.
    window = ["--since", "2010-01-01", "--until", "2012-01-01"]
    assert_fails_well(run([*argv, "--db", str(archive), *window]), 0)
    reversed_window = ["--since", "2012-01-01", "--until", "2010-01-01"]
    assert_fails_well(run([*argv, "--db", str(archive), *reversed_window]), 2,
                      "--since must be before --until")
    assert_unchanged(archive, stored)
