"""The ``[network]`` config section's proxy: a URL read here, its secret from the environment.

A proxy is one URL, ``socks5://[user@]host:port``, ``http://[user@]host:port`` or
``mtproxy://host:port``. Its secret part never sits in the config file: the password comes
from TGMON_PROXY_PASSWORD and an MTProxy secret from TGMON_MTPROXY_SECRET.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

ProxyScheme = Literal["socks5", "http", "mtproxy"]
_SCHEMES: tuple[ProxyScheme, ...] = ("socks5", "http", "mtproxy")
_HOST = re.compile(r"[A-Za-z0-9.\-]{1,253}|\[[0-9A-Fa-f:.]+\]")


@dataclass(frozen=True, slots=True)
class ProxySpec:
    """Where the proxy is; the password or MTProxy secret comes from the environment."""

    scheme: ProxyScheme
    host: str
    port: int
    username: str | None = None


def parse_proxy(url: str) -> ProxySpec:
    """Read a proxy URL; raise ValueError saying what is wrong with it."""
    parts = urlsplit(url.strip())
    scheme = next((s for s in _SCHEMES if s == parts.scheme.lower()), None)
    if scheme is None:
        raise ValueError(f"{url!r}: a proxy URL starts with socks5://, http:// or mtproxy://")
    if parts.password is not None:
        raise ValueError("put the proxy password in TGMON_PROXY_PASSWORD, not in the config")
    try:
        port = parts.port
    except ValueError:  # past 65535, or not a number
        port = -1
    host = parts.hostname or ""
    if not host or not _HOST.fullmatch(parts.netloc.rpartition("@")[2].rpartition(":")[0]):
        raise ValueError(f"{url!r}: expected {scheme}://host:port")
    if port is None:
        raise ValueError(f"{url!r}: the port (1-65535) is missing")
    if not 0 < port < 65536:
        raise ValueError(f"{url!r}: the port must be a number from 1 to 65535")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(f"{url!r}: only {scheme}://host:port is read here")
    if scheme == "mtproxy" and parts.username:
        raise ValueError("an MTProxy has no user; its secret goes in TGMON_MTPROXY_SECRET")
    return ProxySpec(scheme, host, port, parts.username or None)
