//! The domain: records and pure rules (model and vocabularies, the priority matrix, the
//! lifecycle, SLA calendars, clocks and policies, major-incident and review records, the report
//! document). No SQL and no I/O: every rule here can be tested on values alone, and everything
//! above (store, actions, desk) builds on it.

pub mod lifecycle;
pub mod limits;
pub mod major;
pub mod model;
pub mod priority;
pub mod report;
pub mod review;
pub mod sla;
pub mod vocabulary;
