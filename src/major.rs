//! Major incidents and stakeholder communication.
//!
//! The desk suggests declaring a major incident when the reference's criteria hold and says
//! which one matched; declaring records the reason, the major incident manager, the crisis
//! bridge and any emergency change. Stakeholder updates record exactly what was sent to which
//! audience, by whom and when; each audience's cadence becomes a deadline of the SLA scheduler.

use crate::lifecycle::Action;
use crate::model::{Impact, Incident, Priority, Role, Status};
use crate::ops::{change, VersionCheck};
use crate::sla::clocks::ClockState;
use crate::store::events::{Actor, NewEvent};
use crate::store::{catalog, incidents, parse_ts, ts};
use crate::{Error, Result};
use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

/// When to suggest a major incident (defaults from the reference), editable in Settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MajorCriteria {
    pub users_threshold: i64,
    pub revenue_down_minutes: i64,
    /// A P1 whose SLA clock has used this share of its target is "likely to breach".
    pub p1_breach_likely_percent: i64,
    /// Categories that carry a security or regulatory risk.
    pub risk_categories: Vec<String>,
}

impl Default for MajorCriteria {
    fn default() -> Self {
        MajorCriteria {
            users_threshold: 500,
            revenue_down_minutes: 15,
            p1_breach_likely_percent: 75,
            risk_categories: vec!["Security".into()],
        }
    }
}

pub fn criteria(conn: &Connection) -> Result<MajorCriteria> {
    let v: Option<String> = conn
        .prepare_cached("SELECT value FROM settings WHERE key = 'major_criteria'")?
        .query_row([], |r| r.get(0))
        .optional()?;
    Ok(match v {
        Some(json) => serde_json::from_str(&json)?,
        None => MajorCriteria::default(),
    })
}

pub fn save_criteria(conn: &Connection, c: &MajorCriteria) -> Result<()> {
    if c.users_threshold < 1 {
        return Err(Error::validation(
            "users_threshold",
            "The users threshold must be at least 1",
        ));
    }
    if c.revenue_down_minutes < 1 {
        return Err(Error::validation(
            "revenue_down_minutes",
            "The revenue outage threshold must be at least one minute",
        ));
    }
    if !(1..=100).contains(&c.p1_breach_likely_percent) {
        return Err(Error::validation(
            "p1_breach_likely_percent",
            "The likely-breach threshold is a percentage between 1 and 100",
        ));
    }
    conn.execute(
        "INSERT INTO settings (key, value) VALUES ('major_criteria', ?1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [serde_json::to_string(c)?],
    )?;
    Ok(())
}

/// One criterion that holds, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criterion {
    /// users, revenue, sla, risk
    pub code: String,
    pub text: String,
}

fn fmt_int(n: i64) -> String {
    let s = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// The major-incident criteria that hold for `inc` at `now`.
pub fn evaluate(conn: &Connection, inc: &Incident, now: DateTime<Utc>) -> Result<Vec<Criterion>> {
    let cfg = crate::store::sla::load_config(conn)?;
    let panel = crate::sla::panel(conn, &cfg, inc, now)?;
    evaluate_with(conn, inc, &panel, now)
}

/// As [`evaluate`], with the incident's SLA panel already at hand.
pub fn evaluate_with(
    conn: &Connection,
    inc: &Incident,
    panel: &crate::sla::SlaPanel,
    now: DateTime<Utc>,
) -> Result<Vec<Criterion>> {
    let c = criteria(conn)?;
    let service = catalog::services(conn)?
        .into_iter()
        .find(|s| s.id == inc.service_id);
    let mut out = Vec::new();
    match (inc.users_affected, &service) {
        (Some(n), _) if n > c.users_threshold => out.push(Criterion {
            code: "users".into(),
            text: format!(
                "More than {} users affected ({} reported)",
                fmt_int(c.users_threshold),
                fmt_int(n)
            ),
        }),
        (None, Some(s))
            if inc.impact == Impact::Extensive && s.users_served > c.users_threshold =>
        {
            out.push(Criterion {
                code: "users".into(),
                text: format!(
                    "More than {} users affected: the whole of {} is hit and it serves {}",
                    fmt_int(c.users_threshold),
                    s.name,
                    fmt_int(s.users_served)
                ),
            })
        }
        _ => {}
    }
    if let Some(s) = &service {
        let down = now - inc.started_at;
        let working = matches!(
            inc.status,
            Status::New | Status::Assigned | Status::InProgress
        );
        if s.revenue_generating
            && inc.impact == Impact::Extensive
            && working
            && down > Duration::minutes(c.revenue_down_minutes)
        {
            out.push(Criterion {
                code: "revenue".into(),
                text: format!(
                    "Revenue-generating service {} down for {} min (threshold {} min)",
                    s.name,
                    down.num_minutes(),
                    c.revenue_down_minutes
                ),
            });
        }
    }
    if inc.priority == Priority::P1 {
        if let Some(clock) = panel.clocks.iter().find(|k| {
            k.state == ClockState::Breached
                || (k.state == ClockState::Running && k.percent_used >= c.p1_breach_likely_percent)
        }) {
            out.push(Criterion {
                code: "sla".into(),
                text: format!(
                    "P1 with an SLA breach likely: {} clock at {} % of its target",
                    clock.clock.as_str(),
                    clock.percent_used
                ),
            });
        }
    }
    if c.risk_categories
        .iter()
        .any(|r| r.eq_ignore_ascii_case(&inc.category_name))
    {
        out.push(Criterion {
            code: "risk".into(),
            text: format!(
                "Security or regulatory risk (category {})",
                inc.category_name
            ),
        });
    }
    Ok(out)
}

/// A declared major incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MajorRecord {
    pub declared_at: DateTime<Utc>,
    pub declared_by: String,
    pub reason: String,
    pub criteria: Vec<Criterion>,
    pub manager_id: i64,
    pub manager_name: String,
    pub bridge: String,
    pub emergency_change: String,
}

pub fn record(conn: &Connection, incident_id: i64) -> Result<Option<MajorRecord>> {
    let row = conn
        .prepare_cached(
            "SELECT m.declared_at, m.declared_by, m.reason, m.criteria, m.manager_id, p.name, m.bridge, m.emergency_change
             FROM major_incidents m JOIN people p ON p.id = m.manager_id WHERE m.incident_id = ?1",
        )?
        .query_row([incident_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
            ))
        })
        .optional()?;
    row.map(
        |(at, by, reason, criteria, manager_id, manager_name, bridge, change)| {
            Ok(MajorRecord {
                declared_at: parse_ts(&at)?,
                declared_by: by,
                reason,
                criteria: serde_json::from_str(&criteria)?,
                manager_id,
                manager_name,
                bridge,
                emergency_change: change,
            })
        },
    )
    .transpose()
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DeclareInput {
    pub id: i64,
    pub expected_version: i64,
    #[serde(default)]
    pub reason: String,
    pub manager_id: Option<i64>,
    #[serde(default)]
    pub bridge: String,
    #[serde(default)]
    pub emergency_change: String,
}

pub fn declare(
    conn: &Connection,
    actor: &Actor,
    now: DateTime<Utc>,
    input: &DeclareInput,
) -> Result<()> {
    let reason = input.reason.trim().to_string();
    if reason.is_empty() {
        return Err(Error::validation(
            "reason",
            "A reason is required to declare a major incident",
        ));
    }
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
    let bridge = input.bridge.trim().to_string();
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
            if record(conn, cur.id)?.is_some() {
                return Err(Error::InvalidTransition(format!(
                    "{} is already a major incident",
                    cur.number
                )));
            }
            let matched = evaluate(conn, cur, now)?;
            conn.execute(
            "INSERT INTO major_incidents (incident_id, declared_at, declared_by, reason, criteria, manager_id, bridge, emergency_change)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![cur.id, ts(&now), actor.name, reason, serde_json::to_string(&matched)?, manager_id, bridge, input.emergency_change.trim()],
        )?;
            let mut what = format!(
                "Major incident manager: {}; crisis bridge: {bridge}",
                manager.name
            );
            if !input.emergency_change.trim().is_empty() {
                what.push_str(&format!(
                    "; emergency change: {}",
                    input.emergency_change.trim()
                ));
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Audience {
    pub id: i64,
    pub name: String,
    pub recipients: String,
    pub cadence_minutes: i64,
    pub active: bool,
}

pub fn audiences(conn: &Connection) -> Result<Vec<Audience>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, recipients, cadence_minutes, active FROM audiences ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Audience {
            id: r.get(0)?,
            name: r.get(1)?,
            recipients: r.get(2)?,
            cadence_minutes: r.get(3)?,
            active: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn save_audience(conn: &Connection, a: &Audience, create: bool) -> Result<i64> {
    let name = a.name.trim();
    if name.is_empty() {
        return Err(Error::validation("name", "Audience name is required"));
    }
    if !(1..=24 * 60).contains(&a.cadence_minutes) {
        return Err(Error::validation("cadence_minutes", "The update cadence is between 1 minute and 24 hours (the reference: every 15–30 minutes for major incidents)"));
    }
    if create {
        conn.execute(
            "INSERT INTO audiences (name, recipients, cadence_minutes, active) VALUES (?1, ?2, ?3, ?4)",
            params![name, a.recipients.trim(), a.cadence_minutes, a.active],
        )?;
        Ok(conn.last_insert_rowid())
    } else {
        let n = conn.execute(
            "UPDATE audiences SET name = ?2, recipients = ?3, cadence_minutes = ?4, active = ?5 WHERE id = ?1",
            params![a.id, name, a.recipients.trim(), a.cadence_minutes, a.active],
        )?;
        if n == 0 {
            return Err(Error::NotFound(format!("Audience {} does not exist", a.id)));
        }
        Ok(a.id)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Template {
    pub id: i64,
    pub name: String,
    pub subject: String,
    pub body: String,
}

pub fn templates(conn: &Connection) -> Result<Vec<Template>> {
    let mut stmt =
        conn.prepare_cached("SELECT id, name, subject, body FROM message_templates ORDER BY id")?;
    let rows = stmt.query_map([], |r| {
        Ok(Template {
            id: r.get(0)?,
            name: r.get(1)?,
            subject: r.get(2)?,
            body: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub const PLACEHOLDERS: &[&str] = &[
    "{number}",
    "{title}",
    "{service}",
    "{started}",
    "{impact}",
    "{status}",
    "{workaround}",
    "{next_update}",
];

pub fn save_template(conn: &Connection, t: &Template, create: bool) -> Result<i64> {
    if t.name.trim().is_empty() {
        return Err(Error::validation("name", "Template name is required"));
    }
    if t.subject.trim().is_empty() {
        return Err(Error::validation("subject", "Subject is required"));
    }
    if t.body.trim().is_empty() {
        return Err(Error::validation("body", "Body is required"));
    }
    for text in [&t.subject, &t.body] {
        let mut rest = text.as_str();
        while let Some(i) = rest.find('{') {
            let end = rest[i..].find('}').map(|j| i + j + 1).unwrap_or(rest.len());
            let ph = &rest[i..end];
            if !PLACEHOLDERS.contains(&ph) {
                return Err(Error::validation(
                    if std::ptr::eq(text, &t.subject) {
                        "subject"
                    } else {
                        "body"
                    },
                    format!("Unknown placeholder {ph}; use {}", PLACEHOLDERS.join(", ")),
                ));
            }
            rest = &rest[end..];
        }
    }
    if create {
        conn.execute(
            "INSERT INTO message_templates (name, subject, body) VALUES (?1, ?2, ?3)",
            params![t.name.trim(), t.subject, t.body],
        )?;
        Ok(conn.last_insert_rowid())
    } else {
        conn.execute(
            "UPDATE message_templates SET name = ?2, subject = ?3, body = ?4 WHERE id = ?1",
            params![t.id, t.name.trim(), t.subject, t.body],
        )?;
        Ok(t.id)
    }
}

/// A sent stakeholder update.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StakeholderUpdate {
    pub id: i64,
    pub audience_id: i64,
    pub audience: String,
    pub recipients: String,
    pub sent_at: DateTime<Utc>,
    pub sent_by: String,
    pub template: Option<String>,
    pub subject: String,
    pub body: String,
}

pub fn updates(conn: &Connection, incident_id: i64) -> Result<Vec<StakeholderUpdate>> {
    let mut stmt = conn.prepare_cached(
        "SELECT u.id, u.audience_id, a.name, a.recipients, u.sent_at, u.sent_by, u.template, u.subject, u.body
         FROM stakeholder_updates u JOIN audiences a ON a.id = u.audience_id
         WHERE u.incident_id = ?1 ORDER BY u.sent_at, u.id",
    )?;
    let mut rows = stmt.query([incident_id])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(StakeholderUpdate {
            id: r.get(0)?,
            audience_id: r.get(1)?,
            audience: r.get(2)?,
            recipients: r.get(3)?,
            sent_at: parse_ts(&r.get::<_, String>(4)?)?,
            sent_by: r.get(5)?,
            template: r.get(6)?,
            subject: r.get(7)?,
            body: r.get(8)?,
        });
    }
    Ok(out)
}

/// When each audience's next update is due, for a major incident being worked.
pub fn next_updates(conn: &Connection, inc: &Incident) -> Result<Vec<(Audience, DateTime<Utc>)>> {
    let Some(major) = record(conn, inc.id)? else {
        return Ok(vec![]);
    };
    if !matches!(
        inc.status,
        Status::New | Status::Assigned | Status::InProgress
    ) {
        return Ok(vec![]);
    }
    let sent = updates(conn, inc.id)?;
    Ok(audiences(conn)?
        .into_iter()
        .filter(|a| a.active)
        .map(|a| {
            let last = sent
                .iter()
                .filter(|u| u.audience_id == a.id)
                .map(|u| u.sent_at)
                .max()
                .unwrap_or(major.declared_at);
            let due = last + Duration::minutes(a.cadence_minutes);
            (a, due)
        })
        .collect())
}

/// Fills a template's placeholders from the incident.
pub fn render(inc: &Incident, text: &str, next_update: Option<DateTime<Utc>>) -> String {
    let t = |d: &DateTime<Utc>| d.format("%a %d %b %H:%M UTC").to_string();
    text.replace("{number}", &inc.number)
        .replace("{title}", &inc.title)
        .replace("{service}", &inc.service_name)
        .replace("{started}", &t(&inc.started_at))
        .replace(
            "{impact}",
            &format!("{} — {}", inc.impact.label(), inc.impact.definition()),
        )
        .replace("{status}", inc.status.label())
        .replace(
            "{workaround}",
            inc.workaround.as_deref().unwrap_or("none yet"),
        )
        .replace(
            "{next_update}",
            &next_update.map(|d| t(&d)).unwrap_or_else(|| "—".into()),
        )
}

/// A draft of an update from a template, for the composer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub subject: String,
    pub body: String,
    pub recipients: String,
}

pub fn draft(
    conn: &Connection,
    incident_id: i64,
    template_id: i64,
    audience_id: i64,
    now: DateTime<Utc>,
) -> Result<Draft> {
    let inc = incidents::get(conn, incident_id)?;
    let t = templates(conn)?
        .into_iter()
        .find(|t| t.id == template_id)
        .ok_or_else(|| {
            Error::validation(
                "template_id",
                format!("Template {template_id} does not exist"),
            )
        })?;
    let a = audiences(conn)?
        .into_iter()
        .find(|a| a.id == audience_id)
        .ok_or_else(|| {
            Error::validation(
                "audience_id",
                format!("Audience {audience_id} does not exist"),
            )
        })?;
    // The update being written now restarts the cadence: the next one is due a cadence later.
    let next = Some(now + Duration::minutes(a.cadence_minutes));
    Ok(Draft {
        subject: render(&inc, &t.subject, next),
        body: render(&inc, &t.body, next),
        recipients: a.recipients,
    })
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct UpdateInput {
    pub id: i64,
    pub audience_id: Option<i64>,
    pub template: Option<String>,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub body: String,
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
    let audience = audiences(conn)?
        .into_iter()
        .find(|a| a.id == audience_id)
        .ok_or_else(|| {
            Error::validation(
                "audience_id",
                format!("Audience {audience_id} does not exist"),
            )
        })?;
    if input.subject.trim().is_empty() {
        return Err(Error::validation("subject", "The update needs a subject"));
    }
    if input.body.trim().is_empty() {
        return Err(Error::validation("body", "The update needs a text"));
    }
    change(
        conn,
        actor,
        now,
        input.id,
        VersionCheck::NotNeeded,
        Action::Correct,
        |conn, cur, _| {
            conn.execute(
            "INSERT INTO stakeholder_updates (incident_id, audience_id, sent_at, sent_by, template, subject, body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![cur.id, audience_id, ts(&now), actor.name, input.template, input.subject.trim(), input.body.trim()],
        )?;
            Ok(vec![NewEvent {
                kind: "stakeholder_update",
                field: None,
                old_value: None,
                new_value: Some(audience.name.clone()),
                detail: Some(format!("{}\n\n{}", input.subject.trim(), input.body.trim())),
            }])
        },
    )
}

/// Milestones that can be corrected after the fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Milestone {
    Started,
    Detected,
    WorkaroundAvailable,
    Resolved,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CorrectionInput {
    pub id: i64,
    pub expected_version: i64,
    pub milestone: Milestone,
    pub at: String,
    #[serde(default)]
    pub reason: String,
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
                    "{:?} is not a date and time such as 2026-03-02T09:00:00Z",
                    input.at
                ),
            )
        })?;
    if at > now + Duration::minutes(1) {
        return Err(Error::validation(
            "at",
            "A milestone cannot be in the future",
        ));
    }
    let reason = input.reason.trim().to_string();
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
                            "Started cannot be after the incident was detected",
                        ));
                    }
                    next.started_at = at;
                    ("started_at", Some(cur.started_at))
                }
                Milestone::Detected => {
                    if at < cur.started_at || at > cur.logged_at {
                        return Err(Error::validation(
                            "at",
                            "Detected must lie between the start and the logging of the incident",
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
