from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.domain import KeywordHit
from bot.errors import StoreError
from bot.store import Archive, post_writes
from bot.store.schema import MIGRATIONS
from bot.store.values import PostQuery
from tests.store.conftest import CHANNEL, OTHER, analysed, history, latest, make_post, search


async def test_migrations_run_from_empty_and_set_the_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "new" / "archive.sqlite3"
    async with Archive.open(path) as archive:
        assert await archive.schema_version() == len(MIGRATIONS)
        mode = await archive.fetch_all("PRAGMA journal_mode")
        assert mode[0][0] == "wal"
        sync = await archive.fetch_all("PRAGMA synchronous")
        assert sync[0][0] == 2  # FULL
    async with Archive.open(path) as again:  # reopening runs nothing twice
        assert await again.schema_version() == len(MIGRATIONS)


async def test_an_archive_from_a_newer_tgmon_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE posts (x)")
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer"):
        async with Archive.open(path):
            pass
    conn = sqlite3.connect(path)  # refused before anything changed it: not switched to WAL
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()


async def test_a_file_that_is_not_sqlite_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="not a usable tgmon archive"):
        async with Archive.open(path):
            pass


async def test_storing_the_same_post_twice_leaves_one_row(archive: Archive) -> None:
    post = make_post(1, "Токаев провёл встречу")
    first = await archive.store_posts([analysed(post)])
    second = await archive.store_posts([analysed(post)])
    assert (first.inserted, second.inserted, second.unchanged) == (1, 0, 1)
    rows = await archive.fetch_all("SELECT count(*) FROM posts")
    versions = await archive.fetch_all("SELECT count(*) FROM post_texts")
    fts = await archive.fetch_all("SELECT count(*) FROM posts_fts")
    assert (rows[0][0], versions[0][0], fts[0][0]) == (1, 1, 1)


async def test_an_edit_adds_a_version_only_when_the_text_changed(archive: Archive) -> None:
    await archive.store_posts([analysed(make_post(5, "первый текст"))])
    edited = make_post(5, "второй текст", edit_date=datetime(2026, 3, 2, tzinfo=UTC))
    result = await archive.store_posts([analysed(edited)])
    await archive.store_posts([analysed(edited)])
    assert result.updated == 1
    versions = await history(archive, CHANNEL.id, 5)
    assert [text for _, text, _ in versions] == ["первый текст", "второй текст"]
    found = await search(archive, "второй")
    assert [p.msg_id for p in found] == [5] and found[0].edit_count == 1
    assert await search(archive, "первый") == []


async def test_a_stale_insert_never_overwrites_a_later_edit(archive: Archive) -> None:
    edited = make_post(7, "after edit", edit_date=datetime(2026, 3, 2, tzinfo=UTC))
    await archive.store_posts([analysed(edited)])
    await archive.store_posts([analysed(make_post(7, "before edit"))])
    (row,) = await archive.fetch_all("SELECT text FROM posts WHERE msg_id = 7")
    assert row[0] == "after edit"


@pytest.mark.parametrize("update_from", [True, False], ids=["sqlite>=3.33", "older sqlite"])
async def test_views_are_refreshed_when_a_post_is_seen_again(
        archive: Archive, update_from: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    # Older SQLite has no UPDATE … FROM: the same refresh then runs one post per step.
    monkeypatch.setattr(post_writes, "UPDATE_FROM", update_from)
    edited = datetime(2026, 3, 2, tzinfo=UTC)
    await archive.store_posts([analysed(make_post(9, "x", views=10)),
                               analysed(make_post(8, "y", views=5, edit_date=edited))])
    await archive.store_posts([analysed(make_post(9, "x", views=250, forwards=3)),
                               analysed(make_post(8, "y", views=None, replies=2))])
    rows = await archive.fetch_all("SELECT msg_id, views, forwards, replies, edit_date "
                                   "FROM posts ORDER BY msg_id")
    assert [tuple(r) for r in rows] == [(8, 5, None, 2, int(edited.timestamp())),
                                        (9, 250, 3, None, None)]


async def test_cursor_moves_with_the_posts_and_never_backwards(archive: Archive) -> None:
    await archive.store_posts([analysed(make_post(10))], cursors={CHANNEL.id: 10})
    await archive.store_posts([analysed(make_post(3))], cursors={CHANNEL.id: 3})
    assert await archive.cursors() == {CHANNEL.id: 10}


async def test_a_failed_batch_moves_neither_posts_nor_cursor(archive: Archive) -> None:
    unknown_channel = make_post(1, channel=CHANNEL.__class__(id=-1009999999999))
    with pytest.raises(StoreError, match="FOREIGN KEY"):
        await archive.store_posts(
            [analysed(make_post(1)), analysed(unknown_channel)], cursors={CHANNEL.id: 1}
        )
    assert await archive.cursors() == {}
    assert (await archive.fetch_all("SELECT count(*) FROM posts"))[0][0] == 0


async def test_an_album_is_deleted_only_when_all_its_messages_are(archive: Archive) -> None:
    album = make_post(20, "album caption", album_ids=(20, 21, 22), media=("photo",) * 3)
    await archive.store_posts([analysed(album)])
    assert await archive.mark_deleted(CHANNEL.id, [22]) == 0  # one photo of three: kept
    (post,) = await latest(archive)
    assert not post.deleted
    assert await archive.mark_deleted(CHANNEL.id, [20, 21]) == 1  # the last ones: deleted
    assert await archive.mark_deleted(CHANNEL.id, [20]) == 0  # already marked
    (post,) = await latest(archive)
    assert post.deleted and post.text == "album caption" and post.media == ("photo",) * 3


async def test_album_member_seen_later_updates_the_album_post(archive: Archive) -> None:
    await archive.store_posts([analysed(make_post(30, "cap", album_ids=(30, 31)))])
    result = await archive.store_posts([analysed(make_post(31, "cap"))])
    assert result.unchanged == 1
    assert (await archive.fetch_all("SELECT count(*) FROM posts"))[0][0] == 1


async def test_search_folds_case_yo_and_kazakh_letters(archive: Archive) -> None:
    await archive.store_posts(
        [
            analysed(make_post(1, "Президент Тоқаев выступил в Мәжілісе")),
            analysed(make_post(2, "ТОКАЕВА поддержали. Ёлка во дворе")),
            analysed(make_post(3, "Назарбаев промолчал", channel=OTHER)),
        ]
    )
    assert {p.msg_id for p in await search(archive, "токаев*")} == {1, 2}
    assert [p.msg_id for p in await search(archive, "елка")] == [2]
    assert [p.msg_id for p in await search(archive, "мажилисе")] == [1]
    assert {p.msg_id for p in await search(archive, "токаев* -мажилисе")} == {2}
    assert {p.msg_id for p in await search(archive, "назарбаев OR елка")} == {2, 3}
    only_other = await search(archive, "назарбаев OR токаев*", PostQuery(channel_id=OTHER.id))
    assert [p.msg_id for p in only_other] == [3]


async def test_search_returns_newest_first_and_respects_limit(archive: Archive) -> None:
    await archive.store_posts(
        [analysed(make_post(i, f"новость номер {i}", day=i)) for i in range(1, 11)]
    )
    found = await search(archive, "новость", limit=3)
    assert [p.msg_id for p in found] == [10, 9, 8]


async def test_hits_are_stored_and_replaced_on_edit(archive: Archive) -> None:
    hit = KeywordHit("president", "Токаев", "токаева")
    await archive.store_posts([analysed(make_post(1, "встреча Токаева"), hits=(hit,))])
    (post,) = await latest(archive, PostQuery(group="president"))
    assert post.hits == (hit,) and post.groups == ("president",)
    edited = make_post(1, "встреча отменена", edit_date=datetime(2026, 3, 3, tzinfo=UTC))
    await archive.store_posts([analysed(edited)])
    assert await latest(archive, PostQuery(group="president")) == []


async def test_stats_count_posts_edits_deletions_and_languages(archive: Archive) -> None:
    await archive.store_posts(
        [analysed(make_post(i, f"t{i}"), lang="kk" if i % 2 else "ru") for i in range(1, 5)]
    )
    await archive.store_posts(
        [analysed(make_post(1, "t1 edited", edit_date=datetime(2026, 3, 5, tzinfo=UTC)), lang="kk")]
    )
    await archive.mark_deleted(CHANNEL.id, [2])
    result = await archive.queries.stats()
    (ours, other) = result.channels
    assert (ours.posts, ours.edited, ours.deleted) == (4, 1, 1)
    assert other.posts == 0
    assert result.languages == {"kk": 2, "ru": 2}


async def test_link_uses_username_or_the_c_form(archive: Archive) -> None:
    await archive.store_posts([analysed(make_post(4)), analysed(make_post(5, channel=OTHER))])
    links = {p.msg_id: p.link for p in await latest(archive)}
    assert links == {4: "https://t.me/ashimbayev/4", 5: "https://t.me/c/1000000002/5"}


async def test_album_messages_arriving_apart_become_one_post(archive: Archive) -> None:
    first = make_post(40, "", grouped_id=777, media=("photo",))
    caption = make_post(41, "подпись к альбому", grouped_id=777, media=("video",))
    third = make_post(42, "", grouped_id=777, media=("photo",))
    await archive.store_posts([analysed(first)])
    await archive.store_posts([analysed(caption), analysed(third)])
    await archive.store_posts([analysed(third)])  # seen again by the timer
    (post,) = await latest(archive)
    assert post.msg_id == 40 and post.text == "подпись к альбому"
    assert post.media == ("photo", "video", "photo")
    assert await archive.mark_deleted(CHANNEL.id, [40, 41, 42]) == 1


async def test_an_album_in_one_batch_is_stored_once_with_its_caption(archive: Archive) -> None:
    parts = [
        make_post(50 + i, "cap" if i == 2 else "", grouped_id=9, media=("photo",)) for i in range(3)
    ]
    result = await archive.store_posts([analysed(p) for p in parts])
    assert result.inserted == 1
    (post,) = await latest(archive)
    assert (post.msg_id, post.text, post.media) == (50, "cap", ("photo",) * 3)


async def test_search_finds_uzbek_words_whatever_apostrophe_they_are_typed_with(
    archive: Archive,
) -> None:
    # oʻ and gʻ are typed with ʻ (the standard), ʼ, ‘, ’, ` or a plain ' (issue 12).
    texts = ["Oʻzbekiston yangiliklari", "O'zbekiston prezidenti", "O’zbekiston bankida"]
    await archive.store_posts([analysed(make_post(i, t), "uz") for i, t in enumerate(texts, 1)])
    for query in ("oʻzbekiston", "o'zbekiston", "o`zbekiston", "oʼzbek*"):
        assert {p.msg_id for p in await search(archive, query)} == {1, 2, 3}, query


async def test_search_finds_kazakh_and_uzbek_posts_in_the_other_script(archive: Archive) -> None:
    texts = ["Тоқаев Астанада сөйледі", "Toqaev Astanada söiledı", "Tokayev met Putin",
             "Ўзбекистонда қор ёғди", "Oʻzbekistonda qor yogʻdi"]
    await archive.store_posts([analysed(make_post(i, t), "kk") for i, t in enumerate(texts, 1)])
    assert {p.msg_id for p in await search(archive, "Тоқаев")} == {1, 2, 3}
    assert {p.msg_id for p in await search(archive, "toqaev")} == {1, 2}
    assert {p.msg_id for p in await search(archive, "Ўзбекистонда")} == {4, 5}
    assert {p.msg_id for p in await search(archive, "oʻzbekiston*")} == {4, 5}
    # English words are not read as Cyrillic: "net" does not find "нет".
    await archive.store_posts([analysed(make_post(9, "Нет, не так"))])
    assert await search(archive, "net") == []


async def test_an_album_caption_that_arrives_later_is_no_edit(archive: Archive) -> None:
    # The photos came on one history page, the captioned message on the next.
    photos = [make_post(n, "", grouped_id=77, media=("photo",)) for n in (40, 41)]
    await archive.store_posts([analysed(p) for p in photos])
    await archive.store_posts([analysed(make_post(42, "подпись", grouped_id=77,
                                                  media=("photo",)))])
    (post,) = await latest(archive)
    assert post.text == "подпись" and post.edit_count == 0
    assert [text for _, text, _ in await history(archive, CHANNEL.id, 40)] == ["подпись"]


async def test_deleted_yes_is_answered_by_the_index_through_edits_and_reanalysis(
        archive: Archive) -> None:
    from bot.domain import Analysis
    from bot.store import reanalysis

    await archive.store_posts([analysed(make_post(i, f"Токаев сказал {i}")) for i in (1, 2, 3)])
    album = [make_post(n, "Токаев альбом" if n == 10 else "", grouped_id=5, media=("photo",))
             for n in (10, 11)]
    await archive.store_posts([analysed(p) for p in album])
    deleted = PostQuery(deleted=True)
    assert await search(archive, "токаев", deleted) == []
    await archive.mark_deleted(CHANNEL.id, [2, 11])  # one post, and half of the album
    await archive.mark_deleted(CHANNEL.id, [2])  # again: nothing changes
    assert [p.msg_id for p in await search(archive, "токаев", deleted)] == [2]
    page = await archive.queries.search("токаев", deleted)
    assert (page.total, page.capped) == (1, False)
    # An edit of a deleted post (an import of an older export, say) keeps its mark.
    edited = make_post(2, "Токаев сказал иначе", edit_date=datetime(2026, 3, 4, tzinfo=UTC))
    await archive.store_posts([analysed(edited)])
    assert [p.msg_id for p in await search(archive, "иначе", deleted)] == [2]
    # So does a reanalysis that rewrites its index row.
    rows = await archive.fetch_all("SELECT pid, text FROM posts WHERE msg_id = 2")
    await reanalysis.apply_analyses(archive, [(rows[0][0], rows[0][1],
                                               Analysis("kk", 0.9, ()))])
    assert [p.msg_id for p in await search(archive, "иначе", deleted)] == [2]
    assert {p.msg_id for p in await search(archive, "токаев", PostQuery(deleted=False))} == {
        1, 3, 10}
    await archive.mark_deleted(CHANNEL.id, [10])  # the album's last message: now it is gone
    assert [p.msg_id for p in await search(archive, "альбом", deleted)] == [10]
