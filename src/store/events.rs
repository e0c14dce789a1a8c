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
/// length-prefixed so no two different events can produce the same input, and (from migration
/// 9) the seal of the incident's row as the event's transaction left it.
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
    state_hash: Option<&str>,
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
    // Events from before migration 9 carry no state; their hashes stay as they were.
    if let Some(state) = state_hash {
        put(Some("state"));
        put(Some(state));
    }
    let digest = h.finalize();
    super::hex(&digest)
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
    // Every writer changes the incident's row before it records why, so this is the state
    // the transaction leaves (an event after the last row change sees the final row).
    let state = super::incidents::state_hash(conn, incident_id)?;
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
        state.as_deref(),
    );
    conn.prepare_cached(
        "INSERT INTO events (id, incident_id, at, actor_id, actor, kind, field, old_value, new_value, detail, prev_hash, hash, state_hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
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
        hash,
        state
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
    Option<String>,
);

/// Walks every event in id order. Before migration 9 (`with_state` false: migration 3 runs
/// this) there is no `state_hash` column and it reads as NULL.
fn stored_events(
    conn: &Connection,
    with_state: bool,
    f: &mut dyn FnMut(StoredEvent) -> Result<bool>,
) -> Result<()> {
    let state = if with_state { "state_hash" } else { "NULL" };
    let mut stmt = conn.prepare(&format!(
        "SELECT id, incident_id, at, actor_id, actor, kind, field, old_value, new_value, detail, prev_hash, hash, {state}
         FROM events ORDER BY id"
    ))?;
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
            r.get(12)?,
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
    stored_events(conn, false, &mut |(
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
        _,
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
                    None,
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

/// The end of the chain at some moment: the id and hash of the last event. Kept outside the
/// events table (beside the database, in every backup's manifest, on every printed review) so
/// that deleting the newest events, or rewriting the whole chain, no longer goes unnoticed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ChainHead {
    pub last_event_id: i64,
    pub last_hash: String,
}

/// A chain head recorded somewhere else, and where (for the message).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct KnownHead {
    /// "the head file beside the database", "the backup of 2026-11-29 12:00 UTC", …
    pub source: String,
    pub head: ChainHead,
}

/// The current head of the chain (id 0 and the genesis hash when there are no events).
pub fn head(conn: &Connection) -> Result<ChainHead> {
    let (last_event_id, last_hash) = last_link(conn)?;
    Ok(ChainHead {
        last_event_id,
        last_hash,
    })
}

/// What "verify history" found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HistoryCheck {
    pub events_checked: i64,
    /// False when the chain is broken, a known head is not in it, or an incident's row
    /// disagrees with its history.
    pub intact: bool,
    /// The first problem, in words, naming the event (and its incident).
    pub problem: Option<String>,
    /// Every problem found (at most 50), the first one first.
    pub problems: Vec<String>,
    pub first_bad_event_id: Option<i64>,
    /// The hash of the last event, to compare with a printout.
    pub last_hash: Option<String>,
    pub last_event_id: i64,
    /// Incidents whose current row was compared with the seal of their last event.
    pub incidents_checked: i64,
    /// Incidents whose last event predates the row seal (migration 9): not covered until
    /// their next change.
    pub incidents_not_sealed: i64,
    /// Incidents whose row disagrees with their history.
    pub altered_incidents: Vec<String>,
    /// The chain heads recorded elsewhere that the history was checked against.
    pub heads_checked: Vec<String>,
    /// Append-only guards found missing (and recreated by the caller), by name.
    pub triggers_restored: Vec<String>,
}

const MAX_PROBLEMS: usize = 50;

impl HistoryCheck {
    fn fail(&mut self, problem: String) {
        if self.problem.is_none() {
            self.problem = Some(problem.clone());
        }
        self.intact = false;
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(problem);
        }
    }
}

/// Walks the whole chain and reports the first event that was altered, or the first gap where
/// events are missing; then checks the chain against every head known from elsewhere (which
/// catches deleted newest events and a chain recomputed after an alteration), and every
/// incident's row against the seal its last event carries.
pub fn verify_history(conn: &Connection, known: &[KnownHead]) -> Result<HistoryCheck> {
    let mut check = HistoryCheck {
        events_checked: 0,
        intact: true,
        problem: None,
        problems: Vec::new(),
        first_bad_event_id: None,
        last_hash: None,
        last_event_id: 0,
        incidents_checked: 0,
        incidents_not_sealed: 0,
        altered_incidents: Vec::new(),
        heads_checked: Vec::new(),
        triggers_restored: Vec::new(),
    };
    let mut prev = GENESIS.to_string();
    let mut prev_id = 0;
    // The stored hash of each event at a known head's position, and each incident's last
    // event (id, state seal), gathered on the one pass over the chain.
    let mut at_heads: Vec<Option<String>> = vec![None; known.len()];
    let mut last_of: std::collections::BTreeMap<i64, (i64, Option<String>)> =
        std::collections::BTreeMap::new();
    let mut chain_ok = true;
    // A backup taken before migration 9 has no seals to read.
    let with_state = conn
        .prepare("SELECT 1 FROM pragma_table_info('events') WHERE name = 'state_hash'")?
        .exists([])?;
    stored_events(conn, with_state, &mut |(
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
        state,
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
            state.as_deref(),
        );
        let problem = if id != prev_id + 1 || stored_prev.as_deref() != Some(prev.as_str()) {
            if id == prev_id + 2 {
                Some(format!(
                    "Event {} is missing (the chain breaks before event {id} of {number})",
                    prev_id + 1
                ))
            } else if id != prev_id + 1 {
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
            check.fail(p);
            check.first_bad_event_id = Some(id);
            chain_ok = false;
            return Ok(false);
        }
        for (slot, k) in at_heads.iter_mut().zip(known) {
            if k.head.last_event_id == id {
                *slot = hash.clone();
            }
        }
        last_of.insert(inc, (id, state));
        prev = hash.unwrap_or_default();
        prev_id = id;
        check.last_hash = Some(prev.clone());
        check.last_event_id = id;
        Ok(true)
    })?;
    if !chain_ok {
        return Ok(check);
    }
    for (k, found) in known.iter().zip(&at_heads) {
        let want = &k.head;
        if want.last_event_id == 0 {
            continue;
        }
        match found {
            _ if want.last_event_id > check.last_event_id => check.fail(format!(
                "The newest events were deleted: {} recorded the history up to event {} (hash {}…), but it now ends at event {}",
                k.source,
                want.last_event_id,
                short(&want.last_hash),
                check.last_event_id
            )),
            Some(h) if *h == want.last_hash => check.heads_checked.push(k.source.clone()),
            _ => check.fail(format!(
                "The history was rewritten: {} recorded event {} with hash {}…, the database now has {}…",
                k.source,
                want.last_event_id,
                short(&want.last_hash),
                short(found.as_deref().unwrap_or("(none)"))
            )),
        }
    }
    for (inc, (event_id, sealed)) in &last_of {
        let Some(sealed) = sealed else {
            check.incidents_not_sealed += 1;
            continue;
        };
        check.incidents_checked += 1;
        let number = super::incidents::number_for(*inc);
        match super::incidents::state_hash(conn, *inc)? {
            Some(now) if now == *sealed => {}
            Some(_) => {
                check.altered_incidents.push(number.clone());
                check.fail(format!(
                    "{number} was changed outside Incident Desk: its record no longer matches its history (last recorded change: event {event_id})"
                ));
            }
            None => {
                check.altered_incidents.push(number.clone());
                check.fail(format!(
                    "{number} was deleted outside Incident Desk: its history (up to event {event_id}) remains"
                ));
            }
        }
    }
    Ok(check)
}

fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

/// The guards that make the events table append-only, as migrations 1 and 3 created them.
const APPEND_ONLY_TRIGGERS: [(&str, &str); 2] = [
    (
        "events_are_append_only_update",
        "CREATE TRIGGER events_are_append_only_update BEFORE UPDATE ON events
         WHEN old.hash IS NOT NULL
           OR new.id IS NOT old.id OR new.incident_id IS NOT old.incident_id OR new.at IS NOT old.at
           OR new.actor_id IS NOT old.actor_id OR new.actor IS NOT old.actor OR new.kind IS NOT old.kind
           OR new.field IS NOT old.field OR new.old_value IS NOT old.old_value
           OR new.new_value IS NOT old.new_value OR new.detail IS NOT old.detail
         BEGIN
             SELECT RAISE(ABORT, 'events are append-only: history cannot be changed');
         END",
    ),
    (
        "events_are_append_only_delete",
        "CREATE TRIGGER events_are_append_only_delete BEFORE DELETE ON events BEGIN
             SELECT RAISE(ABORT, 'events are append-only: history cannot be deleted');
         END",
    ),
];

/// Recreates any append-only guard someone dropped; returns the names of those that were missing.
pub fn restore_append_only(conn: &Connection) -> Result<Vec<String>> {
    let mut restored = Vec::new();
    for (name, sql) in APPEND_ONLY_TRIGGERS {
        let present: i64 = conn
            .prepare_cached(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name = ?1",
            )?
            .query_row([name], |r| r.get(0))?;
        if present == 0 {
            conn.execute_batch(sql)?;
            restored.push(name.to_string());
        }
    }
    Ok(restored)
}

/// The stored hash of event `id`, if it exists.
pub fn hash_of(conn: &Connection, id: i64) -> Result<Option<String>> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .prepare_cached("SELECT hash FROM events WHERE id = ?1")?
        .query_row([id], |r| r.get::<_, Option<String>>(0))
        .optional()?
        .flatten())
}

/// The timeline of one incident, oldest first.
pub fn for_incident(conn: &Connection, incident_id: i64) -> Result<Vec<Event>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, incident_id, at, actor, kind, field, old_value, new_value, detail, actor_id
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
            actor_name: r.get(3)?,
            actor_id: r.get(9)?,
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
        "review_edited" => format!(
            "{} edited the draft post-incident review: {}",
            e.actor,
            e.field.as_deref().unwrap_or("").replace('_', " ")
        ),
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
