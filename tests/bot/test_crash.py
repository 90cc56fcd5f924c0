"""kill -9 during a fan-out to 50 subscribers, 20 times: every part arrives exactly once.

Half the kills come from outside at random moments; the other half strike right after
Telegram accepted a part and before the archive marked it sent, the moment that only the
stored random_id makes safe.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from bot.store import Archive
from tests.faketg import build_world
from tests.faketg.spec import BOT

from .crash_child import SPEC

ROOT = Path(__file__).resolve().parents[2]
KILLS = 20


def _start(workdir: Path, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "tests.bot.crash_child", str(workdir), *extra],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)


def _sent_per_chat(workdir: Path) -> dict[int, list[str]]:
    world = build_world(SPEC, persist_path=workdir / "telegram.jsonl")
    try:
        by_chat: dict[int, list[str]] = {
            world.account(f"subscriber{i:03d}").id: [] for i in range(SPEC.subscribers)}
        for message in world.sent_messages(BOT):
            by_chat.setdefault(message.chat_id, []).append(message.text)
        return by_chat
    finally:
        world.close()


def test_every_subscriber_gets_every_part_once_across_twenty_kills(tmp_path: Path) -> None:
    rng = random.Random(20)
    began = time.monotonic()
    progress: list[int] = []
    while_sending = 0
    for number in range(KILLS):
        if number % 2:
            # The worst moment: Telegram has the part, the archive does not know yet.
            child = _start(tmp_path, f"die-after:{rng.randint(1, 8)}")
            child.communicate(timeout=30)
            assert child.returncode == -signal.SIGKILL
            while_sending += 1
        else:
            child = _start(tmp_path, "slow")
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "started"
            # Queueing and login take ~0.1 s after "started", then a part every 0.2 s.
            time.sleep(rng.uniform(0.03, 0.6))
            child.kill()
            child.wait()
            while_sending += "sending" in child.stdout.read()
            child.stdout.close()
        progress.append(sum(len(v) for v in _sent_per_chat(tmp_path).values()))
    child = _start(tmp_path, "fast")
    out, _ = child.communicate(timeout=60)
    assert out.splitlines()[-1] == "done"

    received = _sent_per_chat(tmp_path)
    assert len(received) == 50
    totals = set()
    for texts in received.values():
        numbers = [re.match(r"Crash digest \((\d+)/(\d+)\)", t) for t in texts]
        assert all(numbers)
        total = int(numbers[0][2])  # type: ignore[index]
        totals.add(total)
        assert [int(n[1]) for n in numbers] == list(range(1, total + 1))  # type: ignore[index]
    assert totals == {3}  # every chat got parts 1, 2, 3: none lost, none twice
    assert sum(len(v) for v in received.values()) == 150
    # The kills really fell inside the fan-out: most struck while it was sending, and it
    # was still unfinished when the last one did.
    assert while_sending >= KILLS // 2 and progress[-1] < 150
    counts = asyncio.run(_outbox_counts(tmp_path))
    assert counts == {"sent": 150}
    print(f"parts delivered after each kill: {progress}; {while_sending} kills while sending; "
          f"{time.monotonic() - began:.0f} s")


def test_parts_sent_before_their_marks_were_written_are_sent_once_after_a_kill(
        tmp_path: Path) -> None:
    # The sender sends on while the marks of the parts before wait for the archive: a kill
    # then leaves parts Telegram has and the archive calls pending.
    child = _start(tmp_path, "held-marks:40")
    child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL
    assert sum(len(v) for v in _sent_per_chat(tmp_path).values()) == 40
    assert asyncio.run(_outbox_counts(tmp_path)) == {"pending": 150}
    child = _start(tmp_path, "fast")
    out, _ = child.communicate(timeout=60)
    assert out.splitlines()[-1] == "done"
    received = _sent_per_chat(tmp_path)
    assert {chat: [re.match(r"Crash digest \((\d)/3\)", t)[1] for t in texts]  # type: ignore[index]
            for chat, texts in received.items()} == {chat: ["1", "2", "3"] for chat in received}
    assert len(received) == 50
    assert asyncio.run(_outbox_counts(tmp_path)) == {"sent": 150}


async def _outbox_counts(workdir: Path) -> dict[str, int]:
    async with Archive.open(workdir / "archive.sqlite3") as archive:
        return await archive.outbox.status_counts()
