-- briefbot schema 4: what each sent digest delivery's messages show, so that a corrected or
-- withdrawn briefing edits them once (and again only if it changes again).
CREATE TABLE shown (
    digest_key  TEXT    NOT NULL,
    fire_time   INTEGER NOT NULL,
    channel_id  INTEGER NOT NULL,
    briefings   TEXT    NOT NULL,  -- JSON object: briefing id -> {revision, title}
    sent_at     INTEGER NOT NULL,
    edited_at   INTEGER,
    PRIMARY KEY (digest_key, fire_time)
) WITHOUT ROWID;

CREATE INDEX shown_sent_at ON shown (sent_at);
