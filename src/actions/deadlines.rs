//! The SLA engine: policies and calendars decide each incident's deadlines; every change to an
//! incident recomputes them in the same transaction; the scheduler fires them when they pass.
//!
//! Deadlines live in `sla_deadlines` so the scheduler needs one indexed query to know when to
//! wake, and so a deadline that passed while the app was closed is still there to replay.
//! Firing is recorded (`fired_at`) in the same transaction as its event and alert, so each
//! warning, breach, escalation and reminder happens exactly once, across restarts too.

use crate::domain::limits;
use crate::domain::model::{Incident, Status};
use crate::domain::sla::clocks::{self, ClockKind, History};
use crate::domain::sla::config::{RuleTrigger, SlaConfig};
use crate::domain::sla::{self as rules, SlaPanel};
use crate::store::events::{self, Actor, NewEvent};
use crate::store::sla as store;
use crate::store::{incidents, ts};
use crate::Result;
use chrono::{DateTime, Utc};
use rusqlite::Connection;

/// The name the desk's own timeline entries carry (due times, warnings, breaches, escalation
/// rules, re-measures), so they are never credited to the operator who happened to be at work.
pub const SYSTEM_ACTOR: &str = "Incident Desk";

/// The actor the engine records its own events under: no person, the desk's name.
pub fn engine_actor() -> Actor {
    Actor {
        id: None,
        name: SYSTEM_ACTOR.into(),
    }
}

/// The breaches recorded on an incident: each clock whose breach deadline fired, with the due
/// time it was breached at. These win over any recomputation (a breach that happened stays).
pub fn recorded_breaches(
    conn: &Connection,
    incident_id: i64,
) -> Result<Vec<(ClockKind, DateTime<Utc>)>> {
    Ok(store::deadlines_of(conn, incident_id)?
        .into_iter()
        .filter(|d| d.fired_at.is_some())
        .filter_map(|d| {
            ClockKind::ALL
                .into_iter()
                .find(|c| d.kind == rules::sla_kind(*c, 100))
                .map(|c| (c, d.due_at))
        })
        .collect())
}

/// The clock-relevant history of an incident, read from its events.
pub fn history(conn: &Connection, inc: &Incident) -> Result<History> {
    Ok(rules::history_from(
        inc,
        &store::clock_events(conn, inc.id)?,
    ))
}

/// The SLA panel of an incident at `now`.
pub fn panel(
    conn: &Connection,
    cfg: &SlaConfig,
    inc: &Incident,
    now: DateTime<Utc>,
) -> Result<SlaPanel> {
    let h = history(conn, inc)?;
    rules::panel_from(
        cfg,
        inc,
        &h,
        &store::pause_events(conn, inc.id)?,
        &recorded_breaches(conn, inc.id)?,
        now,
    )
}

/// Recomputes every deadline of `inc` (just changed, in this transaction) and records moved SLA
/// due times on its timeline, as the desk's own entries. `why` is the entries' detail when the
/// cause is not the incident's own change (an SLA policy changed); otherwise they name the
/// priority's target. A deadline that already fired keeps its due time: the warning or breach
/// it recorded happened then.
pub fn refresh(
    conn: &Connection,
    cfg: &SlaConfig,
    inc: &Incident,
    why: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    let actor = &engine_actor();
    let h = history(conn, inc)?;
    let (policy, cal, _) = rules::policy_calendar(cfg, inc.priority)?;
    // (kind, due, repeatable)
    let mut desired: Vec<(String, Option<DateTime<Utc>>, bool)> = Vec::new();
    for clock in [ClockKind::Response, ClockKind::Resolution] {
        let running = h.running(clock);
        let t = rules::target(policy, clock);
        for pct in policy.warn_percents.iter().copied().chain([100]) {
            // Out-of-range targets or percentages (saved by an older version) give no deadline.
            let due = limits::percent_of(t, pct).and_then(|a| clocks::instant_at(cal, &running, a));
            desired.push((rules::sla_kind(clock, pct), due, false));
        }
    }
    let tier = store::team_tier(conn, inc.team_id)?;
    for rule in &cfg.rules {
        let Some(id) = rule.id else { continue };
        let due = if rules::rule_matches(rule, inc, tier.as_deref()) {
            let after = limits::plus_minutes(inc.logged_at, rule.after_minutes);
            match rule.trigger {
                RuleTrigger::Unacknowledged
                    if inc.acknowledged_at.is_none() && rules::is_working(inc.status) =>
                {
                    after
                }
                RuleTrigger::Unresolved if rules::is_working(inc.status) => after,
                _ => None,
            }
        } else {
            None
        };
        desired.push((format!("rule:{id}"), due, false));
    }
    let rank = (inc.priority.rank() - 1) as usize;
    let update_due = cfg.reminders.update_minutes[rank]
        .filter(|_| rules::is_working(inc.status) && inc.paused_since.is_none())
        .and_then(|m| limits::plus_minutes(inc.updated_at, m));
    desired.push(("reminder:update".into(), update_due, true));
    let closure_due = cfg
        .reminders
        .closure_minutes
        .filter(|_| inc.status == Status::Resolved)
        .and_then(|m| inc.resolved_at.and_then(|r| limits::plus_minutes(r, m)));
    desired.push(("reminder:closure".into(), closure_due, true));

    // Each audience of a major incident expects its next stakeholder update on time.
    for (audience, due) in crate::store::major::next_updates(conn, inc)? {
        desired.push((format!("comms:{}", audience.id), Some(due), true));
    }
    let existing = store::deadlines_of(conn, inc.id)?;
    for (_, due, _) in &mut desired {
        *due = due.and_then(limits::storable);
    }
    for (kind, due, repeatable) in &desired {
        let old = existing.iter().find(|d| &d.kind == kind);
        match (old, due) {
            (Some(d), None) if d.fired_at.is_none() => store::delete_pending(conn, inc.id, kind)?,
            (_, None) => {}
            (Some(d), Some(due)) if d.due_at == *due => {}
            (Some(d), Some(_)) if d.fired_at.is_some() && !*repeatable => {}
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
                        detail: Some(match why {
                            Some(w) => w.to_string(),
                            None => format!("{} target", inc.priority.label()),
                        }),
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

/// Recomputes the deadlines of every open incident (after a policy, calendar or rule change);
/// each incident whose due time moves gets a re-measure entry whose detail is `why` ("SLA
/// policy P1 changed: response 1 → 60 min"). Recorded breaches stay as they are.
pub fn refresh_all(conn: &Connection, why: &str, now: DateTime<Utc>) -> Result<usize> {
    let cfg = store::load_config(conn)?;
    let ids = incidents::open_ids(conn)?;
    for id in &ids {
        let inc = incidents::get(conn, *id)?;
        refresh(conn, &cfg, &inc, Some(why), now)?;
    }
    Ok(ids.len())
}
