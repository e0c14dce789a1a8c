//! Every incident action as a function of (transaction, actor, now, input).
//!
//! The desk wraps these in one `BEGIN IMMEDIATE` transaction per user action; the demo and
//! benchmark data generator calls the very same functions with its own clock and batching, so
//! generated history is exactly what real use would have recorded.

use crate::domain::lifecycle::{self, Action};
use crate::domain::limits;
use crate::domain::model::*;
use crate::error::Problems;
use crate::store::catalog;
use crate::store::events::{self, Actor, NewEvent};
use crate::store::incidents;
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use rusqlite::Connection;

/// A required text of at most `max` characters (`domain::limits`).
fn required(value: &str, field: &str, label: &str, max: usize) -> Result<String> {
    limits::required(value, field, label, max)
}

/// A required text of at most `max` characters whose "required" message is a whole sentence.
fn required_as(
    value: &str,
    field: &str,
    label: &str,
    max: usize,
    message: impl FnOnce() -> String,
) -> Result<String> {
    let v = limits::text(value, field, label, max)?;
    if v.is_empty() {
        return Err(Error::validation(field, message()));
    }
    Ok(v)
}

fn required_choice<T>(
    value: &str,
    field: &str,
    label: &str,
    parse: impl Fn(&str, &str) -> Result<T>,
) -> Result<T> {
    let v = required(value, field, label, limits::MAX_NAME)?;
    parse(&v, field)
}

fn title(value: &str) -> Result<String> {
    let t = required(value, "title", "Title", usize::MAX)?;
    if t.chars().count() > limits::MAX_TITLE {
        return Err(Error::validation(
            "title",
            format!(
                "Title must be at most {} characters; put the detail in the description",
                limits::MAX_TITLE
            ),
        ));
    }
    Ok(t)
}

fn category(conn: &Connection, id: Option<i64>) -> Result<(i64, String)> {
    let id = id.ok_or_else(|| Error::validation("category_id", "Category is required"))?;
    let active = catalog::category_state(conn, id)?;
    match active {
        None => Err(Error::validation(
            "category_id",
            format!("Category {id} does not exist"),
        )),
        Some((name, false)) => Err(Error::validation(
            "category_id",
            format!("Category {name:?} is no longer in use; choose another"),
        )),
        Some((name, true)) => Ok((id, name)),
    }
}

fn service(conn: &Connection, id: Option<i64>) -> Result<(i64, String)> {
    let id = id.ok_or_else(|| Error::validation("service_id", "Affected service is required"))?;
    let name = incidents::name_of(conn, "services", id)?
        .ok_or_else(|| Error::validation("service_id", format!("Service {id} does not exist")))?;
    Ok((id, name))
}

/// A user-entered instant: RFC 3339, not in the future (a minute of slack for clocks of
/// different machines; later than that is a typo).
fn instant(s: &str, field: &str, label: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>> {
    let t = DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            Error::validation(
                field,
                format!(
                    "{label} must be a date and time such as 2026-03-02T09:00:00Z (got {})",
                    limits::shown(s)
                ),
            )
        })?;
    limits::check_date(t.date_naive(), field, label)?;
    if limits::is_future(t, now) {
        return Err(Error::validation(
            field,
            format!("{label} cannot be in the future"),
        ));
    }
    Ok(t)
}

fn started_at(value: Option<&str>, now: DateTime<Utc>) -> Result<DateTime<Utc>> {
    match value.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(now),
        Some(s) => instant(s, "started_at", "The start time", now),
    }
}

fn users_affected(value: Option<i64>) -> Result<Option<i64>> {
    if let Some(n) = value {
        limits::check_range(n, "users_affected", "Users affected", 0, limits::MAX_USERS)?;
    }
    Ok(value)
}

/// The priority an incident gets: the matrix's, unless overridden with a reason.
fn priority_with_override(
    computed: Priority,
    override_value: Option<&str>,
    reason: Option<&str>,
) -> Result<(Priority, Option<String>)> {
    match override_value.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok((computed, None)),
        Some(p) => {
            let p = Priority::parse(p, "priority_override")?;
            if p == computed {
                return Ok((computed, None));
            }
            let reason = reason
                .map(|r| {
                    limits::text(
                        r,
                        "priority_override_reason",
                        "The reason",
                        limits::MAX_TEXT,
                    )
                })
                .transpose()?
                .filter(|s| !s.is_empty())
                .ok_or_else(|| {
                    Error::validation(
                        "priority_override_reason",
                        format!(
                            "A reason is required to override the computed priority {} with {}",
                            computed.as_str(),
                            p.as_str()
                        ),
                    )
                })?;
            Ok((p, Some(reason)))
        }
    }
}

/// Logs a new incident: validates the whole input, then writes the row and its first events.
pub fn log(
    conn: &Connection,
    actor: &Actor,
    now: DateTime<Utc>,
    input: &NewIncident,
) -> Result<i64> {
    // Every field is checked before anything is refused, so the form shows all its problems.
    let mut p = Problems::new();
    let title = p.take(title(&input.title))?;
    let description = p.take(required(
        &input.description,
        "description",
        "Description",
        limits::MAX_TEXT,
    ))?;
    let category = p.take(category(conn, input.category_id))?;
    let service = p.take(service(conn, input.service_id))?;
    let reporter_name = p.take(required(
        &input.reporter_name,
        "reporter_name",
        "Reporter name",
        limits::MAX_NAME,
    ))?;
    let reporter_contact = p.take(required(
        &input.reporter_contact,
        "reporter_contact",
        "Reporter contact (e-mail or phone)",
        limits::MAX_LINE,
    ))?;
    let channel = p.take(required_choice(
        &input.channel,
        "channel",
        "Channel",
        Channel::parse,
    ))?;
    let started_at = p.take(started_at(input.started_at.as_deref(), now))?;
    let detected_at = match input
        .detected_at
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => Some(now),
        Some(s) => p.take(instant(s, "detected_at", "The detection time", now))?,
    };
    if let (Some(started), Some(detected)) = (started_at, detected_at) {
        if detected < started {
            p.add(
                "detected_at",
                "The detection time cannot be before the incident started",
            );
        }
    }
    let users_affected = p.take(users_affected(input.users_affected))?;
    let impact = p.take(required_choice(
        &input.impact,
        "impact",
        "Impact",
        Impact::parse,
    ))?;
    let urgency = p.take(required_choice(
        &input.urgency,
        "urgency",
        "Urgency",
        Urgency::parse,
    ))?;
    let matrix = catalog::priority_matrix(conn)?;
    let overridden = match (impact, urgency) {
        (Some(i), Some(u)) => {
            let computed = matrix.priority(i, u);
            p.take(priority_with_override(
                computed,
                input.priority_override.as_deref(),
                input.priority_override_reason.as_deref(),
            ))?
            .map(|(priority, reason)| (computed, priority, reason))
        }
        _ => None,
    };
    p.finish()?;
    let (
        Some(title),
        Some(description),
        Some((category_id, category_name)),
        Some((service_id, service_name)),
        Some(reporter_name),
        Some(reporter_contact),
        Some(channel),
        Some(started_at),
        Some(detected_at),
        Some(users_affected),
        Some(impact),
        Some(urgency),
        Some((computed, priority, override_reason)),
    ) = (
        title,
        description,
        category,
        service,
        reporter_name,
        reporter_contact,
        channel,
        started_at,
        detected_at,
        users_affected,
        impact,
        urgency,
        overridden,
    )
    else {
        // finish() refuses whenever a field was refused, so every value is here.
        return Err(Error::validation("title", "The new incident is not valid"));
    };

    let id = incidents::next_id(conn)?;
    let inc = Incident {
        id,
        number: incidents::number_for(id),
        title,
        description,
        category_id,
        category_name,
        service_id,
        service_name,
        reporter_name,
        reporter_contact,
        channel,
        started_at,
        detected_at,
        logged_at: now,
        workaround_at: None,
        users_affected,
        impact,
        urgency,
        priority,
        computed_priority: computed,
        priority_override_reason: override_reason.clone(),
        status: Status::New,
        assignee_id: None,
        assignee_name: None,
        team_id: None,
        team_name: None,
        escalation_level: 0,
        workaround: None,
        acknowledged_at: None,
        resolved_at: None,
        resolution_code: None,
        resolution_notes: None,
        verified_at: None,
        verified_by: None,
        verification_method: None,
        verification_notes: None,
        closed_at: None,
        closed_by: None,
        closure_notes: None,
        reopen_count: 0,
        paused_since: None,
        pause_reason: None,
        created_by: actor.name.clone(),
        updated_at: now,
        updated_by: actor.name.clone(),
        version: 1,
    };
    incidents::insert(conn, &inc)?;
    let created = NewEvent {
        kind: "created",
        field: None,
        old_value: None,
        new_value: Some(format!(
            "{} ({} impact × {} urgency)",
            computed.label(),
            impact.label(),
            urgency.label()
        )),
        detail: Some(format!("Channel: {}", channel.label())),
    };
    events::append(conn, id, &now, actor, &created)?;
    if let Some(reason) = override_reason {
        let e = NewEvent {
            kind: "priority_overridden",
            field: Some("priority"),
            old_value: Some(computed.as_str().to_string()),
            new_value: Some(priority.as_str().to_string()),
            detail: Some(reason),
        };
        events::append(conn, id, &now, actor, &e)?;
    }
    let cfg = crate::store::sla::load_config(conn)?;
    crate::actions::deadlines::refresh(conn, &cfg, &inc, None, now)?;
    Ok(id)
}

/// Whether the caller's copy must be current: a note appends and overwrites nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionCheck {
    Required(i64),
    NotNeeded,
}

/// The shared shape of every change to an incident: read, check version and lifecycle, let
/// `f` change the copy and say what happened, write row and events.
pub fn change(
    conn: &Connection,
    actor: &Actor,
    now: DateTime<Utc>,
    id: i64,
    check: VersionCheck,
    action: Action,
    f: impl FnOnce(&Connection, &Incident, &mut Incident) -> Result<Vec<NewEvent>>,
) -> Result<()> {
    let current = incidents::get(conn, id)?;
    if let VersionCheck::Required(expected) = check {
        if current.version != expected {
            return Err(Error::Conflict(format!(
                "{} was changed by {} at {} UTC after you opened it (you saw version {expected}, it is now {}). Reload it to see the change, then try again.",
                current.number,
                current.updated_by,
                current.updated_at.format("%Y-%m-%d %H:%M:%S"),
                current.version
            )));
        }
    }
    let mut next = current.clone();
    next.status = lifecycle::next_status(&current.number, (&current).into(), action)?;
    let mut recorded = f(conn, &current, &mut next)?;
    if recorded.is_empty() {
        return Err(Error::validation(
            "changes",
            format!(
                "Nothing to save: no field of {} was changed",
                current.number
            ),
        ));
    }
    // The first update by the assignee is the first response, as the SLA panel explains.
    if current.acknowledged_at.is_none()
        && next.acknowledged_at.is_none()
        && actor.id.is_some()
        && actor.id == current.assignee_id
        && !matches!(action, Action::Assign | Action::Pause | Action::Resume)
    {
        next.acknowledged_at = Some(now);
        recorded.push(NewEvent::action("first_response", None));
    }
    // Resolving ends a pause: the clocks of a resolved incident are stopped anyway.
    if current.paused_since.is_some() && matches!(next.status, Status::Resolved | Status::Closed) {
        next.paused_since = None;
        next.pause_reason = None;
        recorded.insert(
            0,
            NewEvent::action("resumed", Some("Resolved while paused".into())),
        );
    }
    next.version = current.version + 1;
    next.updated_at = now;
    next.updated_by = actor.name.clone();
    incidents::update(conn, &next, current.version)?;
    // What was done first, then the status it led to: the timeline reads as cause and effect.
    for e in &recorded {
        events::append(conn, id, &now, actor, e)?;
    }
    if next.status != current.status {
        events::append(
            conn,
            id,
            &now,
            actor,
            &NewEvent {
                kind: "field_changed",
                field: Some("status"),
                old_value: Some(current.status.label().to_string()),
                new_value: Some(next.status.label().to_string()),
                detail: None,
            },
        )?;
    }
    let cfg = crate::store::sla::load_config(conn)?;
    crate::actions::deadlines::refresh(conn, &cfg, &next, None, now)?;
    Ok(())
}

fn person_name(conn: &Connection, id: i64, field: &str, what: &str) -> Result<String> {
    incidents::name_of(conn, "people", id)?
        .ok_or_else(|| Error::validation(field, format!("{what} {id} does not exist")))
}

fn team_name(conn: &Connection, id: i64, field: &str) -> Result<String> {
    incidents::name_of(conn, "teams", id)?
        .ok_or_else(|| Error::validation(field, format!("Team {id} does not exist")))
}

fn differs<T: PartialEq>(old: &T, new: &T) -> bool {
    old != new
}

/// Applies field edits; every changed field becomes one recorded change.
pub fn edit(
    conn: &Connection,
    actor: &Actor,
    now: DateTime<Utc>,
    input: &UpdateIncident,
) -> Result<()> {
    let c = &input.changes;
    change(
        conn,
        actor,
        now,
        input.id,
        VersionCheck::Required(input.expected_version),
        Action::Edit,
        |conn, cur, next| {
            let mut out = Vec::new();
            // Every field is checked before anything is refused: the form shows all problems.
            let mut p = Problems::new();
            let text = |field: &'static str,
                        label: &str,
                        max: usize,
                        new: &Option<String>,
                        slot: &mut String,
                        out: &mut Vec<NewEvent>|
             -> Result<()> {
                if let Some(v) = new {
                    let v = if field == "title" {
                        title(v)?
                    } else {
                        required(v, field, label, max)?
                    };
                    if differs(slot, &v) {
                        out.push(NewEvent::change(field, Some(slot.clone()), Some(v.clone())));
                        *slot = v;
                    }
                }
                Ok(())
            };
            p.take(text(
                "title",
                "Title",
                limits::MAX_TITLE,
                &c.title,
                &mut next.title,
                &mut out,
            ))?;
            p.take(text(
                "description",
                "Description",
                limits::MAX_TEXT,
                &c.description,
                &mut next.description,
                &mut out,
            ))?;
            p.take(text(
                "reporter_name",
                "Reporter name",
                limits::MAX_NAME,
                &c.reporter_name,
                &mut next.reporter_name,
                &mut out,
            ))?;
            p.take(text(
                "reporter_contact",
                "Reporter contact",
                limits::MAX_LINE,
                &c.reporter_contact,
                &mut next.reporter_contact,
                &mut out,
            ))?;
            // A category or service chosen anew: its id and name change together, one event.
            let reference = |field: &'static str,
                             found: Option<(i64, String)>,
                             id: &mut i64,
                             name: &mut String,
                             out: &mut Vec<NewEvent>| {
                if let Some((new_id, new_name)) = found {
                    if new_id != *id {
                        out.push(NewEvent::change(
                            field,
                            Some(name.clone()),
                            Some(new_name.clone()),
                        ));
                        *id = new_id;
                        *name = new_name;
                    }
                }
            };
            let found = c
                .category_id
                .map(|_| p.take(category(conn, c.category_id)))
                .transpose()?
                .flatten();
            reference(
                "category_id",
                found,
                &mut next.category_id,
                &mut next.category_name,
                &mut out,
            );
            let found = c
                .service_id
                .map(|_| p.take(service(conn, c.service_id)))
                .transpose()?
                .flatten();
            reference(
                "service_id",
                found,
                &mut next.service_id,
                &mut next.service_name,
                &mut out,
            );
            if let Some(ch) = &c.channel {
                let ch = p.take(required_choice(ch, "channel", "Channel", Channel::parse))?;
                if let Some(ch) = ch.filter(|ch| *ch != cur.channel) {
                    out.push(NewEvent::change(
                        "channel",
                        Some(cur.channel.label().into()),
                        Some(ch.label().into()),
                    ));
                    next.channel = ch;
                }
            }
            if let Some(s) = c.started_at.as_deref().filter(|s| !s.trim().is_empty()) {
                let t = p.take(started_at(Some(s), now))?;
                if let Some(t) = t.filter(|t| *t != cur.started_at) {
                    out.push(NewEvent::change(
                        "started_at",
                        Some(crate::store::ts(&cur.started_at)),
                        Some(crate::store::ts(&t)),
                    ));
                    next.started_at = t;
                }
            }
            if let Some(n) = c.users_affected {
                let n = p.take(users_affected(Some(n)))?;
                if let Some(n) = n.filter(|n| *n != cur.users_affected) {
                    out.push(NewEvent::change(
                        "users_affected",
                        cur.users_affected.map(|x| x.to_string()),
                        n.map(|x| x.to_string()),
                    ));
                    next.users_affected = n;
                }
            }
            if let Some(v) = &c.impact {
                let v = p.take(required_choice(v, "impact", "Impact", Impact::parse))?;
                if let Some(v) = v.filter(|v| *v != cur.impact) {
                    out.push(NewEvent::change(
                        "impact",
                        Some(cur.impact.label().into()),
                        Some(v.label().into()),
                    ));
                    next.impact = v;
                }
            }
            if let Some(v) = &c.urgency {
                let v = p.take(required_choice(v, "urgency", "Urgency", Urgency::parse))?;
                if let Some(v) = v.filter(|v| *v != cur.urgency) {
                    out.push(NewEvent::change(
                        "urgency",
                        Some(cur.urgency.label().into()),
                        Some(v.label().into()),
                    ));
                    next.urgency = v;
                }
            }
            next.computed_priority =
                catalog::priority_matrix(conn)?.priority(next.impact, next.urgency);
            // An existing override stays unless the edit clears or replaces it.
            let (priority, reason) = match c.priority_override.as_deref() {
                Some(o) => {
                    let r = p.take(priority_with_override(
                        next.computed_priority,
                        Some(o),
                        c.priority_override_reason.as_deref(),
                    ))?;
                    r.unwrap_or((cur.priority, cur.priority_override_reason.clone()))
                }
                None if cur.priority_override_reason.is_some() => {
                    (cur.priority, cur.priority_override_reason.clone())
                }
                None => (next.computed_priority, None),
            };
            if priority != cur.priority || reason != cur.priority_override_reason {
                match &reason {
                    Some(r) => out.push(NewEvent {
                        kind: "priority_overridden",
                        field: Some("priority"),
                        old_value: Some(next.computed_priority.as_str().into()),
                        new_value: Some(priority.as_str().into()),
                        detail: Some(r.clone()),
                    }),
                    None => out.push(
                        NewEvent::change(
                            "priority",
                            Some(cur.priority.as_str().into()),
                            Some(priority.as_str().into()),
                        )
                        .with_detail(Some("Computed from impact × urgency".into())),
                    ),
                }
            }
            p.finish()?;
            next.priority = priority;
            next.priority_override_reason = reason;
            Ok(out)
        },
    )
}

pub fn assign(
    conn: &Connection,
    actor: &Actor,
    now: DateTime<Utc>,
    input: &AssignInput,
) -> Result<()> {
    if input.assignee_id.is_none() && input.team_id.is_none() {
        return Err(Error::validation(
            "assignee_id",
            "Choose a person or a team to assign to",
        ));
    }
    change(
        conn,
        actor,
        now,
        input.id,
        VersionCheck::Required(input.expected_version),
        Action::Assign,
        |conn, cur, next| {
            let mut out = Vec::new();
            if let Some(pid) = input.assignee_id {
                let name = person_name(conn, pid, "assignee_id", "Person")?;
                if cur.assignee_id != Some(pid) {
                    out.push(NewEvent {
                        kind: "assigned",
                        field: Some("assignee_id"),
                        old_value: cur.assignee_name.clone(),
                        new_value: Some(name.clone()),
                        detail: None,
                    });
                    next.assignee_id = Some(pid);
                    next.assignee_name = Some(name);
                }
            }
            if let Some(tid) = input.team_id {
                let name = team_name(conn, tid, "team_id")?;
                if cur.team_id != Some(tid) {
                    out.push(NewEvent {
                        kind: "assigned",
                        field: Some("team_id"),
                        old_value: cur.team_name.clone(),
                        new_value: Some(name.clone()),
                        detail: None,
                    });
                    next.team_id = Some(tid);
                    next.team_name = Some(name);
                }
            }
            if out.is_empty() {
                return Err(Error::validation(
                    "assignee_id",
                    format!("{} is already assigned that way", cur.number),
                ));
            }
            Ok(out)
        },
    )
}

pub fn acknowledge(
    conn: &Connection,
    actor: &Actor,
    now: DateTime<Utc>,
    input: &VersionedId,
) -> Result<()> {
    change(
        conn,
        actor,
        now,
        input.id,
        VersionCheck::Required(input.expected_version),
        Action::Acknowledge,
        |_, cur, next| {
            next.acknowledged_at = Some(now);
            let mut out = vec![NewEvent::action("acknowledged", None)];
            // Acknowledging means "I am on it": an unowned incident becomes the acknowledger's.
            if cur.assignee_id.is_none() {
                if let Some(id) = actor.id {
                    next.assignee_id = Some(id);
                    next.assignee_name = Some(actor.name.clone());
                    out.push(NewEvent {
                        kind: "assigned",
                        field: Some("assignee_id"),
                        old_value: None,
                        new_value: Some(actor.name.clone()),
                        detail: None,
                    });
                }
            }
            Ok(out)
        },
    )
}

pub fn note(conn: &Connection, actor: &Actor, now: DateTime<Utc>, input: &NoteInput) -> Result<()> {
    let text = required(&input.text, "text", "Note text", limits::MAX_TEXT)?;
    change(
        conn,
        actor,
        now,
        input.id,
        VersionCheck::NotNeeded,
        Action::Note,
        |_, _, _| Ok(vec![NewEvent::action("note", Some(text))]),
    )
}

pub fn escalate(
    conn: &Connection,
    actor: &Actor,
    now: DateTime<Utc>,
    input: &EscalateInput,
) -> Result<()> {
    let kind = required_choice(
        &input.kind,
        "kind",
        "Escalation kind",
        EscalationKind::parse,
    )?;
    let reason = required(
        &input.reason,
        "reason",
        "Escalation reason",
        limits::MAX_TEXT,
    )?;
    change(
        conn,
        actor,
        now,
        input.id,
        VersionCheck::Required(input.expected_version),
        Action::Escalate,
        |conn, cur, next| {
            let to = match kind {
                EscalationKind::Functional => {
                    let teams = catalog::teams(conn)?;
                    let tid = input.team_id.ok_or_else(|| {
                        Error::validation(
                            "team_id",
                            if teams.is_empty() {
                                "Functional escalation needs the team that takes the incident over, and this desk has no team yet: add one in Settings → Teams"
                            } else {
                                "Functional escalation needs the team that takes the incident over"
                            },
                        )
                    })?;
                    let team = teams.into_iter().find(|t| t.id == tid).ok_or_else(|| {
                        Error::validation("team_id", format!("Team {tid} does not exist"))
                    })?;
                    if cur.team_id == Some(tid) {
                        return Err(Error::validation(
                            "team_id",
                            format!("{} is already with {}", cur.number, team.name),
                        ));
                    }
                    next.team_id = Some(tid);
                    next.team_name = Some(team.name.clone());
                    // The receiving team decides who works it.
                    next.assignee_id = None;
                    next.assignee_name = None;
                    next.escalation_level = cur.escalation_level + 1;
                    format!(
                        "{} ({}, expected response {} min)",
                        team.name,
                        team.tier.label(),
                        team.expected_response_minutes
                    )
                }
                EscalationKind::Hierarchical => {
                    let pid = input.person_id.ok_or_else(|| {
                        Error::validation(
                            "person_id",
                            "Hierarchical escalation needs the manager to engage",
                        )
                    })?;
                    person_name(conn, pid, "person_id", "Person")?
                }
            };
            let mut out = vec![NewEvent {
                kind: "escalated",
                field: Some(kind.as_str()),
                old_value: cur.team_name.clone(),
                new_value: Some(to.clone()),
                detail: Some(reason),
            }];
            // Handing over to another team clears the person: recorded, never silent.
            if let (Some(person), None) = (&cur.assignee_name, &next.assignee_name) {
                out.push(NewEvent {
                    kind: "assigned",
                    field: Some("assignee_id"),
                    old_value: Some(person.clone()),
                    new_value: None,
                    detail: Some(format!(
                        "Escalated to {}: the receiving team decides who works it",
                        next.team_name.as_deref().unwrap_or("another team")
                    )),
                });
            }
            Ok(out)
        },
    )
}

pub fn workaround(
    conn: &Connection,
    actor: &Actor,
    now: DateTime<Utc>,
    input: &WorkaroundInput,
) -> Result<()> {
    let text = required(
        &input.workaround,
        "workaround",
        "Workaround",
        limits::MAX_TEXT,
    )?;
    change(
        conn,
        actor,
        now,
        input.id,
        VersionCheck::Required(input.expected_version),
        Action::Workaround,
        |_, cur, next| {
            next.workaround = Some(text.clone());
            next.workaround_at.get_or_insert(now);
            Ok(vec![NewEvent {
                kind: "workaround",
                field: Some("workaround"),
                old_value: cur.workaround.clone(),
                new_value: Some(text.clone()),
                detail: Some(text),
            }])
        },
    )
}

fn resolve_only(
    conn: &Connection,
    actor: &Actor,
    now: DateTime<Utc>,
    input: &ResolveInput,
) -> Result<()> {
    change(
        conn,
        actor,
        now,
        input.id,
        VersionCheck::Required(input.expected_version),
        Action::Resolve,
        |_, cur, next| {
            let code = required_choice(
                &input.resolution_code,
                "resolution_code",
                "Resolution code",
                ResolutionCode::parse,
            )?;
            let notes = required_as(
                &input.resolution_notes,
                "resolution_notes",
                "Resolution notes",
                limits::MAX_TEXT,
                || {
                    format!(
                    "Resolution notes are required to resolve {}: say what restored the service",
                    cur.number
                )
                },
            )?;
            next.resolved_at = Some(now);
            next.resolution_code = Some(code);
            next.resolution_notes = Some(notes.clone());
            // Resolving on first contact is also the first response.
            if cur.acknowledged_at.is_none() {
                next.acknowledged_at = Some(now);
            }
            Ok(vec![NewEvent {
                kind: "resolved",
                field: None,
                old_value: None,
                new_value: Some(code.label().into()),
                detail: Some(notes),
            }])
        },
    )
}

/// Resolves; a major incident gets its post-incident review opened automatically.
pub fn resolve(
    conn: &Connection,
    actor: &Actor,
    now: DateTime<Utc>,
    input: &ResolveInput,
) -> Result<()> {
    resolve_only(conn, actor, now, input)?;
    if crate::store::major::record(conn, input.id)?.is_some()
        && crate::store::review::find(conn, input.id)?.is_none()
    {
        crate::store::review::create(conn, actor, now, input.id)?;
    }
    Ok(())
}

pub fn verify(
    conn: &Connection,
    actor: &Actor,
    now: DateTime<Utc>,
    input: &VerifyInput,
) -> Result<()> {
    change(
        conn,
        actor,
        now,
        input.id,
        VersionCheck::Required(input.expected_version),
        Action::Verify,
        |_, _, next| {
            let method = required_choice(
                &input.method,
                "method",
                "Verification method",
                VerificationMethod::parse,
            )?;
            let notes = Some(limits::text(
                &input.notes,
                "notes",
                "Verification notes",
                limits::MAX_TEXT,
            )?)
            .filter(|s| !s.is_empty());
            next.verified_at = Some(now);
            next.verified_by = Some(actor.name.clone());
            next.verification_method = Some(method);
            next.verification_notes = notes.clone();
            Ok(vec![NewEvent {
                kind: "verified",
                field: None,
                old_value: None,
                new_value: Some(method.label().into()),
                detail: notes,
            }])
        },
    )
}

pub fn close(
    conn: &Connection,
    actor: &Actor,
    now: DateTime<Utc>,
    input: &CloseInput,
) -> Result<()> {
    change(
        conn,
        actor,
        now,
        input.id,
        VersionCheck::Required(input.expected_version),
        Action::Close,
        |_, cur, next| {
            let notes = required_as(
                &input.closure_notes,
                "closure_notes",
                "Closure notes",
                limits::MAX_TEXT,
                || {
                    format!("Closure notes are required to close {}: document what was done and what was learned", cur.number)
                },
            )?;
            next.closed_at = Some(now);
            next.closed_by = Some(actor.name.clone());
            next.closure_notes = Some(notes.clone());
            Ok(vec![NewEvent::action("closed", Some(notes))])
        },
    )
}

pub fn reopen(
    conn: &Connection,
    actor: &Actor,
    now: DateTime<Utc>,
    input: &ReopenInput,
) -> Result<()> {
    change(
        conn,
        actor,
        now,
        input.id,
        VersionCheck::Required(input.expected_version),
        Action::Reopen,
        |_, cur, next| {
            let reason = required_as(
                &input.reason,
                "reason",
                "The reason",
                limits::MAX_TEXT,
                || format!("A reason is required to reopen {}", cur.number),
            )?;
            next.resolved_at = None;
            next.resolution_code = None;
            next.resolution_notes = None;
            next.verified_at = None;
            next.verified_by = None;
            next.verification_method = None;
            next.verification_notes = None;
            next.closed_at = None;
            next.closed_by = None;
            next.closure_notes = None;
            next.reopen_count = cur.reopen_count + 1;
            Ok(vec![NewEvent {
                kind: "reopened",
                field: None,
                old_value: None,
                new_value: Some(match next.reopen_count {
                    1 => "reopened once".to_string(),
                    n => format!("reopened {n} times"),
                }),
                detail: Some(reason),
            }])
        },
    )
}

pub fn pause(
    conn: &Connection,
    actor: &Actor,
    now: DateTime<Utc>,
    input: &PauseInput,
) -> Result<()> {
    change(
        conn,
        actor,
        now,
        input.id,
        VersionCheck::Required(input.expected_version),
        Action::Pause,
        |conn, cur, next| {
            if let Some(reason) = &cur.pause_reason {
                return Err(Error::InvalidTransition(format!(
                    "{} cannot be paused: its SLA clocks are already paused ({reason})",
                    cur.number
                )));
            }
            let reason = required(&input.reason, "reason", "Pause reason", limits::MAX_NAME)?;
            let cfg = crate::store::sla::load_config(conn)?;
            let allowed = cfg
                .policy(cur.priority)
                .map(|p| p.pause_reasons.clone())
                .unwrap_or_default();
            if allowed.is_empty() {
                return Err(Error::validation("reason", format!(
                "Pausing is not allowed for {}: its SLA policy names no pause reasons (Settings → SLA policies)",
                cur.priority.label()
            )));
            }
            if !allowed.iter().any(|a| a == &reason) {
                return Err(Error::validation(
                    "reason",
                    format!(
                        "“{reason}” is not a pause reason of the {} policy; allowed: {}",
                        cur.priority.as_str(),
                        allowed.join(", ")
                    ),
                ));
            }
            next.paused_since = Some(now);
            next.pause_reason = Some(reason.clone());
            Ok(vec![NewEvent::action("paused", Some(reason))])
        },
    )
}

pub fn resume(
    conn: &Connection,
    actor: &Actor,
    now: DateTime<Utc>,
    input: &VersionedId,
) -> Result<()> {
    change(
        conn,
        actor,
        now,
        input.id,
        VersionCheck::Required(input.expected_version),
        Action::Resume,
        |_, cur, next| {
            let Some(reason) = cur.pause_reason.clone() else {
                return Err(Error::InvalidTransition(format!(
                    "{} cannot be resumed: its SLA clocks are not paused",
                    cur.number
                )));
            };
            next.paused_since = None;
            next.pause_reason = None;
            Ok(vec![NewEvent::action(
                "resumed",
                Some(format!("Paused for: {reason}")),
            )])
        },
    )
}
