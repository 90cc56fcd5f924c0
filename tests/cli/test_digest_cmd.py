"""`tgmon digest`: a preview prints what would be sent; a send goes once through the outbox."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.cli import digest_cmd, main
from bot.cli.parser import build_parser
from bot.config import Secrets
from bot.domain import AnalysedPost, Analysis, Channel, KeywordHit, Post
from bot.store import Archive
from bot.telegram.client import create_client, session_path
from bot.telegram.session_lock import session_lock
from tests.delivery.helpers import store_at
from tests.faketg import FakeWorld, attach

NEWS = Channel(id=-1001000000001, title="News & <Co>", username="news")
ARRIVED = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def post(msg_id: int, text: str) -> AnalysedPost:
    return AnalysedPost(Post(NEWS.id, msg_id, datetime(2026, 1, 1, tzinfo=UTC), text),
                        Analysis("ru", 0.9, (KeywordHit("politics", "x", "x"),)))


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "archive.sqlite3"

    async def fill() -> None:
        async with Archive.open(path) as archive:
            await archive.upsert_channel(NEWS)
            await store_at(archive, ARRIVED, [post(1, "caught up <late> & old")])
            await store_at(archive, datetime(2026, 3, 3, tzinfo=UTC),
                           [post(2, "after the window")])

    asyncio.run(fill())
    return path


def test_dry_run_prints_the_parts_of_posts_that_arrived_in_the_window(
        db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["digest", "--db", str(db), "--since", "2026-03-02",
                 "--until", "2026-03-02T12:00", "--dry-run", "--html"])
    out, err = capsys.readouterr()
    assert code == 0
    assert out.startswith("<b>Digest: digest</b>\n")
    assert "caught up &lt;late&gt; &amp; old" in out  # dated January, arrived in March
    assert "after the window" not in out
    assert "----- part 1/1 -----" in err


def test_an_unknown_digest_name_is_a_usage_error(db: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["digest", "--db", str(db), "--name", "weekly", "--dry-run"]) == 2
    assert "no digest named 'weekly'" in capsys.readouterr().err


def _secrets_env(monkeypatch: pytest.MonkeyPatch, world: FakeWorld, bot: Any,
                 tmp_path: Path) -> None:
    monkeypatch.setenv("TGMON_API_ID", str(world.api_id))
    monkeypatch.setenv("TGMON_API_HASH", world.api_hash)
    monkeypatch.setenv("TGMON_BOT_TOKEN", world.bot_token(bot))
    monkeypatch.setenv("TGMON_SESSION", str(tmp_path / "s" / "tgmon.session"))


def test_sending_twice_with_the_same_window_delivers_once(
        db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    world = FakeWorld()
    alice = world.create_user("alice")
    bot = world.create_bot("tgmon_bot")
    world.user_sends_to_bot(alice, "/start")
    _secrets_env(monkeypatch, world, bot, tmp_path)

    def factory(kind: str, secrets: Secrets, **options: Any) -> Any:
        client = create_client(kind, secrets, in_memory=True, **options)  # type: ignore[arg-type]
        attach(client, world, as_bot=bot)
        return client

    argv = ["digest", "--db", str(db), "--chat", str(alice.id), "--since", "2026-03-02",
            "--until", "2026-03-02T12:00"]
    for _ in range(2):
        args = build_parser().parse_args(argv)
        assert asyncio.run(digest_cmd.digest(args, client_factory=factory)) == 0
    (sent,) = world.sent_messages(bot, chat=alice)
    assert "caught up <late> & old" in sent.text
    assert "1 sent" in capsys.readouterr().err
    world.close()


def test_while_the_bot_runs_a_digest_is_queued_for_it(
        db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    world = FakeWorld()
    bot = world.create_bot("tgmon_bot")
    _secrets_env(monkeypatch, world, bot, tmp_path)
    secrets = Secrets(session=tmp_path / "s" / "tgmon.session")
    with session_lock(session_path(secrets, "bot")):
        code = main(["digest", "--db", str(db), "--chat", "-1009999999999",
                     "--since", "2026-03-02", "--until", "2026-03-02T12:00"])
    assert code == 0
    assert "1 digest(s) queued for the running bot" in capsys.readouterr().err
    world.close()


def test_dry_run_caps_the_digest_at_the_configured_max_items(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "capped.sqlite3"

    async def fill() -> None:
        async with Archive.open(path) as archive:
            await archive.upsert_channel(NEWS)
            await store_at(archive, ARRIVED, [post(i, f"story number {i}") for i in range(1, 8)])

    asyncio.run(fill())
    config = tmp_path / "tgmon.toml"
    config.write_text("[keywords.politics]\nterms = ['x']\n"
                      "[digests.daily]\nschedule = '09:00'\nmax_items = 3\n", encoding="utf-8")
    code = main(["digest", "--config", str(config), "--db", str(path), "--since", "2026-03-02",
                 "--until", "2026-03-02T12:00", "--dry-run", "--html"])
    out, err = capsys.readouterr()
    assert code == 0
    assert "----- part 1/1 -----" in err
    assert [n for n in range(1, 8) if f"story number {n}\n" in out] == [5, 6, 7]  # newest stay
    assert "3 of 7 items shown from 1 channel" in out
    assert "▌ #politics</b> · 3 of 7 items" in out
    assert "<i>…and 4 more items (4 in #politics)</i> — find them with /search" in out


def test_a_preview_of_an_imported_window_says_why_it_is_empty(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.importer.exports import FIXTURE

    db = tmp_path / "imported.sqlite3"
    main(["import", str(FIXTURE), "--db", str(db), "--quiet"])
    capsys.readouterr()
    assert main(["digest", "--db", str(db), "--since", "1h", "--dry-run"]) == 0
    out, err = capsys.readouterr()
    assert "0 items from 0 channels" in out  # the built-in digest says "nothing new"
    assert ("6 imported or backfilled posts arrived in this window as history: never sent as "
            "news; preview them with --include-history") in err


def test_include_history_previews_a_digest_of_imported_posts_as_it_will_read(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.importer.exports import FIXTURE

    db = tmp_path / "imported.sqlite3"
    main(["import", str(FIXTURE), "--db", str(db), "--quiet"])
    capsys.readouterr()
    assert main(["digest", "--db", str(db), "--since", "1h", "--dry-run",
                 "--include-history"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("Digest: digest\n")  # rendered for a terminal: no tags
    assert "<b>" not in out and "<a href" not in out and "&lt;" not in out
    assert "6 items from 1 channel" in out
    assert "Кто есть кто <test>" in out  # the channel title, unescaped
    assert "t.me/c/1234567890/2" in out  # the link, written out
    assert "history" not in err
    assert main(["digest", "--db", str(db), "--since", "1h", "--dry-run", "--include-history",
                 "--html"]) == 0
    assert "<b>Digest: digest</b>" in capsys.readouterr().out


def test_include_history_is_refused_for_a_send(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], db: Path) -> None:
    assert main(["digest", "--db", str(db), "--include-history"]) == 2
    assert "--include-history is for previews (--dry-run)" in capsys.readouterr().err


def test_html_becomes_terminal_text_with_styles_and_written_out_links() -> None:
    from bot.cli.terminal import html_to_terminal
    from bot.printable import printable

    part = ('<b>Digest</b> &amp; <i>news</i>\n<a href="https://t.me/news/1">t.me/news/1</a> '
            '<a href="https://example.org/x">more</a>')
    assert html_to_terminal(part, colour=False) == (
        "Digest & news\nt.me/news/1 more <https://example.org/x>")
    coloured = printable(html_to_terminal(part, colour=True))  # as the terminal gets it
    assert coloured.startswith("\x1b[0m\x1b[1mDigest\x1b[0m & \x1b[0m\x1b[3mnews\x1b[0m")
    assert coloured.endswith("\x1b[0m")
