//! Incident Desk core: ITIL 4 incident management on a local SQLite database.
//!
//! Everything a user can do is a method of [`Desk`] with a typed input and output, callable from
//! a test without a window. The Tauri shell (`src-tauri/`) is a thin adapter over it.

pub mod backups;
pub mod clock;
pub mod demo;
pub mod desk;
pub mod error;
pub mod lifecycle;
pub mod major;
pub mod model;
pub mod notify;
pub mod ops;
pub mod priority;
pub mod report;
pub mod review;
pub mod scheduler;
pub mod sla;
pub mod store;

pub use clock::{Clock, FixedClock, SystemClock};
pub use desk::{Change, Desk, DATABASE_FILE};
pub use error::{Error, ErrorPayload, Result};
