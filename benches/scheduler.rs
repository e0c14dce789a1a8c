//! Benchmark of the SLA scheduler with 100,000 open incidents on a file database.
//!
//! ```text
//! cargo bench --bench scheduler -- [--open 100000] [--deadlines 1000] [--spread-secs 30]
//! ```
//!
//! It measures, with a seeded generator:
//! * the memory the running scheduler adds (VmRSS before and after starting it: it keeps no
//!   per-incident state, only the next deadline comes from one indexed query);
//! * the cost of re-arming: a change that moves deadlines (an edit of impact, which recomputes
//!   the incident's deadlines in its transaction) and the `next_deadline` query the task runs
//!   after each re-arm;
//! * lateness in real time: `--deadlines` P1 response breaches spread over `--spread-secs`
//!   seconds, on top of the open incidents; each alert's delivery to a recording notifier is
//!   timestamped against its due time (p50/p99/max), and the task's wake-ups are counted:
//!   deadline wake-ups that found nothing due are "idle".
//!
//! Unknown arguments (cargo passes `--bench`) are ignored.

use chrono::{DateTime, Duration as CDuration, Utc};
use incident_desk::actions::incidents;
use incident_desk::demo::{self, Rng};
use incident_desk::domain::model::{IncidentChanges, NewIncident, Priority, UpdateIncident};
use incident_desk::notify::{DesktopNotification, Notifier};
use incident_desk::scheduler::SchedulerHandle;
use incident_desk::store::events::Actor;
use incident_desk::{Clock, Desk};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// System time plus an adjustable shift, so incidents can be logged "in the past" and their
/// deadlines land at chosen instants of the real future.
struct ShiftedClock(Mutex<CDuration>);

impl Clock for ShiftedClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Timestamps every notification as it is shown.
#[derive(Default)]
struct TimingNotifier(Mutex<Vec<(String, DateTime<Utc>)>>);

impl Notifier for TimingNotifier {
    fn show(&self, n: &DesktopNotification) -> Result<(), String> {
        let at = Utc::now();
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((n.title.clone(), at));
        Ok(())
    }
}

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn incident(cat: &demo::Catalog, rng: &mut Rng, impact: &str, urgency: &str) -> NewIncident {
    NewIncident {
        title: format!("Generated incident {}", rng.below(1_000_000)),
        description: "Generated for the scheduler benchmark".into(),
        category_id: Some(cat.categories[rng.below(cat.categories.len() as u64) as usize].0),
        service_id: Some(cat.services[rng.below(cat.services.len() as u64) as usize]),
        reporter_name: "Bench".into(),
        reporter_contact: "bench@example.org".into(),
        channel: "monitoring".into(),
        started_at: None,
        impact: impact.into(),
        urgency: urgency.into(),
        ..Default::default()
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let open = arg("--open", 100_000);
    let deadlines = arg("--deadlines", 1000);
    let spread = arg("--spread-secs", 30) as i64;
    let dir = tempfile::tempdir()?;
    let clock = Arc::new(ShiftedClock(Mutex::new(CDuration::zero())));
    let desk = Arc::new(Desk::open_in(dir.path(), clock.clone())?);
    let mut rng = Rng::new(20261126);
    println!("# SLA scheduler benchmark");
    println!();
    println!(
        "machine: {} cores; database: file, WAL, synchronous=FULL",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0)
    );

    // Open incidents with running clocks: P2–P4 logged over the last hours, deadlines ahead.
    let t = Instant::now();
    let cat = desk.db().write(|tx| demo::seed_catalog(tx))?;
    let actor = Actor {
        id: cat.people[0].id,
        name: cat.people[0].name.clone(),
    };
    let kinds = [
        ("significant", "high"),
        ("moderate", "medium"),
        ("minor", "low"),
    ];
    let mut done = 0;
    while done < open {
        let n = (open - done).min(5000);
        desk.db().write(|tx| {
            for _ in 0..n {
                let (i, u) = *rng.pick(&kinds);
                let at = Utc::now() - CDuration::seconds(rng.below(3 * 3600) as i64);
                incidents::log(tx, &actor, at, &incident(&cat, &mut rng, i, u))?;
            }
            Ok(())
        })?;
        done += n;
    }
    let pending: i64 = desk.db().read(|tx| {
        Ok(tx.query_row(
            "SELECT COUNT(*) FROM sla_deadlines WHERE fired_at IS NULL",
            [],
            |r| r.get(0),
        )?)
    })?;
    println!(
        "generated {open} open incidents with {pending} pending deadlines in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    // Whatever generation left overdue is history, not part of the measurement.
    desk.db()
        .write(|tx| incident_desk::actions::firing::settle_history(tx, Utc::now()))?;

    // Re-arm cost: a change that moves deadlines, and the next-deadline query.
    let mut change_ms = Vec::new();
    let mut next_us = Vec::new();
    for k in 0..500 {
        let id = 1 + rng.below(open as u64) as i64;
        let d = desk.get(id)?;
        let impact = if k % 2 == 0 {
            "moderate"
        } else {
            "significant"
        };
        let s = Instant::now();
        let _ = desk.update(&UpdateIncident {
            id,
            expected_version: d.incident.version,
            changes: IncidentChanges {
                impact: Some(impact.into()),
                ..Default::default()
            },
        });
        change_ms.push(s.elapsed().as_secs_f64() * 1e3);
        let s = Instant::now();
        let _ = desk.next_deadline()?;
        next_us.push(s.elapsed().as_secs_f64() * 1e6);
    }
    change_ms.sort_by(f64::total_cmp);
    next_us.sort_by(f64::total_cmp);

    // Deadlines spread over the next `spread` seconds: P1 with a 1-minute response target,
    // logged (through the shifted clock) so that each is due at its chosen instant.
    let mut p1 = desk
        .sla_settings()?
        .policies
        .into_iter()
        .find(|p| p.priority == Priority::P1)
        .ok_or("no P1 policy")?;
    p1.response_minutes = 1;
    p1.resolution_minutes = 600;
    p1.warn_percents = vec![];
    desk.save_sla_policy(&p1)?;
    let mut off = desk.reminder_settings()?;
    off.update_minutes = [None, None, None, None];
    desk.save_reminders(&off)?;
    // The task runs as in the app: started first, re-armed by every committed change.
    let notifier = Arc::new(TimingNotifier::default());
    let rss_before = rss_kib();
    let handle = SchedulerHandle::start(desk.clone(), notifier.clone())?;
    let rss_after = rss_kib();
    let rearm = handle.rearmer();
    desk.on_change(move |_| rearm.rearm());
    let start = Utc::now() + CDuration::seconds(5);
    let mut due_at = Vec::new();
    for i in 0..deadlines {
        let due =
            start + CDuration::milliseconds(spread * 1000 * i as i64 / deadlines.max(1) as i64);
        *clock.0.lock().unwrap_or_else(|p| p.into_inner()) =
            due - CDuration::minutes(1) - Utc::now();
        let d = desk.log(&incident(&cat, &mut rng, "extensive", "critical"))?;
        due_at.push((d.incident.number.clone(), due));
    }
    *clock.0.lock().unwrap_or_else(|p| p.into_inner()) = CDuration::zero();
    // The shifted clock is a benchmark device; tell the task time is back to normal.
    handle.rearm();
    if Utc::now() >= start {
        return Err(
            "logging the deadlines took longer than the 5 s lead; use fewer --deadlines".into(),
        );
    }
    let wait_until = Instant::now() + Duration::from_secs(spread as u64 + 10);
    while Instant::now() < wait_until {
        let n = notifier
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter(|(t, _)| t.starts_with("P1 ") && t.contains("response SLA breached"))
            .count();
        if n >= deadlines {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let stats = handle.stats().clone();
    handle.stop();
    let shown = notifier.0.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let mut late_ms = Vec::new();
    for (number, due) in &due_at {
        if let Some((_, at)) = shown
            .iter()
            .find(|(t, _)| t.contains(number.as_str()) && t.contains("response SLA breached"))
        {
            late_ms.push((*at - *due).num_microseconds().unwrap_or(0) as f64 / 1e3);
        }
    }
    late_ms.sort_by(f64::total_cmp);

    println!();
    println!("| measure | value |");
    println!("|---|---|");
    println!("| open incidents with clocks | {open} ({pending} pending deadlines) |");
    println!(
        "| scheduler memory (VmRSS after start − before) | {} KiB |",
        rss_after.saturating_sub(rss_before)
    );
    println!(
        "| change that moves deadlines (edit + recompute, durable) p50 / p99 | {:.2} / {:.2} ms |",
        pct(&change_ms, 0.5),
        pct(&change_ms, 0.99)
    );
    println!(
        "| next-deadline query after a re-arm p50 / p99 | {:.1} / {:.1} µs |",
        pct(&next_us, 0.5),
        pct(&next_us, 0.99)
    );
    println!(
        "| deadlines fired / expected | {} / {deadlines} over {spread} s |",
        late_ms.len()
    );
    println!(
        "| lateness to notification p50 / p99 / max | {:.1} / {:.1} / {:.1} ms |",
        pct(&late_ms, 0.5),
        pct(&late_ms, 0.99),
        late_ms.last().copied().unwrap_or(f64::NAN)
    );
    println!(
        "| deadline wake-ups / idle among them | {} / {} |",
        stats.deadline_wakeups.load(Ordering::Relaxed),
        stats.idle_wakeups.load(Ordering::Relaxed)
    );
    println!(
        "| wall-clock checks (one-minute cap) | {} |",
        stats.wall_clock_checks.load(Ordering::Relaxed)
    );
    println!(
        "| re-arms received | {} |",
        stats.rearms.load(Ordering::Relaxed)
    );
    if late_ms.len() < deadlines {
        return Err(format!(
            "only {} of {deadlines} deadlines were notified",
            late_ms.len()
        )
        .into());
    }
    Ok(())
}
