-- briefbot schema 1. Times are unix seconds (UTC); Discord ids are integers.

-- Digests created with `/digest add`, per guild. Names are unique per guild, ignoring case.
CREATE TABLE digests (
    digest_key    TEXT    NOT NULL UNIQUE,  -- `g:GUILD:name`, as in the tables below
    guild_id      INTEGER NOT NULL,
    name          TEXT    NOT NULL COLLATE NOCASE,
    channel_id    INTEGER NOT NULL,
    schedule      TEXT    NOT NULL,
    timezone      TEXT    NOT NULL,
    sections      TEXT    NOT NULL DEFAULT '[]',  -- JSON list of section keys; empty = all
    tag           TEXT,
    mention_role  INTEGER,
    silent        INTEGER NOT NULL DEFAULT 0,
    max_briefings INTEGER NOT NULL DEFAULT 3,
    only_new      INTEGER NOT NULL DEFAULT 1,
    when_empty    TEXT    NOT NULL DEFAULT 'skip' CHECK (when_empty IN ('skip', 'notice')),
    created_by    INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (guild_id, name)
);

-- What the scheduler knows of every digest, from the config or the table above, by key
-- (`cfg:NAME` or `g:GUILD:NAME`). `seen_at` is when the digest was first scheduled: fire
-- times before it, or before `resumed_at`, are never caught up.
CREATE TABLE digest_state (
    digest_key    TEXT    PRIMARY KEY,
    seen_at       INTEGER NOT NULL,
    paused        INTEGER NOT NULL DEFAULT 0,
    paused_reason TEXT,
    resumed_at    INTEGER,
    last_delivery INTEGER,  -- fire time of the latest delivery that was sent
    last_error    TEXT,
    last_error_at INTEGER
) WITHOUT ROWID;

-- The ledger: one row per (digest, scheduled fire time), written before and after the send.
CREATE TABLE deliveries (
    digest_key  TEXT    NOT NULL,
    fire_time   INTEGER NOT NULL,
    status      TEXT    NOT NULL
                CHECK (status IN ('pending', 'sent', 'missed', 'failed', 'skipped_empty')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    message_ids TEXT    NOT NULL DEFAULT '[]',  -- JSON list, in send order
    briefings   TEXT,                           -- JSON list of the briefing ids chosen, once chosen
    last_error  TEXT,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (digest_key, fire_time)
) WITHOUT ROWID;

CREATE INDEX deliveries_pending ON deliveries (status) WHERE status = 'pending';

-- Briefings each digest has posted to a channel (`only_new`).
CREATE TABLE posted (
    digest_key  TEXT    NOT NULL,
    channel_id  INTEGER NOT NULL,
    briefing_id TEXT    NOT NULL,
    fire_time   INTEGER NOT NULL,
    PRIMARY KEY (digest_key, channel_id, briefing_id)
) WITHOUT ROWID;
