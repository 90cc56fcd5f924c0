"""Ordered migrations; ``PRAGMA user_version`` records how many have run."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

# Each entry runs once, in order, inside one transaction. Never edit a released entry:
# append a new one, because user archives already ran the old ones.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE channels (
        id            INTEGER PRIMARY KEY,          -- marked id, -100…
        username      TEXT,
        title         TEXT NOT NULL DEFAULT '',
        access_hash   INTEGER,
        ref           TEXT,                          -- the config reference it came from
        status        TEXT NOT NULL DEFAULT 'ok',    -- ok | unavailable
        status_detail TEXT,
        failures      INTEGER NOT NULL DEFAULT 0,
        retry_at      INTEGER,
        updated_at    INTEGER NOT NULL
    );
    CREATE INDEX channels_by_ref ON channels(ref);
    CREATE INDEX channels_by_username ON channels(username COLLATE NOCASE);

    -- pid rises with the post date, so "newest first" is a rowid scan of the FTS index.
    CREATE TABLE posts (
        pid           INTEGER PRIMARY KEY,
        channel_id    INTEGER NOT NULL REFERENCES channels(id),
        msg_id        INTEGER NOT NULL,
        date          INTEGER NOT NULL,              -- unix seconds, UTC
        text          TEXT NOT NULL,
        lang          TEXT NOT NULL DEFAULT 'und',
        lang_conf     REAL NOT NULL DEFAULT 0,
        views         INTEGER,
        forwards      INTEGER,
        replies       INTEGER,
        fwd_from_id   INTEGER,
        fwd_from_msg  INTEGER,
        fwd_from_name TEXT,
        grouped_id    INTEGER,
        media         TEXT NOT NULL DEFAULT '[]',    -- JSON list of media kinds
        author        TEXT,
        edit_date     INTEGER,
        deleted_at    INTEGER,                       -- soft delete: never erase
        content_hash  TEXT NOT NULL,                 -- of the folded text, for duplicates
        first_seen    INTEGER NOT NULL,
        last_seen     INTEGER NOT NULL,
        historic      INTEGER NOT NULL DEFAULT 0,    -- imported or backfilled: no alerts
                                                     -- or digests for old news
        UNIQUE (channel_id, msg_id)
    );
    CREATE INDEX posts_by_date ON posts(date);
    CREATE INDEX posts_by_hash ON posts(content_hash);
    CREATE INDEX posts_by_album ON posts(channel_id, grouped_id) WHERE grouped_id IS NOT NULL;

    -- Every message of an album (one post), with its media kind.
    CREATE TABLE post_aliases (
        channel_id INTEGER NOT NULL,
        msg_id     INTEGER NOT NULL,
        pid        INTEGER NOT NULL REFERENCES posts(pid),
        media      TEXT,
        deleted_at INTEGER,
        PRIMARY KEY (channel_id, msg_id)
    ) WITHOUT ROWID;
    CREATE INDEX post_aliases_by_pid ON post_aliases(pid);

    CREATE TABLE post_versions (
        pid       INTEGER NOT NULL REFERENCES posts(pid),
        version   INTEGER NOT NULL,                  -- 1 = the first text seen
        text      TEXT NOT NULL,
        edit_date INTEGER,
        seen_at   INTEGER NOT NULL,
        PRIMARY KEY (pid, version)
    ) WITHOUT ROWID;

    CREATE TABLE cursors (
        channel_id  INTEGER PRIMARY KEY,
        last_msg_id INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL,
        historic_until INTEGER NOT NULL DEFAULT 0  -- the first-sight backfill's newest id
    );

    -- A normalised, folded copy of each post's text (see bot/analysis/normalize.py).
    CREATE VIRTUAL TABLE posts_fts USING fts5(body, tokenize = 'unicode61 remove_diacritics 0');

    CREATE TABLE keyword_hits (
        pid   INTEGER NOT NULL REFERENCES posts(pid),
        grp   TEXT NOT NULL,
        term  TEXT NOT NULL,
        form  TEXT NOT NULL,
        PRIMARY KEY (pid, grp, term, form)
    ) WITHOUT ROWID;
    CREATE INDEX keyword_hits_by_group ON keyword_hits(grp, pid);

    -- Posts by arrival: digests and alerts choose posts by first_seen, not by post date.
    CREATE INDEX posts_by_first_seen ON posts(first_seen);

    -- One row per (chat, keyword group) a chat follows; '*' means every group. The chat's
    -- own facts (access hash, enabled) repeat on each of its rows and change together.
    CREATE TABLE subscribers (
        chat_id         INTEGER NOT NULL,            -- marked peer id: user > 0, group < 0
        grp             TEXT NOT NULL,               -- a keyword group, or '*' for all
        access_hash     INTEGER,                     -- to reach the chat after a lost session
        enabled         INTEGER NOT NULL DEFAULT 1,  -- 0 once the chat blocked or left us
        disabled_reason TEXT,
        created_at      INTEGER NOT NULL,
        PRIMARY KEY (chat_id, grp)
    ) WITHOUT ROWID;

    -- Every digest or alert batch a chat was given, by window (unix seconds, end inclusive).
    -- The unique key makes creating one twice (after a crash, or by two callers) a no-op.
    -- Alert batches use the name '!alert' (never a config name); the row with chat_id 0 and
    -- name '!alerts' is the alert scan's watermark.
    CREATE TABLE digests (
        id           INTEGER PRIMARY KEY,
        chat_id      INTEGER NOT NULL,
        name         TEXT NOT NULL,
        window_start INTEGER NOT NULL,
        window_end   INTEGER NOT NULL,
        created_at   INTEGER NOT NULL,
        UNIQUE (chat_id, name, window_end)
    );
    CREATE INDEX digests_latest ON digests(chat_id, name, window_end);

    -- Messages to send, each with the random_id Telegram de-duplicates on, written in the
    -- same transaction as its digest and before the first attempt. A chat's parts go in id
    -- order: only a chat's lowest pending row may be sent.
    CREATE TABLE outbox (
        id          INTEGER PRIMARY KEY,
        digest_id   INTEGER REFERENCES digests(id),
        chat_id     INTEGER NOT NULL,
        part        INTEGER NOT NULL,
        parts       INTEGER NOT NULL,
        random_id   INTEGER NOT NULL UNIQUE,         -- chosen before the first send
        body        TEXT NOT NULL,                   -- Telethon HTML
        status      TEXT NOT NULL DEFAULT 'pending', -- pending | sent | failed
        not_before  INTEGER NOT NULL DEFAULT 0,
        attempts    INTEGER NOT NULL DEFAULT 0,
        created_at  INTEGER NOT NULL,
        sent_at     INTEGER,
        sent_msg_id INTEGER,
        error       TEXT
    );
    CREATE INDEX outbox_pending ON outbox(chat_id, id) WHERE status = 'pending';

    -- Config references that Telegram could not resolve; not looked up again while unchanged.
    CREATE TABLE unresolved_refs (
        ref    TEXT PRIMARY KEY,
        reason TEXT NOT NULL,
        at     INTEGER NOT NULL
    );

    -- Flood waits longer than the sleep threshold park a kind of request until a time.
    CREATE TABLE flood_parks (
        request TEXT PRIMARY KEY,
        until   INTEGER NOT NULL
    );
    """,
)


def statements(script: str) -> Iterator[str]:
    """Split a migration into statements (``executescript`` would COMMIT the transaction)."""
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            if pending.strip():
                yield pending
            pending = ""
    if pending.strip().strip(";").strip() and not _only_comments(pending):
        raise ValueError(f"incomplete statement in a migration: {pending[:80]!r}")


def _only_comments(text: str) -> bool:
    return all(not line.strip() or line.strip().startswith("--") for line in text.splitlines())
