"""An archive for the query-command tests: two channels, edits, a deletion, keyword hits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain import AnalysedPost, Analysis, Channel, KeywordHit, Post
from bot.store import Archive
from tests.bot.harness import NEWS

KAZ = Channel(id=-1001000000002, title="Қазақ үні 🇰🇿", username="kazakh_voice")
DAY0 = datetime(2026, 2, 20, 6, 0, tzinfo=UTC)  # the clock of the bot tests is 2026-03-02


def item(channel: Channel, msg_id: int, text: str, *, day: int, lang: str = "ru",
         groups: tuple[str, ...] = (), edit: datetime | None = None,
         views: int | None = None) -> AnalysedPost:
    hits = tuple(KeywordHit(g, "токаев", "Токаев") for g in groups)
    post = Post(channel_id=channel.id, msg_id=msg_id, text=text, views=views,
                date=DAY0 + timedelta(days=day, minutes=msg_id), edit_date=edit)
    return AnalysedPost(post, Analysis(lang, 0.9, hits))


async def fill(archive: Archive) -> None:
    """12 posts on Tokayev in @news24, 2 in Kazakh; one edited twice, one deleted."""
    await archive.upsert_channel(NEWS)
    await archive.upsert_channel(KAZ)
    posts = [item(NEWS, i, f"Токаев провёл встречу номер {i} с депутатами мажилиса",
                  day=(i - 1) * 9 // 12, groups=("politics",), views=100 + i) for i in range(1, 13)]
    posts.append(item(NEWS, 20, "Погода: завтра дождь и ветер", day=9))
    posts += [item(KAZ, 1, "Тоқаев Мәжіліс депутаттарымен кездесті", day=-1, lang="kk",
                   groups=("politics",)),
              item(KAZ, 2, "Бүгін ауа райы жақсы", day=9, lang="kk")]
    await archive.store_posts(posts)
    edited = DAY0 + timedelta(days=9, hours=1)
    await archive.store_posts([item(NEWS, 20, "Погода: завтра сильный дождь и ветер",
                                    day=9, edit=edited)])
    await archive.store_posts([item(NEWS, 20, "Погода: завтра сильный ливень и ветер",
                                    day=9, edit=edited + timedelta(hours=1))])
    await archive.mark_deleted(NEWS.id, [12], at=DAY0 + timedelta(days=9, hours=3))
