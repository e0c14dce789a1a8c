//! Desktop notifications, behind a trait so the scheduler can be tested with a recording sink.
//!
//! A failing notification service (no session bus, no daemon) is an error value, never a panic:
//! the alert is already in the notification centre, and its delivery column says what happened.

use std::sync::{Arc, Mutex};

/// What a desktop notification says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesktopNotification {
    pub title: String,
    pub body: String,
    /// The incident a click opens, if any.
    pub incident_id: Option<i64>,
    /// Breaches of P1/P2: shown as critical where the platform has urgency levels.
    pub urgent: bool,
}

pub trait Notifier: Send + Sync {
    fn show(&self, n: &DesktopNotification) -> Result<(), String>;
}

type ClickHandler = Arc<dyn Fn(i64) + Send + Sync>;

/// The operating system's notification service, through notify-rust.
#[derive(Clone, Default)]
pub struct DesktopNotifier {
    on_click: Option<ClickHandler>,
}

impl DesktopNotifier {
    pub fn new() -> Self {
        Self::default()
    }

    /// Called with the incident id when the user clicks a notification (Linux/BSD: through the
    /// notification server's "default" action; other platforms open the app only).
    pub fn on_click(mut self, f: impl Fn(i64) + Send + Sync + 'static) -> Self {
        self.on_click = Some(Arc::new(f));
        self
    }
}

impl Notifier for DesktopNotifier {
    fn show(&self, n: &DesktopNotification) -> Result<(), String> {
        let mut note = notify_rust::Notification::new();
        note.appname("Incident Desk")
            .summary(&n.title)
            .body(&n.body);
        #[cfg(all(unix, not(target_os = "macos")))]
        {
            note.urgency(if n.urgent {
                notify_rust::Urgency::Critical
            } else {
                notify_rust::Urgency::Normal
            });
            if n.incident_id.is_some() && self.on_click.is_some() {
                note.action("default", "Open incident");
            }
        }
        let handle = note.show().map_err(|e| e.to_string())?;
        #[cfg(all(unix, not(target_os = "macos")))]
        if let (Some(id), Some(cb)) = (n.incident_id, self.on_click.clone()) {
            // Waiting for the click blocks, so it gets a thread of its own.
            let _ = std::thread::Builder::new()
                .name("notification-click".into())
                .spawn(move || {
                    handle.wait_for_action(|action| {
                        if action == "default" {
                            cb(id);
                        }
                    })
                });
        }
        #[cfg(not(all(unix, not(target_os = "macos"))))]
        let _ = handle;
        Ok(())
    }
}

/// Records what would have been shown; optionally fails like a missing notification service.
#[derive(Default)]
pub struct RecordingNotifier {
    shown: Mutex<Vec<DesktopNotification>>,
    fail: bool,
}

impl RecordingNotifier {
    pub fn new() -> Self {
        Self::default()
    }

    /// A notifier that fails every time, as a system without a notification service does.
    pub fn failing() -> Self {
        RecordingNotifier {
            shown: Mutex::new(Vec::new()),
            fail: true,
        }
    }

    pub fn shown(&self) -> Vec<DesktopNotification> {
        self.shown.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl Notifier for RecordingNotifier {
    fn show(&self, n: &DesktopNotification) -> Result<(), String> {
        if self.fail {
            return Err("org.freedesktop.Notifications is not available".into());
        }
        self.shown
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(n.clone());
        Ok(())
    }
}
