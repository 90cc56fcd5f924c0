"""How much memory this process may still take: what the system has available, and the room
left under every cgroup limit above the process (a systemd ``MemoryMax``, a container's
``mem_limit``), whichever is least.

A cgroup limit is what matters in a service: past it the kernel's OOM killer ends a process
of the group, and systemd's default ``OOMPolicy=stop`` then stops the whole unit. Linux only;
elsewhere the answer is None (unknown) and callers decide without it.
"""

from __future__ import annotations

from pathlib import Path

#: cgroup v1 writes "no limit" as a number near 2**63, rounded down to a page.
_UNLIMITED = 2**60


def available_memory(*, proc: Path = Path("/proc"),
                     cgroup_root: Path = Path("/sys/fs/cgroup")) -> int | None:
    """Bytes this process may still allocate, or None when nothing says."""
    bounds = [b for b in (_mem_available(proc), *_cgroup_room(proc, cgroup_root))
              if b is not None]
    return max(0, min(bounds)) if bounds else None


def _mem_available(proc: Path) -> int | None:
    for line in _read(proc / "meminfo").splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) * 1024
    return None


def _cgroup_room(proc: Path, root: Path) -> list[int | None]:
    """The room under each limited cgroup from the process's own up to the root."""
    rooms: list[int | None] = []
    for line in _read(proc / "self" / "cgroup").splitlines():
        hierarchy, _, rest = line.partition(":")
        controllers, _, path = rest.partition(":")
        if hierarchy == "0" and not controllers:  # v2: limits at every level of the tree
            rooms += [_room(d / "memory.max", d / "memory.current", "inactive_file")
                      for d in _levels(root, path)]
        elif "memory" in controllers.split(","):  # v1: one memory hierarchy
            rooms += [_room(d / "memory.limit_in_bytes", d / "memory.usage_in_bytes",
                            "total_inactive_file")
                      for d in _levels(root / "memory", path)]
    return rooms


def _levels(mount: Path, path: str) -> list[Path]:
    # Inside a container the group's own files are at the mount's root, whatever the path
    # in /proc/self/cgroup says; outside, at mount/path and its parents.
    own = mount / path.strip("/")
    levels = [own, *own.parents] if own != mount else [mount]
    return [d for d in levels if d.is_relative_to(mount) and d.is_dir()]


def _room(limit_file: Path, usage_file: Path, reclaimable: str) -> int | None:
    limit, usage = _read(limit_file).strip(), _read(usage_file).strip()
    if not limit.isdigit() or not usage.isdigit() or int(limit) >= _UNLIMITED:
        return None  # "max", no such file, or v1's "unlimited"
    # The usage counts the page cache too: the archive's pages a search read fill it up to
    # the limit, and the kernel drops the inactive ones before it kills anything (the
    # "working set" that docker stats and the kubelet show leaves them out the same way).
    return int(limit) - int(usage) + _stat(limit_file.with_name("memory.stat"), reclaimable)


def _stat(path: Path, key: str) -> int:
    for line in _read(path).splitlines():
        name, _, value = line.partition(" ")
        if name == key and value.strip().isdigit():
            return int(value)
    return 0


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii", errors="replace")
    except OSError:
        return ""
