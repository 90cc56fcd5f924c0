"""Pure digest logic: schedules, choosing posts, rendering and splitting. No IO here."""

from bot.digest.build import ALERT_MAX_ITEMS, DEFAULT_MAX_ITEMS, build_digest
from bot.digest.model import ChannelBlock, Copy, Digest, DigestItem, DigestSection
from bot.digest.split import MESSAGE_LIMIT, alert_message, render_digest

__all__ = [
    "ALERT_MAX_ITEMS",
    "DEFAULT_MAX_ITEMS",
    "MESSAGE_LIMIT",
    "ChannelBlock",
    "Copy",
    "Digest",
    "DigestItem",
    "DigestSection",
    "alert_message",
    "build_digest",
    "render_digest",
]
