-- Migration 3: tamper-evident history. Each event carries the hash of the previous event and
-- its own hash over its content, so a changed or deleted row breaks the chain.
-- Never edit once shipped.

DROP TRIGGER events_are_append_only_update;
ALTER TABLE events ADD COLUMN prev_hash TEXT;
ALTER TABLE events ADD COLUMN hash TEXT;

-- Still append-only; the one update allowed is filling in the hashes of events written
-- before this migration (done right after it, in the same transaction).
CREATE TRIGGER events_are_append_only_update BEFORE UPDATE ON events
WHEN old.hash IS NOT NULL
  OR new.id IS NOT old.id OR new.incident_id IS NOT old.incident_id OR new.at IS NOT old.at
  OR new.actor_id IS NOT old.actor_id OR new.actor IS NOT old.actor OR new.kind IS NOT old.kind
  OR new.field IS NOT old.field OR new.old_value IS NOT old.old_value
  OR new.new_value IS NOT old.new_value OR new.detail IS NOT old.detail
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: history cannot be changed');
END;
