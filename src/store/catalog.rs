//! The basics an incident refers to: services, teams, people, categories, and the small
//! settings (operator, priority matrix). Validation of these inputs lives here too, so a bad
//! value is refused before anything is written.

use crate::domain::limits;
use crate::domain::model::*;
use crate::domain::priority::PriorityMatrix;
use crate::{Error, Result};
use rusqlite::{params, Connection, OptionalExtension};

/// A required name of at most `limits::MAX_NAME` characters.
fn required(value: &str, field: &str, label: &str) -> Result<String> {
    limits::required(value, field, label, limits::MAX_NAME)
}

/// A UNIQUE constraint failure as a validation error of `field`; any other error as it is.
pub(crate) fn unique_violation(e: rusqlite::Error, field: &str, message: String) -> Error {
    match &e {
        rusqlite::Error::SqliteFailure(f, _)
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE =>
        {
            Error::validation(field, message)
        }
        _ => e.into(),
    }
}

fn exists(conn: &Connection, table: &str, id: i64) -> Result<bool> {
    let sql = format!("SELECT 1 FROM {table} WHERE id = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], |_| Ok(()))
        .optional()?
        .is_some())
}

fn must_exist(conn: &Connection, table: &str, id: i64, field: &str, what: &str) -> Result<()> {
    if exists(conn, table, id)? {
        Ok(())
    } else {
        Err(Error::validation(
            field,
            format!("{what} {id} does not exist"),
        ))
    }
}

// ---- services ----

pub fn services(conn: &Connection) -> Result<Vec<Service>> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.id, s.name, s.description, s.owner_id, p.name, s.criticality,
                s.revenue_generating, s.users_served
         FROM services s LEFT JOIN people p ON p.id = s.owner_id ORDER BY s.name",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Option<i64>>(3)?,
            r.get::<_, Option<String>>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, bool>(6)?,
            r.get::<_, i64>(7)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, name, description, owner_id, owner_name, crit, revenue, users) = row?;
        out.push(Service {
            id,
            name,
            description,
            owner_id,
            owner_name,
            criticality: Criticality::parse(&crit, "criticality")?,
            revenue_generating: revenue,
            users_served: users,
        });
    }
    Ok(out)
}

pub fn save_service(conn: &Connection, input: &ServiceInput) -> Result<i64> {
    let name = required(&input.name, "name", "Service name")?;
    let description = limits::text(
        &input.description,
        "description",
        "Description",
        limits::MAX_TEXT,
    )?;
    let criticality = Criticality::parse(input.criticality.trim(), "criticality")?;
    limits::check_range(
        input.users_served,
        "users_served",
        "Users served",
        0,
        limits::MAX_USERS,
    )?;
    if let Some(owner) = input.owner_id {
        must_exist(conn, "people", owner, "owner_id", "Service owner")?;
    }
    let dup = |e| {
        unique_violation(
            e,
            "name",
            format!("A service named {name:?} already exists"),
        )
    };
    match input.id {
        None => {
            conn.execute(
                "INSERT INTO services (name, description, owner_id, criticality, revenue_generating, users_served)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![name, description, input.owner_id, criticality.as_str(), input.revenue_generating, input.users_served],
            )
            .map_err(dup)?;
            Ok(conn.last_insert_rowid())
        }
        Some(id) => {
            let n = conn
                .execute(
                    "UPDATE services SET name = ?2, description = ?3, owner_id = ?4, criticality = ?5,
                     revenue_generating = ?6, users_served = ?7 WHERE id = ?1",
                    params![id, name, description, input.owner_id, criticality.as_str(), input.revenue_generating, input.users_served],
                )
                .map_err(dup)?;
            if n == 0 {
                return Err(Error::NotFound(format!("Service {id} does not exist")));
            }
            Ok(id)
        }
    }
}

// ---- teams ----

pub fn teams(conn: &Connection) -> Result<Vec<Team>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, tier, contact, expected_response_minutes FROM teams ORDER BY name",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, i64>(4)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, name, tier, contact, minutes) = row?;
        out.push(Team {
            id,
            name,
            tier: Tier::parse(&tier, "tier")?,
            contact,
            expected_response_minutes: minutes,
        });
    }
    Ok(out)
}

pub fn save_team(conn: &Connection, input: &TeamInput) -> Result<i64> {
    let name = required(&input.name, "name", "Team name")?;
    let tier = Tier::parse(input.tier.trim(), "tier")?;
    let contact = limits::text(&input.contact, "contact", "Contact", limits::MAX_LINE)?;
    limits::check_minutes(
        input.expected_response_minutes,
        "expected_response_minutes",
        "Expected response time",
        0,
    )?;
    let dup = |e| unique_violation(e, "name", format!("A team named {name:?} already exists"));
    match input.id {
        None => {
            conn.execute(
                "INSERT INTO teams (name, tier, contact, expected_response_minutes) VALUES (?1, ?2, ?3, ?4)",
                params![name, tier.as_str(), contact, input.expected_response_minutes],
            )
            .map_err(dup)?;
            Ok(conn.last_insert_rowid())
        }
        Some(id) => {
            let n = conn
                .execute(
                    "UPDATE teams SET name = ?2, tier = ?3, contact = ?4, expected_response_minutes = ?5 WHERE id = ?1",
                    params![id, name, tier.as_str(), contact, input.expected_response_minutes],
                )
                .map_err(dup)?;
            if n == 0 {
                return Err(Error::NotFound(format!("Team {id} does not exist")));
            }
            Ok(id)
        }
    }
}

// ---- people ----

pub fn people(conn: &Connection) -> Result<Vec<Person>> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.id, p.name, p.email, p.phone, p.team_id, t.name, p.roles
         FROM people p LEFT JOIN teams t ON t.id = p.team_id ORDER BY p.name",
    )?;
    let rows = stmt.query_map([], person_from_row)?;
    let mut out = Vec::new();
    for row in rows {
        out.push(finish_person(row?)?);
    }
    Ok(out)
}

type PersonRow = (
    i64,
    String,
    String,
    String,
    Option<i64>,
    Option<String>,
    String,
);

fn person_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PersonRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
    ))
}

fn finish_person(row: PersonRow) -> Result<Person> {
    let (id, name, email, phone, team_id, team_name, roles) = row;
    let keys: Vec<String> = serde_json::from_str(&roles)?;
    let roles = keys
        .iter()
        .map(|k| Role::parse(k, "roles"))
        .collect::<Result<Vec<_>>>()?;
    Ok(Person {
        id,
        name,
        email,
        phone,
        team_id,
        team_name,
        roles,
    })
}

pub fn person(conn: &Connection, id: i64) -> Result<Option<Person>> {
    let row = conn
        .prepare_cached(
            "SELECT p.id, p.name, p.email, p.phone, p.team_id, t.name, p.roles
             FROM people p LEFT JOIN teams t ON t.id = p.team_id WHERE p.id = ?1",
        )?
        .query_row([id], person_from_row)
        .optional()?;
    row.map(finish_person).transpose()
}

pub fn save_person(conn: &Connection, input: &PersonInput) -> Result<i64> {
    let name = required(&input.name, "name", "Name")?;
    let email = limits::text(&input.email, "email", "E-mail", limits::MAX_LINE)?;
    let email = email.as_str();
    let phone = limits::text(&input.phone, "phone", "Phone", limits::MAX_LINE)?;
    let looks_like_address =
        email.contains('@') && !email.starts_with('@') && !email.ends_with('@');
    if !email.is_empty() && !looks_like_address {
        return Err(Error::validation(
            "email",
            format!(
                "E-mail {} is not an e-mail address (name@example.org)",
                limits::shown(email)
            ),
        ));
    }
    if let Some(team) = input.team_id {
        must_exist(conn, "teams", team, "team_id", "Team")?;
    }
    limits::check_count(&input.roles, "roles", "Roles", limits::MAX_LIST)?;
    let mut roles = Vec::new();
    for r in &input.roles {
        let role = Role::parse(r.trim(), "roles")?;
        if !roles.contains(&role.as_str()) {
            roles.push(role.as_str());
        }
    }
    let roles = serde_json::to_string(&roles)?;
    match input.id {
        None => {
            conn.execute(
                "INSERT INTO people (name, email, phone, team_id, roles) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![name, email, phone, input.team_id, roles],
            )?;
            Ok(conn.last_insert_rowid())
        }
        Some(id) => {
            let n = conn.execute(
                "UPDATE people SET name = ?2, email = ?3, phone = ?4, team_id = ?5, roles = ?6 WHERE id = ?1",
                params![id, name, email, phone, input.team_id, roles],
            )?;
            if n == 0 {
                return Err(Error::NotFound(format!("Person {id} does not exist")));
            }
            Ok(id)
        }
    }
}

// ---- categories ----

pub fn categories(conn: &Connection) -> Result<Vec<Category>> {
    let mut stmt = conn.prepare_cached("SELECT id, name, active FROM categories ORDER BY name")?;
    let rows = stmt.query_map([], |r| {
        Ok(Category {
            id: r.get(0)?,
            name: r.get(1)?,
            active: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn save_category(conn: &Connection, input: &CategoryInput) -> Result<i64> {
    let name = required(&input.name, "name", "Category name")?;
    let dup = |e| {
        unique_violation(
            e,
            "name",
            format!("A category named {name:?} already exists"),
        )
    };
    match input.id {
        None => {
            conn.execute(
                "INSERT INTO categories (name, active) VALUES (?1, ?2)",
                params![name, input.active],
            )
            .map_err(dup)?;
            Ok(conn.last_insert_rowid())
        }
        Some(id) => {
            let n = conn
                .execute(
                    "UPDATE categories SET name = ?2, active = ?3 WHERE id = ?1",
                    params![id, name, input.active],
                )
                .map_err(dup)?;
            if n == 0 {
                return Err(Error::NotFound(format!("Category {id} does not exist")));
            }
            Ok(id)
        }
    }
}

// ---- settings ----

/// A value of the `settings` table (key → text).
pub fn setting(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

/// Sets a value of the `settings` table.
pub fn set_setting(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute([key, value])?;
    Ok(())
}

/// The person recorded as the actor of every change, if chosen.
pub fn operator(conn: &Connection) -> Result<Option<Person>> {
    match setting(conn, "operator_id")? {
        None => Ok(None),
        Some(v) => match v.parse::<i64>() {
            Ok(id) => person(conn, id),
            Err(_) => Ok(None),
        },
    }
}

pub fn set_operator(conn: &Connection, person_id: i64) -> Result<Person> {
    let person = person(conn, person_id)?.ok_or_else(|| {
        Error::validation("person_id", format!("Person {person_id} does not exist"))
    })?;
    set_setting(conn, "operator_id", &person_id.to_string())?;
    Ok(person)
}

pub fn priority_matrix(conn: &Connection) -> Result<PriorityMatrix> {
    match setting(conn, "priority_matrix")? {
        None => Ok(PriorityMatrix::default()),
        Some(json) => Ok(serde_json::from_str(&json)?),
    }
}

pub fn save_priority_matrix(conn: &Connection, matrix: &PriorityMatrix) -> Result<()> {
    matrix.validate()?;
    set_setting(conn, "priority_matrix", &serde_json::to_string(matrix)?)
}

// ---- deleting ----

/// The kinds of Settings entry that can be deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    Service,
    Team,
    Person,
    Category,
}

impl Entry {
    fn table(self) -> &'static str {
        match self {
            Entry::Service => "services",
            Entry::Team => "teams",
            Entry::Person => "people",
            Entry::Category => "categories",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Entry::Service => "Service",
            Entry::Team => "Team",
            Entry::Person => "Person",
            Entry::Category => "Category",
        }
    }

    /// What still points at an entry: (count query with ?1 = id, singular, plural).
    fn references(self) -> &'static [(&'static str, &'static str, &'static str)] {
        match self {
            Entry::Service => &[
                ("SELECT COUNT(*) FROM incidents WHERE service_id = ?1", "incident", "incidents"),
                (
                    "SELECT COUNT(*) FROM escalation_rules WHERE service_id = ?1",
                    "escalation rule",
                    "escalation rules",
                ),
            ],
            Entry::Team => &[
                ("SELECT COUNT(*) FROM incidents WHERE team_id = ?1", "incident", "incidents"),
                ("SELECT COUNT(*) FROM people WHERE team_id = ?1", "person", "people"),
                (
                    "SELECT COUNT(*) FROM escalation_rules WHERE team_id = ?1 OR target_team_id = ?1",
                    "escalation rule",
                    "escalation rules",
                ),
            ],
            Entry::Person => &[
                (
                    "SELECT COUNT(*) FROM incidents WHERE assignee_id = ?1",
                    "incident assigned to them",
                    "incidents assigned to them",
                ),
                (
                    "SELECT COUNT(*) FROM events WHERE actor_id = ?1",
                    "change they recorded",
                    "changes they recorded",
                ),
                (
                    "SELECT COUNT(*) FROM services WHERE owner_id = ?1",
                    "service they own",
                    "services they own",
                ),
                (
                    "SELECT COUNT(*) FROM major_incidents WHERE manager_id = ?1",
                    "major incident they managed",
                    "major incidents they managed",
                ),
                (
                    "SELECT COUNT(*) FROM review_actions WHERE owner_id = ?1",
                    "review action they own",
                    "review actions they own",
                ),
                (
                    "SELECT COUNT(*) FROM escalation_rules WHERE target_person_id = ?1",
                    "escalation rule",
                    "escalation rules",
                ),
            ],
            Entry::Category => &[
                ("SELECT COUNT(*) FROM incidents WHERE category_id = ?1", "incident", "incidents"),
                (
                    "SELECT COUNT(*) FROM escalation_rules WHERE category_id = ?1",
                    "escalation rule",
                    "escalation rules",
                ),
            ],
        }
    }

    /// What to do instead when the entry is in use.
    fn instead(self) -> &'static str {
        match self {
            Entry::Category => {
                "Deactivate it instead, so it is no longer offered for new incidents."
            }
            Entry::Person => {
                "Edit their details instead (for example to mark that they have left)."
            }
            Entry::Service | Entry::Team => "Rename or edit it instead.",
        }
    }
}

/// Deletes a service, team, person or category entered by mistake, and returns its name.
///
/// Incidents and their history must keep pointing at what they were recorded against, so an
/// entry anything still refers to is refused with a message that counts each use and says what
/// to do instead; the operator cannot delete themself.
pub fn delete(conn: &Connection, entry: Entry, id: i64) -> Result<String> {
    let name: Option<String> = conn
        .prepare_cached(&format!("SELECT name FROM {} WHERE id = ?1", entry.table()))?
        .query_row([id], |r| r.get(0))
        .optional()?;
    let Some(name) = name else {
        return Err(Error::NotFound(format!(
            "{} {id} does not exist (it may have been deleted already)",
            entry.noun()
        )));
    };
    if entry == Entry::Person && setting(conn, "operator_id")?.as_deref() == Some(&id.to_string()) {
        return Err(Error::InUse(format!(
            "“{name}” is who you are signed in as (Who am I): choose someone else there first."
        )));
    }
    let mut uses = Vec::new();
    let mut total = 0;
    for (sql, one, many) in entry.references() {
        let n: i64 = conn.prepare_cached(sql)?.query_row([id], |r| r.get(0))?;
        if n > 0 {
            uses.push(format!("{n} {}", if n == 1 { one } else { many }));
            total += n;
        }
    }
    if !uses.is_empty() {
        let list = match uses.len() {
            1 => uses[0].clone(),
            n => format!("{} and {}", uses[..n - 1].join(", "), uses[n - 1]),
        };
        let verb = if total == 1 { "refers" } else { "refer" };
        return Err(Error::InUse(format!(
            "“{name}” cannot be deleted: {list} {verb} to it, and the record must keep saying what it was recorded against. {}",
            entry.instead()
        )));
    }
    conn.prepare_cached(&format!("DELETE FROM {} WHERE id = ?1", entry.table()))?
        .execute([id])?;
    Ok(name)
}

/// A category's name and whether it may still be chosen.
pub fn category_state(conn: &Connection, id: i64) -> Result<Option<(String, bool)>> {
    Ok(conn
        .prepare_cached("SELECT name, active FROM categories WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}
