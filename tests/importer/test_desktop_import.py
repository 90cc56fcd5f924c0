from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.domain import Analysis, marked_channel_id
from bot.errors import ImportFormatError
from bot.importer.pipeline import import_export
from bot.store import Archive
from tests.importer.exports import FIXTURE, edited_copy, write_export
from tests.store.conftest import history, latest, search

CHANNEL_ID = marked_channel_id(1234567890)


def no_analysis(text: str) -> Analysis:
    return Analysis()


async def test_a_realistic_export_imports_every_message_and_reports_the_rest(
    tmp_path: Path,
) -> None:
    async with Archive.open(tmp_path / "a.sqlite3") as archive:
        report = await import_export(FIXTURE, archive, no_analysis)
        assert report.stored.inserted == 6
        assert report.skipped == 2  # two service messages, not errors
        assert sorted(str(e.msg_id) for e in report.errors) == ["10", "6", "nine"]
        assert report.channel_title == "Кто есть кто <test>"
        posts = {p.msg_id: p for p in await latest(archive, limit=100)}
        assert sorted(posts) == [2, 3, 4, 5, 7, 11]
        assert posts[3].text == ("Итоги недели: парламент обсуждал бюджет. Подробнее: на сайте")
        assert posts[4].text == "Мемлекет басшысы #Ақорда елшілерді қабылдады."
        assert posts[5].text == "" and posts[5].media == ("photo",)
        assert posts[7].media == ("video",)
        assert posts[2].date == datetime(2025, 1, 10, 10, 15, tzinfo=UTC)
        assert all(p.channel_id == CHANNEL_ID for p in posts.values())
        assert await archive.cursors() == {CHANNEL_ID: 11}
        (row,) = await archive.fetch_all(
            "SELECT author, edit_date, fwd_from_name FROM posts WHERE msg_id = 3"
        )
        assert tuple(row) == ("Д. А.", 1736587800, None)
        (row,) = await archive.fetch_all("SELECT fwd_from_name FROM posts WHERE msg_id = 4")
        assert row[0] == "Ақорда"
        assert [p.msg_id for p in await search(archive, "токаев")] == [2]


async def test_re_running_an_import_changes_nothing(tmp_path: Path) -> None:
    async with Archive.open(tmp_path / "a.sqlite3") as archive:
        await import_export(FIXTURE, archive, no_analysis)
        again = await import_export(FIXTURE, archive, no_analysis)
        assert (again.stored.inserted, again.stored.updated, again.stored.unchanged) == (0, 0, 6)
        counts = await archive.fetch_all(
            "SELECT (SELECT count(*) FROM posts), (SELECT count(*) FROM post_texts),"
            " (SELECT count(*) FROM posts_fts)"
        )
        assert tuple(counts[0]) == (6, 6, 6)


async def test_a_later_export_with_an_edit_adds_a_version(tmp_path: Path) -> None:
    edited = edited_copy(tmp_path, 2, "Указ отменён.", edited_unixtime=1736600000)
    async with Archive.open(tmp_path / "a.sqlite3") as archive:
        await import_export(FIXTURE, archive, no_analysis)
        report = await import_export(edited, archive, no_analysis)
        assert report.stored.updated == 1
        versions = [text for _, text, _ in await history(archive, CHANNEL_ID, 2)]
        assert versions[-1] == "Указ отменён." and len(versions) == 2


async def test_analysis_results_are_stored_with_each_imported_post(tmp_path: Path) -> None:
    def lang_by_letter(text: str) -> Analysis:
        return Analysis("kk" if "қ" in text else "ru", 0.9)

    async with Archive.open(tmp_path / "a.sqlite3") as archive:
        await import_export(FIXTURE, archive, lang_by_letter)
        rows = dict(await archive.fetch_all("SELECT msg_id, lang FROM posts"))
        assert rows[4] == "kk" and rows[11] == "ru"


async def test_small_batches_give_the_same_result(tmp_path: Path) -> None:
    async with Archive.open(tmp_path / "a.sqlite3") as archive:
        report = await import_export(FIXTURE, archive, no_analysis, batch_size=2)
        assert report.stored.inserted == 6 and report.error_count == 3


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"[1, 2, 3]", "not a JSON object"),
        (b'{"name": "x"', "not valid JSON|ends"),
        (b"not json at all", "not valid JSON"),
        (b'{"about": "x", "chats": {"list": []}}', "whole-account export"),
        (b'{"name": "Bob", "type": "personal_chat", "id": 5, "messages": []}', "personal_chat"),
        (b'{"name": "x", "type": "public_channel", "id": 5}', "no 'messages' list"),
        (b'{"messages": []}', "missing before 'messages'"),
    ],
)
async def test_a_file_that_is_not_a_channel_export_gets_one_clear_error(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "x.json"
    path.write_bytes(content)
    async with Archive.open(tmp_path / "a.sqlite3") as archive:
        with pytest.raises(ImportFormatError, match=message):
            await import_export(path, archive, no_analysis)


async def test_a_truncated_export_keeps_what_came_before_the_cut(tmp_path: Path) -> None:
    raw = FIXTURE.read_bytes()
    cut = raw[: raw.index(b'"id": 11')]
    path = tmp_path / "cut.json"
    path.write_bytes(cut)
    async with Archive.open(tmp_path / "a.sqlite3") as archive:
        with pytest.raises(ImportFormatError):
            await import_export(path, archive, no_analysis, batch_size=2)
        stored = await archive.fetch_all("SELECT count(*) FROM posts")
        assert stored[0][0] >= 4


async def test_imported_posts_are_history_not_news_for_digests(tmp_path: Path) -> None:
    async with Archive.open(tmp_path / "a.sqlite3") as archive:
        await import_export(FIXTURE, archive, no_analysis)
        assert await archive.arrivals.posts_arrived(after=0, until=2**40) == []
        (count,) = (await archive.fetch_all("SELECT count(*) FROM posts WHERE historic"))[0]
        assert count == 6


async def test_a_large_export_is_streamed_in_bounded_memory(tmp_path: Path) -> None:
    # Memory is bounded by the batch, not the file: three times the posts, about the same
    # peak. Loading the file whole would make the peak grow with it.
    small = await _import_peak(tmp_path / "small", 3000)
    large = await _import_peak(tmp_path / "large", 9000)
    assert large < small * 1.5, (small, large)


async def _import_peak(directory: Path, posts: int) -> int:
    import tracemalloc

    path = write_export(directory / "export.json", posts)
    async with Archive.open(directory / "a.sqlite3") as archive:
        tracemalloc.start()
        try:
            report = await import_export(path, archive, no_analysis)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert report.stored.inserted == posts
    return peak
