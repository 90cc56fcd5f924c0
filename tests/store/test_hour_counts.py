"""The hour counters (schema 4) stay equal to the rows they count through every kind of
write, and /stats and /trend built on them equal a count of the posts themselves in any
window and any zone, whole-hour or not."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.domain import AnalysedPost, Analysis, KeywordHit, Post
from bot.importer.pipeline import import_export
from bot.store import Archive
from bot.store.channel_overview import channel_overview
from bot.store.hour_counts import split
from bot.store.reanalysis import apply_analyses
from bot.store.trends import mentions_by_day, period_stats
from bot.store.values import DayCounts, Window
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
    # /channels counts each channel's posts from post_counts.
    fresh = dict(await archive.fetch_all("SELECT channel_id, count(*) FROM posts GROUP BY 1"))
    overview = await channel_overview(archive)
    assert {r.channel.id: r.posts for r in overview.channels if r.posts} == fresh
    assert len(fresh) == 3  # the two channels and the imported one


def _erase(conn: sqlite3.Connection, channel_id: int, msg_id: int) -> None:
    (pid,) = conn.execute("SELECT pid FROM posts WHERE channel_id = ? AND msg_id = ?",
                          (channel_id, msg_id)).fetchone()
    conn.execute("DELETE FROM keyword_hits WHERE pid = ?", (pid,))
    conn.execute("DELETE FROM posts_fts WHERE rowid = ?", (pid,))
    conn.execute("DELETE FROM posts WHERE pid = ?", (pid,))


# Whole-hour zones, and zones whose midnight falls inside a UTC hour.
OFFSETS = [0, 5 * 3600, -3 * 3600, 5 * 3600 + 1800, 5 * 3600 + 2700, -(9 * 3600 + 1800)]
WINDOWS = [(timedelta(0), timedelta(days=5)),  # whole days and hours
           (timedelta(hours=7, minutes=13), timedelta(days=3, hours=2, seconds=41)),
           (timedelta(hours=30, minutes=5), timedelta(hours=30, minutes=50)),  # < an hour
           (timedelta(days=-2), timedelta(days=2, hours=6, minutes=1)),
           # "now" just after the newest post: its hour is whole, there is nothing after it
           (timedelta(days=1, minutes=20), 199 * STEP + timedelta(seconds=1))]


@pytest.mark.parametrize("offset", OFFSETS)
async def test_stats_and_trends_equal_a_count_of_the_posts(archive: Archive,
                                                           offset: int) -> None:
    await archive.store_posts([item(n) for n in range(1, 200)])
    await archive.store_posts([item(4, lang="en", hits=(), text="правка", edit=START)])
    await archive.mark_deleted(OTHER.id, [1, 3])
    posts = await archive.fetch_all(
        """SELECT p.channel_id, p.date, p.lang, (SELECT json_group_array(DISTINCT grp)
                  FROM keyword_hits h WHERE h.pid = p.pid) FROM posts p""")
    for since, until in WINDOWS:
        window = Window(START + since, START + until, offset)
        low, high = int(window.since.timestamp()), int(window.until.timestamp())
        inside = [(c, window_day(d, offset), lang, groups) for c, d, lang, groups in posts
                  if low <= d < high]
        stats = await period_stats(archive, window)
        assert stats.per_channel == _count((c, day) for c, day, _, _ in inside)
        assert stats.languages == _total(lang for _, _, lang, _ in inside)
        assert stats.groups == _total(g for *_, groups in inside for g in _names(groups))
        for group in ("president", "parliament"):
            for channels in ((), (OTHER.id,)):
                want = _count((c, day) for c, day, _, groups in inside
                              if group in _names(groups) and (not channels or c in channels))
                assert await mentions_by_day(archive, window, group=group,
                                             channel_ids=channels) == want
    assert sum(sum(d.values()) for d in stats.per_channel.values()) > 0


def window_day(moment: int, offset: int) -> date:
    return (datetime.fromtimestamp(moment, UTC) + timedelta(seconds=offset)).date()


def _names(groups: str | None) -> list[str]:
    return [str(g) for g in json.loads(groups or "[]")]


def _count(keys: Iterable[tuple[int, date]]) -> DayCounts:
    found: DayCounts = {}
    for channel_id, day in keys:
        days = found.setdefault(channel_id, {})
        days[day] = days.get(day, 0) + 1
    return found


def _total(keys: Iterable[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for key in keys:
        found[key] = found.get(key, 0) + 1
    return dict(sorted(found.items(), key=lambda kv: (-kv[1], kv[0])))


def test_the_counters_answer_whole_hours_inside_one_local_day() -> None:
    day, hour = 20_000 * 86_400, 20_000 * 24
    five = split(day + 125, day + 86_400 + 3_000, 5 * 3600)
    assert five.days == ((20_000, hour + 1, hour + 18), (20_001, hour + 19, hour + 23))
    assert five.hour_ranges() == [(hour + 1, hour + 23)]
    assert five.pid_ranges == (((day + 125) << 20, ((day + 3600) << 20) - 1),
                               ((day + 86_400) << 20, ((day + 89_400) << 20) - 1))
    india = split(day, day + 3 * 86_400, 5 * 3600 + 1800)
    assert len(india.days) == 4 and len(india.hour_ranges()) == 4
    # The hour across each local midnight (18:00-19:00 UTC) is read from the posts.
    assert india.pid_ranges == tuple(((day + d * 86_400 + 18 * 3600) << 20,
                                      ((day + d * 86_400 + 19 * 3600) << 20) - 1)
                                     for d in range(3))
    across = split(day + 18 * 3600, day + 19 * 3600, 5 * 3600 + 1800)
    assert across.days == () and len(across.pid_ranges) == 1
    assert split(day + 10, day + 20, 0).pid_ranges == (((day + 10) << 20, ((day + 20) << 20) - 1),)
    assert split(day + 10, day + 10, 0).pid_ranges == ()


def test_an_end_whose_hour_holds_no_other_post_is_counted_as_the_whole_hour() -> None:
    day, hour = 20_000 * 86_400, 20_000 * 24
    asked: list[tuple[int, int]] = []

    def nothing_there(start: int, end: int) -> bool:
        asked.append((start, end))
        return True

    whole = split(day + 125, day + 7_300, 0, nothing_there)
    assert asked == [(day, day + 125), (day + 7_300, day + 10_800)]
    assert (whole.days, whole.pid_ranges) == (((20_000, hour, hour + 2),), ())
    busy = split(day + 125, day + 7_300, 0, lambda start, end: False)
    assert busy == split(day + 125, day + 7_300, 0)
    assert len(busy.pid_ranges) == 2
