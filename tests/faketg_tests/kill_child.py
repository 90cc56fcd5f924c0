"""Child process for test_kill: a bot sending numbered digests into a journaled world."""

import asyncio
import sys

from telethon import functions
from telethon.sessions import SQLiteSession

from tests.faketg import WorldSpec, build_world, install_socket_guard, make_client
from tests.faketg.spec import BOT

SPEC = WorldSpec(seed=3, channels=1, messages_per_channel=5, subscribers=1)


async def main(workdir: str, count: int) -> None:
    world = build_world(SPEC, persist_path=f"{workdir}/telegram.jsonl")
    client = make_client(world, as_bot=BOT, session=SQLiteSession(f"{workdir}/bot"))
    await client.start(bot_token=world.bot_token(BOT))
    user = world.account("subscriber000")
    peer = world.input_peer(user, viewer=BOT)
    for i in range(count):
        # An app would store the random_id before the first attempt; here it is derived.
        await client(functions.messages.SendMessageRequest(peer, f"digest {i}",
                                                           random_id=1000 + i))
        print(i, flush=True)
        await asyncio.sleep(0.002)
    await client.disconnect()
    world.close()
    print("done", flush=True)


if __name__ == "__main__":
    install_socket_guard()
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
