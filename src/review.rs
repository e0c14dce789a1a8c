//! Post-incident reviews: the record of what happened, what it cost, what went well and what
//! did not, and the two or three actions that will make the next one better.
//!
//! Every figure (time to detect, acknowledge, resolve; time at each tier; update punctuality)
//! is computed from the recorded events, never typed in. A final review is locked: later
//! corrections are amendments beside the original text.

use crate::major::{self, MajorRecord};
use crate::model::{Event, Incident, Status};
use crate::sla::clocks::ClockState;
use crate::store::events::{self, Actor, NewEvent};
use crate::store::{catalog, incidents, parse_opt_ts, parse_ts, ts};
use crate::{Error, Result};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    pub id: i64,
    pub incident_id: i64,
    /// draft or final
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub summary: String,
    pub detection: String,
    pub technical_response: String,
    pub went_well: String,
    pub went_badly: String,
    pub problem_ref: String,
    pub finalised_at: Option<DateTime<Utc>>,
    pub finalised_by: Option<String>,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionItem {
    pub id: i64,
    pub text: String,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    pub due_date: Option<NaiveDate>,
    /// open, in_progress, done
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Amendment {
    pub at: DateTime<Utc>,
    pub by: String,
    pub field: String,
    pub old_value: String,
    pub new_value: String,
    pub reason: String,
}

pub fn find(conn: &Connection, incident_id: i64) -> Result<Option<Review>> {
    let row = conn
        .prepare_cached(
            "SELECT id, incident_id, status, created_at, created_by, summary, detection, technical_response,
                    went_well, went_badly, problem_ref, finalised_at, finalised_by, version
             FROM reviews WHERE incident_id = ?1",
        )?
        .query_row([incident_id], |r| {
            Ok((
                (r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?, r.get::<_, String>(4)?),
                (r.get::<_, String>(5)?, r.get::<_, String>(6)?, r.get::<_, String>(7)?, r.get::<_, String>(8)?, r.get::<_, String>(9)?, r.get::<_, String>(10)?),
                (r.get::<_, Option<String>>(11)?, r.get::<_, Option<String>>(12)?, r.get::<_, i64>(13)?),
            ))
        })
        .optional()?;
    row.map(
        |(
            (id, incident_id, status, created_at, created_by),
            (summary, detection, technical_response, went_well, went_badly, problem_ref),
            (fin_at, fin_by, version),
        )| {
            Ok(Review {
                id,
                incident_id,
                status,
                created_at: parse_ts(&created_at)?,
                created_by,
                summary,
                detection,
                technical_response,
                went_well,
                went_badly,
                problem_ref,
                finalised_at: parse_opt_ts(fin_at)?,
                finalised_by: fin_by,
                version,
            })
        },
    )
    .transpose()
}

fn get_review(conn: &Connection, incident_id: i64) -> Result<Review> {
    find(conn, incident_id)?.ok_or_else(|| {
        Error::NotFound(format!(
            "{} has no post-incident review yet",
            incidents::number_for(incident_id)
        ))
    })
}

/// Opens a review for an incident (on demand, or automatically when a major incident is resolved).
pub fn create(
    conn: &Connection,
    actor: &Actor,
    now: DateTime<Utc>,
    incident_id: i64,
) -> Result<i64> {
    let inc = incidents::get(conn, incident_id)?;
    if find(conn, incident_id)?.is_some() {
        return Err(Error::Conflict(format!(
            "{} already has a post-incident review",
            inc.number
        )));
    }
    conn.execute(
        "INSERT INTO reviews (incident_id, created_at, created_by) VALUES (?1, ?2, ?3)",
        params![incident_id, ts(&now), actor.name],
    )?;
    let id = conn.last_insert_rowid();
    events::append(
        conn,
        incident_id,
        &now,
        actor,
        &NewEvent::action("review_created", None),
    )?;
    Ok(id)
}

pub fn actions(conn: &Connection, review_id: i64) -> Result<Vec<ActionItem>> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.id, a.text, a.owner_id, p.name, a.due_date, a.status
         FROM review_actions a LEFT JOIN people p ON p.id = a.owner_id WHERE a.review_id = ?1 ORDER BY a.id",
    )?;
    let mut rows = stmt.query([review_id])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let due: Option<String> = r.get(4)?;
        out.push(ActionItem {
            id: r.get(0)?,
            text: r.get(1)?,
            owner_id: r.get(2)?,
            owner_name: r.get(3)?,
            due_date: due
                .as_deref()
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
            status: r.get(5)?,
        });
    }
    Ok(out)
}

pub fn amendments(conn: &Connection, review_id: i64) -> Result<Vec<Amendment>> {
    let mut stmt = conn.prepare_cached(
        "SELECT at, by, field, old_value, new_value, reason FROM review_amendments WHERE review_id = ?1 ORDER BY id",
    )?;
    let mut rows = stmt.query([review_id])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(Amendment {
            at: parse_ts(&r.get::<_, String>(0)?)?,
            by: r.get(1)?,
            field: r.get(2)?,
            old_value: r.get(3)?,
            new_value: r.get(4)?,
            reason: r.get(5)?,
        });
    }
    Ok(out)
}

/// Edits of the review's text. Fields left out are unchanged.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ReviewEdit {
    pub incident_id: i64,
    pub expected_version: i64,
    pub summary: Option<String>,
    pub detection: Option<String>,
    pub technical_response: Option<String>,
    pub went_well: Option<String>,
    pub went_badly: Option<String>,
    pub problem_ref: Option<String>,
    /// Required once the review is final: the edit becomes an amendment.
    pub reason: Option<String>,
}

fn check_version(r: &Review, expected: i64) -> Result<()> {
    if r.version != expected {
        return Err(Error::Conflict(format!(
            "The review of {} was changed after you opened it (you saw version {expected}, it is now {}). Reload it, then try again.",
            incidents::number_for(r.incident_id),
            r.version
        )));
    }
    Ok(())
}

fn final_reason(r: &Review, reason: Option<&str>) -> Result<Option<String>> {
    if r.status != "final" {
        return Ok(None);
    }
    match reason.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Ok(Some(s.to_string())),
        None => Err(Error::validation(
            "reason",
            "The review is final and locked: give a reason, and the change is recorded as an amendment",
        )),
    }
}

#[allow(clippy::too_many_arguments)]
fn amend(
    conn: &Connection,
    review_id: i64,
    now: &DateTime<Utc>,
    actor: &Actor,
    field: &str,
    old: &str,
    new: &str,
    reason: &str,
) -> Result<()> {
    conn.execute(
        "INSERT INTO review_amendments (review_id, at, by, field, old_value, new_value, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![review_id, ts(now), actor.name, field, old, new, reason],
    )?;
    // On the incident's timeline too, so the hash chain covers amendments.
    let incident_id: i64 = conn.query_row(
        "SELECT incident_id FROM reviews WHERE id = ?1",
        [review_id],
        |r| r.get(0),
    )?;
    events::append(
        conn,
        incident_id,
        now,
        actor,
        &NewEvent {
            kind: "review_amended",
            field: None,
            old_value: Some(old.to_string()),
            new_value: Some(new.to_string()),
            detail: Some(format!("{}: {reason}", field.replace('_', " "))),
        },
    )?;
    Ok(())
}

pub fn edit(
    conn: &Connection,
    actor: &Actor,
    now: DateTime<Utc>,
    input: &ReviewEdit,
) -> Result<()> {
    let r = get_review(conn, input.incident_id)?;
    check_version(&r, input.expected_version)?;
    let amendment = final_reason(&r, input.reason.as_deref())?;
    let fields: [(&str, &Option<String>, &String); 6] = [
        ("summary", &input.summary, &r.summary),
        ("detection", &input.detection, &r.detection),
        (
            "technical_response",
            &input.technical_response,
            &r.technical_response,
        ),
        ("went_well", &input.went_well, &r.went_well),
        ("went_badly", &input.went_badly, &r.went_badly),
        ("problem_ref", &input.problem_ref, &r.problem_ref),
    ];
    let mut changed = 0;
    for (field, new, old) in fields {
        let Some(new) = new.as_deref().map(str::trim) else {
            continue;
        };
        if new == old.as_str() {
            continue;
        }
        changed += 1;
        match &amendment {
            // A final review keeps its text; the correction stands beside it.
            Some(reason) => amend(conn, r.id, &now, actor, field, old, new, reason)?,
            None => {
                conn.execute(
                    &format!("UPDATE reviews SET {field} = ?2 WHERE id = ?1"),
                    params![r.id, new],
                )?;
            }
        }
    }
    if changed == 0 {
        return Err(Error::validation(
            "changes",
            "Nothing to save: no field of the review was changed",
        ));
    }
    conn.execute(
        "UPDATE reviews SET version = version + 1 WHERE id = ?1",
        [r.id],
    )?;
    Ok(())
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ActionInput {
    pub incident_id: i64,
    /// None adds an action item.
    pub id: Option<i64>,
    #[serde(default)]
    pub text: String,
    pub owner_id: Option<i64>,
    /// YYYY-MM-DD
    pub due_date: Option<String>,
    #[serde(default)]
    pub status: String,
    pub reason: Option<String>,
}

pub fn save_action(
    conn: &Connection,
    actor: &Actor,
    now: DateTime<Utc>,
    input: &ActionInput,
) -> Result<()> {
    let r = get_review(conn, input.incident_id)?;
    let text = input.text.trim();
    if text.is_empty() {
        return Err(Error::validation(
            "text",
            "Say what will be done: an action item needs a text",
        ));
    }
    let owner = input
        .owner_id
        .ok_or_else(|| Error::validation("owner_id", "Every action item needs an owner"))?;
    let owner_name = incidents::name_of(conn, "people", owner)?
        .ok_or_else(|| Error::validation("owner_id", format!("Person {owner} does not exist")))?;
    let due = match input
        .due_date
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => {
            return Err(Error::validation(
                "due_date",
                "Every action item needs a due date",
            ))
        }
        Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| {
            Error::validation(
                "due_date",
                format!("Due date {d:?} is not a date such as 2026-04-30"),
            )
        })?,
    };
    let status = match input.status.trim() {
        "" => "open",
        s @ ("open" | "in_progress" | "done") => s,
        other => {
            return Err(Error::validation(
                "status",
                format!("Status must be open, in_progress or done (got {other:?})"),
            ))
        }
    };
    let describe = |t: &str, o: &str, d: &str, s: &str| format!("{t} — owner {o}, due {d}, {s}");
    let new_text = describe(text, &owner_name, &due.to_string(), status);
    let existing = actions(conn, r.id)?;
    let old = match input.id {
        Some(id) => Some(
            existing
                .iter()
                .find(|a| a.id == id)
                .ok_or_else(|| Error::NotFound(format!("Action item {id} does not exist")))?,
        ),
        None => None,
    };
    let status_only =
        old.is_some_and(|o| o.text == text && o.owner_id == Some(owner) && o.due_date == Some(due));
    // Progress on an action is tracking, not a rewrite: allowed on a final review, still recorded.
    let reason = if r.status == "final" && status_only {
        Some(
            input
                .reason
                .clone()
                .filter(|s| !s.trim().is_empty())
                .unwrap_or_else(|| "Progress update".into()),
        )
    } else {
        final_reason(&r, input.reason.as_deref())?
    };
    match old {
        None => {
            conn.execute(
                "INSERT INTO review_actions (review_id, text, owner_id, due_date, status) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![r.id, text, owner, due.to_string(), status],
            )?;
        }
        Some(o) => {
            conn.execute(
                "UPDATE review_actions SET text = ?2, owner_id = ?3, due_date = ?4, status = ?5 WHERE id = ?1",
                params![o.id, text, owner, due.to_string(), status],
            )?;
        }
    }
    if let Some(reason) = reason {
        let before = old
            .map(|o| {
                describe(
                    &o.text,
                    o.owner_name.as_deref().unwrap_or("—"),
                    &o.due_date.map(|d| d.to_string()).unwrap_or_default(),
                    &o.status,
                )
            })
            .unwrap_or_else(|| "(new action item)".into());
        amend(
            conn,
            r.id,
            &now,
            actor,
            "action item",
            &before,
            &new_text,
            &reason,
        )?;
    }
    conn.execute(
        "UPDATE reviews SET version = version + 1 WHERE id = ?1",
        [r.id],
    )?;
    Ok(())
}

pub fn finalise(
    conn: &Connection,
    actor: &Actor,
    now: DateTime<Utc>,
    incident_id: i64,
    expected_version: i64,
) -> Result<()> {
    let r = get_review(conn, incident_id)?;
    check_version(&r, expected_version)?;
    let inc = incidents::get(conn, incident_id)?;
    if r.status == "final" {
        return Err(Error::InvalidTransition(format!(
            "The review of {} is already final",
            inc.number
        )));
    }
    if !matches!(inc.status, Status::Resolved | Status::Closed) {
        return Err(Error::InvalidTransition(format!(
            "The review of {} cannot be finalised while the incident is {}: resolve it first",
            inc.number,
            inc.status.label().to_lowercase()
        )));
    }
    if r.summary.trim().is_empty() {
        return Err(Error::validation(
            "summary",
            "Write the summary before finalising the review",
        ));
    }
    let events = events::for_incident(conn, incident_id)?;
    let major = major::record(conn, incident_id)?;
    let frozen = figures(conn, &inc, &events, major.as_ref(), now)?;
    conn.execute(
        "UPDATE reviews SET status = 'final', finalised_at = ?2, finalised_by = ?3, figures_snapshot = ?4,
           version = version + 1 WHERE id = ?1",
        params![r.id, ts(&now), actor.name, serde_json::to_string(&frozen)?],
    )?;
    events::append(
        conn,
        incident_id,
        &now,
        actor,
        &NewEvent::action("review_finalised", None),
    )?;
    Ok(())
}

// ---- figures ----

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClockOutcome {
    pub clock: String,
    pub target_minutes: i64,
    pub elapsed_seconds: i64,
    /// met, breached, running, paused
    pub outcome: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TierSegment {
    pub team: String,
    pub tier: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub seconds: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EscalationCheck {
    pub at: DateTime<Utc>,
    pub to: String,
    pub after_logging_seconds: i64,
    /// on time, late, no threshold
    pub verdict: String,
    pub threshold_minutes: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpdateSlot {
    pub due: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    /// on time, late, missed
    pub verdict: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AudienceCadence {
    pub audience: String,
    pub cadence_minutes: i64,
    pub updates_sent: i64,
    pub on_time: i64,
    pub late: i64,
    pub missed: i64,
    pub slots: Vec<UpdateSlot>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    pub time_to_detect_seconds: i64,
    pub time_to_acknowledge_seconds: Option<i64>,
    pub time_to_resolve_seconds: Option<i64>,
    /// Started → resolved: how long users were affected.
    pub impact_seconds: Option<i64>,
    pub detected_by: String,
    pub users_affected: Option<i64>,
    pub services: Vec<String>,
    pub sla: Vec<ClockOutcome>,
    pub tiers: Vec<TierSegment>,
    pub escalations: Vec<EscalationCheck>,
    pub communication: Vec<AudienceCadence>,
}

/// Figures of an incident, from its recorded history (milestone corrections included).
pub fn figures(
    conn: &Connection,
    inc: &Incident,
    timeline: &[Event],
    major: Option<&MajorRecord>,
    now: DateTime<Utc>,
) -> Result<Figures> {
    let cfg = crate::store::sla::load_config(conn)?;
    let panel = crate::sla::panel(conn, &cfg, inc, now)?;
    let sla = panel
        .clocks
        .iter()
        .map(|c| ClockOutcome {
            clock: c.clock.as_str().into(),
            target_minutes: c.target_minutes,
            elapsed_seconds: c.elapsed_seconds,
            outcome: match c.state {
                ClockState::Met => "met",
                ClockState::Breached => "breached",
                ClockState::Running => "running",
                ClockState::Paused => "paused",
            }
            .into(),
        })
        .collect();
    let end = inc.resolved_at;
    // Time at each team: from each assignment or escalation to a team until the next one.
    let teams = catalog::teams(conn)?;
    let mut tiers: Vec<TierSegment> = Vec::new();
    let until = end.unwrap_or(now);
    for e in timeline {
        let to_team = match (e.kind.as_str(), e.field.as_deref()) {
            ("assigned", Some("team_id")) => e.new_value.clone(),
            ("escalated", Some("functional")) => e
                .new_value
                .as_deref()
                .map(|v| v.split(" (").next().unwrap_or(v).to_string()),
            _ => None,
        };
        if let Some(name) = to_team {
            if let Some(last) = tiers.last_mut() {
                last.to = e.at;
                last.seconds = (e.at - last.from).num_seconds();
            }
            let tier = teams
                .iter()
                .find(|t| t.name == name)
                .map(|t| t.tier.label().to_string())
                .unwrap_or_default();
            tiers.push(TierSegment {
                team: name,
                tier,
                from: e.at,
                to: until,
                seconds: (until - e.at).num_seconds(),
            });
        }
    }
    if tiers.is_empty() || tiers[0].from > inc.logged_at {
        let first_to = tiers.first().map(|t| t.from).unwrap_or(until);
        tiers.insert(
            0,
            TierSegment {
                team: "Service desk (first line)".into(),
                tier: "Service desk".into(),
                from: inc.logged_at,
                to: first_to,
                seconds: (first_to - inc.logged_at).num_seconds(),
            },
        );
    }
    // Escalations against the thresholds of the escalation rules that apply.
    let rules = crate::store::sla::rules(conn)?;
    let escalations = timeline
        .iter()
        .filter(|e| e.kind == "escalated")
        .map(|e| {
            let after = (e.at - inc.logged_at).num_seconds();
            let threshold = rules
                .iter()
                .filter(|r| {
                    r.active
                        && r.action == crate::sla::config::RuleAction::EscalateTeam
                        && r.priority.is_none_or(|p| p == inc.priority)
                })
                .map(|r| r.after_minutes)
                .min();
            let verdict = match threshold {
                None => "no threshold",
                Some(m) if after <= m * 60 + 59 => "on time",
                Some(_) => "late",
            };
            EscalationCheck {
                at: e.at,
                to: e.new_value.clone().unwrap_or_default(),
                after_logging_seconds: after,
                verdict: verdict.into(),
                threshold_minutes: threshold,
            }
        })
        .collect();
    // Stakeholder updates against each audience's cadence, from declaration to resolution.
    let mut communication = Vec::new();
    if let Some(m) = major {
        let sent = major::updates(conn, inc.id)?;
        let stop = end.unwrap_or(now);
        for a in major::audiences(conn)?.into_iter().filter(|a| a.active) {
            let mine: Vec<DateTime<Utc>> = sent
                .iter()
                .filter(|u| u.audience_id == a.id)
                .map(|u| u.sent_at)
                .collect();
            let cadence = Duration::minutes(a.cadence_minutes);
            let mut slots = Vec::new();
            let mut last = m.declared_at;
            let mut used = 0usize;
            loop {
                let due = last + cadence;
                if due > stop {
                    break;
                }
                match mine.iter().skip(used).position(|t| *t > last) {
                    Some(i) => {
                        let t = mine[used + i];
                        used += i + 1;
                        let verdict = if t <= due {
                            "on time"
                        } else if t <= due + cadence {
                            "late"
                        } else {
                            "missed"
                        };
                        if verdict == "missed" {
                            slots.push(UpdateSlot {
                                due,
                                sent_at: None,
                                verdict: "missed".into(),
                            });
                            // The late update still restarts the cadence.
                            slots.push(UpdateSlot {
                                due: t,
                                sent_at: Some(t),
                                verdict: "late".into(),
                            });
                        } else {
                            slots.push(UpdateSlot {
                                due,
                                sent_at: Some(t),
                                verdict: verdict.into(),
                            });
                        }
                        last = t;
                    }
                    None => {
                        slots.push(UpdateSlot {
                            due,
                            sent_at: None,
                            verdict: "missed".into(),
                        });
                        last = due;
                    }
                }
            }
            // An update sent ahead of a slot that the resolution came before still kept the
            // audience informed: it counts as on time for that slot rather than as nothing.
            if let Some(t) = mine.iter().skip(used).find(|t| **t > last && **t <= stop) {
                slots.push(UpdateSlot {
                    due: last + cadence,
                    sent_at: Some(*t),
                    verdict: "on time".into(),
                });
            }
            let count = |v: &str| slots.iter().filter(|s| s.verdict == v).count() as i64;
            communication.push(AudienceCadence {
                audience: a.name.clone(),
                cadence_minutes: a.cadence_minutes,
                updates_sent: mine.len() as i64,
                on_time: count("on time"),
                late: count("late"),
                missed: count("missed"),
                slots,
            });
        }
    }
    Ok(Figures {
        time_to_detect_seconds: (inc.detected_at - inc.started_at).num_seconds(),
        time_to_acknowledge_seconds: inc
            .acknowledged_at
            .map(|a| (a - inc.logged_at).num_seconds()),
        time_to_resolve_seconds: end.map(|r| (r - inc.logged_at).num_seconds()),
        impact_seconds: end.map(|r| (r - inc.started_at).num_seconds()),
        detected_by: inc.channel.label().to_string(),
        users_affected: inc.users_affected,
        services: vec![inc.service_name.clone()],
        sla,
        tiers,
        escalations,
        communication,
    })
}

/// One line of the review's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub at: DateTime<Utc>,
    pub who: String,
    pub what: String,
    pub detail: Option<String>,
}

/// Everything a review shows and prints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewView {
    pub review: Review,
    pub incident: Incident,
    pub major: Option<MajorRecord>,
    pub figures: Figures,
    pub timeline: Vec<TimelineEntry>,
    pub actions: Vec<ActionItem>,
    pub amendments: Vec<Amendment>,
    pub warnings: Vec<String>,
    pub last_event_id: i64,
    pub last_event_hash: String,
    /// SHA-256 of the review's content as shown: printed in the footer.
    pub fingerprint: String,
}

fn last_hash(conn: &Connection, incident_id: i64) -> Result<(i64, String)> {
    Ok(conn
        .prepare_cached("SELECT id, COALESCE(hash, '') FROM events WHERE incident_id = ?1 ORDER BY id DESC LIMIT 1")?
        .query_row([incident_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or((0, String::new())))
}

pub fn view(conn: &Connection, incident_id: i64, now: DateTime<Utc>) -> Result<ReviewView> {
    let review = get_review(conn, incident_id)?;
    let incident = incidents::get(conn, incident_id)?;
    let major = major::record(conn, incident_id)?;
    let events = events::for_incident(conn, incident_id)?;
    // A final review shows the figures it was signed off with.
    let snapshot: Option<String> = conn.query_row(
        "SELECT figures_snapshot FROM reviews WHERE id = ?1",
        [review.id],
        |r| r.get(0),
    )?;
    let figures = match snapshot {
        Some(json) if review.status == "final" => serde_json::from_str(&json)?,
        _ => figures(conn, &incident, &events, major.as_ref(), now)?,
    };
    let mut timeline = vec![
        TimelineEntry {
            at: incident.started_at,
            who: "—".into(),
            what: "The disruption started".into(),
            detail: None,
        },
        TimelineEntry {
            at: incident.detected_at,
            who: "—".into(),
            what: format!("Detected ({})", incident.channel.label()),
            detail: None,
        },
    ];
    timeline.extend(events.iter().map(|e| TimelineEntry {
        at: e.at,
        who: e.actor.clone(),
        what: e.summary.clone(),
        detail: e.detail.clone(),
    }));
    timeline.sort_by_key(|t| t.at);
    let actions = actions(conn, review.id)?;
    let amendments = amendments(conn, review.id)?;
    let mut warnings = Vec::new();
    match actions.len() {
        0 => warnings.push("No action items yet: the reference recommends two or three specific, actionable improvements.".to_string()),
        n if n > 3 => warnings.push(format!("{n} action items: the reference recommends two or three specific improvements rather than many vague ones.")),
        _ => {}
    }
    let (last_event_id, last_event_hash) = last_hash(conn, incident_id)?;
    let fingerprint = {
        use sha2::{Digest, Sha256};
        let content = serde_json::to_string(&(
            &review,
            &incident,
            &major,
            &timeline,
            &actions,
            &amendments,
            &last_event_hash,
        ))?;
        Sha256::digest(content.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    Ok(ReviewView {
        review,
        incident,
        major,
        figures,
        timeline,
        actions,
        amendments,
        warnings,
        last_event_id,
        last_event_hash,
        fingerprint,
    })
}

// ---- the printed review ----

/// "1 h 30 min", "45 s", "2 d 3 h".
pub fn duration_text(seconds: i64) -> String {
    let s = seconds.abs();
    let sign = if seconds < 0 { "−" } else { "" };
    let (d, h, m) = (s / 86_400, (s % 86_400) / 3600, (s % 3600) / 60);
    let text = if d > 0 {
        format!("{d} d {h} h")
    } else if h > 0 {
        format!("{h} h {m} min")
    } else if m > 0 {
        format!("{m} min")
    } else {
        format!("{s} s")
    };
    format!("{sign}{text}")
}

fn when(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn or_dash(s: &str) -> String {
    if s.trim().is_empty() {
        "—".into()
    } else {
        s.to_string()
    }
}

/// The review as a printable document: every field of the review is in it.
pub fn document(
    v: &ReviewView,
    organisation: &str,
    paper: crate::report::PaperSize,
    generated_at: DateTime<Utc>,
) -> crate::report::ReportDocument {
    use crate::report::{Block, Column, ReportDocument};
    let inc = &v.incident;
    let f = &v.figures;
    let status = if v.review.status == "final" {
        "FINAL"
    } else {
        "DRAFT"
    };
    let mut facts = vec![
        ("Priority".to_string(), inc.priority.label().to_string()),
        ("Service".into(), inc.service_name.clone()),
        ("Category".into(), inc.category_name.clone()),
        ("Started".into(), when(&inc.started_at)),
        ("Detected".into(), when(&inc.detected_at)),
        ("Logged".into(), when(&inc.logged_at)),
        (
            "Resolved".into(),
            inc.resolved_at
                .as_ref()
                .map(when)
                .unwrap_or_else(|| "not resolved".into()),
        ),
        (
            "Closed".into(),
            inc.closed_at
                .as_ref()
                .map(when)
                .unwrap_or_else(|| "not closed".into()),
        ),
        (
            "Review status".into(),
            match (&v.review.finalised_at, &v.review.finalised_by) {
                (Some(at), Some(by)) => format!("Final — {} by {by}", when(at)),
                _ => format!(
                    "Draft — opened {} by {}",
                    when(&v.review.created_at),
                    v.review.created_by
                ),
            },
        ),
    ];
    if let Some(m) = &v.major {
        facts.push((
            "Major incident".into(),
            format!(
                "Declared {} by {}; manager {}",
                when(&m.declared_at),
                m.declared_by,
                m.manager_name
            ),
        ));
    }
    let mut b = Vec::new();
    b.push(Block::Heading("Summary".into()));
    b.push(Block::Paragraph(or_dash(&v.review.summary)));
    b.push(Block::Paragraph(format!(
        "Incident description: {}",
        inc.description
    )));
    for w in &v.warnings {
        b.push(Block::Warning(w.clone()));
    }
    let punctuality: (i64, i64) = f.communication.iter().fold((0, 0), |(ok, all), a| {
        (ok + a.on_time, all + a.on_time + a.late + a.missed)
    });
    let mut metrics = vec![
        (
            "Time to detect".to_string(),
            duration_text(f.time_to_detect_seconds),
        ),
        (
            "Time to acknowledge".into(),
            f.time_to_acknowledge_seconds
                .map(duration_text)
                .unwrap_or_else(|| "—".into()),
        ),
        (
            "Time to resolve".into(),
            f.time_to_resolve_seconds
                .map(duration_text)
                .unwrap_or_else(|| "—".into()),
        ),
        (
            "Users affected for".into(),
            f.impact_seconds
                .map(duration_text)
                .unwrap_or_else(|| "—".into()),
        ),
    ];
    if punctuality.1 > 0 {
        metrics.push((
            "Updates on time".into(),
            format!("{} of {}", punctuality.0, punctuality.1),
        ));
    }
    b.push(Block::Metrics(metrics));
    b.push(Block::Heading("Impact".into()));
    let mut impact = vec![
        (
            "Impact".to_string(),
            format!("{} — {}", inc.impact.label(), inc.impact.definition()),
        ),
        (
            "Urgency".into(),
            format!("{} — {}", inc.urgency.label(), inc.urgency.definition()),
        ),
        (
            "Users affected".into(),
            f.users_affected
                .map(|n| n.to_string())
                .unwrap_or_else(|| "not recorded".into()),
        ),
        ("Services".into(), f.services.join(", ")),
        (
            "Duration".into(),
            f.impact_seconds
                .map(duration_text)
                .unwrap_or_else(|| "ongoing".into()),
        ),
    ];
    for c in &f.sla {
        impact.push((
            format!("SLA {}", c.clock),
            format!(
                "{} — {} used of a {} target",
                c.outcome,
                duration_text(c.elapsed_seconds),
                duration_text(c.target_minutes * 60)
            ),
        ));
    }
    if let Some(m) = &v.major {
        impact.push(("Declared because".into(), m.reason.clone()));
        for c in &m.criteria {
            impact.push(("Criterion".into(), c.text.clone()));
        }
        impact.push(("Crisis bridge".into(), m.bridge.clone()));
        impact.push(("Emergency change".into(), or_dash(&m.emergency_change)));
    }
    b.push(Block::KeyValues(impact));
    b.push(Block::Heading(format!(
        "Timeline ({} entries)",
        v.timeline.len()
    )));
    b.push(Block::Table {
        columns: vec![
            Column {
                title: "When (UTC)".into(),
                width: 2.2,
            },
            Column {
                title: "Who".into(),
                width: 1.6,
            },
            Column {
                title: "What".into(),
                width: 5.0,
            },
        ],
        rows: v
            .timeline
            .iter()
            .map(|t| {
                let what = match &t.detail {
                    Some(d) if !d.trim().is_empty() => format!("{}\n{}", t.what, d),
                    _ => t.what.clone(),
                };
                vec![
                    t.at.format("%Y-%m-%d %H:%M:%S").to_string(),
                    t.who.clone(),
                    what,
                ]
            })
            .collect(),
    });
    b.push(Block::Heading("Detection analysis".into()));
    b.push(Block::KeyValues(vec![
        (
            "Time to detect".into(),
            duration_text(f.time_to_detect_seconds),
        ),
        ("How it was detected".into(), f.detected_by.clone()),
    ]));
    b.push(Block::Paragraph(or_dash(&v.review.detection)));
    b.push(Block::Heading("Escalation analysis".into()));
    b.push(Block::Table {
        columns: vec![
            Column {
                title: "Team".into(),
                width: 3.0,
            },
            Column {
                title: "Tier".into(),
                width: 1.8,
            },
            Column {
                title: "From".into(),
                width: 2.0,
            },
            Column {
                title: "Time spent".into(),
                width: 1.5,
            },
        ],
        rows: f
            .tiers
            .iter()
            .map(|t| {
                vec![
                    t.team.clone(),
                    t.tier.clone(),
                    t.from.format("%Y-%m-%d %H:%M").to_string(),
                    duration_text(t.seconds),
                ]
            })
            .collect(),
    });
    if f.escalations.is_empty() {
        b.push(Block::Paragraph("No escalations were recorded.".into()));
    } else {
        b.push(Block::Table {
            columns: vec![
                Column {
                    title: "Escalated".into(),
                    width: 2.0,
                },
                Column {
                    title: "To".into(),
                    width: 4.0,
                },
                Column {
                    title: "After logging".into(),
                    width: 1.5,
                },
                Column {
                    title: "Verdict".into(),
                    width: 1.5,
                },
            ],
            rows: f
                .escalations
                .iter()
                .map(|e| {
                    let verdict = match e.threshold_minutes {
                        Some(m) => format!("{} (threshold {m} min)", e.verdict),
                        None => e.verdict.clone(),
                    };
                    vec![
                        e.at.format("%Y-%m-%d %H:%M").to_string(),
                        e.to.clone(),
                        duration_text(e.after_logging_seconds),
                        verdict,
                    ]
                })
                .collect(),
        });
    }
    b.push(Block::Heading("Communication analysis".into()));
    if f.communication.is_empty() {
        b.push(Block::Paragraph(
            "Not a major incident: no stakeholder update cadence applied.".into(),
        ));
    } else {
        b.push(Block::Table {
            columns: vec![
                Column {
                    title: "Audience".into(),
                    width: 2.5,
                },
                Column {
                    title: "Cadence".into(),
                    width: 1.2,
                },
                Column {
                    title: "Sent".into(),
                    width: 1.0,
                },
                Column {
                    title: "On time".into(),
                    width: 1.0,
                },
                Column {
                    title: "Late".into(),
                    width: 1.0,
                },
                Column {
                    title: "Missed".into(),
                    width: 1.0,
                },
            ],
            rows: f
                .communication
                .iter()
                .map(|a| {
                    vec![
                        a.audience.clone(),
                        format!("{} min", a.cadence_minutes),
                        a.updates_sent.to_string(),
                        a.on_time.to_string(),
                        a.late.to_string(),
                        a.missed.to_string(),
                    ]
                })
                .collect(),
        });
    }
    b.push(Block::Heading("Technical response".into()));
    b.push(Block::Paragraph(or_dash(&v.review.technical_response)));
    b.push(Block::Heading("What went well".into()));
    b.push(Block::Paragraph(or_dash(&v.review.went_well)));
    b.push(Block::Heading("What did not go well".into()));
    b.push(Block::Paragraph(or_dash(&v.review.went_badly)));
    b.push(Block::Heading("Action items".into()));
    if v.actions.is_empty() {
        b.push(Block::Paragraph("None recorded.".into()));
    } else {
        b.push(Block::Table {
            columns: vec![
                Column {
                    title: "#".into(),
                    width: 0.5,
                },
                Column {
                    title: "Action".into(),
                    width: 5.0,
                },
                Column {
                    title: "Owner".into(),
                    width: 1.8,
                },
                Column {
                    title: "Due".into(),
                    width: 1.3,
                },
                Column {
                    title: "Status".into(),
                    width: 1.2,
                },
            ],
            rows: v
                .actions
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    vec![
                        (i + 1).to_string(),
                        a.text.clone(),
                        a.owner_name.clone().unwrap_or_else(|| "—".into()),
                        a.due_date
                            .map(|d| d.to_string())
                            .unwrap_or_else(|| "—".into()),
                        a.status.replace('_', " "),
                    ]
                })
                .collect(),
        });
    }
    b.push(Block::KeyValues(vec![(
        "Problem record".into(),
        or_dash(&v.review.problem_ref),
    )]));
    if !v.amendments.is_empty() {
        b.push(Block::Heading("Amendments after finalisation".into()));
        b.push(Block::Table {
            columns: vec![
                Column {
                    title: "When / who".into(),
                    width: 2.0,
                },
                Column {
                    title: "Field".into(),
                    width: 1.4,
                },
                Column {
                    title: "Was".into(),
                    width: 2.6,
                },
                Column {
                    title: "Now".into(),
                    width: 2.6,
                },
                Column {
                    title: "Reason".into(),
                    width: 2.0,
                },
            ],
            rows: v
                .amendments
                .iter()
                .map(|a| {
                    vec![
                        format!("{} {}", a.at.format("%Y-%m-%d %H:%M"), a.by),
                        a.field.replace('_', " "),
                        a.old_value.clone(),
                        a.new_value.clone(),
                        a.reason.clone(),
                    ]
                })
                .collect(),
        });
    }
    b.push(Block::Heading("Integrity".into()));
    b.push(Block::Paragraph(
        "The history of this incident is a hash chain: each recorded event carries the hash of the one before. Compare the hash below with \"Verify history\" in Incident Desk to check that nothing was changed since this was printed.".into(),
    ));
    b.push(Block::Mono(format!(
        "Last event #{}: {}\nReview fingerprint: {}",
        v.last_event_id, v.last_event_hash, v.fingerprint
    )));
    ReportDocument {
        paper,
        organisation: organisation.to_string(),
        title: "Post-incident review".into(),
        subtitle: format!("{} · {}", inc.number, inc.title),
        facts,
        header_text: format!("{} · Post-incident review · {status}", inc.number),
        footer_left: format!(
            "Generated {} · fingerprint {}",
            generated_at.format("%Y-%m-%d %H:%M UTC"),
            &v.fingerprint[..16.min(v.fingerprint.len())]
        ),
        blocks: b,
    }
}
