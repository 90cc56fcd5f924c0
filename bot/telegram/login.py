"""Interactive login of the user account: the only place tgmon ever prompts."""

from __future__ import annotations

import getpass

from telethon import errors

from bot.config import Secrets
from bot.config_network import ProxySpec
from bot.errors import SessionError
from bot.permissions import require_writable
from bot.telegram.client import (
    ClientFactory,
    connected,
    create_client,
    network_edge,
    secure_file,
    session_path,
)
from bot.telegram.session_lock import session_lock


async def login(secrets: Secrets, *, client_factory: ClientFactory = create_client,
                proxy: ProxySpec | None = None) -> str:
    """Log in with phone, code and 2FA password; return who we are logged in as."""
    secrets.require("TGMON_API_ID", "TGMON_API_HASH")
    path = session_path(secrets, "user")
    require_writable(path.parent, holds="the session files")
    with session_lock(path):
        client = client_factory("user", secrets, proxy=proxy)
        async with connected(client), network_edge():
            if not await client.is_user_authorized():
                try:
                    await client.start(
                        phone=lambda: input("Phone number, international format (+7…): "),
                        password=lambda: getpass.getpass("Two-step verification password: "),
                    )
                except errors.RPCError as exc:
                    raise SessionError(f"login failed: {exc}") from None
            me = await client.get_me()
    secure_file(path)
    name = " ".join(filter(None, [me.first_name, me.last_name])) or me.username or "?"
    return f"{name} (id {me.id}); session saved to {path} (mode 0600)"
