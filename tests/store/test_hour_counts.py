"""The hour counters (schema 4) stay equal to the rows they count through every kind of
write."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

from bot.domain import AnalysedPost, Analysis, KeywordHit, Post
from bot.importer.pipeline import import_export
from bot.store import Archive
from bot.store.reanalysis import apply_analyses
from tests.importer.exports import FIXTURE, edited_copy
from tests.store.conftest import CHANNEL, OTHER
from tests.store.counters import assert_counters_fresh

START = datetime(2026, 3, 1, 0, 3, tzinfo=UTC)
STEP = timedelta(minutes=37)  # not a divisor of an hour: posts fall on every minute of it
PRESIDENT = (KeywordHit("president", "токаев", "Токаев"),
             KeywordHit("president", "президент", "президента"))  # two terms, one post
PARLIAMENT = (KeywordHit("parliament", "мажилис", "мажилиса"),)


def item(n: int, *, lang: str | None = None, hits: tuple[KeywordHit, ...] | None = None,
         text: str | None = None, edit: datetime | None = None) -> AnalysedPost:
    """Post ``n``: every 37 minutes, channels, languages and groups in turns."""
    channel = (CHANNEL, OTHER)[n % 2]
    turns = (PRESIDENT, PARLIAMENT, (), PRESIDENT + PARLIAMENT)
    chosen = hits if hits is not None else turns[n % 4]
    post = Post(channel.id, n, START + n * STEP, text or f"пост {n}", edit_date=edit)
    return AnalysedPost(post, Analysis(lang or ("ru", "kk", "en")[n % 3], 0.9, chosen))


def kazakh(text: str) -> Analysis:
    return Analysis("kk", 0.9, PARLIAMENT if "Указ" in text else ())


async def test_counters_equal_a_fresh_count_after_every_kind_of_write(
        archive: Archive) -> None:
    await archive.store_posts([item(n) for n in range(1, 120)])
    await assert_counters_fresh(archive)
    await archive.store_posts([item(n) for n in range(1, 120)])  # again: nothing doubles
    await assert_counters_fresh(archive)
    edited = START + timedelta(days=4)
    # Edits that change the language, swap one group for another, drop every group, or
    # add a term of a group the post already had.
    await archive.store_posts([
        item(1, lang="kk", hits=PARLIAMENT, text="правка 1", edit=edited),
        item(2, hits=(), text="правка 2", edit=edited),
        item(5, hits=PRESIDENT[:1], text="правка 5", edit=edited),
        item(5, hits=PRESIDENT, text="правка 5 снова", edit=edited + timedelta(hours=1)),
        item(8, lang="en", text="правка 8", edit=edited)])
    await assert_counters_fresh(archive)
    # An album whose captioned message arrives after the photo.
    photo = Post(CHANNEL.id, 500, START + timedelta(hours=2), "", grouped_id=77,
                 media=("photo",))
    caption = Post(CHANNEL.id, 501, START + timedelta(hours=2), "альбом", grouped_id=77,
                   media=("photo",))
    await archive.store_posts([AnalysedPost(photo, Analysis("und", 0.0))])
    await archive.store_posts([AnalysedPost(caption, Analysis("ru", 0.9, PRESIDENT))])
    await assert_counters_fresh(archive)
    # A deleted post still counts: /stats shows what was posted, as before the counters.
    before = await archive.fetch_all("SELECT sum(posts) FROM post_hours")
    assert await archive.mark_deleted(CHANNEL.id, [4, 6, 10, 500, 501]) == 4
    assert await archive.fetch_all("SELECT sum(posts) FROM post_hours") == before
    await assert_counters_fresh(archive)
    # Reanalysis after a config change: new languages and groups for stored texts.
    rows = await archive.fetch_all("SELECT pid, text FROM posts ORDER BY pid LIMIT 40")
    changed = await apply_analyses(archive, [
        (int(pid), str(text), Analysis("kk", 0.9, PARLIAMENT if pid % 3 else ()))
        for pid, text in rows])
    assert changed > 0
    await assert_counters_fresh(archive)
    # An import of a Telegram Desktop export, then a later export with an edit.
    await import_export(FIXTURE, archive, kazakh)
    await import_export(edited_copy(archive.path.parent, 2, "Указ отменён.",
                                    edited_unixtime=1736600000), archive, kazakh)
    await assert_counters_fresh(archive)
    # Someone with sqlite3 erasing a post for good (tgmon itself never does).
    await archive.write(_erase, CHANNEL.id, 12)
    await assert_counters_fresh(archive)
    assert await archive.fetch_all("SELECT sum(posts) FROM post_hours") == \
        await archive.fetch_all("SELECT count(*) FROM posts")


def _erase(conn: sqlite3.Connection, channel_id: int, msg_id: int) -> None:
    (pid,) = conn.execute("SELECT pid FROM posts WHERE channel_id = ? AND msg_id = ?",
                          (channel_id, msg_id)).fetchone()
    conn.execute("DELETE FROM keyword_hits WHERE pid = ?", (pid,))
    conn.execute("DELETE FROM posts_fts WHERE rowid = ?", (pid,))
    conn.execute("DELETE FROM posts WHERE pid = ?", (pid,))
