-- Migration 2: SLA policies, business calendars, clocks' deadlines, alerts, escalation rules.
-- Never edit once shipped; add 0003_… instead.

-- week: JSON array of 7 entries (Monday first), each null or ["HH:MM", "HH:MM"].
CREATE TABLE calendars (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    always_on INTEGER NOT NULL DEFAULT 0,
    time_zone TEXT NOT NULL DEFAULT '',
    week TEXT NOT NULL DEFAULT '[null,null,null,null,null,null,null]'
);
-- The office-hours time zone is left empty here; the desk fills in the computer's own zone.
INSERT INTO calendars (id, name, always_on, time_zone, week) VALUES
    (1, '24×7', 1, 'UTC', '[null,null,null,null,null,null,null]'),
    (2, 'Office hours (Mon–Fri 08:00–17:00)', 0, '',
     '[["08:00","17:00"],["08:00","17:00"],["08:00","17:00"],["08:00","17:00"],["08:00","17:00"],null,null]');

CREATE TABLE calendar_holidays (
    calendar_id INTEGER NOT NULL REFERENCES calendars(id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (calendar_id, day)
);

-- Targets are counted in the policy's calendar. P3/P4 "business days" are 9-hour office days.
CREATE TABLE sla_policies (
    priority TEXT PRIMARY KEY CHECK (priority IN ('P1', 'P2', 'P3', 'P4')),
    response_minutes INTEGER NOT NULL CHECK (response_minutes > 0),
    resolution_minutes INTEGER NOT NULL CHECK (resolution_minutes > 0),
    calendar_id INTEGER NOT NULL REFERENCES calendars(id),
    warn_percents TEXT NOT NULL DEFAULT '[50,75]',
    pause_reasons TEXT NOT NULL DEFAULT '[]'
);
INSERT INTO sla_policies (priority, response_minutes, resolution_minutes, calendar_id) VALUES
    ('P1', 15, 240, 1),
    ('P2', 60, 480, 1),
    ('P3', 240, 1620, 2),
    ('P4', 540, 2700, 2);

ALTER TABLE incidents ADD COLUMN paused_since TEXT;
ALTER TABLE incidents ADD COLUMN pause_reason TEXT;

-- Every pending or fired deadline of every incident: SLA warnings and breaches, escalation
-- rules, reminders. The scheduler sleeps until the earliest pending one.
CREATE TABLE sla_deadlines (
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    kind TEXT NOT NULL,
    due_at TEXT NOT NULL,
    fired_at TEXT,
    PRIMARY KEY (incident_id, kind)
) WITHOUT ROWID;
CREATE INDEX sla_deadlines_pending ON sla_deadlines (due_at) WHERE fired_at IS NULL;

-- The notification centre: every alert raised, and what became of its desktop notification.
CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    raised_at TEXT NOT NULL,
    due_at TEXT NOT NULL,
    incident_id INTEGER REFERENCES incidents(id),
    kind TEXT NOT NULL,
    priority TEXT,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    delivery TEXT NOT NULL DEFAULT 'pending',
    read_at TEXT
);
CREATE INDEX alerts_unread ON alerts (read_at, id);

CREATE TABLE escalation_rules (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    priority TEXT CHECK (priority IN ('P1', 'P2', 'P3', 'P4')),
    category_id INTEGER REFERENCES categories(id),
    service_id INTEGER REFERENCES services(id),
    team_id INTEGER REFERENCES teams(id),
    tier TEXT CHECK (tier IN ('service_desk', 'specialist', 'vendor')),
    trigger TEXT NOT NULL CHECK (trigger IN ('unacknowledged', 'unresolved')),
    after_minutes INTEGER NOT NULL CHECK (after_minutes > 0),
    action TEXT NOT NULL CHECK (action IN ('escalate_team', 'notify_person', 'raise_priority')),
    target_team_id INTEGER REFERENCES teams(id),
    target_person_id INTEGER REFERENCES people(id),
    target_priority TEXT CHECK (target_priority IN ('P1', 'P2', 'P3', 'P4')),
    reason TEXT NOT NULL DEFAULT ''
);
