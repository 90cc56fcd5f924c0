"""Keep a model that is slow to build in the user's cache folder, ready to load.

py3langid ships its model xz-compressed: decompressing it took 0.9 s of the 1.8 s of CPU an
analysis worker process (bot/workers.py) spends starting, and every worker of every large
import or catch-up, and every CLI run that analyses, paid it again. So the finished model
(restricted to the region's languages and compacted) is pickled once into the user's cache
folder (platformdirs' ``user_cache_path("tgmon")``, ``$XDG_CACHE_HOME/tgmon`` on Linux) and
loaded from there in a few hundredths of a second.

The file's name carries a digest of everything its content depends on (the library's
version, the size and date of its model file, the languages, our own layout), so an upgrade
or a change of languages never loads a stale model: it builds a new one. A cache that can't
be written (a read-only home) or read (a truncated or corrupt file) is only skipped: the
model is built as before. A file is written under a temporary name and renamed, so two
processes starting at once never read half of one.

The folder is the user's own, created readable by the user alone; its pickles are trusted as
the user's own installed packages are.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


def cache_folder() -> Path:
    """Where built models are kept (read from the environment at each call)."""
    from platformdirs import user_cache_path

    return user_cache_path("tgmon", appauthor=False) / "models"


def _path(name: str, key: Sequence[object]) -> Path:
    digest = hashlib.sha256(repr(tuple(key)).encode()).hexdigest()[:16]
    return cache_folder() / f"{name}-{digest}.pickle"


def holds(name: str, key: Sequence[object]) -> bool:
    """Whether the cache holds a model for ``key`` (a process starting now would load it)."""
    return _path(name, key).is_file()


def cached(name: str, key: Sequence[object], build: Callable[[], T],
           expected: type[T]) -> T:
    """Return the model ``build()`` makes, from the cache when it holds one for ``key``."""
    path = _path(name, key)
    try:
        with path.open("rb") as file:
            model = pickle.load(file)
        if isinstance(model, expected):
            return model
        log.warning("%s holds no %s model; building it again", path, name)
    except FileNotFoundError:
        pass
    except Exception as exc:  # truncated, corrupt, unreadable: build it instead
        log.warning("could not load the cached %s model (%s); building it again", name, exc)
    model = build()
    _store(path, model)
    return model


def _store(path: Path, model: object) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as file:
                pickle.dump(model, file, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:  # a read-only or full home: the next start builds it again
        log.info("could not keep the built model in %s (%s)", path.parent, exc)
