-- Migration 6: the incidents table rebuilt with its CHECK constraints written as OR chains.
-- SQLite evaluates `x IN ('a', 'b', …)` in a CHECK by building a temporary b-tree of the list
-- on every INSERT and UPDATE of the row; the OR chain says the same and costs a few
-- comparisons (docs/benchmarks.md: about 0.1 ms of every change to an incident).
-- A CHECK cannot be altered in place, so this is SQLite's documented table rebuild: new table,
-- copy with the same ids, drop, rename, then the indexes and triggers again. The full-text
-- table is external-content keyed by id, so it stays valid. The runner switches foreign-key
-- enforcement off around migrations and checks every reference before committing.
-- Never edit once shipped.

CREATE TABLE incidents_rebuilt (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    category_id INTEGER NOT NULL REFERENCES categories(id),
    service_id INTEGER NOT NULL REFERENCES services(id),
    reporter_name TEXT NOT NULL,
    reporter_contact TEXT NOT NULL,
    channel TEXT NOT NULL,
    started_at TEXT NOT NULL,
    logged_at TEXT NOT NULL,
    impact TEXT NOT NULL,
    urgency TEXT NOT NULL,
    priority TEXT NOT NULL
        CHECK (priority = 'P1' OR priority = 'P2' OR priority = 'P3' OR priority = 'P4'),
    computed_priority TEXT NOT NULL
        CHECK (computed_priority = 'P1' OR computed_priority = 'P2'
            OR computed_priority = 'P3' OR computed_priority = 'P4'),
    priority_override_reason TEXT,
    status TEXT NOT NULL
        CHECK (status = 'new' OR status = 'assigned' OR status = 'in_progress'
            OR status = 'resolved' OR status = 'closed'),
    assignee_id INTEGER REFERENCES people(id),
    team_id INTEGER REFERENCES teams(id),
    escalation_level INTEGER NOT NULL DEFAULT 0,
    workaround TEXT,
    acknowledged_at TEXT,
    resolved_at TEXT,
    resolution_code TEXT,
    resolution_notes TEXT,
    verified_at TEXT,
    verified_by TEXT,
    verification_method TEXT,
    verification_notes TEXT,
    closed_at TEXT,
    closed_by TEXT,
    closure_notes TEXT,
    reopen_count INTEGER NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    paused_since TEXT,
    pause_reason TEXT,
    detected_at TEXT,
    workaround_at TEXT,
    users_affected INTEGER
);

INSERT INTO incidents_rebuilt (id, number, title, description, category_id, service_id,
    reporter_name, reporter_contact, channel, started_at, logged_at, impact, urgency, priority,
    computed_priority, priority_override_reason, status, assignee_id, team_id, escalation_level,
    workaround, acknowledged_at, resolved_at, resolution_code, resolution_notes, verified_at,
    verified_by, verification_method, verification_notes, closed_at, closed_by, closure_notes,
    reopen_count, created_by, updated_at, updated_by, version, paused_since, pause_reason,
    detected_at, workaround_at, users_affected)
SELECT id, number, title, description, category_id, service_id,
    reporter_name, reporter_contact, channel, started_at, logged_at, impact, urgency, priority,
    computed_priority, priority_override_reason, status, assignee_id, team_id, escalation_level,
    workaround, acknowledged_at, resolved_at, resolution_code, resolution_notes, verified_at,
    verified_by, verification_method, verification_notes, closed_at, closed_by, closure_notes,
    reopen_count, created_by, updated_at, updated_by, version, paused_since, pause_reason,
    detected_at, workaround_at, users_affected
FROM incidents ORDER BY id;

DROP TABLE incidents;
ALTER TABLE incidents_rebuilt RENAME TO incidents;

-- The same indexes as migration 1 (the list reads pages straight off them).
CREATE INDEX incidents_open_by_priority ON incidents (priority, logged_at) WHERE status <> 'closed';
CREATE INDEX incidents_open_category ON incidents (category_id, priority, logged_at) WHERE status <> 'closed';
CREATE INDEX incidents_open_service ON incidents (service_id, priority, logged_at) WHERE status <> 'closed';
CREATE INDEX incidents_open_assignee ON incidents (assignee_id, priority, logged_at) WHERE status <> 'closed';
CREATE INDEX incidents_open_team ON incidents (team_id, priority, logged_at) WHERE status <> 'closed';
CREATE INDEX incidents_status ON incidents (status, priority, logged_at);
CREATE INDEX incidents_logged ON incidents (logged_at);
CREATE INDEX incidents_updated ON incidents (updated_at);

-- The same full-text triggers as migration 1 (dropped with the old table).
CREATE TRIGGER incidents_fts_insert AFTER INSERT ON incidents BEGIN
    INSERT INTO incidents_fts (rowid, number, title, description, reporter_name)
    VALUES (new.id, new.number, new.title, new.description, new.reporter_name);
END;
CREATE TRIGGER incidents_fts_update AFTER UPDATE ON incidents
WHEN old.title IS NOT new.title OR old.description IS NOT new.description
  OR old.reporter_name IS NOT new.reporter_name BEGIN
    INSERT INTO incidents_fts (incidents_fts, rowid, number, title, description, reporter_name)
    VALUES ('delete', old.id, old.number, old.title, old.description, old.reporter_name);
    INSERT INTO incidents_fts (rowid, number, title, description, reporter_name)
    VALUES (new.id, new.number, new.title, new.description, new.reporter_name);
END;
CREATE TRIGGER incidents_fts_delete AFTER DELETE ON incidents BEGIN
    INSERT INTO incidents_fts (incidents_fts, rowid, number, title, description, reporter_name)
    VALUES ('delete', old.id, old.number, old.title, old.description, old.reporter_name);
END;
