"""Built models kept in the user's cache folder: loaded when current, rebuilt otherwise."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from bot.analysis import model_cache, short_text
from bot.analysis.model_cache import cached

TEXTS = ("Қазақстан Республикасы", "Ассалому алайкум, дўстлар", "Привіт, як справи?",
         "Сегодня в Алматы", "Кечээ Бишкекте жыйын болду", "Good morning, Astana")


@pytest.fixture(autouse=True)
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache"


class Builder:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> dict[str, list[int]]:
        self.calls += 1
        return {"model": list(range(self.calls, self.calls + 3))}


def test_a_model_is_built_once_and_then_loaded_from_the_cache() -> None:
    build = Builder()
    first = cached("m", ("v1",), build, dict)
    again = cached("m", ("v1",), build, dict)
    assert build.calls == 1
    assert again == first == {"model": [1, 2, 3]}
    assert [p.name.startswith("m-") for p in model_cache.cache_folder().iterdir()] == [True]
    assert oct(model_cache.cache_folder().stat().st_mode & 0o777) == "0o700"


def test_holds_says_whether_a_start_would_load_the_model() -> None:
    assert not model_cache.holds("m", ("v1",))
    cached("m", ("v1",), Builder(), dict)
    assert model_cache.holds("m", ("v1",)) and not model_cache.holds("m", ("v2",))


def test_another_key_builds_a_model_of_its_own() -> None:
    build = Builder()
    cached("m", ("v1",), build, dict)
    assert cached("m", ("v2",), build, dict) == {"model": [2, 3, 4]}
    assert build.calls == 2
    assert cached("m", ("v1",), build, dict) == {"model": [1, 2, 3]}


@pytest.mark.parametrize("content", [b"", b"\x80\x05truncated", b"not a pickle at all"])
def test_a_corrupt_cache_file_is_rebuilt_and_replaced(
        content: bytes, caplog: pytest.LogCaptureFixture) -> None:
    build = Builder()
    cached("m", ("v1",), build, dict)
    (path,) = model_cache.cache_folder().iterdir()
    path.write_bytes(content)
    with caplog.at_level(logging.WARNING):
        assert cached("m", ("v1",), build, dict) == {"model": [2, 3, 4]}
    assert "building it again" in caplog.text
    assert cached("m", ("v1",), build, dict) == {"model": [2, 3, 4]}  # the new file holds
    assert build.calls == 2


def test_a_cached_object_of_another_type_is_not_returned() -> None:
    cached("m", ("v1",), lambda: ["a list"], list)
    build = Builder()
    assert cached("m", ("v1",), build, dict) == {"model": [1, 2, 3]}


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder")
def test_an_unwritable_cache_folder_only_means_building_each_time(cache_home: Path) -> None:
    cache_home.mkdir()
    cache_home.chmod(0o500)
    try:
        build = Builder()
        assert cached("m", ("v1",), build, dict) == {"model": [1, 2, 3]}
        assert cached("m", ("v1",), build, dict) == {"model": [2, 3, 4]}
    finally:
        cache_home.chmod(0o700)


def test_a_cache_path_that_is_a_file_only_means_building_each_time(cache_home: Path) -> None:
    cache_home.parent.mkdir(exist_ok=True)
    cache_home.write_text("a file where the folder would go")
    build = Builder()
    assert cached("m", ("v1",), build, dict) == {"model": [1, 2, 3]}
    assert cached("m", ("v1",), build, dict) == {"model": [2, 3, 4]}


def test_the_cached_py3langid_model_answers_exactly_as_a_freshly_built_one() -> None:
    from py3langid import langid

    fresh = short_text._build_langid()
    key = short_text._langid_key()
    stored = cached("py3langid", key, short_text._build_langid, langid.LanguageIdentifier)
    (path,) = model_cache.cache_folder().iterdir()
    loaded = cached("py3langid", key, _never, langid.LanguageIdentifier)
    assert loaded is not stored  # read back from the file
    for text in TEXTS:
        assert loaded.rank(text) == fresh.rank(text), text
    # The compact automaton survived the round trip (it is most of the start-up saved).
    assert type(loaded.tk_nextmove) is type(fresh.tk_nextmove)
    assert path.stat().st_size < 20_000_000


def test_the_py3langid_key_follows_the_library_and_the_languages(
        monkeypatch: pytest.MonkeyPatch) -> None:
    key = short_text._langid_key()
    assert key == short_text._langid_key()
    monkeypatch.setattr(short_text, "_LANGID_LANGUAGES", ("ru", "kk"))
    assert short_text._langid_key() != key


def _never() -> object:
    raise AssertionError("the model should have come from the cache")
