-- briefbot PostgreSQL schema 1: the tables of SQLite's schemas 1 to 3, in one step. Times are
-- unix seconds (UTC) as in SQLite, so the two backends keep one contract and `briefbot
-- migrate` copies values as they are; Discord ids are bigints (they are below 2^63).

CREATE TABLE digests (
    digest_key    TEXT    NOT NULL UNIQUE,  -- `g:GUILD:name` (lowercase): names are unique ignoring case
    guild_id      BIGINT  NOT NULL,
    name          TEXT    NOT NULL,
    channel_id    BIGINT  NOT NULL,
    schedule      TEXT    NOT NULL,
    timezone      TEXT    NOT NULL,
    sections      TEXT    NOT NULL DEFAULT '[]',  -- JSON list of section keys; empty = all
    tag           TEXT,
    mention_role  BIGINT,
    silent        BOOLEAN NOT NULL DEFAULT FALSE,
    max_briefings INTEGER NOT NULL DEFAULT 3,
    only_new      BOOLEAN NOT NULL DEFAULT TRUE,
    when_empty    TEXT    NOT NULL DEFAULT 'skip' CHECK (when_empty IN ('skip', 'notice')),
    created_by    BIGINT  NOT NULL,
    created_at    BIGINT  NOT NULL,
    lang          TEXT,
    PRIMARY KEY (guild_id, name)
);

CREATE TABLE digest_state (
    digest_key    TEXT    PRIMARY KEY,
    seen_at       BIGINT  NOT NULL,
    paused        BOOLEAN NOT NULL DEFAULT FALSE,
    paused_reason TEXT,
    resumed_at    BIGINT,
    last_delivery BIGINT,
    last_error    TEXT,
    last_error_at BIGINT,
    paused_at     BIGINT
);

CREATE TABLE deliveries (
    digest_key  TEXT    NOT NULL,
    fire_time   BIGINT  NOT NULL,
    status      TEXT    NOT NULL
                CHECK (status IN ('pending', 'sent', 'missed', 'failed', 'skipped_empty')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    message_ids TEXT    NOT NULL DEFAULT '[]',
    briefings   TEXT,
    last_error  TEXT,
    updated_at  BIGINT  NOT NULL,
    owner       TEXT,
    lease_until BIGINT,
    PRIMARY KEY (digest_key, fire_time)
);

CREATE INDEX deliveries_pending ON deliveries (status) WHERE status = 'pending';

CREATE TABLE posted (
    digest_key  TEXT    NOT NULL,
    channel_id  BIGINT  NOT NULL,
    briefing_id TEXT    NOT NULL,
    fire_time   BIGINT  NOT NULL,
    PRIMARY KEY (digest_key, channel_id, briefing_id)
);

CREATE TABLE replicas (
    id           TEXT    PRIMARY KEY,
    host         TEXT    NOT NULL,
    shards       TEXT    NOT NULL,
    started_at   BIGINT  NOT NULL,
    heartbeat_at BIGINT  NOT NULL,
    buckets      INTEGER[] NOT NULL DEFAULT '{}'
);

CREATE TABLE buckets (
    bucket      INTEGER PRIMARY KEY,
    owner       TEXT,
    lease_until BIGINT  NOT NULL DEFAULT 0
);

CREATE TABLE singletons (
    name        TEXT    PRIMARY KEY,
    owner       TEXT    NOT NULL,
    lease_until BIGINT  NOT NULL
);
