-- Migration 10: the review's own words on escalation and communication (the reference's review
-- covers detection, escalation, communication and technical analysis), and what a final review
-- was signed off with: the incident, the timeline up to the finalisation event, the action
-- items, the last event and the fingerprint, so later events cannot change a signed-off record.
-- Never edit once shipped.
ALTER TABLE reviews ADD COLUMN escalation_analysis TEXT NOT NULL DEFAULT '';
ALTER TABLE reviews ADD COLUMN communication_analysis TEXT NOT NULL DEFAULT '';
ALTER TABLE reviews ADD COLUMN signed_off TEXT;
