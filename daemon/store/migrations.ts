/**
 * Schema migrations, applied in order; PRAGMA user_version records how many ran. Append only: never edit a
 * shipped migration, add the next one.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE recordings (
    id            TEXT PRIMARY KEY,
    source        TEXT NOT NULL,
    file_name     TEXT,
    -- Where the audio is read from while queued/processing (never copied into the database).
    path          TEXT,
    bytes         INTEGER,
    status        TEXT NOT NULL CHECK (status IN ('queued', 'processing', 'done', 'failed')),
    error_code    TEXT,
    error_message TEXT,
    duration_sec  REAL,
    progress_sec  REAL NOT NULL DEFAULT 0,
    attempts      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    started_at    INTEGER,
    finished_at   INTEGER
  );
  CREATE INDEX recordings_by_status ON recordings (status, created_at);
  CREATE INDEX recordings_by_created ON recordings (created_at);

  -- Text and words are REDACTED before they reach this table; the raw transcript never does.
  CREATE TABLE segments (
    recording_id TEXT NOT NULL REFERENCES recordings (id) ON DELETE CASCADE,
    seq          INTEGER NOT NULL,
    start_sec    REAL NOT NULL,
    end_sec      REAL NOT NULL,
    text         TEXT NOT NULL,
    words        TEXT NOT NULL,
    model        TEXT NOT NULL,
    variant      TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (recording_id, seq)
  );

  -- Where personal data was found: type and position only, never the value.
  CREATE TABLE entities (
    recording_id   TEXT NOT NULL,
    seq            INTEGER NOT NULL,
    idx            INTEGER NOT NULL,
    type           TEXT NOT NULL,
    redacted_start INTEGER NOT NULL,
    redacted_end   INTEGER NOT NULL,
    audio_start    REAL,
    audio_end      REAL,
    score          REAL NOT NULL,
    detector       TEXT NOT NULL,
    PRIMARY KEY (recording_id, seq, idx),
    FOREIGN KEY (recording_id, seq) REFERENCES segments (recording_id, seq) ON DELETE CASCADE
  );

  CREATE VIRTUAL TABLE segments_fts USING fts5 (text, content = 'segments', content_rowid = 'rowid', tokenize = 'unicode61');
  CREATE TRIGGER segments_fts_insert AFTER INSERT ON segments BEGIN
    INSERT INTO segments_fts (rowid, text) VALUES (new.rowid, new.text);
  END;
  CREATE TRIGGER segments_fts_delete AFTER DELETE ON segments BEGIN
    INSERT INTO segments_fts (segments_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
  END;
  CREATE TRIGGER segments_fts_update AFTER UPDATE OF text ON segments BEGIN
    INSERT INTO segments_fts (segments_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
    INSERT INTO segments_fts (rowid, text) VALUES (new.rowid, new.text);
  END;

  -- Outbox: written in the same transaction as the data it describes; the MQTT publisher drains it.
  CREATE TABLE events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT NOT NULL,
    payload    TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  `,
  // Redacted audio (redaction.audio): where the masked recording was written, and its size for retention.
  `
  ALTER TABLE recordings ADD COLUMN redacted_audio TEXT;
  ALTER TABLE recordings ADD COLUMN redacted_audio_bytes INTEGER;
  `,
];
