//! The append-only history of every incident. Each change writes its events in the same
//! transaction as the row, so the timeline can never disagree with the current state.

use super::{parse_ts, ts};
use crate::model::Event;
use crate::Result;
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};

/// Who is acting: recorded on every event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub id: Option<i64>,
    pub name: String,
}

/// An event about to be written.
#[derive(Debug, Clone, Default)]
pub struct NewEvent {
    pub kind: &'static str,
    pub field: Option<&'static str>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub detail: Option<String>,
}

impl NewEvent {
    pub fn action(kind: &'static str, detail: Option<String>) -> Self {
        NewEvent {
            kind,
            detail,
            ..Default::default()
        }
    }

    pub fn change(field: &'static str, old: Option<String>, new: Option<String>) -> Self {
        NewEvent {
            kind: "field_changed",
            field: Some(field),
            old_value: old,
            new_value: new,
            detail: None,
        }
    }

    pub fn with_detail(mut self, detail: Option<String>) -> Self {
        self.detail = detail;
        self
    }
}

pub fn append(
    conn: &Connection,
    incident_id: i64,
    at: &DateTime<Utc>,
    actor: &Actor,
    e: &NewEvent,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO events (incident_id, at, actor_id, actor, kind, field, old_value, new_value, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        incident_id,
        ts(at),
        actor.id,
        actor.name,
        e.kind,
        e.field,
        e.old_value,
        e.new_value,
        e.detail
    ])?;
    Ok(())
}

/// The timeline of one incident, oldest first.
pub fn for_incident(conn: &Connection, incident_id: i64) -> Result<Vec<Event>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, incident_id, at, actor, kind, field, old_value, new_value, detail
         FROM events WHERE incident_id = ?1 ORDER BY at, id",
    )?;
    let mut rows = stmt.query([incident_id])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let mut e = Event {
            id: r.get(0)?,
            incident_id: r.get(1)?,
            at: parse_ts(&r.get::<_, String>(2)?)?,
            actor: r.get(3)?,
            kind: r.get(4)?,
            field: r.get(5)?,
            old_value: r.get(6)?,
            new_value: r.get(7)?,
            detail: r.get(8)?,
            summary: String::new(),
        };
        e.summary = summary(&e);
        out.push(e);
    }
    Ok(out)
}

/// The label of an incident field as users know it.
pub fn field_label(field: &str) -> &str {
    match field {
        "title" => "Title",
        "description" => "Description",
        "category_id" => "Category",
        "service_id" => "Service",
        "reporter_name" => "Reporter",
        "reporter_contact" => "Reporter contact",
        "channel" => "Channel",
        "started_at" => "Started",
        "impact" => "Impact",
        "urgency" => "Urgency",
        "priority" => "Priority",
        "assignee_id" => "Assignee",
        "team_id" => "Team",
        "status" => "Status",
        "workaround" => "Workaround",
        other => other,
    }
}

fn shown(v: &Option<String>) -> String {
    match v.as_deref() {
        None | Some("") => "(none)".to_string(),
        Some(s) if s.chars().count() > 80 => {
            let cut: String = s.chars().take(77).collect();
            format!("“{cut}…”")
        }
        Some(s) => format!("“{s}”"),
    }
}

/// A sentence for the timeline, so every screen and report words an event the same way.
pub fn summary(e: &Event) -> String {
    let new = e.new_value.as_deref().unwrap_or("");
    match e.kind.as_str() {
        "created" => format!("{} logged the incident as {new}", e.actor),
        "field_changed" => format!(
            "{} changed {} from {} to {}",
            e.actor,
            field_label(e.field.as_deref().unwrap_or("")),
            shown(&e.old_value),
            shown(&e.new_value)
        ),
        "priority_overridden" => format!(
            "{} overrode the priority: {} instead of the computed {}",
            e.actor,
            new,
            e.old_value.as_deref().unwrap_or("?")
        ),
        "assigned" => format!("{} assigned it to {new}", e.actor),
        "acknowledged" => format!("{} acknowledged it (first response)", e.actor),
        "note" => format!("{} added a note", e.actor),
        "escalated" => format!(
            "{} escalated it ({}) to {new}",
            e.actor,
            e.field.as_deref().unwrap_or("functional")
        ),
        "workaround" => format!("{} recorded a workaround", e.actor),
        "resolved" => format!("{} resolved it: {new}", e.actor),
        "verified" => format!("{} verified the resolution: {new}", e.actor),
        "closed" => format!("{} closed it", e.actor),
        "reopened" => format!("{} reopened it", e.actor),
        "first_response" => format!("{}'s first update counts as the first response", e.actor),
        "paused" => format!("{} paused the SLA clocks", e.actor),
        "resumed" => format!("{} resumed the SLA clocks", e.actor),
        "sla_due" => match &e.old_value {
            None => format!("{} due {}", clock_label(e), when(new)),
            Some(old) => format!(
                "{} due time moved from {} to {}",
                clock_label(e),
                when(old),
                when(new)
            ),
        },
        "sla_warning" => format!("{} SLA warning: {new} of the target used", clock_label(e)),
        "sla_breach" => format!("{} SLA breached", clock_label(e)),
        "escalation_rule" => format!("{}: {new}", e.actor),
        other => format!("{} recorded {other}", e.actor),
    }
}

fn clock_label(e: &Event) -> &'static str {
    match e.field.as_deref() {
        Some("response") => "Response",
        _ => "Resolution",
    }
}

/// A stored instant as a short UTC time for sentences.
fn when(stored: &str) -> String {
    match super::parse_ts(stored) {
        Ok(t) => t.format("%a %d %b %H:%M UTC").to_string(),
        Err(_) => stored.to_string(),
    }
}
