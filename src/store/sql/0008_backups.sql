-- Migration 8: backups. Never edit once shipped; add 0009_… instead.

-- How automatic backups are taken (one row). Bounds are checked in the core as well, with
-- messages; these CHECKs are the last line.
CREATE TABLE backup_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    -- Automatic backups while the app runs, and at start when the last one is older.
    enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled = 0 OR enabled = 1),
    interval_hours INTEGER NOT NULL DEFAULT 24 CHECK (interval_hours BETWEEN 1 AND 168),
    -- Retention of automatic backups: the newest of each of the last N days that have one,
    -- and the newest of each of the last M weeks.
    keep_daily INTEGER NOT NULL DEFAULT 7 CHECK (keep_daily BETWEEN 1 AND 90),
    keep_weekly INTEGER NOT NULL DEFAULT 4 CHECK (keep_weekly BETWEEN 0 AND 52)
);
INSERT INTO backup_settings (id) VALUES (1);

-- Every backup taken, and what its verification found. Rows stay when retention removes the
-- file (removed_at says when), so the record of what was kept is complete.
CREATE TABLE backups (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind = 'manual' OR kind = 'automatic' OR kind = 'pre_migration'),
    taken_at TEXT NOT NULL,
    size_bytes INTEGER NOT NULL CHECK (size_bytes >= 0),
    schema_version INTEGER NOT NULL,
    incident_count INTEGER NOT NULL,
    event_count INTEGER NOT NULL,
    last_event_id INTEGER,
    -- The hash of the last event: the chain head the backup holds.
    last_event_hash TEXT,
    verified_ok INTEGER NOT NULL CHECK (verified_ok = 0 OR verified_ok = 1),
    -- 'ok', or the first problem integrity_check or history verification found.
    verification TEXT NOT NULL,
    verify_ms INTEGER NOT NULL DEFAULT 0,
    removed_at TEXT
);
CREATE INDEX backups_by_time ON backups (taken_at);
