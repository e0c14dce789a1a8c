//! The append-only history of every incident. Each change writes its events in the same
//! transaction as the row, so the timeline can never disagree with the current state.

use super::{parse_ts, ts};
use crate::domain::model::Event;
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

/// The hash before the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The hash of an event: SHA-256 over the previous hash and every recorded field, each
/// length-prefixed so no two different events can produce the same input.
#[allow(clippy::too_many_arguments)]
pub fn event_hash(
    prev: &str,
    id: i64,
    incident_id: i64,
    at: &str,
    actor_id: Option<i64>,
    actor: &str,
    kind: &str,
    field: Option<&str>,
    old_value: Option<&str>,
    new_value: Option<&str>,
    detail: Option<&str>,
) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    let mut put = |v: Option<&str>| match v {
        None => h.update(b"-"),
        Some(s) => {
            h.update(s.len().to_string().as_bytes());
            h.update(b":");
            h.update(s.as_bytes());
        }
    };
    put(Some(prev));
    put(Some(&id.to_string()));
    put(Some(&incident_id.to_string()));
    put(Some(at));
    put(actor_id.map(|a| a.to_string()).as_deref());
    put(Some(actor));
    put(Some(kind));
    put(field);
    put(old_value);
    put(new_value);
    put(detail);
    let digest = h.finalize();
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn last_link(conn: &Connection) -> Result<(i64, String)> {
    use rusqlite::OptionalExtension;
    let last: Option<(i64, Option<String>)> = conn
        .prepare_cached("SELECT id, hash FROM events ORDER BY id DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(match last {
        None => (0, GENESIS.to_string()),
        Some((id, hash)) => (id, hash.unwrap_or_else(|| GENESIS.to_string())),
    })
}

pub fn append(
    conn: &Connection,
    incident_id: i64,
    at: &DateTime<Utc>,
    actor: &Actor,
    e: &NewEvent,
) -> Result<()> {
    // Inside the writer's transaction nobody else can append, so "last + 1" is this event.
    let (last_id, prev) = last_link(conn)?;
    let id = last_id + 1;
    let at = ts(at);
    let hash = event_hash(
        &prev,
        id,
        incident_id,
        &at,
        actor.id,
        &actor.name,
        e.kind,
        e.field,
        e.old_value.as_deref(),
        e.new_value.as_deref(),
        e.detail.as_deref(),
    );
    conn.prepare_cached(
        "INSERT INTO events (id, incident_id, at, actor_id, actor, kind, field, old_value, new_value, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params![
        id,
        incident_id,
        at,
        actor.id,
        actor.name,
        e.kind,
        e.field,
        e.old_value,
        e.new_value,
        e.detail,
        prev,
        hash
    ])?;
    Ok(())
}

type StoredEvent = (
    i64,
    i64,
    String,
    Option<i64>,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn stored_events(conn: &Connection, f: &mut dyn FnMut(StoredEvent) -> Result<bool>) -> Result<()> {
    let mut stmt = conn.prepare(
        "SELECT id, incident_id, at, actor_id, actor, kind, field, old_value, new_value, detail, prev_hash, hash
         FROM events ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let row = (
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
            r.get(6)?,
            r.get(7)?,
            r.get(8)?,
            r.get(9)?,
            r.get(10)?,
            r.get(11)?,
        );
        if !f(row)? {
            break;
        }
    }
    Ok(())
}

/// Chains events written before hashes existed (migration 3). Returns how many were filled.
pub fn fill_missing_hashes(conn: &Connection) -> Result<usize> {
    let mut todo = Vec::new();
    let mut prev = GENESIS.to_string();
    stored_events(conn, &mut |(
        id,
        inc,
        at,
        actor_id,
        actor,
        kind,
        field,
        old,
        new,
        detail,
        _,
        hash,
    )| {
        let h = match hash {
            Some(h) => h,
            None => {
                let h = event_hash(
                    &prev,
                    id,
                    inc,
                    &at,
                    actor_id,
                    &actor,
                    &kind,
                    field.as_deref(),
                    old.as_deref(),
                    new.as_deref(),
                    detail.as_deref(),
                );
                todo.push((id, prev.clone(), h.clone()));
                h
            }
        };
        prev = h;
        Ok(true)
    })?;
    for (id, p, h) in &todo {
        conn.execute(
            "UPDATE events SET prev_hash = ?2, hash = ?3 WHERE id = ?1",
            params![id, p, h],
        )?;
    }
    Ok(todo.len())
}

/// What "verify history" found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HistoryCheck {
    pub events_checked: i64,
    pub intact: bool,
    /// The first problem, in words, naming the event (and its incident).
    pub problem: Option<String>,
    pub first_bad_event_id: Option<i64>,
    /// The hash of the last event, to compare with a printout.
    pub last_hash: Option<String>,
}

/// Walks the whole chain and reports the first event that was altered, or the first gap where
/// events are missing.
pub fn verify_history(conn: &Connection) -> Result<HistoryCheck> {
    let mut check = HistoryCheck {
        events_checked: 0,
        intact: true,
        problem: None,
        first_bad_event_id: None,
        last_hash: None,
    };
    let mut prev = GENESIS.to_string();
    let mut prev_id = 0;
    stored_events(conn, &mut |(
        id,
        inc,
        at,
        actor_id,
        actor,
        kind,
        field,
        old,
        new,
        detail,
        stored_prev,
        hash,
    )| {
        check.events_checked += 1;
        let number = super::incidents::number_for(inc);
        let expected = event_hash(
            &prev,
            id,
            inc,
            &at,
            actor_id,
            &actor,
            &kind,
            field.as_deref(),
            old.as_deref(),
            new.as_deref(),
            detail.as_deref(),
        );
        let problem = if id != prev_id + 1 || stored_prev.as_deref() != Some(prev.as_str()) {
            if id != prev_id + 1 {
                Some(format!(
                    "Events {} to {} are missing (the chain breaks before event {id} of {number})",
                    prev_id + 1,
                    id - 1
                ))
            } else {
                Some(format!("Event {id} of {number} does not follow event {prev_id}: the history was rewritten"))
            }
        } else if hash.as_deref() != Some(expected.as_str()) {
            Some(format!(
                "Event {id} of {number} ({kind} at {at}) was altered after it was recorded"
            ))
        } else {
            None
        };
        if let Some(p) = problem {
            check.intact = false;
            check.problem = Some(p);
            check.first_bad_event_id = Some(id);
            return Ok(false);
        }
        prev = hash.unwrap_or_default();
        prev_id = id;
        check.last_hash = Some(prev.clone());
        Ok(true)
    })?;
    Ok(check)
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
        "users_affected" => "Users affected",
        "detected_at" => "Detected",
        "workaround_at" => "Workaround available",
        "resolved_at" => "Resolved",
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
        "major_declared" => format!("{} declared a major incident. {new}", e.actor),
        "stakeholder_update" => format!("{} sent a stakeholder update to {new}", e.actor),
        "milestone_corrected" => format!(
            "{} corrected {}: {} → {}",
            e.actor,
            field_label(e.field.as_deref().unwrap_or("")),
            e.old_value
                .as_deref()
                .map(when)
                .unwrap_or_else(|| "(none)".into()),
            when(new)
        ),
        "review_created" => format!("{} opened the post-incident review", e.actor),
        "review_finalised" => format!("{} finalised the post-incident review", e.actor),
        "review_amended" => format!("{} amended the final post-incident review", e.actor),
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

/// The id and hash of the last event of an incident (0 and "" when it has none): the chain
/// head a printed review carries.
pub fn last_of_incident(conn: &Connection, incident_id: i64) -> Result<(i64, String)> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .prepare_cached(
            "SELECT id, COALESCE(hash, '') FROM events WHERE incident_id = ?1 ORDER BY id DESC LIMIT 1",
        )?
        .query_row([incident_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or((0, String::new())))
}
