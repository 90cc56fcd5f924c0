"""/healthz, /readyz and /metrics of the running app, the loop watchdog and the heartbeat."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.metrics import REGISTRY
from bot.telegram.connection import Backoff
from tests.collector.harness import Harness, make_config, make_secrets
from tests.faketg import FakeWorld
from tests.faketg.guard import allow_loopback

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def get(port: int, path: str) -> tuple[int, str]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.0\r\n\r\n".encode())
    await writer.drain()
    answer = (await reader.read()).decode()
    writer.close()
    await writer.wait_closed()
    head, _, body = answer.partition("\r\n\r\n")
    return int(head.split()[1]), body


async def until_ready(port: int) -> None:
    for _ in range(200):
        if (await get(port, "/readyz"))[0] == 200:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"not ready: {(await get(port, '/readyz'))[1]}")


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def total(name: str) -> float:
    """The sum of a metric over all its labels."""
    return sum(s.value for m in REGISTRY.collect() for s in m.samples if s.name == name)


@pytest.fixture
def served(world: FakeWorld, tmp_path: Path, fast_telethon_timers: None) -> Iterator[Harness]:
    monitor = world.create_user("monitor")
    world.create_channel("news", title="News", members=[monitor])
    world.create_channel("other", title="Other", members=[monitor])
    port = free_port()
    config = make_config(tmp_path / "a.sqlite3", [{"ref": "@news"}, {"ref": "@other"}],
                         flood_sleep_threshold=0)
    config = config.model_copy(update={"network": config.network.model_copy(
        update={"health_port": port, "heartbeat_file": tmp_path / "heartbeat"})})
    harness = Harness(world, monitor, config, make_secrets(tmp_path),
                      backoff=Backoff(first=0.01, cap=0.05))
    with allow_loopback(port):
        yield harness


async def test_readiness_follows_catch_up_and_the_connection(
        served: Harness, world: FakeWorld, tmp_path: Path) -> None:
    port = served.config.network.health_port
    news = world.channel("news")
    await served.start()
    try:
        await served.wait(lambda: served.cursor(news.marked_id) is not None)
        await served.wait(lambda: (tmp_path / "heartbeat").exists())
        assert (await get(port, "/healthz"))[0] == 200
        await served.wait(lambda: served.count("SELECT count(*) FROM cursors") == 2)
        await until_ready(port)

        world.outage(served.account)
        await served.wait(lambda: not served.clients[0].is_connected())
        status, body = await get(port, "/readyz")
        assert status == 503 and "the user client is disconnected" in body
        assert (await get(port, "/healthz"))[0] == 200  # alive all the same
        world.end_outage(served.account)
        await served.wait(lambda: served.clients[0].is_connected())
        await until_ready(port)
        assert (await get(port, "/nowhere"))[0] == 404
    finally:
        await served.stop()


async def test_metrics_move_under_a_flood_wait_and_a_private_channel(
        served: Harness, world: FakeWorld) -> None:
    port = served.config.network.health_port
    news = world.channel("news")
    floods = sample("tgmon_flood_waits_total", request="history")
    reconnects = sample("tgmon_reconnects_total", client="user")
    for n in range(3):
        world.post(news, f"пост {n}")
    await served.start()
    try:
        await served.wait(lambda: len(served.texts(news.marked_id)) == 3)
        world.inject_error("GetHistory", "FLOOD_WAIT_300", times=1,
                           match=lambda req: getattr(req.peer, "channel_id", 0) == news.id)
        world.post(news, "после", push=False)
        world.outage(served.account)
        world.end_outage(served.account)  # a reconnect wakes an immediate read
        await served.wait(lambda: sample("tgmon_flood_waits_total", request="history") > floods)
        await served.wait(lambda: sample("tgmon_reconnects_total", client="user") > reconnects)
        status, text = await get(port, "/metrics")
    finally:
        await served.stop()
    assert status == 200
    assert f'tgmon_posts_stored{{channel="{news.marked_id}"}} 3.0' in text
    assert 'tgmon_outbox_parts{status="pending"} 0.0' in text
    assert "tgmon_event_loop_lag_seconds" in text and "tgmon_last_catchup_timestamp_seconds" in text
    assert f'tgmon_catchup_age_seconds{{channel="{news.marked_id}"}}' in text


async def test_a_channel_that_shut_us_out_is_counted(served: Harness, world: FakeWorld) -> None:
    other = world.channel("other")
    before = total("tgmon_channel_errors_total")
    await served.start()
    try:
        await served.wait(lambda: served.count("SELECT count(*) FROM cursors") == 2)
        world.make_private(other)
        world.ban(other, served.account)
        world.post(other, "unseen", push=False)
        await served.wait(lambda: served.count(
            "SELECT count(*) FROM channels WHERE status = 'unavailable'") == 1)
    finally:
        await served.stop()
    assert total("tgmon_channel_errors_total") > before


def test_a_stalled_event_loop_ends_the_process_with_one_clear_line(tmp_path: Path) -> None:
    script = (
        "import asyncio, logging, time\n"
        "from bot.health import LoopWatchdog\n"
        "logging.basicConfig()\n"
        "async def main():\n"
        "    dog = asyncio.create_task(LoopWatchdog(stall_limit=0.5, interval=0.1).run())\n"
        "    await asyncio.sleep(0.3)\n"
        "    time.sleep(5)  # a blocking call on the event loop\n"
        "    print('survived')\n"
        "asyncio.run(main())\n")
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=30)
    assert done.returncode == 1 and "survived" not in done.stdout
    assert "event loop has been stuck" in done.stderr
    assert time.monotonic() - started < 5


async def test_a_client_that_sends_no_request_or_an_endless_one_is_hung_up_on(
        caplog: pytest.LogCaptureFixture) -> None:
    from bot.health import Readiness, serve_health

    async def refresh() -> None:
        pass

    port = free_port()
    with allow_loopback(port):
        async with serve_health(port, Readiness(), refresh, request_seconds=0.2):
            silent = await asyncio.open_connection("127.0.0.1", port)
            endless = await asyncio.open_connection("127.0.0.1", port)
            endless[1].write(b"GET /" + b"x" * 200_000)
            # Each is closed by the server: read() returns at the end of the stream.
            for reader, writer in (silent, endless):
                assert await asyncio.wait_for(reader.read(), 5) == b""
                writer.close()
            assert (await get(port, "/healthz")) == (200, "ok\n")  # and it still answers
    assert not [r for r in caplog.records if r.levelname == "ERROR"], caplog.text
