//! `notify-check`: shows one test notification the way Incident Desk shows SLA alerts and says
//! whether the system's notification service took it.
//!
//! Exists so a user (or a test) can tell "no desktop notifications" apart from "no alerts":
//! when this fails, alerts still reach the in-app notification centre.

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use incident_desk::notify::{DesktopNotification, DesktopNotifier, Notifier};

fn main() {
    let n = DesktopNotification {
        title: "Incident Desk notification check".into(),
        body: "If you can read this, SLA alerts will reach your desktop.".into(),
        incident_id: Some(0),
        urgent: true,
    };
    // With a click handler, as the app's alerts have: the same path through notify-rust.
    match DesktopNotifier::new().on_click(|_| {}).show(&n) {
        Ok(()) => println!("notification shown"),
        Err(e) => {
            eprintln!("desktop notifications are not available: {e}");
            std::process::exit(1);
        }
    }
}
