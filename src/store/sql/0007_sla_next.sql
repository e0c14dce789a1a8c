-- Migration 7: the scheduler's index holds one entry per incident, its next pending deadline,
-- instead of one per pending deadline. A new incident has five or six pending deadlines whose
-- due times are hours apart, so the old index took five or six scattered pages into every
-- commit that touched them; `sla_next` takes one (docs/benchmarks.md). Triggers keep it exact
-- on every write to `sla_deadlines`, whatever code path made it. Never edit once shipped.

CREATE TABLE sla_next (
    incident_id INTEGER PRIMARY KEY REFERENCES incidents(id),
    due_at TEXT NOT NULL
);

INSERT INTO sla_next (incident_id, due_at)
SELECT incident_id, MIN(due_at) FROM sla_deadlines WHERE fired_at IS NULL GROUP BY incident_id;

CREATE INDEX sla_next_by_due ON sla_next (due_at);
DROP INDEX sla_deadlines_pending;

-- The same two statements in each trigger: the incident's earliest pending deadline, written
-- only when it changed, and no entry when nothing is pending.
CREATE TRIGGER sla_next_after_insert AFTER INSERT ON sla_deadlines BEGIN
    INSERT INTO sla_next (incident_id, due_at)
    SELECT new.incident_id, MIN(due_at) FROM sla_deadlines
    WHERE incident_id = new.incident_id AND fired_at IS NULL HAVING MIN(due_at) IS NOT NULL
    ON CONFLICT (incident_id) DO UPDATE SET due_at = excluded.due_at
        WHERE due_at IS NOT excluded.due_at;
    DELETE FROM sla_next WHERE incident_id = new.incident_id AND NOT EXISTS (
        SELECT 1 FROM sla_deadlines WHERE incident_id = new.incident_id AND fired_at IS NULL);
END;

CREATE TRIGGER sla_next_after_update AFTER UPDATE OF due_at, fired_at ON sla_deadlines BEGIN
    INSERT INTO sla_next (incident_id, due_at)
    SELECT new.incident_id, MIN(due_at) FROM sla_deadlines
    WHERE incident_id = new.incident_id AND fired_at IS NULL HAVING MIN(due_at) IS NOT NULL
    ON CONFLICT (incident_id) DO UPDATE SET due_at = excluded.due_at
        WHERE due_at IS NOT excluded.due_at;
    DELETE FROM sla_next WHERE incident_id = new.incident_id AND NOT EXISTS (
        SELECT 1 FROM sla_deadlines WHERE incident_id = new.incident_id AND fired_at IS NULL);
END;

CREATE TRIGGER sla_next_after_delete AFTER DELETE ON sla_deadlines BEGIN
    INSERT INTO sla_next (incident_id, due_at)
    SELECT old.incident_id, MIN(due_at) FROM sla_deadlines
    WHERE incident_id = old.incident_id AND fired_at IS NULL HAVING MIN(due_at) IS NOT NULL
    ON CONFLICT (incident_id) DO UPDATE SET due_at = excluded.due_at
        WHERE due_at IS NOT excluded.due_at;
    DELETE FROM sla_next WHERE incident_id = old.incident_id AND NOT EXISTS (
        SELECT 1 FROM sla_deadlines WHERE incident_id = old.incident_id AND fired_at IS NULL);
END;
