"""Deliver digests and alerts: what is due, what it says, and sending it exactly once.

No Telethon here: the sender talks to a small ``Transport`` protocol that bot/telegram
implements, so pacing, flood waits and blocked chats are tested without a network.
"""
