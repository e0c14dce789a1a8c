-- Migration 5: a final review keeps the figures it was finalised with, so later changes to
-- audiences, rules or policies do not rewrite a signed-off record. Never edit once shipped.
ALTER TABLE reviews ADD COLUMN figures_snapshot TEXT;
