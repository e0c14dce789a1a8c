//! SLA rules without storage: which policy and calendar apply, what each clock's target is,
//! what the incident's SLA panel shows, which escalation rules match. The engine that stores
//! and fires deadlines (actions::deadlines, actions::firing) is built on these.

pub mod calendar;
pub mod clocks;
pub mod config;

use crate::domain::model::{Incident, Priority, Status};
use crate::{Error, Result};
use chrono::{DateTime, Duration, Utc};
use clocks::{ClockKind, ClockView, History};
use config::SlaConfig;
use serde::{Deserialize, Serialize};

/// The clock-relevant history of an incident, from its `created`, `resolved`, `reopened`,
/// `paused` and `resumed` events (kind, time) in time order.
pub fn history_from(inc: &Incident, events: &[(String, DateTime<Utc>)]) -> History {
    let mut h = History {
        logged_at: Some(inc.logged_at),
        first_response_at: inc.acknowledged_at,
        ..Default::default()
    };
    for (kind, at) in events {
        let at = *at;
        // A run or pause opens only if none is open, and closes only the open one.
        let run_closed = h
            .resolution_runs
            .last()
            .is_none_or(|(_, end)| end.is_some());
        let pause_closed = h.pauses.last().is_none_or(|(_, end)| end.is_some());
        match kind.as_str() {
            "created" | "reopened" if run_closed => h.resolution_runs.push((at, None)),
            "resolved" if !run_closed => {
                if let Some(last) = h.resolution_runs.last_mut() {
                    last.1 = Some(at);
                }
            }
            "paused" if pause_closed => h.pauses.push((at, None)),
            "resumed" if !pause_closed => {
                if let Some(last) = h.pauses.last_mut() {
                    last.1 = Some(at);
                }
            }
            _ => {}
        }
    }
    h
}

pub fn policy_calendar(
    cfg: &SlaConfig,
    p: Priority,
) -> Result<(
    &config::SlaPolicy,
    &calendar::Calendar,
    &config::CalendarRecord,
)> {
    let policy = cfg
        .policy(p)
        .ok_or_else(|| Error::Storage(format!("no SLA policy for {}", p.as_str())))?;
    let (rec, cal) = cfg
        .calendar(policy.calendar_id)
        .ok_or_else(|| Error::Storage(format!("SLA calendar {} is missing", policy.calendar_id)))?;
    Ok((policy, cal, rec))
}

/// The clock's target. A target too large for a duration (saved by an older version without
/// bounds) counts as never reached: the clock gets no deadline rather than a panic.
pub fn target(policy: &config::SlaPolicy, clock: ClockKind) -> Duration {
    let m = match clock {
        ClockKind::Response => policy.response_minutes,
        ClockKind::Resolution => policy.resolution_minutes,
    };
    crate::domain::limits::minutes(m).unwrap_or(if m < 0 {
        Duration::zero()
    } else {
        Duration::MAX
    })
}

/// A pause as the SLA panel shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PauseView {
    pub from: DateTime<Utc>,
    pub to: Option<DateTime<Utc>>,
    pub reason: String,
    pub by: String,
}

/// Everything the incident's SLA panel shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlaPanel {
    pub priority: Priority,
    pub clocks: Vec<ClockView>,
    pub pauses: Vec<PauseView>,
    pub paused_seconds: i64,
    pub pause_reasons: Vec<String>,
    /// How the response clock stops, in words, for the panel.
    pub response_rule: String,
}

pub const RESPONSE_RULE: &str = "The response clock stops at the first response: an acknowledgement, or the first update made by the assignee (resolving also counts).";

/// A `paused` or `resumed` event as the panel reads it.
#[derive(Debug, Clone)]
pub struct PauseEvent {
    pub kind: String,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub detail: Option<String>,
}

/// The SLA panel of an incident at `now`, from its clock history, pause events and the
/// breaches recorded on it (clock, when it was due): a recorded breach stays a breach.
pub fn panel_from(
    cfg: &SlaConfig,
    inc: &Incident,
    h: &History,
    pause_events: &[PauseEvent],
    recorded_breaches: &[(ClockKind, DateTime<Utc>)],
    now: DateTime<Utc>,
) -> Result<SlaPanel> {
    let (policy, cal, rec) = policy_calendar(cfg, inc.priority)?;
    let paused = inc.paused_since.is_some();
    let info = clocks::CalendarInfo {
        calendar: cal,
        name: &rec.name,
        zone: match rec.time_zone.trim() {
            "" => "UTC",
            z => z,
        },
    };
    let clocks = ClockKind::ALL
        .into_iter()
        .map(|c| {
            let rules = clocks::ClockRules {
                target: target(policy, c),
                warn_percent: policy.warn_percents.iter().copied().min(),
                recorded_breach: recorded_breaches
                    .iter()
                    .find(|(k, _)| *k == c)
                    .map(|(_, at)| *at),
            };
            clocks::view(c, h, info, rules, paused, now)
        })
        .collect();
    let mut pauses: Vec<PauseView> = Vec::new();
    for e in pause_events {
        if e.kind == "paused" {
            pauses.push(PauseView {
                from: e.at,
                to: None,
                reason: e.detail.clone().unwrap_or_default(),
                by: e.actor.clone(),
            });
        } else if let Some(p) = pauses.last_mut() {
            p.to.get_or_insert(e.at);
        }
    }
    let paused_seconds = pauses
        .iter()
        .map(|p| (p.to.unwrap_or(now) - p.from).num_seconds().max(0))
        .sum();
    Ok(SlaPanel {
        priority: inc.priority,
        clocks,
        pauses,
        paused_seconds,
        pause_reasons: policy.pause_reasons.clone(),
        response_rule: RESPONSE_RULE.into(),
    })
}

/// A policy change in words, for the re-measure entries it causes: "SLA policy P1 changed:
/// response 1 → 60 min".
pub fn policy_change(old: Option<&config::SlaPolicy>, new: &config::SlaPolicy) -> String {
    let head = format!("SLA policy {} changed", new.priority.as_str());
    let Some(old) = old else { return head };
    let mut parts = Vec::new();
    if old.response_minutes != new.response_minutes {
        parts.push(format!(
            "response {} → {} min",
            old.response_minutes, new.response_minutes
        ));
    }
    if old.resolution_minutes != new.resolution_minutes {
        parts.push(format!(
            "resolution {} → {} min",
            old.resolution_minutes, new.resolution_minutes
        ));
    }
    if old.calendar_id != new.calendar_id {
        parts.push("calendar".into());
    }
    if old.warn_percents != new.warn_percents {
        parts.push("warning thresholds".into());
    }
    if parts.is_empty() {
        head
    } else {
        format!("{head}: {}", parts.join(", "))
    }
}

pub fn sla_kind(clock: ClockKind, percent: i64) -> String {
    if percent >= 100 {
        format!("{}:breach", clock.as_str())
    } else {
        format!("{}:warning:{percent}", clock.as_str())
    }
}

pub fn rule_matches(
    rule: &config::EscalationRule,
    inc: &Incident,
    team_tier: Option<&str>,
) -> bool {
    rule.active
        && rule.priority.is_none_or(|p| p == inc.priority)
        && rule.category_id.is_none_or(|c| c == inc.category_id)
        && rule.service_id.is_none_or(|s| s == inc.service_id)
        && rule.team_id.is_none_or(|t| Some(t) == inc.team_id)
        && rule.tier.as_deref().is_none_or(|t| Some(t) == team_tier)
}

pub fn is_working(status: Status) -> bool {
    matches!(status, Status::New | Status::Assigned | Status::InProgress)
}

/// The working time left until a list row's pending deadline when its priority's calendar is a
/// business-hours one: wall time alone ("1 d 23 h") hides that only 4 working hours are left.
/// None on a 24×7 calendar, for a paused or breached row, or when nothing is pending.
pub fn working_time_left(
    cfg: &SlaConfig,
    row: &crate::domain::model::IncidentRow,
    now: DateTime<Utc>,
) -> Option<i64> {
    if row.paused || row.breached {
        return None;
    }
    let due = row.next_due_at?;
    let (_, cal, _) = policy_calendar(cfg, row.priority).ok()?;
    match cal {
        calendar::Calendar::AlwaysOn => None,
        calendar::Calendar::Business(_) => Some(cal.elapsed(now, due).num_seconds()),
    }
}
