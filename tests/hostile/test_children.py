"""A representative set run as real child processes, under an address-space and CPU limit.

These cover what in-process runs cannot: a pipe on standard input, the locale and encoding of
the process, and the memory of the whole interpreter. They run two at a time.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hostile import exports as ex
from tests.hostile.harness import (
    CHILD_SECONDS,
    ROOT,
    Child,
    Outcome,
    assert_fails_well,
    assert_kept,
    run_children,
    snapshot,
)

CASES: dict[str, tuple[tuple[str, ...], bytes | None, dict[str, str]]] = {
    "deep nesting": (("import", "--quiet", "--db", "a.db", "deep.json"), None, {}),
    "huge message": (("import", "--quiet", "--db", "a.db", "huge.json"), None, {}),
    "pipe": (("import", "--db", "a.db", "-"), ex.around(), {}),
    "dev stdin": (("import", "--db", "a.db", "/dev/stdin"), ex.around(), {}),
    "pipe with a lone surrogate": (
        ("import", "--db", "a.db", "-"), ex.around(ex.bad_message(9, text=rb'"\udc00"')), {}),
    "export over the archive": (("export", "--db", "a.db", "--out", "a.db"), None, {}),
    "ascii output": (("search", "--db", "a.db", "токаев*"), None, {"PYTHONIOENCODING": "ascii"}),
    "C locale": (("search", "--db", "a.db", "токаев*"), None,
                 {"LANG": "C", "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}),
    "endless config": (("check", "--config", "/dev/zero"), None, {}),
    # `regex` compiles a{N} as N copies: this one took 24 GB before the machine killed it.
    "counted repeat": (("check", "--config", "repeat.toml"), None, {}),
}


@pytest.fixture(scope="module")
def outcomes(seeded_template: Path, tmp_path_factory: pytest.TempPathFactory
             ) -> dict[str, tuple[Outcome, Path, dict[str, set[tuple[object, ...]]]]]:
    children, places = [], []
    for _name, (argv, stdin, env) in CASES.items():
        cwd = tmp_path_factory.mktemp("child")
        shutil.copy(seeded_template, cwd / "a.db")
        (cwd / "deep.json").write_bytes(ex.around(ex.bad_message(8, text=ex.deep(1_000_000))))
        (cwd / "huge.json").write_bytes(
            ex.around(ex.bad_message(8, text=b'"' + b"z" * 3_000_000 + b'"')))
        (cwd / "repeat.toml").write_text('[keywords.g]\nterms = ["/a{99999999}/"]\n')
        places.append((cwd, snapshot(cwd / "a.db")))
        children.append(Child(argv, cwd, stdin, env))
    results = run_children(children)
    return {name: (result, cwd / "a.db", before)
            for name, result, (cwd, before) in zip(CASES, results, places, strict=True)}


EXPECTED = {
    "deep nesting": (1, ["nested deeper than 64 levels"]),
    "huge message": (1, ["larger than 1,000,000 characters"]),
    "pipe": (0, []),
    "dev stdin": (0, []),
    "pipe with a lone surrogate": (2, ["save the export to a file", "5 posts were imported"]),
    "export over the archive": (2, ["that is the archive", "choose another file"]),
    "ascii output": (0, []),
    "C locale": (0, []),
    "endless config": (2, ["larger than 4 MB"]),
    "counted repeat": (2, ["/a{99999999}/ repeats a part 99,999,999 times", "write + or {1,}"]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_child_process_fails_well_within_its_limits(
        name: str, outcomes: dict[str, tuple[Outcome, Path, dict[str, set[tuple[object, ...]]]]]
        ) -> None:
    outcome, db, before = outcomes[name]
    code, needles = EXPECTED[name]
    assert_fails_well(outcome, code, *needles, seconds=CHILD_SECONDS)
    assert_kept(db, before)
    if name in {"pipe", "dev stdin"}:
        assert "imported 10" in outcome.out
    if name == "ascii output":
        assert "\\u0422\\u043e" in outcome.out and outcome.out.isascii()  # То…, escaped
    if name == "C locale":
        assert "Токаев" in outcome.out or "\\u0422" in outcome.out


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
@pytest.mark.parametrize("argv", [("stats", "--db", "a.db"), ("search", "--db", "a.db", "токаев*"),
                                  ("search", "--db", "a.db", "токаев*", "--json"),
                                  ("completion", "bash")])
def test_standard_output_on_a_full_disk_is_one_line(
        argv: tuple[str, ...], seeded_template: Path, tmp_path: Path) -> None:
    shutil.copy(seeded_template, tmp_path / "a.db")
    with open("/dev/full", "wb") as full:
        done = subprocess.run([sys.executable, "-m", "bot", *argv], cwd=tmp_path, stdout=full,
                              stderr=subprocess.PIPE, timeout=CHILD_SECONDS, check=False,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    err = done.stderr.decode()
    assert "Traceback" not in err and done.returncode == 1, err
    assert err == ("tgmon: cannot write to standard output: No space left on device; what was "
                   "written is incomplete\n")
