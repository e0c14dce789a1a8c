//! Major-incident actions: declaring one, drafting and recording stakeholder updates, and
//! correcting key milestones, each one transaction recorded on the incident's timeline.

use crate::actions::incidents::{change, VersionCheck};
use crate::domain::lifecycle::Action;
use crate::domain::limits;
use crate::domain::major::*;
use crate::domain::model::{Incident, Role};
use crate::domain::sla::SlaPanel;
use crate::store::events::{Actor, NewEvent};
use crate::store::major as store;
use crate::store::{catalog, incidents, ts};
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use rusqlite::Connection;

/// The major-incident criteria that hold for `inc` at `now`.
pub fn evaluate(conn: &Connection, inc: &Incident, now: DateTime<Utc>) -> Result<Vec<Criterion>> {
    let cfg = crate::store::sla::load_config(conn)?;
    let panel = crate::actions::deadlines::panel(conn, &cfg, inc, now)?;
    evaluate_with(conn, inc, &panel, now)
}

/// As [`evaluate`], with the incident's SLA panel already at hand.
pub fn evaluate_with(
    conn: &Connection,
    inc: &Incident,
    panel: &SlaPanel,
    now: DateTime<Utc>,
) -> Result<Vec<Criterion>> {
    let c = store::criteria(conn)?;
    let service = catalog::services(conn)?
        .into_iter()
        .find(|s| s.id == inc.service_id);
    Ok(crate::domain::major::evaluate(
        &c,
        service.as_ref(),
        inc,
        panel,
        now,
    ))
}

pub fn declare(
    conn: &Connection,
    actor: &Actor,
    now: DateTime<Utc>,
    input: &DeclareInput,
) -> Result<()> {
    let reason = limits::text(&input.reason, "reason", "The reason", limits::MAX_TEXT)?;
    if reason.is_empty() {
        return Err(Error::validation(
            "reason",
            "A reason is required to declare a major incident",
        ));
    }
    let emergency_change = limits::text(
        &input.emergency_change,
        "emergency_change",
        "The emergency change",
        limits::MAX_TEXT,
    )?;
    let manager_id = input.manager_id.ok_or_else(|| {
        Error::validation(
            "manager_id",
            "Choose the major incident manager who takes control",
        )
    })?;
    let manager = catalog::person(conn, manager_id)?.ok_or_else(|| {
        Error::validation("manager_id", format!("Person {manager_id} does not exist"))
    })?;
    if !manager.roles.contains(&Role::MajorIncidentManager) {
        return Err(Error::validation(
            "manager_id",
            format!(
                "{} does not hold the major incident manager role (Settings → People)",
                manager.name
            ),
        ));
    }
    let bridge = limits::text(
        &input.bridge,
        "bridge",
        "The crisis bridge",
        limits::MAX_LINE,
    )?;
    if bridge.is_empty() {
        return Err(Error::validation(
            "bridge",
            "Give the crisis bridge (a meeting link or a phone number)",
        ));
    }
    change(
        conn,
        actor,
        now,
        input.id,
        VersionCheck::Required(input.expected_version),
        Action::Edit,
        |conn, cur, _next| {
            if store::record(conn, cur.id)?.is_some() {
                return Err(Error::InvalidTransition(format!(
                    "{} is already a major incident",
                    cur.number
                )));
            }
            let matched = evaluate(conn, cur, now)?;
            store::insert_declaration(
                conn,
                cur.id,
                &now,
                &actor.name,
                &store::Declaration {
                    reason: &reason,
                    criteria: &matched,
                    manager_id,
                    bridge: &bridge,
                    emergency_change: &emergency_change,
                },
            )?;
            let mut what = format!(
                "Major incident manager: {}; crisis bridge: {bridge}",
                manager.name
            );
            if !emergency_change.is_empty() {
                what.push_str(&format!("; emergency change: {emergency_change}"));
            }
            Ok(vec![NewEvent {
                kind: "major_declared",
                field: None,
                old_value: None,
                new_value: Some(what),
                detail: Some(reason.clone()),
            }])
        },
    )
}

pub fn draft(
    conn: &Connection,
    incident_id: i64,
    template_id: i64,
    audience_id: i64,
    now: DateTime<Utc>,
) -> Result<Draft> {
    let inc = incidents::get(conn, incident_id)?;
    let t = store::templates(conn)?
        .into_iter()
        .find(|t| t.id == template_id)
        .ok_or_else(|| {
            Error::validation(
                "template_id",
                format!("Template {template_id} does not exist"),
            )
        })?;
    let a = store::audiences(conn)?
        .into_iter()
        .find(|a| a.id == audience_id)
        .ok_or_else(|| {
            Error::validation(
                "audience_id",
                format!("Audience {audience_id} does not exist"),
            )
        })?;
    // The update being written now restarts the cadence: the next one is due a cadence later.
    let next = limits::plus_minutes(now, a.cadence_minutes);
    Ok(Draft {
        subject: render(&inc, &t.subject, next),
        body: render(&inc, &t.body, next),
        recipients: a.recipients,
    })
}

/// Records a stakeholder update exactly as sent.
pub fn send_update(
    conn: &Connection,
    actor: &Actor,
    now: DateTime<Utc>,
    input: &UpdateInput,
) -> Result<()> {
    let audience_id = input.audience_id.ok_or_else(|| {
        Error::validation("audience_id", "Choose the audience the update goes to")
    })?;
    let audience = store::audiences(conn)?
        .into_iter()
        .find(|a| a.id == audience_id)
        .ok_or_else(|| {
            Error::validation(
                "audience_id",
                format!("Audience {audience_id} does not exist"),
            )
        })?;
    let subject = limits::text(&input.subject, "subject", "The subject", limits::MAX_LINE)?;
    if subject.is_empty() {
        return Err(Error::validation("subject", "The update needs a subject"));
    }
    let body = limits::text(&input.body, "body", "The text", limits::MAX_TEXT)?;
    if body.is_empty() {
        return Err(Error::validation("body", "The update needs a text"));
    }
    if let Some(t) = &input.template {
        limits::check_len(t, "template", "The template name", limits::MAX_NAME)?;
    }
    change(
        conn,
        actor,
        now,
        input.id,
        VersionCheck::NotNeeded,
        Action::Correct,
        |conn, cur, _| {
            store::insert_update(
                conn,
                cur.id,
                audience_id,
                &now,
                &actor.name,
                input.template.as_deref(),
                &subject,
                &body,
            )?;
            Ok(vec![NewEvent {
                kind: "stakeholder_update",
                field: None,
                old_value: None,
                new_value: Some(audience.name.clone()),
                detail: Some(format!("{subject}\n\n{body}")),
            }])
        },
    )
}

/// Corrects a key milestone; the correction is itself recorded with its reason.
pub fn correct_milestone(
    conn: &Connection,
    actor: &Actor,
    now: DateTime<Utc>,
    input: &CorrectionInput,
) -> Result<()> {
    let at = DateTime::parse_from_rfc3339(input.at.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            Error::validation(
                "at",
                format!(
                    "{} is not a date and time such as 2026-03-02T09:00:00Z",
                    limits::shown(&input.at)
                ),
            )
        })?;
    let what = match input.milestone {
        Milestone::Started => "The start time",
        Milestone::Detected => "The detection time",
        Milestone::WorkaroundAvailable => "The workaround time",
        Milestone::Resolved => "The resolution time",
    };
    limits::check_date(at.date_naive(), "at", what)?;
    if limits::is_future(at, now) {
        return Err(Error::validation(
            "at",
            format!("{what} cannot be in the future"),
        ));
    }
    let reason = limits::text(&input.reason, "reason", "The reason", limits::MAX_TEXT)?;
    if reason.is_empty() {
        return Err(Error::validation(
            "reason",
            "A reason is required to correct a milestone",
        ));
    }
    change(
        conn,
        actor,
        now,
        input.id,
        VersionCheck::Required(input.expected_version),
        Action::Correct,
        |_, cur, next| {
            let (field, old) = match input.milestone {
                Milestone::Started => {
                    if at > cur.detected_at {
                        return Err(Error::validation(
                            "at",
                            "The start time cannot be after the detection time",
                        ));
                    }
                    next.started_at = at;
                    ("started_at", Some(cur.started_at))
                }
                Milestone::Detected => {
                    if at < cur.started_at || at > cur.logged_at {
                        return Err(Error::validation(
                            "at",
                            "The detection time must lie between the start and the logging of the incident",
                        ));
                    }
                    next.detected_at = at;
                    ("detected_at", Some(cur.detected_at))
                }
                Milestone::WorkaroundAvailable => {
                    if at < cur.started_at {
                        return Err(Error::validation(
                            "at",
                            "A workaround cannot be available before the incident started",
                        ));
                    }
                    next.workaround_at = Some(at);
                    ("workaround_at", cur.workaround_at)
                }
                Milestone::Resolved => {
                    let Some(r) = cur.resolved_at else {
                        return Err(Error::InvalidTransition(format!(
                            "{} cannot have its resolution corrected: it is not resolved",
                            cur.number
                        )));
                    };
                    if at < cur.started_at {
                        return Err(Error::validation(
                            "at",
                            "Resolved cannot be before the incident started",
                        ));
                    }
                    next.resolved_at = Some(at);
                    ("resolved_at", Some(r))
                }
            };
            Ok(vec![NewEvent {
                kind: "milestone_corrected",
                field: Some(field),
                old_value: old.as_ref().map(ts),
                new_value: Some(ts(&at)),
                detail: Some(reason.clone()),
            }])
        },
    )
}
