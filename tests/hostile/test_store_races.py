"""Races between writers that must not leave stale analysis behind (store issue 8)."""

from __future__ import annotations

from pathlib import Path

from bot.config import Config
from bot.importer.pipeline import import_export
from bot.ingest import analyser_for
from bot.store import Archive, reanalysis
from tests.importer.exports import FIXTURE, edited_copy
from tests.store.conftest import search


async def test_reanalysis_racing_an_edit_never_hides_the_new_text(tmp_path: Path) -> None:
    analyse = analyser_for(Config())
    async with Archive.open(tmp_path / "a.sqlite3") as archive:
        await import_export(FIXTURE, archive, analyse)
        page = await anext(aiter(reanalysis.iter_texts(archive)))
        analysed = [(pid, text, analyse(text)) for pid, _, text in page]
        # The edit lands between reanalysis reading the texts and writing their analysis.
        edited = edited_copy(tmp_path, 2, "зеленоглазка прилетела", edited_unixtime=1736600000)
        await import_export(edited, archive, analyse)
        await reanalysis.apply_analyses(archive, analysed)
        found = await search(archive, "зеленоглазка")
    assert [p.msg_id for p in found] == [2]
