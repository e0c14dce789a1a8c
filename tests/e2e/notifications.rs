//! Desktop notifications on a real session bus: what `DesktopNotifier` sends reaches a
//! notification server (dunst here), and with no bus or no server `show` is an error, not a
//! panic.
//!
//! They live in the e2e binary because scripts/test-all.sh runs it under `xvfb-run` and
//! `dbus-run-session` (a private session bus; dunst is D-Bus-activated and needs a display),
//! while plain `cargo test --workspace` runs the core tests with no session bus at all.
//!
//! The failure cases point `DBUS_SESSION_BUS_ADDRESS` somewhere else. Environment variables
//! are process-wide and zbus reads this one on every connection, so those cases run the app's
//! `notify-check` binary as a child process instead of changing the environment under the
//! other tests.

use std::env;
use std::process::Command;
use std::time::{Duration, Instant};

use incident_desk::notify::{DesktopNotification, DesktopNotifier, Notifier};

use crate::app::{self, Artifacts};
use crate::dbus::{self, BareBus, DbusMonitor, NOTIFY_RULE};

const TITLE: &str = "P1 INC-000042 response SLA breached";
const BODY: &str = "Payroll export fails for every department (Jordan Lee, Payroll team)";

fn breach() -> DesktopNotification {
    DesktopNotification {
        title: TITLE.into(),
        body: BODY.into(),
        incident_id: None,
        urgent: true,
    }
}

#[test]
fn a_desktop_notification_reaches_the_notification_server_on_the_session_bus() {
    let _serial = app::serialize();
    let artifacts = Artifacts::for_test("desktop_notification_reaches_the_server");

    let (server, _dunst) = dbus::ensure_notification_server(&artifacts.dir);
    eprintln!("notification server: {server}");

    // Notify calls, and every method return (to see the server's answer to the call).
    let monitor = DbusMonitor::start(
        &[NOTIFY_RULE, "type='method_return'"],
        &artifacts.dir,
        "notify",
    );

    let shown = DesktopNotifier::new().show(&breach());
    assert_eq!(
        shown,
        Ok(()),
        "showing a notification with {server} on the session bus works"
    );

    let call = monitor.wait_for_notify(Duration::from_secs(10), TITLE, |c| c.summary == TITLE);
    assert_eq!(
        call.app_name, "Incident Desk",
        "the notification carries the app's name: {}",
        call.raw
    );
    assert_eq!(
        call.summary, TITLE,
        "the title is the summary: {}",
        call.raw
    );
    assert_eq!(call.body, BODY, "the body is sent as given: {}", call.raw);
    assert_eq!(
        call.urgency,
        Some(2),
        "an urgent notification (P1/P2 breach) is sent as critical: {}",
        call.raw
    );
    assert!(
        call.actions.is_empty(),
        "without an incident to open there is no click action: {:?}",
        call.actions
    );

    // The server answered the call with a notification id (the reply `show` waited for), and
    // the server is the connection that owns org.freedesktop.Notifications.
    let serial = call.serial.expect("the Notify call has a serial");
    let reply = dbus::poll(Duration::from_secs(5), || {
        monitor.messages().into_iter().find(|m| {
            m.header.starts_with("method return ")
                && m.reply_serial() == Some(serial)
                && m.destination() == Some(call.sender.as_str())
        })
    })
    .unwrap_or_else(|| {
        panic!(
            "no reply to the Notify call (serial {serial} from {}); capture in {}",
            call.sender,
            monitor.save()
        )
    });
    let owner = dbus::name_owner("org.freedesktop.Notifications")
        .unwrap_or_else(|e| panic!("nobody owns org.freedesktop.Notifications: {e}"));
    assert_eq!(
        reply.sender(),
        Some(owner.as_str()),
        "the reply comes from the notification server ({server}, {owner})"
    );
    let id: u32 = reply
        .args
        .first()
        .and_then(|a| a.trim().strip_prefix("uint32 "))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("the reply carries a notification id: {reply:?}"));
    assert!(id > 0, "the server gave the notification an id: {id}");
    monitor.save();
}

#[test]
fn a_notification_for_an_incident_offers_the_open_action() {
    let _serial = app::serialize();
    let artifacts = Artifacts::for_test("notification_offers_open_action");
    let (_server, _dunst) = dbus::ensure_notification_server(&artifacts.dir);
    let monitor = DbusMonitor::start(&[NOTIFY_RULE], &artifacts.dir, "notify");

    let title = "P2 INC-000043 resolution SLA 75% used — due 14:30 UTC";
    let shown = DesktopNotifier::new()
        .on_click(|_| {})
        .show(&DesktopNotification {
            title: title.into(),
            body: "VPN drops every ten minutes (Sam Reporter)".into(),
            incident_id: Some(43),
            urgent: false,
        });
    assert_eq!(shown, Ok(()));
    let call = monitor.wait_for_notify(Duration::from_secs(10), title, |c| c.summary == title);
    assert_eq!(call.app_name, "Incident Desk");
    assert_eq!(
        call.urgency,
        Some(1),
        "a warning is sent with normal urgency: {}",
        call.raw
    );
    assert!(
        call.actions.iter().any(|a| a == "default"),
        "a notification about an incident has the default (click) action that opens it: {:?}",
        call.actions
    );
}

// ── Failure cases, each in a child process with its own DBUS_SESSION_BUS_ADDRESS ───────────

/// Set in the child process that runs `notification_probe`.
/// Runs `notify-check` (the app's notification self-test, the same `DesktopNotifier` path as
/// every SLA alert) on `bus_address`; returns its outcome (`Ok` or the error text) and how long
/// it took. Fails the test if it crashed instead of reporting.
fn probe_in_child(bus_address: &str) -> (Result<(), String>, Duration) {
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_notify-check"))
        .env("DBUS_SESSION_BUS_ADDRESS", bus_address)
        .env("RUST_BACKTRACE", "1")
        .output()
        .expect("run notify-check as a child process");
    let took = start.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("panicked"),
        "notify-check panicked instead of reporting an error:\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    let result = match out.status.code() {
        Some(0) if stdout.contains("notification shown") => Ok(()),
        Some(1) => Err(stderr
            .trim()
            .strip_prefix("desktop notifications are not available: ")
            .unwrap_or_else(|| panic!("unexpected report: {stderr}"))
            .to_string()),
        other => panic!("notify-check ended with {other:?}:\nstdout:\n{stdout}\nstderr:\n{stderr}"),
    };
    (result, took)
}

#[test]
fn with_no_session_bus_showing_a_notification_is_an_error_not_a_panic() {
    let _serial = app::serialize();
    let dir = tempfile::tempdir().expect("temp dir");
    let nowhere = dir.path().join("no-such-bus");
    let (result, took) = probe_in_child(&format!("unix:path={}", nowhere.display()));
    let err = result.expect_err("with no session bus `show` must fail");
    assert!(!err.trim().is_empty(), "the error says something");
    assert!(
        took < Duration::from_secs(20),
        "failing takes no long time: {took:?}"
    );
    eprintln!("no session bus: show → Err({err:?}) in {took:?}");
}

#[test]
fn with_a_bus_but_no_notification_server_showing_a_notification_is_an_error_not_a_panic() {
    let _serial = app::serialize();
    let bus = BareBus::start();
    let (result, took) = probe_in_child(&bus.address);
    let err = result.expect_err("with no notification server on the bus `show` must fail");
    assert!(
        err.contains("org.freedesktop.Notifications") || err.contains("ServiceUnknown"),
        "the error names the missing service: {err}"
    );
    assert!(
        took < Duration::from_secs(20),
        "failing takes no long time: {took:?}"
    );
    eprintln!("bus without a notification server: show → Err({err:?}) in {took:?}");
}
