//! Tables of the SLA engine: policies, calendars and holidays, escalation rules, reminder
//! settings, the deadlines the scheduler waits for, and the alerts of the notification centre.

use super::{parse_opt_ts, parse_ts, ts};
use crate::domain::model::Priority;
use crate::domain::sla::config::*;
use crate::domain::sla::PauseEvent;
use crate::{Error, Result};
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

pub fn policies(conn: &Connection) -> Result<Vec<SlaPolicy>> {
    let mut stmt = conn.prepare_cached(
        "SELECT priority, response_minutes, resolution_minutes, calendar_id, warn_percents, pause_reasons
         FROM sla_policies ORDER BY priority",
    )?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(SlaPolicy {
            priority: Priority::parse(&r.get::<_, String>(0)?, "priority")?,
            response_minutes: r.get(1)?,
            resolution_minutes: r.get(2)?,
            calendar_id: r.get(3)?,
            warn_percents: serde_json::from_str(&r.get::<_, String>(4)?)?,
            pause_reasons: serde_json::from_str(&r.get::<_, String>(5)?)?,
        });
    }
    Ok(out)
}

pub fn save_policy(conn: &Connection, p: &SlaPolicy) -> Result<()> {
    let (warn, reasons) = p.validate()?;
    if calendar(conn, p.calendar_id)?.is_none() {
        return Err(Error::validation(
            "calendar_id",
            format!("Calendar {} does not exist", p.calendar_id),
        ));
    }
    conn.execute(
        "INSERT INTO sla_policies (priority, response_minutes, resolution_minutes, calendar_id, warn_percents, pause_reasons)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (priority) DO UPDATE SET response_minutes = excluded.response_minutes,
           resolution_minutes = excluded.resolution_minutes, calendar_id = excluded.calendar_id,
           warn_percents = excluded.warn_percents, pause_reasons = excluded.pause_reasons",
        params![p.priority.as_str(), p.response_minutes, p.resolution_minutes, p.calendar_id, serde_json::to_string(&warn)?, serde_json::to_string(&reasons)?],
    )?;
    Ok(())
}

fn holidays(conn: &Connection, calendar_id: i64) -> Result<Vec<Holiday>> {
    let mut stmt = conn.prepare_cached(
        "SELECT day, name FROM calendar_holidays WHERE calendar_id = ?1 ORDER BY day",
    )?;
    let mut rows = stmt.query([calendar_id])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let day: String = r.get(0)?;
        out.push(Holiday {
            day: NaiveDate::parse_from_str(&day, "%Y-%m-%d")
                .map_err(|e| Error::Storage(format!("holiday {day:?}: {e}")))?,
            name: r.get(1)?,
        });
    }
    Ok(out)
}

fn calendar_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(i64, String, bool, String, String)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
}

fn finish_calendar(
    conn: &Connection,
    row: (i64, String, bool, String, String),
) -> Result<CalendarRecord> {
    let (id, name, always_on, time_zone, week) = row;
    Ok(CalendarRecord {
        id,
        name,
        always_on,
        time_zone,
        week: serde_json::from_str(&week)?,
        holidays: holidays(conn, id)?,
    })
}

pub fn calendar(conn: &Connection, id: i64) -> Result<Option<CalendarRecord>> {
    let row = conn
        .prepare_cached("SELECT id, name, always_on, time_zone, week FROM calendars WHERE id = ?1")?
        .query_row([id], calendar_row)
        .optional()?;
    row.map(|r| finish_calendar(conn, r)).transpose()
}

pub fn calendars(conn: &Connection) -> Result<Vec<CalendarRecord>> {
    let rows: Vec<_> = conn
        .prepare_cached("SELECT id, name, always_on, time_zone, week FROM calendars ORDER BY id")?
        .query_map([], calendar_row)?
        .collect::<rusqlite::Result<_>>()?;
    rows.into_iter().map(|r| finish_calendar(conn, r)).collect()
}

/// Saves a calendar with its whole holiday list (id None creates). Validated before writing.
pub fn save_calendar(conn: &Connection, c: &CalendarRecord, id: Option<i64>) -> Result<i64> {
    let name = c.validate()?;
    let dup = |e| {
        super::catalog::unique_violation(
            e,
            "name",
            format!("A calendar named {name:?} already exists"),
        )
    };
    let week = serde_json::to_string(&c.week)?;
    let id = match id {
        None => {
            conn.execute(
                "INSERT INTO calendars (name, always_on, time_zone, week) VALUES (?1, ?2, ?3, ?4)",
                params![name, c.always_on, c.time_zone.trim(), week],
            )
            .map_err(dup)?;
            conn.last_insert_rowid()
        }
        Some(id) => {
            let n = conn.execute(
                "UPDATE calendars SET name = ?2, always_on = ?3, time_zone = ?4, week = ?5 WHERE id = ?1",
                params![id, name, c.always_on, c.time_zone.trim(), week],
            )
            .map_err(dup)?;
            if n == 0 {
                return Err(Error::NotFound(format!("Calendar {id} does not exist")));
            }
            id
        }
    };
    conn.execute("DELETE FROM calendar_holidays WHERE calendar_id = ?1", [id])?;
    for h in &c.holidays {
        conn.execute(
            "INSERT OR REPLACE INTO calendar_holidays (calendar_id, day, name) VALUES (?1, ?2, ?3)",
            params![id, h.day.format("%Y-%m-%d").to_string(), h.name.trim()],
        )?;
    }
    Ok(id)
}

/// Fills in the computer's own time zone for calendars created without one.
pub fn default_time_zones(conn: &Connection, zone: &str) -> Result<()> {
    conn.execute(
        "UPDATE calendars SET time_zone = ?1 WHERE time_zone = ''",
        [zone],
    )?;
    Ok(())
}

pub fn rules(conn: &Connection) -> Result<Vec<EscalationRule>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, active, priority, category_id, service_id, team_id, tier, trigger, after_minutes,
                action, target_team_id, target_person_id, target_priority, reason
         FROM escalation_rules ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let prio = |i: usize| -> Result<Option<Priority>> {
            r.get::<_, Option<String>>(i)?
                .map(|p| Priority::parse(&p, "priority"))
                .transpose()
        };
        out.push(EscalationRule {
            id: Some(r.get(0)?),
            name: r.get(1)?,
            active: r.get(2)?,
            priority: prio(3)?,
            category_id: r.get(4)?,
            service_id: r.get(5)?,
            team_id: r.get(6)?,
            tier: r.get(7)?,
            trigger: serde_json::from_value(serde_json::Value::String(r.get(8)?))?,
            after_minutes: r.get(9)?,
            action: serde_json::from_value(serde_json::Value::String(r.get(10)?))?,
            target_team_id: r.get(11)?,
            target_person_id: r.get(12)?,
            target_priority: prio(13)?,
            reason: r.get(14)?,
        });
    }
    Ok(out)
}

fn enum_str<T: Serialize>(v: &T) -> Result<String> {
    match serde_json::to_value(v)? {
        serde_json::Value::String(s) => Ok(s),
        other => Err(Error::Storage(format!("unexpected value {other}"))),
    }
}

pub fn save_rule(conn: &Connection, rule: &EscalationRule) -> Result<i64> {
    let name = rule.validate()?;
    let values = params![
        name,
        rule.active,
        rule.priority.map(|p| p.as_str()),
        rule.category_id,
        rule.service_id,
        rule.team_id,
        rule.tier,
        enum_str(&rule.trigger)?,
        rule.after_minutes,
        enum_str(&rule.action)?,
        rule.target_team_id,
        rule.target_person_id,
        rule.target_priority.map(|p| p.as_str()),
        rule.reason.trim(),
        rule.id,
    ];
    let fk = |e: rusqlite::Error| match &e {
        rusqlite::Error::SqliteFailure(f, _)
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY =>
        {
            Error::validation(
                "rule",
                "The rule refers to a team, person, service or category that does not exist",
            )
        }
        _ => e.into(),
    };
    match rule.id {
        None => {
            // One parameter list serves insert and update; ?15 (the id, None here) is bound
            // by the insert only through this guard.
            conn.execute(
                "INSERT INTO escalation_rules (name, active, priority, category_id, service_id, team_id, tier, trigger,
                   after_minutes, action, target_team_id, target_person_id, target_priority, reason)
                 SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14 WHERE ?15 IS NULL",
                values,
            )
            .map_err(fk)?;
            Ok(conn.last_insert_rowid())
        }
        Some(id) => {
            let n = conn
                .execute(
                    "UPDATE escalation_rules SET name = ?1, active = ?2, priority = ?3, category_id = ?4, service_id = ?5,
                       team_id = ?6, tier = ?7, trigger = ?8, after_minutes = ?9, action = ?10, target_team_id = ?11,
                       target_person_id = ?12, target_priority = ?13, reason = ?14 WHERE id = ?15",
                    values,
                )
                .map_err(fk)?;
            if n == 0 {
                return Err(Error::NotFound(format!(
                    "Escalation rule {id} does not exist"
                )));
            }
            Ok(id)
        }
    }
}

pub fn reminders(conn: &Connection) -> Result<ReminderSettings> {
    let v: Option<String> = conn
        .prepare_cached("SELECT value FROM settings WHERE key = 'reminders'")?
        .query_row([], |r| r.get(0))
        .optional()?;
    match v {
        None => Ok(ReminderSettings::default()),
        Some(json) => Ok(serde_json::from_str(&json)?),
    }
}

pub fn save_reminders(conn: &Connection, r: &ReminderSettings) -> Result<()> {
    r.validate()?;
    conn.execute(
        "INSERT INTO settings (key, value) VALUES ('reminders', ?1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [serde_json::to_string(r)?],
    )?;
    Ok(())
}

pub fn load_config(conn: &Connection) -> Result<SlaConfig> {
    let mut calendars = Vec::new();
    for rec in self::calendars(conn)? {
        // A calendar whose zone is not yet known counts in UTC until the desk fills it in.
        let mut usable = rec.clone();
        if usable.time_zone.is_empty() {
            usable.time_zone = "UTC".into();
        }
        let cal = usable.to_calendar()?;
        calendars.push((rec, cal));
    }
    Ok(SlaConfig {
        policies: policies(conn)?,
        calendars,
        rules: rules(conn)?,
        reminders: reminders(conn)?,
    })
}

// ---- deadlines ----

/// A deadline as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    pub incident_id: i64,
    pub kind: String,
    pub due_at: DateTime<Utc>,
    pub fired_at: Option<DateTime<Utc>>,
}

pub fn deadlines_of(conn: &Connection, incident_id: i64) -> Result<Vec<Deadline>> {
    let mut stmt = conn.prepare_cached(
        "SELECT kind, due_at, fired_at FROM sla_deadlines WHERE incident_id = ?1",
    )?;
    let mut rows = stmt.query([incident_id])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(Deadline {
            incident_id,
            kind: r.get(0)?,
            due_at: parse_ts(&r.get::<_, String>(1)?)?,
            fired_at: parse_opt_ts(r.get(2)?)?,
        });
    }
    Ok(out)
}

pub fn upsert_deadline(
    conn: &Connection,
    incident_id: i64,
    kind: &str,
    due_at: &DateTime<Utc>,
    reset_fired: bool,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO sla_deadlines (incident_id, kind, due_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (incident_id, kind) DO UPDATE SET due_at = excluded.due_at,
           fired_at = CASE WHEN ?4 THEN NULL ELSE fired_at END",
    )?
    .execute(params![incident_id, kind, ts(due_at), reset_fired])?;
    Ok(())
}

pub fn delete_pending(conn: &Connection, incident_id: i64, kind: &str) -> Result<()> {
    conn.prepare_cached(
        "DELETE FROM sla_deadlines WHERE incident_id = ?1 AND kind = ?2 AND fired_at IS NULL",
    )?
    .execute(params![incident_id, kind])?;
    Ok(())
}

pub fn mark_fired(
    conn: &Connection,
    incident_id: i64,
    kind: &str,
    at: &DateTime<Utc>,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE sla_deadlines SET fired_at = ?3 WHERE incident_id = ?1 AND kind = ?2",
    )?
    .execute(params![incident_id, kind, ts(at)])?;
    Ok(())
}

/// The earliest deadline not yet fired: what the scheduler sleeps until. `sla_next` holds each
/// incident's earliest pending deadline (kept by triggers, migration 7).
pub fn next_pending(conn: &Connection) -> Result<Option<DateTime<Utc>>> {
    let v: Option<String> = conn
        .prepare_cached("SELECT MIN(due_at) FROM sla_next")?
        .query_row([], |r| r.get(0))?;
    v.as_deref().map(parse_ts).transpose()
}

/// Pending deadlines due at or before `now`, oldest first. An incident with one has its
/// earliest pending deadline at or before `now` too, so `sla_next` finds the incidents and their
/// own rows the deadlines.
pub fn due(conn: &Connection, now: &DateTime<Utc>, limit: i64) -> Result<Vec<Deadline>> {
    let mut stmt = conn.prepare_cached(
        "SELECT d.incident_id, d.kind, d.due_at
           FROM sla_next n JOIN sla_deadlines d ON d.incident_id = n.incident_id
          WHERE n.due_at <= ?1 AND d.fired_at IS NULL AND d.due_at <= ?1
          ORDER BY d.due_at, d.incident_id, d.kind LIMIT ?2",
    )?;
    let mut rows = stmt.query(params![ts(now), limit])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(Deadline {
            incident_id: r.get(0)?,
            kind: r.get(1)?,
            due_at: parse_ts(&r.get::<_, String>(2)?)?,
            fired_at: None,
        });
    }
    Ok(out)
}

// ---- alerts ----

/// One entry of the notification centre.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    pub id: i64,
    pub raised_at: DateTime<Utc>,
    /// When the deadline behind it was due (its true time).
    pub due_at: DateTime<Utc>,
    pub incident_id: Option<i64>,
    pub incident_number: Option<String>,
    pub kind: String,
    pub priority: Option<Priority>,
    pub title: String,
    pub body: String,
    /// pending, shown, silenced (quiet hours), summarised, or "failed: …".
    pub delivery: String,
    pub read: bool,
}

#[allow(clippy::too_many_arguments)]
pub fn insert_alert(
    conn: &Connection,
    raised_at: &DateTime<Utc>,
    due_at: &DateTime<Utc>,
    incident_id: Option<i64>,
    kind: &str,
    priority: Option<Priority>,
    title: &str,
    body: &str,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO alerts (raised_at, due_at, incident_id, kind, priority, title, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![ts(raised_at), ts(due_at), incident_id, kind, priority.map(|p| p.as_str()), title, body])?;
    Ok(conn.last_insert_rowid())
}

pub fn set_delivery(conn: &Connection, id: i64, delivery: &str) -> Result<()> {
    conn.prepare_cached("UPDATE alerts SET delivery = ?2 WHERE id = ?1")?
        .execute(params![id, delivery])?;
    Ok(())
}

pub fn alerts(conn: &Connection, limit: i64) -> Result<Vec<Alert>> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.id, a.raised_at, a.due_at, a.incident_id, i.number, a.kind, a.priority, a.title, a.body, a.delivery, a.read_at
         FROM alerts a LEFT JOIN incidents i ON i.id = a.incident_id ORDER BY a.id DESC LIMIT ?1",
    )?;
    let mut rows = stmt.query([limit])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(Alert {
            id: r.get(0)?,
            raised_at: parse_ts(&r.get::<_, String>(1)?)?,
            due_at: parse_ts(&r.get::<_, String>(2)?)?,
            incident_id: r.get(3)?,
            incident_number: r.get(4)?,
            kind: r.get(5)?,
            priority: r
                .get::<_, Option<String>>(6)?
                .map(|p| Priority::parse(&p, "priority"))
                .transpose()?,
            title: r.get(7)?,
            body: r.get(8)?,
            delivery: r.get(9)?,
            read: r.get::<_, Option<String>>(10)?.is_some(),
        });
    }
    Ok(out)
}

pub fn unread_count(conn: &Connection) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT COUNT(*) FROM alerts WHERE read_at IS NULL")?
        .query_row([], |r| r.get(0))?)
}

/// Marks the given alerts (or all when None) as read.
pub fn mark_read(conn: &Connection, ids: Option<&[i64]>, at: &DateTime<Utc>) -> Result<()> {
    match ids {
        None => {
            conn.execute(
                "UPDATE alerts SET read_at = ?1 WHERE read_at IS NULL",
                [ts(at)],
            )?;
        }
        Some(ids) => {
            crate::domain::limits::check_count(
                ids,
                "ids",
                "Alerts marked read at once",
                crate::domain::limits::MAX_ALERT_IDS,
            )?;
            for id in ids {
                conn.execute(
                    "UPDATE alerts SET read_at = ?2 WHERE id = ?1 AND read_at IS NULL",
                    params![id, ts(at)],
                )?;
            }
        }
    }
    Ok(())
}

/// The clock-relevant events of an incident (kind, time), in time order.
pub fn clock_events(conn: &Connection, incident_id: i64) -> Result<Vec<(String, DateTime<Utc>)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT kind, at FROM events WHERE incident_id = ?1
           AND kind IN ('created', 'resolved', 'reopened', 'paused', 'resumed')
         ORDER BY at, id",
    )?;
    let mut rows = stmt.query([incident_id])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push((r.get(0)?, parse_ts(&r.get::<_, String>(1)?)?));
    }
    Ok(out)
}

/// The `paused` and `resumed` events of an incident, in time order.
pub fn pause_events(conn: &Connection, incident_id: i64) -> Result<Vec<PauseEvent>> {
    let mut stmt = conn.prepare_cached(
        "SELECT kind, at, actor, detail FROM events WHERE incident_id = ?1 AND kind IN ('paused', 'resumed') ORDER BY at, id",
    )?;
    let mut rows = stmt.query([incident_id])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(PauseEvent {
            kind: r.get(0)?,
            at: parse_ts(&r.get::<_, String>(1)?)?,
            actor: r.get(2)?,
            detail: r.get(3)?,
        });
    }
    Ok(out)
}

/// The tier of a team, for escalation rules that match on it.
pub fn team_tier(conn: &Connection, team_id: Option<i64>) -> Result<Option<String>> {
    let Some(id) = team_id else { return Ok(None) };
    Ok(conn
        .prepare_cached("SELECT tier FROM teams WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?)
}
