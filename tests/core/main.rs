//! Scenario tests of the core: what a user of the desk would notice, without a window.

mod support;

mod backup;
mod crash;
mod incidents;
mod list;
mod major;
mod report_pdf;
mod settings;
mod sla;
mod storage;
