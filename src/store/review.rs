//! Tables of post-incident reviews: the review, its action items and its amendments.

use super::events::{self, Actor, NewEvent};
use super::{incidents, parse_opt_ts, parse_ts, ts};
use crate::domain::review::*;
use crate::{Error, Result};
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, Connection, OptionalExtension};

pub fn find(conn: &Connection, incident_id: i64) -> Result<Option<Review>> {
    let row = conn
        .prepare_cached(
            "SELECT id, incident_id, status, created_at, created_by, summary, detection, technical_response,
                    went_well, went_badly, problem_ref, finalised_at, finalised_by, version,
                    escalation_analysis, communication_analysis
             FROM reviews WHERE incident_id = ?1",
        )?
        .query_row([incident_id], |r| {
            Ok((
                (r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?, r.get::<_, String>(4)?),
                (r.get::<_, String>(5)?, r.get::<_, String>(6)?, r.get::<_, String>(7)?, r.get::<_, String>(8)?, r.get::<_, String>(9)?, r.get::<_, String>(10)?),
                (r.get::<_, Option<String>>(11)?, r.get::<_, Option<String>>(12)?, r.get::<_, i64>(13)?),
                (r.get::<_, String>(14)?, r.get::<_, String>(15)?),
            ))
        })
        .optional()?;
    row.map(
        |(
            (id, incident_id, status, created_at, created_by),
            (summary, detection, technical_response, went_well, went_badly, problem_ref),
            (fin_at, fin_by, version),
            (escalation_analysis, communication_analysis),
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
                escalation_analysis,
                communication_analysis,
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

/// Records an amendment row of a final review; returns the incident the review belongs to.
#[allow(clippy::too_many_arguments)]
pub fn insert_amendment(
    conn: &Connection,
    review_id: i64,
    now: &DateTime<Utc>,
    by: &str,
    field: &str,
    old: &str,
    new: &str,
    reason: &str,
) -> Result<i64> {
    conn.execute(
        "INSERT INTO review_amendments (review_id, at, by, field, old_value, new_value, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![review_id, ts(now), by, field, old, new, reason],
    )?;
    Ok(conn.query_row(
        "SELECT incident_id FROM reviews WHERE id = ?1",
        [review_id],
        |r| r.get(0),
    )?)
}

/// The text fields of a review a draft may change.
pub const TEXT_FIELDS: [&str; 8] = [
    "summary",
    "detection",
    "technical_response",
    "escalation_analysis",
    "communication_analysis",
    "went_well",
    "went_badly",
    "problem_ref",
];

/// Sets one text field of a draft review.
pub fn set_text(conn: &Connection, review_id: i64, field: &str, value: &str) -> Result<()> {
    if !TEXT_FIELDS.contains(&field) {
        return Err(Error::validation(
            field,
            format!("{field} is not a text of the review"),
        ));
    }
    conn.execute(
        &format!("UPDATE reviews SET {field} = ?2 WHERE id = ?1"),
        params![review_id, value],
    )?;
    Ok(())
}

/// Counts a change of the review (optimistic concurrency).
pub fn bump_version(conn: &Connection, review_id: i64) -> Result<()> {
    conn.execute(
        "UPDATE reviews SET version = version + 1 WHERE id = ?1",
        [review_id],
    )?;
    Ok(())
}

/// Adds (`id` None) or rewrites an action item.
pub fn save_action(
    conn: &Connection,
    review_id: i64,
    id: Option<i64>,
    text: &str,
    owner_id: i64,
    due: NaiveDate,
    status: &str,
) -> Result<()> {
    match id {
        None => conn.execute(
            "INSERT INTO review_actions (review_id, text, owner_id, due_date, status) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![review_id, text, owner_id, due.to_string(), status],
        )?,
        Some(id) => conn.execute(
            "UPDATE review_actions SET text = ?2, owner_id = ?3, due_date = ?4, status = ?5 WHERE id = ?1",
            params![id, text, owner_id, due.to_string(), status],
        )?,
    };
    Ok(())
}

/// Locks the review as final with the figures it was signed off with.
pub fn mark_final(
    conn: &Connection,
    review_id: i64,
    at: &DateTime<Utc>,
    by: &str,
    figures: &Figures,
) -> Result<()> {
    conn.execute(
        "UPDATE reviews SET status = 'final', finalised_at = ?2, finalised_by = ?3, figures_snapshot = ?4,
           version = version + 1 WHERE id = ?1",
        params![review_id, ts(at), by, serde_json::to_string(figures)?],
    )?;
    Ok(())
}

/// The figures a final review was signed off with, if any were kept.
pub fn figures_snapshot(conn: &Connection, review_id: i64) -> Result<Option<Figures>> {
    let json: Option<String> = conn.query_row(
        "SELECT figures_snapshot FROM reviews WHERE id = ?1",
        [review_id],
        |r| r.get(0),
    )?;
    Ok(json.map(|j| serde_json::from_str(&j)).transpose()?)
}

/// Keeps what a final review was signed off with (see [`SignedOff`]).
pub fn set_signed_off(conn: &Connection, review_id: i64, signed: &SignedOff) -> Result<()> {
    conn.execute(
        "UPDATE reviews SET signed_off = ?2 WHERE id = ?1",
        params![review_id, serde_json::to_string(signed)?],
    )?;
    Ok(())
}

/// What a final review was signed off with; None for drafts and for reviews finalised before
/// this was kept (schema 10).
pub fn signed_off(conn: &Connection, review_id: i64) -> Result<Option<SignedOff>> {
    let json: Option<String> = conn.query_row(
        "SELECT signed_off FROM reviews WHERE id = ?1",
        [review_id],
        |r| r.get(0),
    )?;
    Ok(json.map(|j| serde_json::from_str(&j)).transpose()?)
}
