//! The SLA engine: policies and calendars decide each incident's deadlines; every change to an
//! incident recomputes them in the same transaction; the scheduler fires them when they pass.
//!
//! Deadlines live in `sla_deadlines` so the scheduler needs one indexed query to know when to
//! wake, and so a deadline that passed while the app was closed is still there to replay.
//! Firing is recorded (`fired_at`) in the same transaction as its event and alert, so each
//! warning, breach, escalation and reminder happens exactly once, across restarts too.

pub mod calendar;
pub mod clocks;
pub mod config;

use crate::model::{Incident, Priority, Status};
use crate::store::events::{self, Actor, NewEvent};
use crate::store::sla::{self as store, Alert, Deadline};
use crate::store::{incidents, parse_ts, ts};
use crate::{Error, Result};
use chrono::{DateTime, Duration, Utc};
use clocks::{ClockKind, ClockView, History};
use config::{RuleAction, RuleTrigger, SlaConfig};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

/// The actor the engine records its own events under.
pub fn engine_actor(what: &str) -> Actor {
    Actor {
        id: None,
        name: format!("Incident Desk ({what})"),
    }
}

/// The clock-relevant history of an incident, read from its events.
pub fn history(conn: &Connection, inc: &Incident) -> Result<History> {
    let mut stmt = conn.prepare_cached(
        "SELECT kind, at FROM events WHERE incident_id = ?1
           AND kind IN ('created', 'resolved', 'reopened', 'paused', 'resumed')
         ORDER BY at, id",
    )?;
    let mut rows = stmt.query([inc.id])?;
    let mut h = History {
        logged_at: Some(inc.logged_at),
        first_response_at: inc.acknowledged_at,
        ..Default::default()
    };
    while let Some(r) = rows.next()? {
        let kind: String = r.get(0)?;
        let at = parse_ts(&r.get::<_, String>(1)?)?;
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
    Ok(h)
}

fn policy_calendar(
    cfg: &SlaConfig,
    p: Priority,
) -> Result<(&config::SlaPolicy, &calendar::Calendar, &str)> {
    let policy = cfg
        .policy(p)
        .ok_or_else(|| Error::Storage(format!("no SLA policy for {}", p.as_str())))?;
    let (rec, cal) = cfg
        .calendar(policy.calendar_id)
        .ok_or_else(|| Error::Storage(format!("SLA calendar {} is missing", policy.calendar_id)))?;
    Ok((policy, cal, rec.name.as_str()))
}

fn target(policy: &config::SlaPolicy, clock: ClockKind) -> Duration {
    Duration::minutes(match clock {
        ClockKind::Response => policy.response_minutes,
        ClockKind::Resolution => policy.resolution_minutes,
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

/// The SLA panel of an incident at `now`.
pub fn panel(
    conn: &Connection,
    cfg: &SlaConfig,
    inc: &Incident,
    now: DateTime<Utc>,
) -> Result<SlaPanel> {
    let h = history(conn, inc)?;
    let (policy, cal, cal_name) = policy_calendar(cfg, inc.priority)?;
    let paused = inc.paused_since.is_some();
    let clocks = [ClockKind::Response, ClockKind::Resolution]
        .into_iter()
        .map(|c| clocks::view(c, &h, cal, cal_name, target(policy, c), paused, now))
        .collect();
    let mut pauses = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT kind, at, actor, detail FROM events WHERE incident_id = ?1 AND kind IN ('paused', 'resumed') ORDER BY at, id",
    )?;
    let mut rows = stmt.query([inc.id])?;
    while let Some(r) = rows.next()? {
        let kind: String = r.get(0)?;
        let at = parse_ts(&r.get::<_, String>(1)?)?;
        if kind == "paused" {
            pauses.push(PauseView {
                from: at,
                to: None,
                reason: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                by: r.get(2)?,
            });
        } else if let Some(p) = pauses.last_mut() {
            p.to.get_or_insert(at);
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

fn sla_kind(clock: ClockKind, percent: i64) -> String {
    if percent >= 100 {
        format!("{}:breach", clock.as_str())
    } else {
        format!("{}:warning:{percent}", clock.as_str())
    }
}

fn rule_matches(rule: &config::EscalationRule, inc: &Incident, team_tier: Option<&str>) -> bool {
    rule.active
        && rule.priority.is_none_or(|p| p == inc.priority)
        && rule.category_id.is_none_or(|c| c == inc.category_id)
        && rule.service_id.is_none_or(|s| s == inc.service_id)
        && rule.team_id.is_none_or(|t| Some(t) == inc.team_id)
        && rule.tier.as_deref().is_none_or(|t| Some(t) == team_tier)
}

fn team_tier(conn: &Connection, team_id: Option<i64>) -> Result<Option<String>> {
    use rusqlite::OptionalExtension;
    let Some(id) = team_id else { return Ok(None) };
    Ok(conn
        .prepare_cached("SELECT tier FROM teams WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?)
}

fn is_working(status: Status) -> bool {
    matches!(status, Status::New | Status::Assigned | Status::InProgress)
}

/// Recomputes every deadline of `inc` (just changed, in this transaction) and records moved SLA
/// due times on its timeline.
pub fn refresh(
    conn: &Connection,
    cfg: &SlaConfig,
    inc: &Incident,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<()> {
    let h = history(conn, inc)?;
    let (policy, cal, _) = policy_calendar(cfg, inc.priority)?;
    // (kind, due, repeatable)
    let mut desired: Vec<(String, Option<DateTime<Utc>>, bool)> = Vec::new();
    for clock in [ClockKind::Response, ClockKind::Resolution] {
        let running = h.running(clock);
        let t = target(policy, clock);
        for pct in policy.warn_percents.iter().copied().chain([100]) {
            let amount = Duration::seconds(t.num_seconds() * pct / 100);
            desired.push((
                sla_kind(clock, pct),
                clocks::instant_at(cal, &running, amount),
                false,
            ));
        }
    }
    let tier = team_tier(conn, inc.team_id)?;
    for rule in &cfg.rules {
        let Some(id) = rule.id else { continue };
        let due = if rule_matches(rule, inc, tier.as_deref()) {
            let after = inc.logged_at + Duration::minutes(rule.after_minutes);
            match rule.trigger {
                RuleTrigger::Unacknowledged
                    if inc.acknowledged_at.is_none() && is_working(inc.status) =>
                {
                    Some(after)
                }
                RuleTrigger::Unresolved if is_working(inc.status) => Some(after),
                _ => None,
            }
        } else {
            None
        };
        desired.push((format!("rule:{id}"), due, false));
    }
    let rank = (inc.priority.rank() - 1) as usize;
    let update_due = cfg.reminders.update_minutes[rank]
        .filter(|_| is_working(inc.status) && inc.paused_since.is_none())
        .map(|m| inc.updated_at + Duration::minutes(m));
    desired.push(("reminder:update".into(), update_due, true));
    let closure_due = cfg
        .reminders
        .closure_minutes
        .filter(|_| inc.status == Status::Resolved)
        .and_then(|m| inc.resolved_at.map(|r| r + Duration::minutes(m)));
    desired.push(("reminder:closure".into(), closure_due, true));

    // Each audience of a major incident expects its next stakeholder update on time.
    for (audience, due) in crate::major::next_updates(conn, inc)? {
        desired.push((format!("comms:{}", audience.id), Some(due), true));
    }
    let existing = store::deadlines_of(conn, inc.id)?;
    for (kind, due, repeatable) in &desired {
        let old = existing.iter().find(|d| &d.kind == kind);
        match (old, due) {
            (Some(d), None) if d.fired_at.is_none() => store::delete_pending(conn, inc.id, kind)?,
            (_, None) => {}
            (Some(d), Some(due)) if d.due_at == *due => {}
            (Some(d), Some(due)) => store::upsert_deadline(
                conn,
                inc.id,
                kind,
                due,
                *repeatable && d.fired_at.is_some(),
            )?,
            (None, Some(due)) => store::upsert_deadline(conn, inc.id, kind, due, false)?,
        }
        // The history of the due times of each clock, on the timeline.
        if let Some(clock) = kind.strip_suffix(":breach") {
            let old_due = old.filter(|d| d.fired_at.is_none()).map(|d| d.due_at);
            let already_breached = old.is_some_and(|d| d.fired_at.is_some());
            if !already_breached && *due != old_due && due.is_some() {
                events::append(
                    conn,
                    inc.id,
                    &now,
                    actor,
                    &NewEvent {
                        kind: "sla_due",
                        field: Some(if clock == "response" {
                            "response"
                        } else {
                            "resolution"
                        }),
                        old_value: old_due.as_ref().map(ts),
                        new_value: due.as_ref().map(ts),
                        detail: Some(format!("{} target", inc.priority.label())),
                    },
                )?;
            }
        }
    }
    for d in existing.iter().filter(|d| d.fired_at.is_none()) {
        if !desired.iter().any(|(k, _, _)| *k == d.kind) {
            store::delete_pending(conn, inc.id, &d.kind)?;
        }
    }
    Ok(())
}

/// Recomputes the deadlines of every open incident (after a policy, calendar or rule change).
pub fn refresh_all(conn: &Connection, now: DateTime<Utc>) -> Result<usize> {
    let cfg = store::load_config(conn)?;
    let ids: Vec<i64> = conn
        .prepare("SELECT id FROM incidents WHERE status <> 'closed'")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let actor = engine_actor("SLA settings changed");
    for id in &ids {
        let inc = incidents::get(conn, *id)?;
        refresh(conn, &cfg, &inc, &actor, now)?;
    }
    Ok(ids.len())
}

fn who(inc: &Incident) -> String {
    match (&inc.team_name, &inc.assignee_name) {
        (Some(t), _) => t.clone(),
        (None, Some(a)) => a.clone(),
        (None, None) => "unassigned".into(),
    }
}

/// What fire_due did with one deadline.
fn fire_one(
    conn: &Connection,
    cfg: &SlaConfig,
    d: &Deadline,
    now: DateTime<Utc>,
) -> Result<Option<i64>> {
    store::mark_fired(conn, d.incident_id, &d.kind, &now)?;
    let inc = incidents::get(conn, d.incident_id)?;
    let p = inc.priority;
    let head = format!("{} {}", p.as_str(), inc.number);
    let body = format!("{} ({})", inc.title, who(&inc));
    let parts: Vec<&str> = d.kind.split(':').collect();
    let sla_actor = engine_actor("SLA");
    let (kind, title) = match parts.as_slice() {
        [clock, "warning", pct] => {
            events::append(
                conn,
                inc.id,
                &d.due_at,
                &sla_actor,
                &NewEvent {
                    kind: "sla_warning",
                    field: Some(if *clock == "response" {
                        "response"
                    } else {
                        "resolution"
                    }),
                    old_value: None,
                    new_value: Some(format!("{pct}%")),
                    detail: None,
                },
            )?;
            let due = clock_due(conn, &inc, clock)?;
            (
                "sla_warning",
                format!("{head} {clock} SLA {pct}% used — due {due}"),
            )
        }
        [clock, "breach"] => {
            events::append(
                conn,
                inc.id,
                &d.due_at,
                &sla_actor,
                &NewEvent {
                    kind: "sla_breach",
                    field: Some(if *clock == "response" {
                        "response"
                    } else {
                        "resolution"
                    }),
                    old_value: None,
                    new_value: None,
                    detail: None,
                },
            )?;
            ("sla_breach", format!("{head} {clock} SLA breached"))
        }
        ["rule", id] => {
            let Some(rule) = cfg
                .rules
                .iter()
                .find(|r| r.id.map(|x| x.to_string()).as_deref() == Some(*id))
            else {
                return Ok(None);
            };
            let what = run_rule(conn, rule, &inc, now)?;
            ("escalation", format!("{head}: {what}"))
        }
        ["reminder", "update"] => {
            let m = cfg.reminders.update_minutes[(p.rank() - 1) as usize].unwrap_or(0);
            (
                "reminder",
                format!("{head}: no update for {m} min — post an update"),
            )
        }
        ["comms", audience_id] => {
            let audience = crate::major::audiences(conn)?
                .into_iter()
                .find(|a| a.id.to_string() == *audience_id)
                .map(|a| a.name)
                .unwrap_or_else(|| "stakeholders".into());
            (
                "reminder",
                format!("Stakeholder update due for {} ({audience})", inc.number),
            )
        }
        ["reminder", "closure"] => (
            "reminder",
            format!("{head} resolved but not closed — verify and close it"),
        ),
        _ => return Ok(None),
    };
    Ok(Some(store::insert_alert(
        conn,
        &now,
        &d.due_at,
        Some(inc.id),
        kind,
        Some(p),
        &title,
        &body,
    )?))
}

/// The due time of `clock`'s breach deadline, for a warning's text.
fn clock_due(conn: &Connection, inc: &Incident, clock: &str) -> Result<String> {
    let kind = format!("{clock}:breach");
    let due = store::deadlines_of(conn, inc.id)?
        .into_iter()
        .find(|d| d.kind == kind)
        .map(|d| d.due_at);
    Ok(due
        .map(|d| d.format("%H:%M UTC").to_string())
        .unwrap_or_else(|| "—".into()))
}

/// Carries out an escalation rule's action, recorded on the timeline; returns what was done.
fn run_rule(
    conn: &Connection,
    rule: &config::EscalationRule,
    inc: &Incident,
    now: DateTime<Utc>,
) -> Result<String> {
    let actor = engine_actor(&format!("rule “{}”", rule.name));
    let reason = if rule.reason.trim().is_empty() {
        format!(
            "Rule “{}”: {} {} min after logging",
            rule.name,
            match rule.trigger {
                RuleTrigger::Unacknowledged => "not acknowledged",
                RuleTrigger::Unresolved => "unresolved",
            },
            rule.after_minutes
        )
    } else {
        rule.reason.clone()
    };
    let team = |id: i64| -> Result<Option<crate::model::Team>> {
        Ok(crate::store::catalog::teams(conn)?
            .into_iter()
            .find(|t| t.id == id))
    };
    let outcome = match rule.action {
        RuleAction::EscalateTeam => {
            let Some(t) = rule.target_team_id.map(team).transpose()?.flatten() else {
                return Ok(format!(
                    "rule “{}” could not escalate: its team no longer exists",
                    rule.name
                ));
            };
            if inc.team_id == Some(t.id) {
                format!("rule “{}”: already with {}", rule.name, t.name)
            } else {
                crate::ops::escalate(
                    conn,
                    &actor,
                    now,
                    &crate::model::EscalateInput {
                        id: inc.id,
                        expected_version: inc.version,
                        kind: "functional".into(),
                        team_id: Some(t.id),
                        person_id: None,
                        reason: reason.clone(),
                    },
                )?;
                format!(
                    "escalated to {} ({}; {}, expected response {} min)",
                    t.name,
                    t.tier.label(),
                    t.contact,
                    t.expected_response_minutes
                )
            }
        }
        RuleAction::RaisePriority => {
            let Some(to) = rule.target_priority else {
                return Ok("rule without a priority".into());
            };
            if to.rank() >= inc.priority.rank() {
                format!(
                    "rule “{}”: priority already {}",
                    rule.name,
                    inc.priority.as_str()
                )
            } else {
                crate::ops::edit(
                    conn,
                    &actor,
                    now,
                    &crate::model::UpdateIncident {
                        id: inc.id,
                        expected_version: inc.version,
                        changes: crate::model::IncidentChanges {
                            priority_override: Some(to.as_str().into()),
                            priority_override_reason: Some(reason.clone()),
                            ..Default::default()
                        },
                    },
                )?;
                format!("priority raised to {}", to.label())
            }
        }
        RuleAction::NotifyPerson => {
            let person = rule
                .target_person_id
                .map(|id| crate::store::catalog::person(conn, id))
                .transpose()?
                .flatten();
            let text = match person {
                Some(p) => {
                    let contact = [p.phone.as_str(), p.email.as_str()]
                        .iter()
                        .filter(|s| !s.is_empty())
                        .copied()
                        .collect::<Vec<_>>()
                        .join(", ");
                    format!(
                        "notify {} ({})",
                        p.name,
                        if contact.is_empty() {
                            "no contact details".into()
                        } else {
                            contact
                        }
                    )
                }
                None => "notify: the person no longer exists".into(),
            };
            events::append(
                conn,
                inc.id,
                &now,
                &actor,
                &NewEvent {
                    kind: "escalation_rule",
                    field: None,
                    old_value: None,
                    new_value: Some(text.clone()),
                    detail: Some(reason),
                },
            )?;
            text
        }
    };
    Ok(outcome)
}

/// Fires every deadline due at `now`, each exactly once; returns the alerts raised, in order.
pub fn fire_due(conn: &Connection, now: DateTime<Utc>) -> Result<Vec<Alert>> {
    let cfg = store::load_config(conn)?;
    let mut ids = Vec::new();
    loop {
        let due = store::due(conn, &now, 500)?;
        if due.is_empty() {
            break;
        }
        for d in &due {
            if let Some(id) = fire_one(conn, &cfg, d, now)? {
                ids.push(id);
            }
        }
    }
    let all = store::alerts(conn, ids.len() as i64 + 1)?;
    let mut out: Vec<Alert> = all.into_iter().filter(|a| ids.contains(&a.id)).collect();
    out.sort_by_key(|a| a.id);
    Ok(out)
}

/// Marks every past deadline as history without raising alerts: for generated data, whose
/// past is not news. Warnings and breaches still get their events at their true times.
pub fn settle_history(conn: &Connection, now: DateTime<Utc>) -> Result<usize> {
    let actor = engine_actor("SLA");
    let mut n = 0;
    loop {
        let due = store::due(conn, &now, 1000)?;
        if due.is_empty() {
            break;
        }
        for d in &due {
            let parts: Vec<&str> = d.kind.split(':').collect();
            let ev = match parts.as_slice() {
                [clock, "warning", pct] => Some(("sla_warning", *clock, Some(format!("{pct}%")))),
                [clock, "breach"] => Some(("sla_breach", *clock, None)),
                _ => None,
            };
            if let Some((kind, clock, value)) = ev {
                events::append(
                    conn,
                    d.incident_id,
                    &d.due_at,
                    &actor,
                    &NewEvent {
                        kind,
                        field: Some(if clock == "response" {
                            "response"
                        } else {
                            "resolution"
                        }),
                        old_value: None,
                        new_value: value,
                        detail: None,
                    },
                )?;
            }
            store::mark_fired(conn, d.incident_id, &d.kind, &d.due_at)?;
            n += 1;
        }
    }
    Ok(n)
}
