-- briefbot schema 2: when a digest was paused, so resuming it can say how many fire times it
-- skipped. NULL for digests paused before this version (the count is then not known).
ALTER TABLE digest_state ADD COLUMN paused_at INTEGER;
