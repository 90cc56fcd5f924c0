"""Re-run analysis over the stored archive (after the keyword config changes)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from bot.domain import Analysis
from bot.store.archive import Archive
from bot.store.rows import folded_text, text_hash


async def count_posts(archive: Archive) -> int:
    rows = await archive.fetch_all("SELECT count(*) FROM posts")
    return int(rows[0][0])


async def iter_texts(archive: Archive, *, batch: int = 400
                     ) -> AsyncIterator[list[tuple[int, str]]]:
    """Yield (pid, text) pages in pid order, in bounded memory.

    400 a page keeps ``apply_analyses``'s IN list under SQLite's old 999-parameter limit.
    """
    last = -1
    while True:
        rows = await archive.fetch_all(
            "SELECT pid, text FROM posts WHERE pid > ? ORDER BY pid LIMIT ?", (last, batch))
        if not rows:
            return
        yield [(int(r[0]), str(r[1])) for r in rows]
        last = int(rows[-1][0])


async def apply_analyses(archive: Archive, items: Sequence[tuple[int, str, Analysis]]
                         ) -> int:
    """Store new analyses (language, hits, index copy, hash); return how many changed language."""
    async with archive.transaction() as conn:
        before = await archive.fetch_all(
            f"SELECT pid, lang FROM posts WHERE pid IN ({','.join('?' * len(items))})",
            [pid for pid, _, _ in items])
        old_lang = {int(r[0]): r[1] for r in before}
        await conn.executemany(
            "UPDATE posts SET lang = ?, lang_conf = ?, content_hash = ? WHERE pid = ?",
            [(a.lang, a.lang_confidence, text_hash(text, a), pid)
             for pid, text, a in items])
        await conn.executemany(
            "UPDATE posts_fts SET body = ? WHERE rowid = ?",
            [(folded_text(text, a), pid)
             for pid, text, a in items])
        await Archive.replace_hits(conn, [(pid, a) for pid, _, a in items])
    return sum(1 for pid, _, a in items if old_lang.get(pid) != a.lang)
