"""Re-run analysis over the stored archive (after the keyword config changes)."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Sequence

from bot.domain import Analysis
from bot.store.archive import Archive
from bot.store.fts_meta import meta_text
from bot.store.post_writes import replace_hits
from bot.store.rows import folded_text, text_hash


async def count_posts(archive: Archive) -> int:
    rows = await archive.fetch_all("SELECT count(*) FROM posts")
    return int(rows[0][0])


async def iter_texts(archive: Archive, *, batch: int = 400
                     ) -> AsyncIterator[list[tuple[int, int, str]]]:
    """Yield (pid, channel id, text) pages in pid order, in bounded memory.

    400 a page keeps ``apply_analyses``'s IN list under SQLite's old 999-parameter limit.
    """
    last = -1
    while True:
        rows = await archive.fetch_all(
            "SELECT pid, channel_id, text FROM posts WHERE pid > ? ORDER BY pid LIMIT ?",
            (last, batch))
        if not rows:
            return
        yield [(int(r[0]), int(r[1]), str(r[2])) for r in rows]
        last = int(rows[-1][0])


async def apply_analyses(archive: Archive, items: Sequence[tuple[int, str, Analysis]]
                         ) -> int:
    """Store new analyses (language, hits, index copy, hash); return how many changed language.

    Written only where the post's text is still the one analysed: an edit stored meanwhile
    (by the collector or an import) keeps its own, newer analysis and index row.
    """
    return await archive.write(_apply, items)


def _apply(conn: sqlite3.Connection, items: Sequence[tuple[int, str, Analysis]]) -> int:
    marks = ",".join("?" * len(items))
    current = {int(r[0]): (r[1], r[2], int(r[3]), r[4] is not None) for r in conn.execute(
        f"SELECT pid, text, lang, channel_id, deleted_at FROM posts WHERE pid IN ({marks})",
        [pid for pid, _, _ in items])}
    fresh = [(pid, text, a) for pid, text, a in items
             if pid in current and current[pid][0] == text]
    conn.executemany(
        "UPDATE posts SET lang = ?, lang_conf = ?, content_hash = ? WHERE pid = ?",
        [(a.lang, a.lang_confidence, text_hash(text, a), pid) for pid, text, a in fresh])
    conn.executemany(
        "UPDATE posts_fts SET body = ?, meta = ? WHERE rowid = ?",
        [(folded_text(text, a), meta_text(current[pid][2], a.lang, (h.group for h in a.hits),
                                          deleted=current[pid][3]), pid)
         for pid, text, a in fresh])
    replace_hits(conn, [(pid, a) for pid, _, a in fresh])
    return sum(1 for pid, _, a in fresh if current[pid][1] != a.lang)
