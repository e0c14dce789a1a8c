//! Firing deadlines: when a deadline passes, the scheduler calls `fire_due`, which records the
//! warning, breach, escalation or reminder on the incident's timeline and raises an alert, each
//! exactly once (`fired_at` is set in the same transaction).

use crate::actions::deadlines::engine_actor;
use crate::domain::model::Incident;
use crate::domain::sla::config::{self, RuleAction, RuleTrigger, SlaConfig};
use crate::store::events::{self, NewEvent};
use crate::store::incidents;
use crate::store::sla::{self as store, Alert, Deadline};
use crate::Result;
use chrono::{DateTime, Utc};
use rusqlite::Connection;

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
    let sla_actor = engine_actor();
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
            let audience = crate::store::major::audiences(conn)?
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
    // The desk acts, not a person; the rule's name goes into the recorded reason instead.
    let actor = engine_actor();
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
        format!("Rule “{}”: {}", rule.name, rule.reason.trim())
    };
    let team = |id: i64| -> Result<Option<crate::domain::model::Team>> {
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
                crate::actions::incidents::escalate(
                    conn,
                    &actor,
                    now,
                    &crate::domain::model::EscalateInput {
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
                crate::actions::incidents::edit(
                    conn,
                    &actor,
                    now,
                    &crate::domain::model::UpdateIncident {
                        id: inc.id,
                        expected_version: inc.version,
                        changes: crate::domain::model::IncidentChanges {
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
    let (alerts, _) = fire_due_up_to(conn, now, usize::MAX)?;
    Ok(alerts)
}

/// Fires at most about `limit` of the deadlines due at `now` (whole batches of the store's
/// query), oldest first; the alerts raised, and whether due deadlines are left. The desk fires
/// a long backlog (a desk closed overnight) in several transactions of this, so the window's
/// reads get the connection in between instead of waiting for the whole backlog.
pub fn fire_due_up_to(
    conn: &Connection,
    now: DateTime<Utc>,
    limit: usize,
) -> Result<(Vec<Alert>, bool)> {
    const BATCH: i64 = 500;
    let cfg = store::load_config(conn)?;
    let mut ids = Vec::new();
    let mut fired = 0usize;
    let mut more = false;
    loop {
        if fired >= limit {
            more = !store::due(conn, &now, 1)?.is_empty();
            break;
        }
        let due = store::due(conn, &now, BATCH)?;
        if due.is_empty() {
            break;
        }
        fired = fired.saturating_add(due.len());
        for d in &due {
            if let Some(id) = fire_one(conn, &cfg, d, now)? {
                ids.push(id);
            }
        }
    }
    let all = store::alerts(conn, ids.len() as i64 + 1)?;
    let mut out: Vec<Alert> = all.into_iter().filter(|a| ids.contains(&a.id)).collect();
    out.sort_by_key(|a| a.id);
    Ok((out, more))
}

/// Marks every past deadline as history without raising alerts: for generated data, whose
/// past is not news. Warnings and breaches still get their events at their true times.
pub fn settle_history(conn: &Connection, now: DateTime<Utc>) -> Result<usize> {
    let actor = engine_actor();
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
