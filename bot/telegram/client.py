"""Create every Telethon client tgmon uses: the one place where clients are born.

The app takes its clients only from ``create_client``, and never connects them before the
caller has had them in hand. So a test, or anyone embedding tgmon, can wrap this function and
give the returned client a different network sender (``client._sender``) before ``connect()``:
that is how the test-suite runs the real Telethon code against an in-process fake Telegram.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Literal

from telethon import TelegramClient, errors
from telethon.network import ConnectionTcpMTProxyRandomizedIntermediate
from telethon.sessions import MemorySession, SQLiteSession

from bot.config import Secrets
from bot.config_network import ProxySpec
from bot.errors import ConfigError, SessionError, TelegramError, TgmonError
from bot.telegram.backlog import install_backlog

ClientKind = Literal["user", "bot"]
_MIGRATED = (errors.UserMigrateError, errors.NetworkMigrateError, errors.PhoneMigrateError)
ClientFactory = Callable[..., TelegramClient]


def session_path(secrets: Secrets, kind: ClientKind) -> Path:
    """Where a client's SQLite session lives; the bot's sits beside the user's."""
    return secrets.session_file(kind)


def create_client(
    kind: ClientKind, secrets: Secrets, *, flood_sleep_threshold: int = 60,
    in_memory: bool = False, proxy: ProxySpec | None = None,
) -> TelegramClient:
    """Build (but do not connect) the user or bot client, with a private SQLite session.

    ``sequential_updates`` keeps handlers in arrival order, so a slow insert can never land
    after the edit that followed it. ``catch_up`` stays off: it drops offline edits and gives
    nothing past 100 missed posts, so the collector re-reads history from its cursors instead.
    The bot makes each request once and raises what Telegram said: Telethon counts
    RANDOM_ID_DUPLICATE (a resend Telegram already has) as a server error and would retry it
    5 times, 2 s apart, then raise a bare ValueError; the outbox does its own retrying.
    """
    if secrets.api_id is None or secrets.api_hash is None:
        raise ConfigError("TGMON_API_ID and TGMON_API_HASH are needed to talk to Telegram")
    session: MemorySession | SQLiteSession
    if in_memory:
        session = MemorySession()
    else:
        path = session_path(secrets, kind)
        secure_directory(path.parent)
        session = open_session(path)
        secure_file(path)
    client = TelegramClient(
        session,
        secrets.api_id,
        secrets.api_hash.get_secret_value(),
        **proxy_options(proxy, secrets),
        sequential_updates=True,
        catch_up=False,
        flood_sleep_threshold=flood_sleep_threshold,
        connection_retries=5,
        retry_delay=2,
        request_retries=0 if kind == "bot" else 5,
        raise_last_call_error=kind == "bot",
        auto_reconnect=True,
    )
    if kind == "user":  # the bot's updates are commands, few and small
        install_backlog(client)
    return client


def proxy_options(proxy: ProxySpec | None, secrets: Secrets) -> dict[str, Any]:
    """Telethon's ``proxy=`` (and ``connection=`` for MTProxy) for a configured proxy.

    SOCKS5 and HTTP go through python-socks, the library Telethon prefers for them.
    """
    if proxy is None:
        return {}
    if proxy.scheme == "mtproxy":
        if secrets.mtproxy_secret is None:
            raise ConfigError("network.proxy is an MTProxy: put its secret (hex, as in its "
                              "tg://proxy link) in TGMON_MTPROXY_SECRET")
        return {"connection": ConnectionTcpMTProxyRandomizedIntermediate,
                "proxy": (proxy.host, proxy.port, secrets.mtproxy_secret.get_secret_value())}
    password = secrets.proxy_password.get_secret_value() if secrets.proxy_password else None
    if password is not None and proxy.username is None:
        raise ConfigError("TGMON_PROXY_PASSWORD is set but network.proxy names no user "
                          f"({proxy.scheme}://USER@{proxy.host}:{proxy.port})")
    return {"proxy": {"proxy_type": proxy.scheme, "addr": proxy.host, "port": proxy.port,
                      "username": proxy.username, "password": password, "rdns": True}}


def open_session(path: Path) -> SQLiteSession:
    """Open the SQLite session, redoing one that a kill cut short while it was created.

    Telethon creates the tables, then inserts the schema version in a second transaction;
    a kill -9 between the two leaves an empty version table, and every later open fails
    with TypeError. Such a file never got as far as holding a login, so it is made afresh.
    """
    try:
        return SQLiteSession(str(path))
    except TypeError:
        path.unlink()
        return SQLiteSession(str(path))


def secure_directory(path: Path) -> None:
    """Create ``path`` as a 0700 directory (sessions are as good as a password)."""
    path.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        path.chmod(0o700)


def secure_file(path: Path) -> None:
    """Make a session file (and its journal, if any) readable by its owner only."""
    for candidate in (path, path.with_name(path.name + "-journal")):
        if candidate.exists() and os.name == "posix":
            candidate.chmod(0o600)


@asynccontextmanager
async def network_edge() -> AsyncIterator[None]:
    """Turn whatever the network throws while connecting or logging in into one clear line.

    Telethon retries what it knows (OSError, timeouts); the rest, like the IncompleteReadError
    a captive portal or an HTTP middlebox causes, would escape as a long traceback.
    """
    try:
        yield
    except (TgmonError, errors.RPCError):
        raise  # Telegram answered, or we already explained: the caller decides
    except Exception as exc:
        if type(exc) is EOFError:  # input() at a closed terminal, not the network
            raise
        detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        raise TelegramError(
            f"cannot reach Telegram: {detail}; check the network (a captive portal or a "
            "proxy that is not Telegram's can cause this) and retry; nothing is lost: "
            "tgmon catches up from its cursors"
        ) from None


@asynccontextmanager
async def connected(client: TelegramClient) -> AsyncIterator[TelegramClient]:
    """Connect a client for the life of the block and always disconnect it."""
    try:
        async with network_edge():
            await client.connect()
    except BaseException:
        await client.disconnect()  # Telethon leaves the socket open when its handshake fails
        raise
    try:
        yield client
    finally:
        await client.disconnect()


async def log_in_bot(client: TelegramClient, secrets: Secrets) -> None:
    """Sign the bot in with its token (no prompt is possible) and protect its session file."""
    if secrets.bot_token is None:
        raise ConfigError("TGMON_BOT_TOKEN is not set: a bot token from @BotFather is needed")
    token = secrets.bot_token.get_secret_value()
    try:
        async with network_edge():
            try:
                await client.start(bot_token=token)
            except _MIGRATED:  # Telethon moved to the bot's data centre and made no retry
                await client.start(bot_token=token)
    except errors.RPCError as exc:
        raise SessionError(
            f"Telegram refused the bot token ({type(exc).__name__}); check "
            "TGMON_BOT_TOKEN with @BotFather"
        ) from None
    secure_file(session_path(secrets, "bot"))
