"""How many analysis workers start: the config's [analysis] workers, the cores, and what the
memory available (the system's, and every cgroup limit above the process) holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import workers
from bot.analysis import short_text
from bot.config import validate_config
from bot.errors import ConfigError
from bot.host_memory import available_memory
from bot.ingest import analyser_for
from bot.workers import WORKER_PEAK_BYTES, WORKER_PEAK_CACHED_BYTES, worker_count

MB = 2**20


def fake_host(tmp_path: Path, *, available_mb: int, cgroup: str,
              files: dict[str, str]) -> tuple[Path, Path]:
    """A /proc with meminfo and self/cgroup, and a cgroup tree holding ``files``."""
    proc, root = tmp_path / "proc", tmp_path / "cgroup"
    (proc / "self").mkdir(parents=True)
    (proc / "meminfo").write_text(f"MemTotal: 8000000 kB\nMemAvailable: {available_mb * 1024} kB\n")
    (proc / "self" / "cgroup").write_text(cgroup)
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return proc, root


def test_a_systemd_memory_max_bounds_the_memory_available(tmp_path: Path) -> None:
    # MemoryMax=1G on the unit, 150 MB of it in use; the slice above has no limit.
    proc, root = fake_host(tmp_path, available_mb=20_000, cgroup="0::/system.slice/tgmon.service\n",
                           files={"system.slice/tgmon.service/memory.max": f"{1024 * MB}\n",
                                  "system.slice/tgmon.service/memory.current": f"{150 * MB}\n",
                                  "system.slice/memory.max": "max\n",
                                  "system.slice/memory.current": f"{900 * MB}\n"})
    assert available_memory(proc=proc, cgroup_root=root) == 874 * MB
    # A tighter limit on a parent slice counts too.
    (root / "system.slice/memory.max").write_text(f"{1000 * MB}\n")
    assert available_memory(proc=proc, cgroup_root=root) == 100 * MB
    # Page cache the kernel would drop first (the archive's pages a search read) is room.
    (root / "system.slice/memory.stat").write_text(f"anon 1\ninactive_file {300 * MB}\n")
    assert available_memory(proc=proc, cgroup_root=root) == 400 * MB


def test_a_container_limit_reads_from_the_mount_root_in_v1_and_v2(tmp_path: Path) -> None:
    # Inside a container the group's files are at the mount's root, whatever the path says.
    proc, root = fake_host(tmp_path / "v2", available_mb=20_000, cgroup="0::/\n",
                           files={"memory.max": f"{2048 * MB}\n",
                                  "memory.current": f"{48 * MB}\n"})
    assert available_memory(proc=proc, cgroup_root=root) == 2000 * MB
    proc, root = fake_host(tmp_path / "v1", available_mb=20_000,
                           cgroup="4:memory:/docker/abc\n0::/\n",
                           files={"memory/memory.limit_in_bytes": f"{512 * MB}\n",
                                  "memory/memory.usage_in_bytes": f"{12 * MB}\n"})
    assert available_memory(proc=proc, cgroup_root=root) == 500 * MB
    (root / "memory/memory.stat").write_text(f"inactive_file 1\ntotal_inactive_file {MB}\n")
    assert available_memory(proc=proc, cgroup_root=root) == 501 * MB
    # No limit at all (v1 says so with a number near 2**63): the system's figure.
    (root / "memory/memory.limit_in_bytes").write_text("9223372036854771712\n")
    assert available_memory(proc=proc, cgroup_root=root) == 20_000 * MB


def test_no_proc_means_unknown(tmp_path: Path) -> None:
    assert available_memory(proc=tmp_path / "none", cgroup_root=tmp_path / "none") is None


def test_workers_are_as_many_as_cores_up_to_four_and_as_memory_holds() -> None:
    plenty = 64 * 1024 * MB
    assert [worker_count(None, cores=c, available=plenty) for c in (1, 2, 3, 8)] == [0, 2, 3, 4]
    assert worker_count(None, cores=8, available=None) == 4
    # Under MemoryMax=1G with the collector's 150 MB: two workers' start peaks fit, not four.
    assert worker_count(None, cores=8, available=874 * MB) == 2
    assert worker_count(None, cores=8, available=WORKER_PEAK_BYTES - 1) == 0
    # The config's number is a ceiling of its own: more than the cores if asked, never more
    # than memory holds.
    assert worker_count(3, cores=2, available=plenty) == 3
    assert worker_count(4, cores=8, available=2 * WORKER_PEAK_BYTES) == 2
    assert worker_count(0, cores=8, available=plenty) == 0
    # Workers that load the cached model peak lower: four fit where two did.
    assert worker_count(None, cores=8, available=874 * MB, peak=WORKER_PEAK_CACHED_BYTES) == 4


def test_the_peak_counted_is_the_cached_one_only_when_the_cache_holds_the_model(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A host under MemoryMax=1G with the collector resident: 874 MB left.
    monkeypatch.setattr(workers, "available_memory", lambda: 874 * MB)
    config = validate_config({"analysis": {"workers": 4}}, source="test")
    (tmp_path / "file").write_text("")
    for cache, expected in ((tmp_path / "file" / "cache", 2), (tmp_path / "cache", 4)):
        # Under a file, no cache folder can be made (root included): every worker would build
        # py3langid's model itself, at 350 MB; with the cache, it loads what the parent built.
        monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
        short_text._langid.cache_clear()
        analyser = analyser_for(config)
        analyser("Кечээ Бишкекте жыйын болду")  # short: py3langid votes
        assert short_text.langid_cached() is (expected == 4)
        assert workers._workers_for(analyser) == expected
    short_text._langid.cache_clear()


@pytest.mark.parametrize(("setting", "expected"), [(0, None), (1, 1), (3, 3)])
async def test_the_config_sets_the_workers_of_a_big_import(
        setting: int, expected: int | None, tmp_path: Path) -> None:
    export = tmp_path / "result.json"
    with export.open("wb") as handle:  # sparse: past the size that starts workers
        handle.truncate(workers.MIN_EXPORT_BYTES + 1)
    analyser = analyser_for(validate_config({"analysis": {"workers": setting}}, source="test"))
    pool = workers.pool_for(analyser, export)
    try:
        assert (pool.workers if pool else None) == expected
    finally:
        if pool:
            await pool.close()  # nothing was submitted, so no worker process was started


def test_an_impossible_worker_count_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"analysis\.workers"):
        validate_config({"analysis": {"workers": -1}}, source="test")
