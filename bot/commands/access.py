"""Who may subscribe a chat to digests."""

from __future__ import annotations

from collections.abc import Collection


def may_subscribe(user_id: int, *, admins: Collection[int], allowed_users: Collection[int]) -> bool:
    """Allow admins always; others only when listed (an empty list means admins only)."""
    return user_id in admins or user_id in allowed_users
