"""kill -9 at random moments: the rebuilt world still knows every random_id it accepted."""

import os
import random
import subprocess
import sys
import time
from pathlib import Path

from tests.faketg import build_world
from tests.faketg.spec import BOT

from .kill_child import SPEC

ROOT = Path(__file__).resolve().parents[2]
COUNT = 30


def _start(workdir: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.faketg_tests.kill_child", str(workdir), str(COUNT)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)


def test_random_ids_are_accepted_once_across_kills(tmp_path: Path) -> None:
    rng = random.Random(5)
    for _ in range(3):
        child = _start(tmp_path)
        assert child.stdout is not None
        child.stdout.readline()  # it is sending
        time.sleep(rng.uniform(0, 0.03))
        child.kill()
        child.wait()
        child.stdout.close()
    child = _start(tmp_path)
    out, _ = child.communicate(timeout=30)
    assert out.splitlines()[-1] == "done"

    world = build_world(SPEC, persist_path=tmp_path / "telegram.jsonl")
    random_ids = [m.random_id for m in world.sent_messages(BOT)]
    world.close()
    assert random_ids == [1000 + i for i in range(COUNT)]
