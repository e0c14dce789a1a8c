-- Migration 1: the foundation. Never edit once shipped; add 0002_… instead.

CREATE TABLE teams (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    tier TEXT NOT NULL CHECK (tier IN ('service_desk', 'specialist', 'vendor')),
    contact TEXT NOT NULL DEFAULT '',
    expected_response_minutes INTEGER NOT NULL DEFAULT 0 CHECK (expected_response_minutes >= 0)
);

CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    team_id INTEGER REFERENCES teams(id),
    roles TEXT NOT NULL DEFAULT '[]'
);

CREATE TABLE services (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    description TEXT NOT NULL DEFAULT '',
    owner_id INTEGER REFERENCES people(id),
    criticality TEXT NOT NULL CHECK (criticality IN ('critical', 'high', 'medium', 'low')),
    revenue_generating INTEGER NOT NULL DEFAULT 0,
    users_served INTEGER NOT NULL DEFAULT 0 CHECK (users_served >= 0)
);

CREATE TABLE categories (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    active INTEGER NOT NULL DEFAULT 1
);

INSERT INTO categories (name) VALUES
    ('Network'), ('Application'), ('Hardware'), ('Security'), ('Access'), ('Other');

-- Small key/value settings: the operator ("who am I"), the priority matrix.
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- The current state of each incident. History is in `events`.
CREATE TABLE incidents (
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
    priority TEXT NOT NULL CHECK (priority IN ('P1', 'P2', 'P3', 'P4')),
    computed_priority TEXT NOT NULL CHECK (computed_priority IN ('P1', 'P2', 'P3', 'P4')),
    priority_override_reason TEXT,
    status TEXT NOT NULL CHECK (status IN ('new', 'assigned', 'in_progress', 'resolved', 'closed')),
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
    version INTEGER NOT NULL DEFAULT 1
);

-- The list shows open incidents by priority then age; each filter gets an index that already
-- has that order, so a page is read straight off the index.
CREATE INDEX incidents_open_by_priority ON incidents (priority, logged_at) WHERE status <> 'closed';
CREATE INDEX incidents_open_category ON incidents (category_id, priority, logged_at) WHERE status <> 'closed';
CREATE INDEX incidents_open_service ON incidents (service_id, priority, logged_at) WHERE status <> 'closed';
CREATE INDEX incidents_open_assignee ON incidents (assignee_id, priority, logged_at) WHERE status <> 'closed';
CREATE INDEX incidents_open_team ON incidents (team_id, priority, logged_at) WHERE status <> 'closed';
CREATE INDEX incidents_status ON incidents (status, priority, logged_at);
CREATE INDEX incidents_logged ON incidents (logged_at);
CREATE INDEX incidents_updated ON incidents (updated_at);

-- Full-text search over the words a responder types, kept in the same transaction by triggers.
CREATE VIRTUAL TABLE incidents_fts USING fts5 (
    number, title, description, reporter_name,
    content = 'incidents', content_rowid = 'id'
);
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

-- Append-only history: who, when, what. Written in the same transaction as the change.
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    at TEXT NOT NULL,
    actor_id INTEGER REFERENCES people(id),
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    field TEXT,
    old_value TEXT,
    new_value TEXT,
    detail TEXT
);
CREATE INDEX events_by_incident ON events (incident_id, id);

CREATE TRIGGER events_are_append_only_update BEFORE UPDATE ON events BEGIN
    SELECT RAISE(ABORT, 'events are append-only: history cannot be changed');
END;
CREATE TRIGGER events_are_append_only_delete BEFORE DELETE ON events BEGIN
    SELECT RAISE(ABORT, 'events are append-only: history cannot be deleted');
END;
