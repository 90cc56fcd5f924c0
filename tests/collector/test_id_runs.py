"""The ids a catch-up read, kept for the reconcile that follows it, answer as a set does and
take a few bytes per run of consecutive ids instead of ~70 bytes per id."""

from __future__ import annotations

import random
import tracemalloc

from bot.telegram.id_runs import IdRuns


def test_id_runs_answer_as_a_set_does() -> None:
    rng = random.Random(3)
    ids = sorted(rng.sample(range(1, 5000), 3000))
    runs = IdRuns()
    for msg_id in [*ids, ids[10], 7, 7]:  # one seen twice, one out of order
        runs.add(msg_id)
    wanted = {*ids, 7}
    assert {m for m in range(0, 5002) if m in runs} == wanted
    assert set(runs) == wanted and len(runs) == len(wanted)


def test_a_long_catch_up_without_deletions_is_kept_in_a_few_bytes() -> None:
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        runs = IdRuns()
        for msg_id in range(1000, 21000):
            if msg_id % 5000:  # four deleted messages: five runs
                runs.add(msg_id)
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(runs) == 19_996
    assert held < 2_000  # a set of the same ids: ~1 MB
