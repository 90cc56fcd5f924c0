"""Prometheus metrics: counters the code bumps as things happen, gauges read at each scrape.

One registry of tgmon's own (not prometheus-client's global one), so that embedding tgmon
or running several in one test process never mixes in other metrics. Counters only ever
rise for the life of the process, as Prometheus expects; a restart starts them at zero.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest

REGISTRY = CollectorRegistry(auto_describe=True)

FLOOD_WAITS = Counter("tgmon_flood_waits", "Flood waits Telegram asked for, by kind of request",
                      ["request"], registry=REGISTRY)
RECONNECTS = Counter("tgmon_reconnects", "Reconnects after Telethon gave up, by client",
                     ["client"], registry=REGISTRY)
LOOP_RESTARTS = Counter("tgmon_loop_restarts", "Restarts of a background loop after an error",
                        ["loop"], registry=REGISTRY)
CHANNEL_ERRORS = Counter("tgmon_channel_errors", "Channels found unreadable, by reason",
                         ["reason"], registry=REGISTRY)
UNREACHABLE_CHATS = Counter("tgmon_unreachable_chats",
                            "Chats that stopped taking messages (blocked the bot, left...)",
                            ["reason"], registry=REGISTRY)

POSTS_STORED = Gauge("tgmon_posts_stored", "Posts in the archive, by channel", ["channel"],
                     registry=REGISTRY)
CATCHUP_AGE = Gauge("tgmon_catchup_age_seconds",
                    "Seconds since a channel's history was last read to its end", ["channel"],
                    registry=REGISTRY)
LAST_CATCHUP = Gauge("tgmon_last_catchup_timestamp_seconds",
                     "When the last full catch-up round ended (Unix time)", registry=REGISTRY)
OUTBOX_PARTS = Gauge("tgmon_outbox_parts", "Digest and alert parts in the outbox, by status",
                     ["status"], registry=REGISTRY)
LOOP_LAG = Gauge("tgmon_event_loop_lag_seconds",
                 "How late the event loop ran a timer, at the last check", registry=REGISTRY)
CLIENT_CONNECTED = Gauge("tgmon_client_connected", "1 while the client is connected",
                         ["client"], registry=REGISTRY)
READY = Gauge("tgmon_ready", "1 when /readyz says ready", registry=REGISTRY)
LIVE_QUEUE = Gauge("tgmon_live_queue", "Live posts, edits and deletions waiting to be written",
                   registry=REGISTRY)
LIVE_DROPPED = Counter("tgmon_live_dropped", "Live events left to the history re-read because "
                       "the live queue was full", registry=REGISTRY)


def exposition() -> bytes:
    """The metrics in Prometheus' text format."""
    return bytes(generate_latest(REGISTRY))
