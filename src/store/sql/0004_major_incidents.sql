-- Migration 4: major incidents, stakeholder communication, milestone corrections and
-- post-incident reviews. Never edit once shipped.

-- Milestones that can be corrected after the fact (started_at already exists).
ALTER TABLE incidents ADD COLUMN detected_at TEXT;
ALTER TABLE incidents ADD COLUMN workaround_at TEXT;
ALTER TABLE incidents ADD COLUMN users_affected INTEGER;

CREATE TABLE major_incidents (
    incident_id INTEGER PRIMARY KEY REFERENCES incidents(id),
    declared_at TEXT NOT NULL,
    declared_by TEXT NOT NULL,
    reason TEXT NOT NULL,
    criteria TEXT NOT NULL DEFAULT '[]',
    manager_id INTEGER NOT NULL REFERENCES people(id),
    bridge TEXT NOT NULL DEFAULT '',
    emergency_change TEXT NOT NULL DEFAULT ''
);

CREATE TABLE audiences (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    recipients TEXT NOT NULL DEFAULT '',
    cadence_minutes INTEGER NOT NULL DEFAULT 30 CHECK (cadence_minutes > 0),
    active INTEGER NOT NULL DEFAULT 1
);
INSERT INTO audiences (name, recipients, cadence_minutes) VALUES
    ('IT team', 'it-team@example.org', 15),
    ('Executives', 'executives@example.org', 30),
    ('All users', 'all-staff@example.org', 30);

CREATE TABLE message_templates (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    subject TEXT NOT NULL,
    body TEXT NOT NULL
);
INSERT INTO message_templates (name, subject, body) VALUES
    ('Investigating', '[{number}] Investigating: {service} disruption',
     'We are investigating a disruption of {service} that started at {started}.

Impact: {impact}
Current status: {status}
Workaround: {workaround}

Next update by {next_update}.'),
    ('Identified', '[{number}] Cause identified: {service}',
     'The cause of the {service} disruption (since {started}) has been identified and a fix is being applied.

Impact: {impact}
Current status: {status}
Workaround: {workaround}

Next update by {next_update}.'),
    ('Monitoring', '[{number}] Fix applied, monitoring: {service}',
     'A fix for the {service} disruption has been applied and we are monitoring the service.

Impact: {impact}
Current status: {status}

Next update by {next_update}.'),
    ('Resolved', '[{number}] Resolved: {service}',
     'The {service} disruption that started at {started} is resolved.

Impact while it lasted: {impact}
Current status: {status}

Thank you for your patience. A post-incident review will follow.');

-- Exactly what was sent, to whom, by whom, when.
CREATE TABLE stakeholder_updates (
    id INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    audience_id INTEGER NOT NULL REFERENCES audiences(id),
    sent_at TEXT NOT NULL,
    sent_by TEXT NOT NULL,
    template TEXT,
    subject TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX stakeholder_updates_by_incident ON stakeholder_updates (incident_id, sent_at);

CREATE TABLE reviews (
    id INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL UNIQUE REFERENCES incidents(id),
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'final')),
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    detection TEXT NOT NULL DEFAULT '',
    technical_response TEXT NOT NULL DEFAULT '',
    went_well TEXT NOT NULL DEFAULT '',
    went_badly TEXT NOT NULL DEFAULT '',
    problem_ref TEXT NOT NULL DEFAULT '',
    finalised_at TEXT,
    finalised_by TEXT,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE review_actions (
    id INTEGER PRIMARY KEY,
    review_id INTEGER NOT NULL REFERENCES reviews(id),
    text TEXT NOT NULL,
    owner_id INTEGER REFERENCES people(id),
    due_date TEXT,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'done'))
);

-- Corrections to a final review: recorded, never silently applied.
CREATE TABLE review_amendments (
    id INTEGER PRIMARY KEY,
    review_id INTEGER NOT NULL REFERENCES reviews(id),
    at TEXT NOT NULL,
    by TEXT NOT NULL,
    field TEXT NOT NULL,
    old_value TEXT NOT NULL,
    new_value TEXT NOT NULL,
    reason TEXT NOT NULL
);

-- Major-incident criteria (defaults from the reference) live in settings as JSON.
