-- Migration 11: the open list sorted by age or by last update. Open incidents are a small,
-- recent part of a large desk, so walking the whole `incidents_logged` index from the oldest
-- incident skipped hundreds of thousands of closed ones before it found the first fifty open
-- ones (docs/benchmarks-window.md). These partial indexes hold only the open incidents, in
-- the order each sort wants, like `incidents_open_by_priority` does for the priority sort.
-- Never edit once shipped.

CREATE INDEX incidents_open_logged ON incidents (logged_at) WHERE status <> 'closed';
CREATE INDEX incidents_open_updated ON incidents (updated_at) WHERE status <> 'closed';
