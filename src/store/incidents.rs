//! The `incidents` table: the current state of each incident, and the list query.

use super::{parse_opt_ts, parse_ts, ts};
use crate::domain::limits;
use crate::domain::model::*;
use crate::{Error, Result};
use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension, Row};

pub use crate::domain::model::number_for;

/// The id the next incident gets; called inside the write transaction that inserts it.
pub fn next_id(conn: &Connection) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT COALESCE(MAX(id), 0) + 1 FROM incidents")?
        .query_row([], |r| r.get(0))?)
}

pub fn count(conn: &Connection) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT COUNT(*) FROM incidents")?
        .query_row([], |r| r.get(0))?)
}

/// The ids of every incident not yet closed (its SLA deadlines may still move).
pub fn open_ids(conn: &Connection) -> Result<Vec<i64>> {
    Ok(conn
        .prepare("SELECT id FROM incidents WHERE status <> 'closed'")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// Every column of an incident's own row, in a fixed order that never changes (new columns go
/// at the end under a new seal version): what the history seal's `state_hash` covers. Names
/// shown elsewhere (service, assignee) are not here: renaming a service is not a change of the
/// incident.
pub const STATE_COLUMNS: &str = "id, number, title, description, category_id, service_id,
    reporter_name, reporter_contact, channel, started_at, logged_at, impact, urgency,
    priority, computed_priority, priority_override_reason, status, assignee_id, team_id,
    escalation_level, workaround, acknowledged_at, resolved_at, resolution_code,
    resolution_notes, verified_at, verified_by, verification_method, verification_notes,
    closed_at, closed_by, closure_notes, reopen_count, created_by, updated_at, updated_by,
    version, paused_since, pause_reason, detected_at, workaround_at, users_affected";

/// The seal of an incident's current row: SHA-256 over every column of [`STATE_COLUMNS`], each
/// typed and length-prefixed; None when the incident does not exist.
pub fn state_hash(conn: &Connection, id: i64) -> Result<Option<String>> {
    use sha2::{Digest, Sha256};
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {STATE_COLUMNS} FROM incidents WHERE id = ?1"
    ))?;
    let n = stmt.column_count();
    let mut rows = stmt.query([id])?;
    let Some(r) = rows.next()? else {
        return Ok(None);
    };
    let mut h = Sha256::new();
    h.update(b"state-v1");
    for i in 0..n {
        match r.get_ref(i)? {
            rusqlite::types::ValueRef::Null => h.update(b"N"),
            rusqlite::types::ValueRef::Integer(v) => {
                h.update(b"I");
                h.update(v.to_le_bytes());
            }
            rusqlite::types::ValueRef::Real(v) => {
                h.update(b"R");
                h.update(v.to_le_bytes());
            }
            rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => {
                h.update(b"T");
                h.update((t.len() as u64).to_le_bytes());
                h.update(t);
            }
        }
    }
    Ok(Some(super::hex(&h.finalize())))
}

/// Inserts `inc` as given (its id and number included).
pub fn insert(conn: &Connection, inc: &Incident) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO incidents (id, number, title, description, category_id, service_id,
            reporter_name, reporter_contact, channel, started_at, logged_at, impact, urgency,
            priority, computed_priority, priority_override_reason, status, assignee_id, team_id,
            escalation_level, workaround, acknowledged_at, resolved_at, resolution_code,
            resolution_notes, verified_at, verified_by, verification_method, verification_notes,
            closed_at, closed_by, closure_notes, reopen_count, created_by, updated_at, updated_by,
            version, paused_since, pause_reason, detected_at, workaround_at, users_affected)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
            ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35,
            ?36, ?37, ?38, ?39, ?40, ?41, ?42)",
    )?
    .execute(params![
        inc.id,
        inc.number,
        inc.title,
        inc.description,
        inc.category_id,
        inc.service_id,
        inc.reporter_name,
        inc.reporter_contact,
        inc.channel.as_str(),
        ts(&inc.started_at),
        ts(&inc.logged_at),
        inc.impact.as_str(),
        inc.urgency.as_str(),
        inc.priority.as_str(),
        inc.computed_priority.as_str(),
        inc.priority_override_reason,
        inc.status.as_str(),
        inc.assignee_id,
        inc.team_id,
        inc.escalation_level,
        inc.workaround,
        inc.acknowledged_at.as_ref().map(ts),
        inc.resolved_at.as_ref().map(ts),
        inc.resolution_code.map(|c| c.as_str()),
        inc.resolution_notes,
        inc.verified_at.as_ref().map(ts),
        inc.verified_by,
        inc.verification_method.map(|m| m.as_str()),
        inc.verification_notes,
        inc.closed_at.as_ref().map(ts),
        inc.closed_by,
        inc.closure_notes,
        inc.reopen_count,
        inc.created_by,
        ts(&inc.updated_at),
        inc.updated_by,
        inc.version,
        inc.paused_since.as_ref().map(ts),
        inc.pause_reason,
        ts(&inc.detected_at),
        inc.workaround_at.as_ref().map(ts),
        inc.users_affected,
    ])?;
    Ok(())
}

/// Writes the new state `next` over the row that was read at `read_version`. The caller has
/// already checked the version the user saw; the `WHERE version` guard makes the write itself
/// safe even if another connection slipped in.
pub fn update(conn: &Connection, next: &Incident, read_version: i64) -> Result<()> {
    let n = conn
        .prepare_cached(
            "UPDATE incidents SET title = ?3, description = ?4, category_id = ?5, service_id = ?6,
                reporter_name = ?7, reporter_contact = ?8, channel = ?9, started_at = ?10,
                impact = ?11, urgency = ?12, priority = ?13, computed_priority = ?14,
                priority_override_reason = ?15, status = ?16, assignee_id = ?17, team_id = ?18,
                escalation_level = ?19, workaround = ?20, acknowledged_at = ?21, resolved_at = ?22,
                resolution_code = ?23, resolution_notes = ?24, verified_at = ?25, verified_by = ?26,
                verification_method = ?27, verification_notes = ?28, closed_at = ?29,
                closed_by = ?30, closure_notes = ?31, reopen_count = ?32, updated_at = ?33,
                updated_by = ?34, version = ?35, paused_since = ?36, pause_reason = ?37,
                detected_at = ?38, workaround_at = ?39, users_affected = ?40
             WHERE id = ?1 AND version = ?2",
        )?
        .execute(params![
            next.id,
            read_version,
            next.title,
            next.description,
            next.category_id,
            next.service_id,
            next.reporter_name,
            next.reporter_contact,
            next.channel.as_str(),
            ts(&next.started_at),
            next.impact.as_str(),
            next.urgency.as_str(),
            next.priority.as_str(),
            next.computed_priority.as_str(),
            next.priority_override_reason,
            next.status.as_str(),
            next.assignee_id,
            next.team_id,
            next.escalation_level,
            next.workaround,
            next.acknowledged_at.as_ref().map(ts),
            next.resolved_at.as_ref().map(ts),
            next.resolution_code.map(|c| c.as_str()),
            next.resolution_notes,
            next.verified_at.as_ref().map(ts),
            next.verified_by,
            next.verification_method.map(|m| m.as_str()),
            next.verification_notes,
            next.closed_at.as_ref().map(ts),
            next.closed_by,
            next.closure_notes,
            next.reopen_count,
            ts(&next.updated_at),
            next.updated_by,
            next.version,
            next.paused_since.as_ref().map(ts),
            next.pause_reason,
            ts(&next.detected_at),
            next.workaround_at.as_ref().map(ts),
            next.users_affected,
        ])?;
    if n == 0 {
        return Err(Error::Conflict(format!(
            "{} was changed by someone else while this change was being saved; reload it and try again",
            next.number
        )));
    }
    Ok(())
}

const SELECT: &str = "SELECT i.id, i.number, i.title, i.description, i.category_id, c.name,
    i.service_id, s.name, i.reporter_name, i.reporter_contact, i.channel, i.started_at,
    i.logged_at, i.impact, i.urgency, i.priority, i.computed_priority, i.priority_override_reason,
    i.status, i.assignee_id, p.name, i.team_id, t.name, i.escalation_level, i.workaround,
    i.acknowledged_at, i.resolved_at, i.resolution_code, i.resolution_notes, i.verified_at,
    i.verified_by, i.verification_method, i.verification_notes, i.closed_at, i.closed_by,
    i.closure_notes, i.reopen_count, i.created_by, i.updated_at, i.updated_by, i.version,
    i.paused_since, i.pause_reason, COALESCE(i.detected_at, i.logged_at), i.workaround_at,
    i.users_affected
  FROM incidents i
  JOIN categories c ON c.id = i.category_id
  JOIN services s ON s.id = i.service_id
  LEFT JOIN people p ON p.id = i.assignee_id
  LEFT JOIN teams t ON t.id = i.team_id";

fn from_row(r: &Row<'_>) -> Result<Incident> {
    let text = |i: usize| -> Result<String> { Ok(r.get::<_, String>(i)?) };
    let opt = |i: usize| -> Result<Option<String>> { Ok(r.get::<_, Option<String>>(i)?) };
    Ok(Incident {
        id: r.get(0)?,
        number: text(1)?,
        title: text(2)?,
        description: text(3)?,
        category_id: r.get(4)?,
        category_name: text(5)?,
        service_id: r.get(6)?,
        service_name: text(7)?,
        reporter_name: text(8)?,
        reporter_contact: text(9)?,
        channel: Channel::parse(&text(10)?, "channel")?,
        started_at: parse_ts(&text(11)?)?,
        logged_at: parse_ts(&text(12)?)?,
        impact: Impact::parse(&text(13)?, "impact")?,
        urgency: Urgency::parse(&text(14)?, "urgency")?,
        priority: Priority::parse(&text(15)?, "priority")?,
        computed_priority: Priority::parse(&text(16)?, "computed_priority")?,
        priority_override_reason: opt(17)?,
        status: Status::parse(&text(18)?, "status")?,
        assignee_id: r.get(19)?,
        assignee_name: opt(20)?,
        team_id: r.get(21)?,
        team_name: opt(22)?,
        escalation_level: r.get(23)?,
        workaround: opt(24)?,
        acknowledged_at: parse_opt_ts(opt(25)?)?,
        resolved_at: parse_opt_ts(opt(26)?)?,
        resolution_code: opt(27)?
            .map(|c| ResolutionCode::parse(&c, "resolution_code"))
            .transpose()?,
        resolution_notes: opt(28)?,
        verified_at: parse_opt_ts(opt(29)?)?,
        verified_by: opt(30)?,
        verification_method: opt(31)?
            .map(|m| VerificationMethod::parse(&m, "verification_method"))
            .transpose()?,
        verification_notes: opt(32)?,
        closed_at: parse_opt_ts(opt(33)?)?,
        closed_by: opt(34)?,
        closure_notes: opt(35)?,
        reopen_count: r.get(36)?,
        created_by: text(37)?,
        updated_at: parse_ts(&text(38)?)?,
        updated_by: text(39)?,
        version: r.get(40)?,
        paused_since: parse_opt_ts(opt(41)?)?,
        pause_reason: opt(42)?,
        detected_at: parse_ts(&text(43)?)?,
        workaround_at: parse_opt_ts(opt(44)?)?,
        users_affected: r.get(45)?,
    })
}

pub fn find(conn: &Connection, id: i64) -> Result<Option<Incident>> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT} WHERE i.id = ?1"))?;
    let mut rows = stmt.query([id])?;
    match rows.next()? {
        Some(r) => Ok(Some(from_row(r)?)),
        None => Ok(None),
    }
}

pub fn get(conn: &Connection, id: i64) -> Result<Incident> {
    find(conn, id)?.ok_or_else(|| Error::NotFound(format!("{} does not exist", number_for(id))))
}

/// Turns what a user typed into an FTS5 query: every word must match, as a prefix, and no
/// character of theirs is FTS syntax. Refused (field `text`) beyond
/// `limits::MAX_SEARCH_CHARS` characters or `limits::MAX_SEARCH_TERMS` words: each word is a
/// prefix scan of the index, and a long search holds the database for seconds.
pub fn fts_query(text: &str) -> Result<Option<String>> {
    limits::check_len(text, "text", "Search text", limits::MAX_SEARCH_CHARS)?;
    let terms: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric() && c != '-' && c != '_')
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{}\"*", w.replace('"', "")))
        .collect();
    if terms.len() > limits::MAX_SEARCH_TERMS {
        return Err(Error::validation(
            "text",
            format!(
                "Search for at most {} words (got {}): every word must match, so a few \
                 distinctive ones find more precisely",
                limits::MAX_SEARCH_TERMS,
                terms.len()
            ),
        ));
    }
    if terms.is_empty() {
        Ok(None)
    } else {
        Ok(Some(terms.join(" ")))
    }
}

/// The incident a search for a bare number means: "12", "000012", "INC-12" and "inc-000012"
/// all name INC-000012. The full-text index only knows the number as the token "000012", so a
/// search for "12" would otherwise miss the one incident the user most likely wants.
pub fn number_searched(text: &str) -> Option<i64> {
    let t = text.trim();
    let digits = match t.get(..4) {
        Some(prefix) if prefix.eq_ignore_ascii_case("inc-") => &t[4..],
        _ => t,
    };
    if digits.is_empty() || digits.len() > 12 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<i64>().ok().filter(|n| *n > 0)
}

/// The WHERE clause of a list query, its parameters, and the parameter number of the incident a
/// bare-number search names (that incident is listed first, whatever the sort).
fn filters(q: &IncidentQuery) -> Result<(String, Vec<Value>, Option<usize>)> {
    let mut clauses: Vec<String> = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    let mut pinned = None;
    match q.state.as_deref().map(str::trim) {
        None | Some("") | Some("all") => {}
        // Written exactly as in the partial indexes so the planner uses them.
        Some("open") => clauses.push("i.status <> 'closed'".into()),
        Some("closed") => clauses.push("i.status = 'closed'".into()),
        Some(other) => {
            return Err(Error::validation(
                "state",
                format!(
                    "State must be open, closed or all (got {})",
                    limits::shown(other)
                ),
            ))
        }
    }
    fn push_clause(clauses: &mut Vec<String>, values: &mut Vec<Value>, clause: &str, v: Value) {
        values.push(v);
        clauses.push(clause.replace('?', &format!("?{}", values.len())));
    }
    let mut bind = |clause: &str, v: Value| push_clause(&mut clauses, &mut values, clause, v);
    if let Some(s) = q.status.as_deref().filter(|s| !s.is_empty()) {
        bind(
            "i.status = ?",
            Value::Text(Status::parse(s, "status")?.as_str().into()),
        );
    }
    if let Some(p) = q.priority.as_deref().filter(|s| !s.is_empty()) {
        bind(
            "i.priority = ?",
            Value::Text(Priority::parse(p, "priority")?.as_str().into()),
        );
    }
    if let Some(id) = q.category_id {
        bind("i.category_id = ?", Value::Integer(id));
    }
    if let Some(id) = q.service_id {
        bind("i.service_id = ?", Value::Integer(id));
    }
    if let Some(id) = q.assignee_id {
        bind("i.assignee_id = ?", Value::Integer(id));
    }
    if let Some(id) = q.team_id {
        bind("i.team_id = ?", Value::Integer(id));
    }
    if let Some(text) = q.text.as_deref() {
        let fts = fts_query(text)?;
        match (number_searched(text), fts) {
            (Some(id), Some(m)) => {
                values.push(Value::Integer(id));
                let n = values.len();
                values.push(Value::Text(m));
                clauses.push(format!(
                    "(i.id = ?{n} OR i.id IN (SELECT rowid FROM incidents_fts WHERE incidents_fts MATCH ?{}))",
                    n + 1
                ));
                pinned = Some(n);
            }
            (_, Some(m)) => push_clause(
                &mut clauses,
                &mut values,
                "i.id IN (SELECT rowid FROM incidents_fts WHERE incidents_fts MATCH ?)",
                Value::Text(m),
            ),
            (_, None) => {}
        }
    }
    let sql = if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", clauses.join(" AND "))
    };
    Ok((sql, values, pinned))
}

/// The SLA state of a list row, read from its deadlines by primary key (a few lookups per row
/// of the page, never a scan).
pub const SLA_COLUMNS: &str = "
    (SELECT d.due_at FROM sla_deadlines d WHERE d.incident_id = i.id AND d.fired_at IS NULL
       AND d.kind IN ('response:breach', 'resolution:breach') ORDER BY d.due_at LIMIT 1),
    (SELECT substr(d.kind, 1, instr(d.kind, ':') - 1) FROM sla_deadlines d WHERE d.incident_id = i.id
       AND d.fired_at IS NULL AND d.kind IN ('response:breach', 'resolution:breach') ORDER BY d.due_at LIMIT 1),
    EXISTS (SELECT 1 FROM sla_deadlines d WHERE d.incident_id = i.id
       AND d.kind IN ('response:breach', 'resolution:breach') AND d.fired_at IS NOT NULL),
    (SELECT MAX(CAST(replace(replace(w.kind, 'response:warning:', ''), 'resolution:warning:', '') AS INTEGER))
       FROM sla_deadlines w WHERE w.incident_id = i.id AND w.fired_at IS NOT NULL AND w.kind LIKE '%:warning:%'
       AND EXISTS (SELECT 1 FROM sla_deadlines b WHERE b.incident_id = w.incident_id
         AND b.kind = substr(w.kind, 1, instr(w.kind, ':')) || 'breach' AND b.fired_at IS NULL)),
    i.paused_since IS NOT NULL,
    (SELECT MIN(d.due_at) FROM sla_deadlines d WHERE d.incident_id = i.id
       AND d.kind IN ('response:breach', 'resolution:breach') AND d.fired_at IS NOT NULL)";

pub const DEFAULT_PAGE: i64 = 50;
pub const MAX_PAGE: i64 = 500;
/// How many matching incidents past the page's start the list counts before it says "10,000+".
/// Counting a million open incidents costs more than the page itself (tens of milliseconds on
/// every filter change); nobody pages through ten thousand rows to the last one.
pub const COUNT_CAP: i64 = 10_000;

/// The two statements of a list query and the values of its filters; the count takes one more
/// parameter (how far to count), the page two (limit, offset).
struct ListSql {
    count: String,
    page: String,
    values: Vec<Value>,
}

fn list_sql(q: &IncidentQuery) -> Result<ListSql> {
    let (where_sql, values, pinned) = filters(q)?;
    let order = match q.sort {
        SortOrder::Priority => "i.priority, i.logged_at, i.id",
        SortOrder::Age => "i.logged_at, i.id",
        SortOrder::LastUpdate => "i.updated_at DESC, i.id DESC",
    };
    let order = match pinned {
        Some(n) => format!("i.id = ?{n} DESC, {order}"),
        None => order.to_string(),
    };
    let n = values.len();
    let count = format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM incidents i{where_sql} LIMIT ?{})",
        n + 1
    );
    let page = format!(
        "SELECT i.id, i.number, i.title, i.priority, i.status, c.name, s.name, p.name, t.name,
                i.logged_at, i.updated_at, {SLA_COLUMNS}
         FROM incidents i
         JOIN categories c ON c.id = i.category_id
         JOIN services s ON s.id = i.service_id
         LEFT JOIN people p ON p.id = i.assignee_id
         LEFT JOIN teams t ON t.id = i.team_id{where_sql}
         ORDER BY {order} LIMIT ?{} OFFSET ?{}",
        n + 1,
        n + 2
    );
    Ok(ListSql {
        count,
        page,
        values,
    })
}

/// SQLite's plan for the page of a list query (`EXPLAIN QUERY PLAN`, the steps of the outer
/// query, not of the SLA columns' subqueries): how tests check that every sort the list offers
/// walks an index.
pub fn page_plan(conn: &Connection, q: &IncidentQuery) -> Result<Vec<String>> {
    let ListSql {
        page, mut values, ..
    } = list_sql(q)?;
    values.push(Value::Integer(DEFAULT_PAGE));
    values.push(Value::Integer(0));
    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {page}"))?;
    let rows = stmt.query_map(rusqlite::params_from_iter(values.iter()), |r| {
        Ok((r.get::<_, i64>(1)?, r.get::<_, String>(3)?))
    })?;
    let steps: Vec<(i64, String)> = rows.collect::<rusqlite::Result<_>>()?;
    Ok(steps
        .into_iter()
        .filter(|(parent, _)| *parent == 0)
        .map(|(_, detail)| detail)
        .collect())
}

/// One page of the list with the count of matching incidents (exact up to [`COUNT_CAP`] past
/// the page's start, then a lower bound: `total_exact` false).
pub fn list(conn: &Connection, q: &IncidentQuery) -> Result<IncidentPage> {
    list_counting_to(conn, q, COUNT_CAP)
}

/// [`list`] with the count capped at `cap` incidents past the page's start (tests use a small one).
pub fn list_counting_to(conn: &Connection, q: &IncidentQuery, cap: i64) -> Result<IncidentPage> {
    let limit = q.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(Error::validation(
            "limit",
            format!("Page size must be between 1 and {MAX_PAGE}"),
        ));
    }
    if q.offset < 0 {
        return Err(Error::validation("offset", "Offset cannot be negative"));
    }
    let ListSql {
        count,
        page,
        mut values,
    } = list_sql(q)?;
    // At least the page itself and one row past it are counted, so "Next" is right.
    let count_to = q
        .offset
        .checked_add(cap.max(limit.saturating_add(1)))
        .unwrap_or(i64::MAX);
    // One more than that tells "exactly count_to" from "more".
    values.push(Value::Integer(count_to.saturating_add(1)));
    let counted: i64 = conn
        .prepare_cached(&count)?
        .query_row(rusqlite::params_from_iter(values.iter()), |r| r.get(0))?;
    values.pop();
    values.push(Value::Integer(limit));
    values.push(Value::Integer(q.offset));
    let sql = page;
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(values.iter()))?;
    let mut out = Vec::with_capacity(limit as usize);
    while let Some(r) = rows.next()? {
        let (next_due_at, breached, warning_percent, paused) = (
            parse_opt_ts(r.get(11)?)?,
            r.get(13)?,
            r.get(14)?,
            r.get(15)?,
        );
        out.push(IncidentRow {
            id: r.get(0)?,
            number: r.get(1)?,
            title: r.get(2)?,
            priority: Priority::parse(&r.get::<_, String>(3)?, "priority")?,
            status: Status::parse(&r.get::<_, String>(4)?, "status")?,
            category_name: r.get(5)?,
            service_name: r.get(6)?,
            assignee_name: r.get(7)?,
            team_name: r.get(8)?,
            logged_at: parse_ts(&r.get::<_, String>(9)?)?,
            updated_at: parse_ts(&r.get::<_, String>(10)?)?,
            next_due_at,
            next_due_clock: r.get(12)?,
            breached,
            warning_percent,
            paused,
            sla_state: row_sla_state(breached, paused, warning_percent, next_due_at).to_string(),
            breached_at: parse_opt_ts(r.get(16)?)?,
            // Needs the SLA calendars: filled in by the desk (`sla::working_time_left`).
            working_seconds_left: None,
        });
    }
    Ok(IncidentPage {
        rows: out,
        total: counted.min(count_to),
        total_exact: counted <= count_to,
        offset: q.offset,
        limit,
    })
}

/// The name of a row in a small table, for readable event values.
pub fn name_of(conn: &Connection, table: &str, id: i64) -> Result<Option<String>> {
    let sql = format!("SELECT name FROM {table} WHERE id = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], |r| r.get(0))
        .optional()?)
}
