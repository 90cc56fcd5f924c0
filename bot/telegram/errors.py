"""Convert Telethon's errors into tgmon's at the edge, so no caller imports Telethon errors."""

from __future__ import annotations

from telethon import errors

from bot.errors import ChannelUnavailable, FloodWait, SessionError, TgmonError

_SESSION_DEAD = (
    errors.AuthKeyUnregisteredError, errors.AuthKeyInvalidError, errors.AuthKeyDuplicatedError,
    errors.SessionRevokedError, errors.SessionExpiredError, errors.UserDeactivatedError,
    errors.UserDeactivatedBanError, errors.AuthKeyPermEmptyError,
)
_CHANNEL_GONE = {
    errors.ChannelPrivateError: "private, or we were removed",
    errors.ChannelInvalidError: "invalid channel",
    errors.ChannelBannedError: "banned",
    errors.UserBannedInChannelError: "we are banned in it",
    errors.ChannelPublicGroupNaError: "not available",
    errors.ChatAdminRequiredError: "admin rights required",
}
_UNRESOLVABLE = (errors.UsernameNotOccupiedError, errors.UsernameInvalidError,
                 errors.InviteHashExpiredError, errors.InviteHashInvalidError,
                 errors.InviteHashEmptyError, errors.PeerIdInvalidError)


def translate(exc: BaseException, *, request: str) -> TgmonError | None:
    """Return the tgmon error for a Telethon error, or None if it is not one we know."""
    if isinstance(exc, _SESSION_DEAD):
        return SessionError(
            f"Telegram no longer accepts this session ({type(exc).__name__}); "
            "run `tgmon login` again. Nothing was lost: tgmon catches up from its cursors."
        )
    if isinstance(exc, errors.FloodWaitError | errors.FloodPremiumWaitError):
        seconds = int(getattr(exc, "seconds", 0) or 0)
        return FloodWait(f"flood wait of {seconds}s on {request}", seconds=seconds,
                         request=request)
    for kind, reason in _CHANNEL_GONE.items():
        if isinstance(exc, kind):
            return ChannelUnavailable(f"{request}: {reason}", reason=reason)
    if isinstance(exc, _UNRESOLVABLE):
        return ChannelUnavailable(f"{request}: {type(exc).__name__}", reason="unresolvable")
    return None
