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
    # 2: store each text once; arrival order; counters for stats; bounded outbox; indexes.
    """
    -- Versions keep only superseded texts: the current text lives in posts.text alone (a
    -- WITHOUT ROWID copy of every text was 41 % of a 1M-post archive). A rowid table keeps
    -- long texts out of the key B-tree; see bot/store/post_writes.py for why.
    ALTER TABLE posts ADD COLUMN versions INTEGER NOT NULL DEFAULT 1;  -- texts seen so far
    ALTER TABLE posts ADD COLUMN text_seen INTEGER;  -- when the current text was first seen
    CREATE TABLE old_texts (
        id        INTEGER PRIMARY KEY,
        pid       INTEGER NOT NULL REFERENCES posts(pid),
        version   INTEGER NOT NULL,                  -- 1 = the first text seen
        text      TEXT NOT NULL,
        edit_date INTEGER,
        seen_at   INTEGER NOT NULL,
        UNIQUE (pid, version)
    );
    UPDATE posts SET
        versions = (SELECT max(version) FROM post_versions v WHERE v.pid = posts.pid),
        text_seen = (SELECT seen_at FROM post_versions v WHERE v.pid = posts.pid
                     ORDER BY version DESC LIMIT 1)
    WHERE pid IN (SELECT pid FROM post_versions WHERE version > 1);
    INSERT INTO old_texts (pid, version, text, edit_date, seen_at)
        SELECT v.pid, v.version, v.text, v.edit_date, v.seen_at
        FROM post_versions v JOIN posts p ON p.pid = v.pid
        WHERE v.version < p.versions
        ORDER BY v.pid, v.version;
    DROP TABLE post_versions;
    ALTER TABLE old_texts RENAME TO post_versions;
    -- Every text each post has had, the current one included: for people who query the
    -- archive with sqlite3 directly (and for tests).
    CREATE VIEW post_texts (pid, version, text, edit_date, seen_at) AS
        SELECT pid, version, text, edit_date, seen_at FROM post_versions
        UNION ALL
        SELECT pid, versions, text, edit_date, coalesce(text_seen, first_seen) FROM posts;

    -- Arrival order: a number taken inside the write transaction that stores a post (or an
    -- edit that brings it new keyword groups), so commit order is arrival order and no
    -- interleaving can slip a post behind a watermark. AUTOINCREMENT: pruning old rows never
    -- lets a number be taken twice. ``groups`` (JSON) is NULL for a new post, else the groups
    -- that the edit added.
    CREATE TABLE arrivals (
        seq    INTEGER PRIMARY KEY AUTOINCREMENT,
        pid    INTEGER NOT NULL,
        at     INTEGER NOT NULL,
        groups TEXT
    );
    CREATE INDEX arrivals_by_at ON arrivals(at);
    INSERT INTO arrivals (pid, at) SELECT pid, first_seen FROM posts WHERE historic = 0
        ORDER BY first_seen, pid;
    ALTER TABLE digests ADD COLUMN seq_end INTEGER NOT NULL DEFAULT 0;
    UPDATE digests SET seq_end = coalesce(
        (SELECT max(a.seq) FROM arrivals a WHERE a.at <= digests.window_end), 0);

    -- Counters kept by triggers in the writing transaction: stats without a scan.
    CREATE TABLE post_counts (
        channel_id INTEGER NOT NULL,
        lang       TEXT NOT NULL,
        posts      INTEGER NOT NULL DEFAULT 0,
        edited     INTEGER NOT NULL DEFAULT 0,
        deleted    INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (channel_id, lang)
    ) WITHOUT ROWID;
    INSERT INTO post_counts (channel_id, lang, posts, edited, deleted)
        SELECT channel_id, lang, count(*), sum(versions > 1), count(deleted_at)
        FROM posts GROUP BY channel_id, lang;
    CREATE TRIGGER posts_counted AFTER INSERT ON posts BEGIN
        INSERT INTO post_counts (channel_id, lang, posts, edited, deleted)
        VALUES (new.channel_id, new.lang, 1, new.versions > 1, new.deleted_at IS NOT NULL)
        ON CONFLICT (channel_id, lang) DO UPDATE SET posts = posts + 1,
            edited = edited + excluded.edited, deleted = deleted + excluded.deleted;
    END;
    CREATE TRIGGER posts_recounted AFTER UPDATE OF lang, versions, deleted_at ON posts
    WHEN old.lang IS NOT new.lang OR (old.versions > 1) != (new.versions > 1)
         OR (old.deleted_at IS NULL) != (new.deleted_at IS NULL)
    BEGIN
        UPDATE post_counts SET posts = posts - 1, edited = edited - (old.versions > 1),
            deleted = deleted - (old.deleted_at IS NOT NULL)
        WHERE channel_id = old.channel_id AND lang = old.lang;
        INSERT INTO post_counts (channel_id, lang, posts, edited, deleted)
        VALUES (new.channel_id, new.lang, 1, new.versions > 1, new.deleted_at IS NOT NULL)
        ON CONFLICT (channel_id, lang) DO UPDATE SET posts = posts + 1,
            edited = edited + excluded.edited, deleted = deleted + excluded.deleted;
    END;

    -- Newest posts of one language, and edited or deleted posts, without a scan.
    CREATE INDEX posts_by_lang ON posts(lang, pid);
    CREATE INDEX posts_edited ON posts(channel_id, pid) WHERE versions > 1;
    CREATE INDEX posts_deleted ON posts(channel_id, pid) WHERE deleted_at IS NOT NULL;
    -- Superseded by arrivals (digests) and the rowid (dates).
    DROP INDEX posts_by_date;

    -- The sender's poll reads pending parts only; retention finds finished parts by age.
    DROP INDEX outbox_pending;
    CREATE INDEX outbox_pending ON outbox(chat_id, id, not_before) WHERE status = 'pending';
    CREATE INDEX outbox_done ON outbox(created_at) WHERE status != 'pending';
    CREATE INDEX outbox_by_digest ON outbox(digest_id);

    -- Search filters inside the index: ``meta`` holds a post's channel, language and keyword
    -- groups as tokens (bot/store/fts_meta.py), so `--channel X` or `--lang kk` intersects
    -- two doclists instead of joining every match of a common word to posts.
    CREATE VIRTUAL TABLE posts_index USING fts5(body, meta,
        tokenize = 'unicode61 remove_diacritics 0');
    INSERT INTO posts_index (rowid, body, meta)
        SELECT f.rowid, f.body, fts_meta(p.channel_id, p.lang,
            (SELECT json_group_array(DISTINCT grp) FROM keyword_hits h WHERE h.pid = p.pid))
        FROM posts_fts f JOIN posts p ON p.pid = f.rowid;
    DROP TABLE posts_fts;
    ALTER TABLE posts_index RENAME TO posts_fts;
    """,
    # 3: the newest edited or deleted posts of the whole archive (/edits, /deleted) without
    # walking every post (the partial indexes of schema 2 lead with the channel), and day
    # counts without reading post texts.
    """
    CREATE INDEX posts_edited_newest ON posts(pid) WHERE versions > 1;
    CREATE INDEX posts_deleted_newest ON posts(pid) WHERE deleted_at IS NOT NULL;
    -- Counts by channel, day and language over a date range (/stats N, /trend) from a
    -- narrow index instead of the wide rows: the day comes from the pid (date << 20).
    CREATE INDEX posts_by_day ON posts(pid, channel_id, lang);
    """,
    # 4: counters by UTC hour for /stats and /trend, kept by triggers in the writing
    # transaction (a month of posts_by_day was 200k index entries to group; a month of
    # hours is a tenth of that). Hours, not days: a day is a day of the display zone, which
    # the user may change, and whole UTC hours add up into the local days of every zone
    # whose offset is whole hours (bot/store/hour_counts.py counts the rest from posts).
    # The hour is the pid's date part, as posts_by_day reads it. A deleted post still
    # counts, as it did before the counters: /stats shows what was posted in the window.
    """
    CREATE TABLE post_hours (
        hour       INTEGER NOT NULL,                 -- (pid >> 20) / 3600
        channel_id INTEGER NOT NULL,
        lang       TEXT NOT NULL,
        posts      INTEGER NOT NULL,
        PRIMARY KEY (hour, channel_id, lang)
    ) WITHOUT ROWID;
    INSERT INTO post_hours (hour, channel_id, lang, posts)
        SELECT (pid >> 20) / 3600, channel_id, lang, count(*)
        FROM posts INDEXED BY posts_by_day GROUP BY 1, 2, 3;
    CREATE TRIGGER post_hours_added AFTER INSERT ON posts BEGIN
        INSERT INTO post_hours (hour, channel_id, lang, posts)
        VALUES ((new.pid >> 20) / 3600, new.channel_id, new.lang, 1)
        ON CONFLICT (hour, channel_id, lang) DO UPDATE SET posts = posts + 1;
    END;
    -- Reanalysis or an edit can change the language; nothing changes the pid or channel,
    -- but a counter that followed them anyway costs nothing.
    CREATE TRIGGER post_hours_moved AFTER UPDATE OF pid, channel_id, lang ON posts
    WHEN old.pid != new.pid OR old.channel_id != new.channel_id OR old.lang IS NOT new.lang
    BEGIN
        UPDATE post_hours SET posts = posts - 1 WHERE hour = (old.pid >> 20) / 3600
            AND channel_id = old.channel_id AND lang = old.lang;
        DELETE FROM post_hours WHERE hour = (old.pid >> 20) / 3600
            AND channel_id = old.channel_id AND lang = old.lang AND posts <= 0;
        INSERT INTO post_hours (hour, channel_id, lang, posts)
        VALUES ((new.pid >> 20) / 3600, new.channel_id, new.lang, 1)
        ON CONFLICT (hour, channel_id, lang) DO UPDATE SET posts = posts + 1;
    END;
    CREATE TRIGGER post_hours_removed AFTER DELETE ON posts BEGIN
        UPDATE post_hours SET posts = posts - 1 WHERE hour = (old.pid >> 20) / 3600
            AND channel_id = old.channel_id AND lang = old.lang;
        DELETE FROM post_hours WHERE hour = (old.pid >> 20) / 3600
            AND channel_id = old.channel_id AND lang = old.lang AND posts <= 0;
    END;

    -- post_counts (schema 2) had no trigger for a post erased by hand.
    CREATE TRIGGER posts_uncounted AFTER DELETE ON posts BEGIN
        UPDATE post_counts SET posts = posts - 1, edited = edited - (old.versions > 1),
            deleted = deleted - (old.deleted_at IS NOT NULL)
        WHERE channel_id = old.channel_id AND lang = old.lang;
    END;

    -- Posts that matched a keyword group (each post once, however many of its terms hit),
    -- per group, UTC hour and channel: /trend reads one group, /stats every group.
    -- keyword_hits rows are only ever inserted (OR IGNORE) or deleted, never updated.
    CREATE TABLE group_hours (
        grp        TEXT NOT NULL,
        hour       INTEGER NOT NULL,                 -- (pid >> 20) / 3600
        channel_id INTEGER NOT NULL,
        posts      INTEGER NOT NULL,
        PRIMARY KEY (grp, hour, channel_id)
    ) WITHOUT ROWID;
    INSERT INTO group_hours (grp, hour, channel_id, posts)
        SELECT h.grp, (h.pid >> 20) / 3600, p.channel_id, count(DISTINCT h.pid)
        FROM keyword_hits h JOIN posts p INDEXED BY posts_by_day ON p.pid = h.pid
        GROUP BY 1, 2, 3;
    CREATE TRIGGER group_hours_added AFTER INSERT ON keyword_hits
    WHEN NOT EXISTS (SELECT 1 FROM keyword_hits k WHERE k.pid = new.pid AND k.grp = new.grp
                     AND (k.term != new.term OR k.form != new.form))
    BEGIN
        INSERT INTO group_hours (grp, hour, channel_id, posts)
        SELECT new.grp, (new.pid >> 20) / 3600, p.channel_id, 1
        FROM posts p WHERE p.pid = new.pid
        ON CONFLICT (grp, hour, channel_id) DO UPDATE SET posts = posts + 1;
    END;
    CREATE TRIGGER group_hours_removed AFTER DELETE ON keyword_hits
    WHEN NOT EXISTS (SELECT 1 FROM keyword_hits k WHERE k.pid = old.pid AND k.grp = old.grp)
    BEGIN
        UPDATE group_hours SET posts = posts - 1 WHERE grp = old.grp
            AND hour = (old.pid >> 20) / 3600
            AND channel_id = (SELECT channel_id FROM posts WHERE pid = old.pid);
        DELETE FROM group_hours WHERE grp = old.grp AND hour = (old.pid >> 20) / 3600
            AND channel_id = (SELECT channel_id FROM posts WHERE pid = old.pid)
            AND posts <= 0;
    END;
    """,
    # 5: posts per (UTC hour, language), kept from post_hours by triggers: the language mix
    # of /stats grouped a month of post_hours rows (40k) by language, 8 ms of its 24.
    """
    CREATE TABLE lang_hours (
        hour  INTEGER NOT NULL,                      -- as in post_hours
        lang  TEXT NOT NULL,
        posts INTEGER NOT NULL,
        PRIMARY KEY (hour, lang)
    ) WITHOUT ROWID;
    INSERT INTO lang_hours (hour, lang, posts)
        SELECT hour, lang, sum(posts) FROM post_hours GROUP BY 1, 2 HAVING sum(posts) > 0;
    CREATE TRIGGER lang_hours_added AFTER INSERT ON post_hours BEGIN
        INSERT INTO lang_hours (hour, lang, posts) VALUES (new.hour, new.lang, new.posts)
        ON CONFLICT (hour, lang) DO UPDATE SET posts = posts + excluded.posts;
    END;
    -- The common case: a post_hours count moved by one.
    CREATE TRIGGER lang_hours_counted AFTER UPDATE OF posts ON post_hours
    WHEN old.hour = new.hour AND old.lang = new.lang BEGIN
        UPDATE lang_hours SET posts = posts + new.posts - old.posts
        WHERE hour = new.hour AND lang = new.lang;
        DELETE FROM lang_hours WHERE hour = new.hour AND lang = new.lang AND posts <= 0;
    END;
    -- tgmon never changes a post_hours key; someone with sqlite3 might.
    CREATE TRIGGER lang_hours_moved AFTER UPDATE OF hour, lang ON post_hours
    WHEN old.hour != new.hour OR old.lang != new.lang BEGIN
        UPDATE lang_hours SET posts = posts - old.posts WHERE hour = old.hour AND lang = old.lang;
        DELETE FROM lang_hours WHERE hour = old.hour AND lang = old.lang AND posts <= 0;
        INSERT INTO lang_hours (hour, lang, posts) VALUES (new.hour, new.lang, new.posts)
        ON CONFLICT (hour, lang) DO UPDATE SET posts = posts + excluded.posts;
    END;
    CREATE TRIGGER lang_hours_removed AFTER DELETE ON post_hours BEGIN
        UPDATE lang_hours SET posts = posts - old.posts WHERE hour = old.hour AND lang = old.lang;
        DELETE FROM lang_hours WHERE hour = old.hour AND lang = old.lang AND posts <= 0;
    END;
    """,
    # 6: deleted posts carry a mark in the search index's meta column (bot/store/fts_meta.py),
    # so deleted:yes is one more doclist in the MATCH instead of a walk over every deleted post.
    """
    UPDATE posts_fts SET meta = meta || ' d'
        WHERE rowid IN (SELECT pid FROM posts WHERE deleted_at IS NOT NULL);
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
