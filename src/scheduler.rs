//! The SLA scheduler: a background task that sleeps until the next deadline and fires it.
//!
//! No fixed polling tick: it sleeps exactly until the earliest pending deadline, and is woken
//! early (re-armed) whenever a change may have moved deadlines. Monotonic timers stop while a
//! laptop sleeps, so it never sleeps longer than a minute before re-reading the wall clock.
//! On start it first replays what passed while the app was closed, as one summary
//! notification instead of a flood.

use crate::notify::{DesktopNotification, Notifier};
use crate::store::sla::Alert;
use crate::Desk;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// The longest sleep before the wall clock is read again.
pub const WALL_CLOCK_CHECK: Duration = Duration::from_secs(60);

enum Command {
    Rearm,
    Stop,
}

/// Counters for the benchmark and for tests.
#[derive(Debug, Default)]
pub struct SchedulerStats {
    /// Wake-ups because a deadline was (thought to be) due.
    pub deadline_wakeups: AtomicU64,
    /// Of those, wake-ups that found nothing to fire.
    pub idle_wakeups: AtomicU64,
    /// Wake-ups of the one-minute wall-clock check.
    pub wall_clock_checks: AtomicU64,
    pub rearms: AtomicU64,
    pub alerts: AtomicU64,
}

/// Wakes the scheduler after a change; cheap to clone into change listeners.
#[derive(Clone)]
pub struct Rearm(mpsc::UnboundedSender<Command>);

impl Rearm {
    pub fn rearm(&self) {
        let _ = self.0.send(Command::Rearm);
    }
}

pub struct SchedulerHandle {
    tx: mpsc::UnboundedSender<Command>,
    thread: Option<std::thread::JoinHandle<()>>,
    stats: Arc<SchedulerStats>,
}

impl SchedulerHandle {
    /// Starts the scheduler on a thread of its own (with its own small runtime), so it keeps
    /// time whatever the window is doing.
    pub fn start(desk: Arc<Desk>, notifier: Arc<dyn Notifier>) -> std::io::Result<SchedulerHandle> {
        let (tx, rx) = mpsc::unbounded_channel();
        let stats = Arc::new(SchedulerStats::default());
        let st = stats.clone();
        let thread = std::thread::Builder::new()
            .name("sla-scheduler".into())
            .spawn(move || {
                let rt = match tokio::runtime::Builder::new_current_thread()
                    .enable_time()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        eprintln!("Incident Desk: the SLA scheduler could not start: {e}");
                        return;
                    }
                };
                rt.block_on(run(desk, notifier, rx, st));
            })?;
        Ok(SchedulerHandle {
            tx,
            thread: Some(thread),
            stats,
        })
    }

    pub fn rearmer(&self) -> Rearm {
        Rearm(self.tx.clone())
    }

    pub fn rearm(&self) {
        self.rearmer().rearm();
    }

    pub fn stats(&self) -> &Arc<SchedulerStats> {
        &self.stats
    }

    /// Stops the task and waits for it.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        let _ = self.tx.send(Command::Stop);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for SchedulerHandle {
    fn drop(&mut self) {
        self.shutdown();
    }
}

async fn run(
    desk: Arc<Desk>,
    notifier: Arc<dyn Notifier>,
    mut rx: mpsc::UnboundedReceiver<Command>,
    stats: Arc<SchedulerStats>,
) {
    // Whatever passed while the app was closed.
    match desk.fire_due() {
        Ok(alerts) => deliver(&desk, notifier.as_ref(), &alerts, true, &stats),
        Err(e) => eprintln!("Incident Desk: replaying missed deadlines failed: {e}"),
    }
    loop {
        let now = desk.clock().now();
        let (wait, for_deadline) = match desk.next_deadline() {
            Ok(Some(due)) => {
                let until = (due - now).to_std().unwrap_or(Duration::ZERO);
                if until <= WALL_CLOCK_CHECK {
                    (until, true)
                } else {
                    (WALL_CLOCK_CHECK, false)
                }
            }
            Ok(None) => (WALL_CLOCK_CHECK, false),
            Err(e) => {
                eprintln!("Incident Desk: reading the next deadline failed: {e}");
                (WALL_CLOCK_CHECK, false)
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {
                if for_deadline {
                    stats.deadline_wakeups.fetch_add(1, Ordering::Relaxed);
                } else {
                    stats.wall_clock_checks.fetch_add(1, Ordering::Relaxed);
                }
                match desk.fire_due() {
                    Ok(alerts) => {
                        if alerts.is_empty() && for_deadline {
                            stats.idle_wakeups.fetch_add(1, Ordering::Relaxed);
                        }
                        deliver(&desk, notifier.as_ref(), &alerts, false, &stats);
                    }
                    Err(e) => eprintln!("Incident Desk: firing deadlines failed: {e}"),
                }
            }
            cmd = rx.recv() => match cmd {
                Some(Command::Rearm) => {
                    stats.rearms.fetch_add(1, Ordering::Relaxed);
                }
                Some(Command::Stop) | None => break,
            }
        }
    }
}

fn is_quiet(desk: &Desk, a: &Alert) -> bool {
    use crate::domain::model::Priority;
    if a.kind != "sla_warning" || !matches!(a.priority, Some(Priority::P3 | Priority::P4)) {
        return false;
    }
    match desk.reminder_settings() {
        Ok(s) => s
            .quiet_hours
            .is_some_and(|q| q.contains(desk.clock().now())),
        Err(_) => false,
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The one notification that stands for everything missed while the app was closed.
pub fn summary_of_missed(alerts: &[Alert]) -> DesktopNotification {
    let breaches = alerts.iter().filter(|a| a.kind == "sla_breach").count();
    let warnings = alerts.iter().filter(|a| a.kind == "sla_warning").count();
    let others = alerts.len() - breaches - warnings;
    let mut parts = Vec::new();
    if breaches > 0 {
        parts.push(plural(breaches, "SLA breach", "SLA breaches"));
    }
    if warnings > 0 {
        parts.push(plural(warnings, "SLA warning", "SLA warnings"));
    }
    if others > 0 {
        parts.push(plural(
            others,
            "escalation or reminder",
            "escalations and reminders",
        ));
    }
    DesktopNotification {
        title: format!("{} while Incident Desk was closed", parts.join(", ")),
        body: "Open the notification centre to see each one.".into(),
        incident_id: None,
        urgent: breaches > 0,
    }
}

fn deliver(
    desk: &Desk,
    notifier: &dyn Notifier,
    alerts: &[Alert],
    replay: bool,
    stats: &SchedulerStats,
) {
    if alerts.is_empty() {
        return;
    }
    stats
        .alerts
        .fetch_add(alerts.len() as u64, Ordering::Relaxed);
    let record = |id: i64, what: &str| {
        if let Err(e) = desk.set_alert_delivery(id, what) {
            eprintln!("Incident Desk: recording alert delivery failed: {e}");
        }
    };
    // Quiet hours apply before anything else, so silenced alerts do not swell a summary.
    let mut loud = Vec::new();
    for a in alerts {
        if is_quiet(desk, a) {
            record(a.id, "silenced (quiet hours)");
        } else {
            loud.push(a.clone());
        }
    }
    let alerts = loud.as_slice();
    if replay && alerts.len() > 1 {
        let outcome = match notifier.show(&summary_of_missed(alerts)) {
            Ok(()) => "summarised".to_string(),
            Err(e) => {
                eprintln!("Incident Desk: desktop notification failed: {e}");
                format!("failed: {e}")
            }
        };
        for a in alerts {
            record(a.id, &outcome);
        }
        return;
    }
    for a in alerts {
        let n = DesktopNotification {
            title: a.title.clone(),
            body: a.body.clone(),
            incident_id: a.incident_id,
            urgent: a.kind == "sla_breach"
                && matches!(
                    a.priority,
                    Some(crate::domain::model::Priority::P1 | crate::domain::model::Priority::P2)
                ),
        };
        match notifier.show(&n) {
            Ok(()) => record(a.id, "shown"),
            Err(e) => {
                eprintln!("Incident Desk: desktop notification failed: {e}");
                record(a.id, &format!("failed: {e}"));
            }
        }
    }
}
