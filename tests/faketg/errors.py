"""RPC errors the fake server answers with, and injected ones."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from telethon.errors import rpcerrorlist

# Telethon's generated error list knows the code of every named error.
_EXTRA_CODES = {"AUTH_KEY_UNREGISTERED": 401, "SESSION_REVOKED": 401, "USER_DEACTIVATED": 401}


class FakeRpcError(Exception):
    """An RPC error as Telegram would send it: a code and a message."""

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code if code is not None else error_code(message)


def error_code(message: str) -> int:
    """Return the RPC error code Telegram uses for ``message``."""
    if message in _EXTRA_CODES:
        return _EXTRA_CODES[message]
    cls = rpcerrorlist.rpc_errors_dict.get(message)
    if cls is None:
        for pattern, candidate in rpcerrorlist.rpc_errors_re:
            if re.fullmatch(pattern, message):
                cls = candidate
                break
    code = getattr(cls, "code", None)
    return code if isinstance(code, int) else 400


def type_name(request: Any) -> str:
    """Return a request's class name (``SendMessageRequest``)."""
    return type(request).__name__


def _normalise(name: str) -> str:
    return name if name.endswith("Request") else name + "Request"


@dataclass
class Injection:
    """One planned error: raise ``message`` for the next ``times`` matching requests."""

    request_type: str
    message: str
    code: int
    times: int
    match: Callable[[Any], bool] | None = None
    account_id: int | None = None
    hits: int = 0


class ErrorInjector:
    """Holds planned errors and pops them as matching requests arrive."""

    def __init__(self) -> None:
        self.planned: list[Injection] = []

    def add(
        self,
        request_type: str,
        message: str,
        *,
        times: int = 1,
        match: Callable[[Any], bool] | None = None,
        account_id: int | None = None,
        code: int | None = None,
    ) -> Injection:
        injection = Injection(
            _normalise(request_type),
            message,
            code if code is not None else error_code(message),
            times,
            match,
            account_id,
        )
        self.planned.append(injection)
        return injection

    def check(self, request: Any, account_id: int | None) -> None:
        """Raise the first planned error that matches ``request``."""
        name = type_name(request)
        for injection in self.planned:
            if injection.request_type != name:
                continue
            if injection.account_id is not None and injection.account_id != account_id:
                continue
            if injection.match is not None and not injection.match(request):
                continue
            injection.hits += 1
            if injection.hits >= injection.times:
                self.planned.remove(injection)
            raise FakeRpcError(injection.message, injection.code)
