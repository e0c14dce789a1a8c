//! Incident Desk core: ITIL 4 incident management on a local SQLite database.
//!
//! Everything a user can do is a method of [`Desk`] with a typed input and output, callable from
//! a test without a window. The Tauri shell (`src-tauri/`) is a thin adapter over it.
//!
//! Layers, each importing only from the ones below it (tests/core/layering.rs keeps it so):
//! 0 `error`, `clock` → 1 `domain` (records and pure rules) → 2 `store` (all SQL) → 3 `actions`
//! (one function per thing a user does, in one transaction) → 4 `desk` (the API and its view
//! types), `demo`, `scheduler`, `notify` → 5 the shells (src-tauri, src/bin).

// Outside tests nothing may unwrap, expect or panic: a panic inside a window command aborts
// the whole app (DESIGN principle 11). Tests may.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod actions;
pub mod backups;
pub mod clock;
pub mod demo;
pub mod desk;
pub mod domain;
pub mod error;
pub mod notify;
pub mod scheduler;
pub mod store;

pub use clock::{Clock, FixedClock, SystemClock};
pub use desk::{Change, Desk, DATABASE_FILE};
pub use error::{Error, ErrorPayload, Problem, Problems, Result};
