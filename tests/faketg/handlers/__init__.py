"""Request handlers of the fake Telegram, grouped by area, and the dispatcher."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from telethon.tl import functions

from ..errors import FakeRpcError, type_name
from . import account as _account  # noqa: F401 - registers the handlers
from . import bot_media as _bot_media  # noqa: F401
from . import channels as _channels  # noqa: F401
from . import messages as _messages  # noqa: F401
from .registry import HANDLERS, NO_AUTH, Ctx

if TYPE_CHECKING:
    from ..sender import FakeSender
    from ..world import FakeWorld

_WRAPPERS = (
    functions.InvokeWithLayerRequest,
    functions.InitConnectionRequest,
    functions.InvokeWithoutUpdatesRequest,
)


def dispatch(world: FakeWorld, sender: FakeSender, request: Any) -> Any:
    """Answer one parsed request as ``sender``'s account, or raise ``FakeRpcError``."""
    while isinstance(request, _WRAPPERS):
        if isinstance(request, functions.InvokeWithoutUpdatesRequest):
            sender.receives_updates = False
        request = request.query
    account = world.session_account(sender.auth_key.key_id)
    account_id = account.id if account is not None else None
    name = type_name(request)
    world.request_log.append((account_id, name))
    world.errors.check(request, account_id)
    handler = HANDLERS.get(type(request))
    if handler is None:
        world.unhandled.append(name)
        raise NotImplementedError(f"fake Telegram does not implement {name}: {request}")
    if account is None and type(request) not in NO_AUTH:
        raise FakeRpcError("AUTH_KEY_UNREGISTERED")
    world.origin = sender
    try:
        return handler(Ctx(world, sender, account), request)
    finally:
        world.origin = None
