//! Scenario tests of the core: what a user of the desk would notice, without a window.

mod support;

mod backup;
mod crash;
mod fuzz_inputs;
mod incidents;
mod layering;
mod limits;
mod list;
mod major;
mod report_pdf;
mod review;
mod seal;
mod settings;
mod sla;
mod storage;
