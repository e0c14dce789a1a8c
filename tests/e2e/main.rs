//! End-to-end tests: the real Incident Desk window, driven through WebDriver
//! (tauri-driver → WebKitWebDriver → target/debug/incident-desk).
//!
//! Run with `scripts/test-all.sh`, or after `cargo build --workspace`:
//!
//! ```text
//! xvfb-run -a dbus-run-session -- cargo test --workspace --test e2e -- --test-threads=1
//! ```
//!
//! Screenshots of every step (and of the moment of a failure, with the page source) are in
//! `target/e2e-artifacts/<test name>/`.

mod app;
mod dbus;
mod webdriver;

mod backups;
mod detail_glance;
mod forms_glance;
mod hardening;
mod harness;
mod issue_acceptance;
mod list;
mod major;
mod notifications;
mod review;
mod seal;
mod sla;
