-- briefbot schema 2.

-- When a digest was paused, so resuming it can say how many fire times it skipped. NULL for
-- digests paused before this version (the count is then not known).
ALTER TABLE digest_state ADD COLUMN paused_at INTEGER;

-- The language a runtime digest posts in: a locale tag (`fr`) or Discord locale (`pt-BR`);
-- NULL follows the guild's locale.
ALTER TABLE digests ADD COLUMN lang TEXT;
