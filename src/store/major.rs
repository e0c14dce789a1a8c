//! Tables of major incidents: the declaration, the criteria setting, audiences, message
//! templates and the stakeholder updates sent.

use super::{parse_ts, ts};
use crate::domain::major::*;
use crate::domain::model::Incident;
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};

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
    c.validate()?;
    conn.execute(
        "INSERT INTO settings (key, value) VALUES ('major_criteria', ?1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [serde_json::to_string(c)?],
    )?;
    Ok(())
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

/// What a declaration records besides who and when.
pub struct Declaration<'a> {
    pub reason: &'a str,
    pub criteria: &'a [Criterion],
    pub manager_id: i64,
    pub bridge: &'a str,
    pub emergency_change: &'a str,
}

/// Records the declaration of a major incident.
pub fn insert_declaration(
    conn: &Connection,
    incident_id: i64,
    at: &DateTime<Utc>,
    by: &str,
    d: &Declaration<'_>,
) -> Result<()> {
    conn.execute(
        "INSERT INTO major_incidents (incident_id, declared_at, declared_by, reason, criteria, manager_id, bridge, emergency_change)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![incident_id, ts(at), by, d.reason, serde_json::to_string(d.criteria)?, d.manager_id, d.bridge, d.emergency_change],
    )?;
    Ok(())
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
    let name = a.validate()?;
    let dup = |e| {
        super::catalog::unique_violation(
            e,
            "name",
            format!("An audience named {name:?} already exists"),
        )
    };
    if create {
        conn.execute(
            "INSERT INTO audiences (name, recipients, cadence_minutes, active) VALUES (?1, ?2, ?3, ?4)",
            params![name, a.recipients.trim(), a.cadence_minutes, a.active],
        )
        .map_err(dup)?;
        Ok(conn.last_insert_rowid())
    } else {
        let n = conn
            .execute(
                "UPDATE audiences SET name = ?2, recipients = ?3, cadence_minutes = ?4, active = ?5 WHERE id = ?1",
                params![a.id, name, a.recipients.trim(), a.cadence_minutes, a.active],
            )
            .map_err(dup)?;
        if n == 0 {
            return Err(Error::NotFound(format!("Audience {} does not exist", a.id)));
        }
        Ok(a.id)
    }
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

pub fn save_template(conn: &Connection, t: &Template, create: bool) -> Result<i64> {
    t.validate()?;
    let name = t.name.trim();
    let dup = |e| {
        super::catalog::unique_violation(
            e,
            "name",
            format!("A message template named {name:?} already exists"),
        )
    };
    if create {
        conn.execute(
            "INSERT INTO message_templates (name, subject, body) VALUES (?1, ?2, ?3)",
            params![name, t.subject, t.body],
        )
        .map_err(dup)?;
        Ok(conn.last_insert_rowid())
    } else {
        let n = conn
            .execute(
                "UPDATE message_templates SET name = ?2, subject = ?3, body = ?4 WHERE id = ?1",
                params![t.id, name, t.subject, t.body],
            )
            .map_err(dup)?;
        if n == 0 {
            return Err(Error::NotFound(format!("Template {} does not exist", t.id)));
        }
        Ok(t.id)
    }
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

/// Records a stakeholder update exactly as sent.
#[allow(clippy::too_many_arguments)]
pub fn insert_update(
    conn: &Connection,
    incident_id: i64,
    audience_id: i64,
    at: &DateTime<Utc>,
    by: &str,
    template: Option<&str>,
    subject: &str,
    body: &str,
) -> Result<()> {
    conn.execute(
        "INSERT INTO stakeholder_updates (incident_id, audience_id, sent_at, sent_by, template, subject, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![incident_id, audience_id, ts(at), by, template, subject, body],
    )?;
    Ok(())
}

/// When each audience's next update is due, for a major incident being worked.
pub fn next_updates(conn: &Connection, inc: &Incident) -> Result<Vec<(Audience, DateTime<Utc>)>> {
    let Some(major) = record(conn, inc.id)? else {
        return Ok(vec![]);
    };
    let sent = updates(conn, inc.id)?;
    Ok(crate::domain::major::next_updates(
        &major,
        inc.status,
        audiences(conn)?,
        &sent,
    ))
}
