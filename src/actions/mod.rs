//! Actions: one function per thing a user (or the SLA engine) does, each run inside the one
//! transaction the desk opens, changing state and recording why.
//!
//! Ordered so each imports only from the ones before it: `deadlines` (SLA deadlines recomputed
//! after a change) → `incidents` (the lifecycle) → `major`, `review` → `firing` (deadlines that
//! passed: warnings, breaches, escalation rules, reminders).

pub mod deadlines;
pub mod firing;
pub mod incidents;
pub mod major;
pub mod review;
