-- Migration 9: the history seal covers each incident's current state. Every event written from
-- now on carries the hash of its incident's row as the transaction left it (`state_hash`), and
-- the event's own hash covers that value, so a row edited outside Incident Desk no longer
-- matches the last event of its history. Events written before this migration keep NULL here
-- and their hashes are unchanged. Never edit once shipped.

ALTER TABLE events ADD COLUMN state_hash TEXT;
