//! Post-incident review actions: editing the draft, action items, finalising, amendments to a
//! final review, and the figures computed from the recorded history.

use crate::domain::limits;
use crate::domain::major::MajorRecord;
use crate::domain::model::{Event, Incident, Status};
use crate::domain::review::*;
use crate::domain::sla::clocks::ClockState;
use crate::store::events::{self, Actor, NewEvent};
use crate::store::review as store;
use crate::store::{catalog, incidents};
use crate::{Error, Result};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use rusqlite::Connection;

fn get_review(conn: &Connection, incident_id: i64) -> Result<Review> {
    store::find(conn, incident_id)?.ok_or_else(|| {
        Error::NotFound(format!(
            "{} has no post-incident review yet",
            incidents::number_for(incident_id)
        ))
    })
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
    let incident_id =
        store::insert_amendment(conn, review_id, now, &actor.name, field, old, new, reason)?;
    // On the incident's timeline too, so the hash chain covers amendments.
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

/// A change to a draft review, on the incident's timeline.
fn draft_edited(
    conn: &Connection,
    incident_id: i64,
    now: &DateTime<Utc>,
    actor: &Actor,
    field: &'static str,
    old: &str,
    new: &str,
) -> Result<()> {
    events::append(
        conn,
        incident_id,
        now,
        actor,
        &NewEvent {
            kind: "review_edited",
            field: Some(field),
            old_value: Some(old.to_string()),
            new_value: Some(new.to_string()),
            detail: None,
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
    if let Some(reason) = &input.reason {
        limits::check_len(reason, "reason", "The reason", limits::MAX_TEXT)?;
    }
    let r = get_review(conn, input.incident_id)?;
    check_version(&r, input.expected_version)?;
    let amendment = final_reason(&r, input.reason.as_deref())?;
    let fields: [(&'static str, &Option<String>, &String); 8] = [
        ("summary", &input.summary, &r.summary),
        ("detection", &input.detection, &r.detection),
        (
            "technical_response",
            &input.technical_response,
            &r.technical_response,
        ),
        (
            "escalation_analysis",
            &input.escalation_analysis,
            &r.escalation_analysis,
        ),
        (
            "communication_analysis",
            &input.communication_analysis,
            &r.communication_analysis,
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
        let max = if field == "problem_ref" {
            limits::MAX_LINE
        } else {
            limits::MAX_TEXT
        };
        limits::check_len(new, field, &field_label(field), max)?;
        if new == old.as_str() {
            continue;
        }
        changed += 1;
        match &amendment {
            // A final review keeps its text; the correction stands beside it.
            Some(reason) => amend(conn, r.id, &now, actor, field, old, new, reason)?,
            // A draft is still being written, yet each change is recorded (who wrote what,
            // when) on the incident's timeline like every other record change.
            None => {
                store::set_text(conn, r.id, field, new)?;
                draft_edited(conn, r.incident_id, &now, actor, field, old, new)?;
            }
        }
    }
    if changed == 0 {
        return Err(Error::validation(
            "changes",
            "Nothing to save: no field of the review was changed",
        ));
    }
    store::bump_version(conn, r.id)?;
    Ok(())
}

/// "Technical response" for `technical_response`: a review field as its form labels it.
fn field_label(field: &str) -> String {
    let words = field.replace('_', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => words,
    }
}

pub fn save_action(
    conn: &Connection,
    actor: &Actor,
    now: DateTime<Utc>,
    input: &ActionInput,
) -> Result<()> {
    if let Some(reason) = &input.reason {
        limits::check_len(reason, "reason", "The reason", limits::MAX_TEXT)?;
    }
    let r = get_review(conn, input.incident_id)?;
    let text = limits::text(&input.text, "text", "The action", limits::MAX_TEXT)?;
    let text = text.as_str();
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
                format!(
                    "Due date {} is not a date such as 2026-04-30",
                    limits::shown(d)
                ),
            )
        })?,
    };
    limits::check_date(due, "due_date", "The due date")?;
    let status = match input.status.trim() {
        "" => "open",
        s @ ("open" | "in_progress" | "done") => s,
        other => {
            return Err(Error::validation(
                "status",
                format!(
                    "Status must be open, in_progress or done (got {})",
                    limits::shown(other)
                ),
            ))
        }
    };
    let describe = |t: &str, o: &str, d: &str, s: &str| format!("{t} — owner {o}, due {d}, {s}");
    let new_text = describe(text, &owner_name, &due.to_string(), status);
    let existing = store::actions(conn, r.id)?;
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
    store::save_action(conn, r.id, old.map(|o| o.id), text, owner, due, status)?;
    let before = || {
        old.map(|o| {
            describe(
                &o.text,
                o.owner_name.as_deref().unwrap_or("—"),
                &o.due_date.map(|d| d.to_string()).unwrap_or_default(),
                &o.status,
            )
        })
        .unwrap_or_else(|| "(new action item)".into())
    };
    match reason {
        None => draft_edited(
            conn,
            r.incident_id,
            &now,
            actor,
            "action item",
            &before(),
            &new_text,
        )?,
        Some(reason) => amend(
            conn,
            r.id,
            &now,
            actor,
            "action item",
            &before(),
            &new_text,
            &reason,
        )?,
    }
    store::bump_version(conn, r.id)?;
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
    let major = crate::store::major::record(conn, incident_id)?;
    let frozen = figures(conn, &inc, &events, major.as_ref(), now)?;
    store::mark_final(conn, r.id, &now, &actor.name, &frozen)?;
    events::append(
        conn,
        incident_id,
        &now,
        actor,
        &NewEvent::action("review_finalised", None),
    )?;
    // What is signed off is the record as it stands now, the finalisation event included.
    let review = get_review(conn, incident_id)?;
    let events = events::for_incident(conn, incident_id)?;
    let incident = incidents::get(conn, incident_id)?;
    let signed = sign_off(conn, &review, incident, major, &events)?;
    store::set_signed_off(conn, review.id, &signed)?;
    Ok(())
}

/// The signed-off content of `review` from the incident's `events` (all of them: the caller
/// passes the range that was signed off).
fn sign_off(
    conn: &Connection,
    review: &Review,
    incident: Incident,
    major: Option<MajorRecord>,
    events: &[Event],
) -> Result<SignedOff> {
    let timeline = timeline_of(&incident, events);
    let actions = store::actions(conn, review.id)?;
    let warnings = action_warnings(actions.len());
    let (last_event_id, last_event_hash) = match events.last() {
        Some(e) => (e.id, events::hash_of(conn, e.id)?.unwrap_or_default()),
        None => (0, String::new()),
    };
    let fingerprint = fingerprint(
        review,
        &incident,
        &major,
        &timeline,
        &actions,
        &[],
        &last_event_hash,
    )?;
    Ok(SignedOff {
        organisation: catalog::setting(conn, "organisation")?,
        incident,
        major,
        timeline,
        actions,
        warnings,
        last_event_id,
        last_event_hash,
        fingerprint,
    })
}

/// The review's timeline: when the disruption started and was detected, then every event.
fn timeline_of(incident: &Incident, events: &[Event]) -> Vec<TimelineEntry> {
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
    timeline.extend(events.iter().map(entry_of));
    timeline.sort_by_key(|t| t.at);
    timeline
}

fn entry_of(e: &Event) -> TimelineEntry {
    TimelineEntry {
        at: e.at,
        who: e.actor.clone(),
        what: e.summary.clone(),
        detail: e.detail.clone(),
    }
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
    let panel = crate::actions::deadlines::panel(conn, &cfg, inc, now)?;
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
                ClockState::Running | ClockState::Warning => "running",
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
                        && r.action == crate::domain::sla::config::RuleAction::EscalateTeam
                        && r.priority.is_none_or(|p| p == inc.priority)
                })
                .map(|r| r.after_minutes)
                .min();
            let verdict = match threshold {
                None => "no threshold",
                Some(m) if after <= m.saturating_mul(60).saturating_add(59) => "on time",
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
        let sent = crate::store::major::updates(conn, inc.id)?;
        let stop = end.unwrap_or(now);
        for a in crate::store::major::audiences(conn)?
            .into_iter()
            .filter(|a| a.active)
        {
            let mine: Vec<DateTime<Utc>> = sent
                .iter()
                .filter(|u| u.audience_id == a.id)
                .map(|u| u.sent_at)
                .collect();
            // A cadence out of range (saved by an older version) cannot be measured against.
            let Some(cadence) =
                limits::minutes(a.cadence_minutes).filter(|c| *c > Duration::zero())
            else {
                continue;
            };
            let mut slots = Vec::new();
            let mut last = m.declared_at;
            let mut used = 0usize;
            while let Some(due) = last.checked_add_signed(cadence) {
                if due > stop {
                    break;
                }
                match mine.iter().skip(used).position(|t| *t > last) {
                    Some(i) => {
                        let t = mine[used + i];
                        used += i + 1;
                        let verdict = if t <= due {
                            "on time"
                        } else if due.checked_add_signed(cadence).is_none_or(|d| t <= d) {
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
            let ahead = mine.iter().skip(used).find(|t| **t > last && **t <= stop);
            if let (Some(t), Some(due)) = (ahead, last.checked_add_signed(cadence)) {
                slots.push(UpdateSlot {
                    due,
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

pub fn view(conn: &Connection, incident_id: i64, now: DateTime<Utc>) -> Result<ReviewView> {
    let review = get_review(conn, incident_id)?;
    let events = events::for_incident(conn, incident_id)?;
    let actions = store::actions(conn, review.id)?;
    let amendments = store::amendments(conn, review.id)?;
    let (latest_event_id, latest_event_hash) = events::last_of_incident(conn, incident_id)?;
    if review.status == "final" {
        let signed = match store::signed_off(conn, review.id)? {
            Some(s) => s,
            // Finalised before the signed-off content was kept (schema 10): the range ends at
            // the finalisation event, the rest of the record as it is now.
            None => {
                let end = events
                    .iter()
                    .rposition(|e| e.kind == "review_finalised")
                    .map_or(events.len(), |i| i + 1);
                let incident = incidents::get(conn, incident_id)?;
                let major = crate::store::major::record(conn, incident_id)?;
                sign_off(conn, &review, incident, major, &events[..end])?
            }
        };
        // A final review shows the figures it was signed off with.
        let figures = match store::figures_snapshot(conn, review.id)? {
            Some(frozen) => frozen,
            None => figures(conn, &signed.incident, &events, signed.major.as_ref(), now)?,
        };
        let after_sign_off = events
            .iter()
            .filter(|e| e.id > signed.last_event_id)
            .map(entry_of)
            .collect();
        return Ok(ReviewView {
            review,
            incident: signed.incident,
            major: signed.major,
            figures,
            timeline: signed.timeline,
            actions,
            amendments,
            warnings: signed.warnings,
            last_event_id: signed.last_event_id,
            last_event_hash: signed.last_event_hash,
            fingerprint: signed.fingerprint,
            signed_off_actions: Some(signed.actions),
            signed_off_organisation: signed.organisation,
            after_sign_off,
            latest_event_id,
            latest_event_hash,
        });
    }
    let incident = incidents::get(conn, incident_id)?;
    let major = crate::store::major::record(conn, incident_id)?;
    let figures = figures(conn, &incident, &events, major.as_ref(), now)?;
    let timeline = timeline_of(&incident, &events);
    let warnings = action_warnings(actions.len());
    let fingerprint = fingerprint(
        &review,
        &incident,
        &major,
        &timeline,
        &actions,
        &amendments,
        &latest_event_hash,
    )?;
    Ok(ReviewView {
        review,
        incident,
        major,
        figures,
        timeline,
        actions,
        amendments,
        warnings,
        last_event_id: latest_event_id,
        last_event_hash: latest_event_hash.clone(),
        fingerprint,
        signed_off_actions: None,
        signed_off_organisation: None,
        after_sign_off: Vec::new(),
        latest_event_id,
        latest_event_hash,
    })
}
