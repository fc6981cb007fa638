-- briefbot schema 5: where a runtime digest posts (its target as JSON; NULL is a plain channel
-- message), and when a send Discord cannot deduplicate (a forum post, a webhook message) began,
-- so a resumed delivery looks for it before sending it again.
ALTER TABLE digests ADD COLUMN target TEXT;
ALTER TABLE deliveries ADD COLUMN sending_since INTEGER;
