-- briefbot schema 3: claims with a lease, and what replicas share. One SQLite file has one
-- replica, but the tables are the same as PostgreSQL's so both keep one contract.

-- Who claimed a pending delivery and until when the claim holds (unix seconds); rows begun
-- before this version have neither and may be claimed by anyone.
ALTER TABLE deliveries ADD COLUMN owner TEXT;
ALTER TABLE deliveries ADD COLUMN lease_until INTEGER;

-- Running briefbot processes; a replica whose heartbeat is older than the ttl counts as gone.
CREATE TABLE replicas (
    id           TEXT    PRIMARY KEY,
    host         TEXT    NOT NULL,
    shards       TEXT    NOT NULL,
    started_at   INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL,
    buckets      TEXT    NOT NULL DEFAULT '[]'  -- JSON list of bucket numbers
) WITHOUT ROWID;

-- Buckets of digests, each timed by the replica that leases it.
CREATE TABLE buckets (
    bucket      INTEGER PRIMARY KEY,
    owner       TEXT,
    lease_until INTEGER NOT NULL DEFAULT 0
);

-- Named locks with a lease (one replica registers commands).
CREATE TABLE singletons (
    name        TEXT    PRIMARY KEY,
    owner       TEXT    NOT NULL,
    lease_until INTEGER NOT NULL
) WITHOUT ROWID;
