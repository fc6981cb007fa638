-- briefbot schema 2: what each sent digest delivery's messages show, so that a corrected or
-- withdrawn briefing edits them once (and again only if it changes again).
CREATE TABLE shown (
    digest_key  TEXT    NOT NULL,
    fire_time   BIGINT  NOT NULL,
    channel_id  BIGINT  NOT NULL,
    briefings   TEXT    NOT NULL,  -- JSON object: briefing id -> {revision, title}
    sent_at     BIGINT  NOT NULL,
    edited_at   BIGINT,
    PRIMARY KEY (digest_key, fire_time)
);

CREATE INDEX shown_sent_at ON shown (sent_at);
