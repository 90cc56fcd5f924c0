"""The session file is a password: owner-only, in an owner-only directory."""

from __future__ import annotations

import stat

from tests.collector.harness import Harness


async def test_session_file_is_0600_in_a_0700_directory(harness: Harness) -> None:
    await harness.run_once(until=lambda: harness.count("SELECT count(*) FROM cursors") == 2)
    session = harness.secrets.session_file("user")
    assert session.exists()
    assert stat.S_IMODE(session.stat().st_mode) == 0o600
    assert stat.S_IMODE(session.parent.stat().st_mode) == 0o700
