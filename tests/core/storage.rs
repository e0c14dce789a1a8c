//! The database file: pragmas, migrations, durability, atomicity, append-only history.

use crate::support::*;
use incident_desk::domain::model::*;
use incident_desk::store::migrations;
use incident_desk::{Desk, FixedClock, DATABASE_FILE};
use rusqlite::Connection;
use std::sync::Arc;

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::at("2026-03-02T09:00:00Z"))
}

fn file_fixture(dir: &std::path::Path) -> Fixture {
    let c = clock();
    let desk = Desk::open_in(dir, c.clone()).expect("file desk");
    setup(desk, c)
}

#[test]
fn a_new_database_is_migrated_to_the_latest_schema_with_safe_pragmas() {
    let dir = tempfile::tempdir().unwrap();
    let desk = Desk::open_in(dir.path(), clock()).unwrap();
    assert_eq!(desk.info().unwrap().schema_version, migrations::latest());
    desk.db()
        .read(|tx| {
            let mode: String = tx.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
            let sync: i64 = tx.pragma_query_value(None, "synchronous", |r| r.get(0))?;
            let fk: i64 = tx.pragma_query_value(None, "foreign_keys", |r| r.get(0))?;
            let busy: i64 = tx.pragma_query_value(None, "busy_timeout", |r| r.get(0))?;
            assert_eq!((mode.as_str(), sync, fk), ("wal", 2, 1));
            assert!(busy >= 1000);
            Ok(())
        })
        .unwrap();
    let names: Vec<String> = desk
        .reference_data()
        .unwrap()
        .categories
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(
        names,
        [
            "Access",
            "Application",
            "Hardware",
            "Network",
            "Other",
            "Security"
        ]
    );
}

#[test]
fn an_older_database_is_brought_up_to_date_and_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DATABASE_FILE);
    // A database as the previous binary left it, with an incident and its history.
    {
        let mut conn = Connection::open(&path).unwrap();
        migrations::migrate_to(&mut conn, migrations::latest() - 1).unwrap();
    }
    let f = file_fixture(dir.path());
    let d = f.log();
    drop(f);
    let desk = Desk::open_in(dir.path(), clock()).unwrap();
    assert_eq!(desk.info().unwrap().schema_version, migrations::latest());
    assert_eq!(desk.get(d.incident.id).unwrap(), d);
}

#[test]
fn a_database_from_a_newer_version_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DATABASE_FILE);
    {
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", migrations::latest() + 1)
            .unwrap();
    }
    let err = Desk::open_in(dir.path(), clock()).err().expect("refused");
    assert_eq!(err.code(), "incompatible_database");
    assert!(
        err.to_string().contains("newer version of Incident Desk"),
        "{err}"
    );
    let conn = Connection::open(&path).unwrap();
    let v: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(v, migrations::latest() + 1);
    let tables: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE name = 'incidents'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(tables, 0, "no migration ran");
}

#[test]
fn everything_survives_closing_and_reopening_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let f = file_fixture(dir.path());
    let d = f.close(&f.verify(&f.resolve(&f.log())));
    drop(f);
    let desk = Desk::open_in(dir.path(), clock()).unwrap();
    let again = desk.get(d.incident.id).unwrap();
    assert_eq!(again, d, "row and timeline as they were");
    assert_eq!(desk.info().unwrap().operator.unwrap().name, "Amira Haddad");
}

/// Makes SQLite fail the next write of an event of `kind`, as a full disk or a crash would.
fn fail_events_of_kind(dir: &std::path::Path, kind: &str) {
    let conn = Connection::open(dir.join(DATABASE_FILE)).unwrap();
    conn.execute_batch(&format!(
        "CREATE TRIGGER fail_{kind} BEFORE INSERT ON events WHEN new.kind = '{kind}'
         BEGIN SELECT RAISE(ABORT, 'simulated failure'); END;"
    ))
    .unwrap();
}

fn counts(dir: &std::path::Path) -> (i64, i64) {
    let conn = Connection::open(dir.join(DATABASE_FILE)).unwrap();
    let i = conn
        .query_row("SELECT COUNT(*) FROM incidents", [], |r| r.get(0))
        .unwrap();
    let e = conn
        .query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0))
        .unwrap();
    (i, e)
}

#[test]
fn a_log_whose_transaction_fails_leaves_neither_row_nor_event() {
    let dir = tempfile::tempdir().unwrap();
    let f = file_fixture(dir.path());
    fail_events_of_kind(dir.path(), "created");
    let err = f.desk.log(&f.new_incident()).unwrap_err();
    assert_eq!(err.code(), "storage");
    assert_eq!(counts(dir.path()), (0, 0));
    let page = f
        .desk
        .list(&IncidentQuery {
            text: Some("checkout".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(page.total, 0, "no full-text entry either");
}

#[test]
fn a_resolve_whose_transaction_fails_leaves_the_incident_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let f = file_fixture(dir.path());
    let d = f.log();
    fail_events_of_kind(dir.path(), "resolved");
    let err = f
        .desk
        .resolve(&ResolveInput {
            id: d.incident.id,
            expected_version: 1,
            resolution_code: "fixed".into(),
            resolution_notes: "x".into(),
        })
        .unwrap_err();
    assert_eq!(err.code(), "storage");
    assert_eq!(
        f.desk.get(d.incident.id).unwrap(),
        d,
        "row and history unchanged"
    );
    assert_eq!(
        counts(dir.path()),
        (1, 3),
        "logged + two SLA due times, nothing more"
    );
}

#[test]
fn history_cannot_be_edited_or_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let f = file_fixture(dir.path());
    f.log();
    let conn = Connection::open(dir.path().join(DATABASE_FILE)).unwrap();
    let err = conn
        .execute("UPDATE events SET actor = 'someone else'", [])
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    let err = conn.execute("DELETE FROM events", []).unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
}

#[test]
fn a_database_from_before_the_history_chain_gets_its_events_chained() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DATABASE_FILE);
    {
        let mut conn = Connection::open(&path).unwrap();
        migrations::migrate_to(&mut conn, 2).unwrap();
        conn.execute_batch(
            "INSERT INTO services (name, criticality) VALUES ('E-mail', 'high');
             INSERT INTO incidents (id, number, title, description, category_id, service_id, reporter_name,
               reporter_contact, channel, started_at, logged_at, impact, urgency, priority, computed_priority,
               status, created_by, updated_at, updated_by)
             VALUES (1, 'INC-000001', 'Old', 'Old incident', 1, 1, 'R', 'r@example.org', 'phone',
               '2026-01-05T09:00:00.000Z', '2026-01-05T09:00:00.000Z', 'minor', 'low', 'P4', 'P4', 'new',
               'Old operator', '2026-01-05T09:00:00.000Z', 'Old operator');
             INSERT INTO events (incident_id, at, actor, kind, new_value) VALUES
               (1, '2026-01-05T09:00:00.000Z', 'Old operator', 'created', 'P4 Low'),
               (1, '2026-01-05T09:05:00.000Z', 'Old operator', 'note', NULL);",
        )
        .unwrap();
    }
    let desk = Desk::open_in(dir.path(), clock()).unwrap();
    let check = desk.verify_history().unwrap();
    assert!(check.intact, "{check:?}");
    assert_eq!(check.events_checked, 2);
}

fn tamper(dir: &std::path::Path, sql: &str) {
    let conn = Connection::open(dir.join(DATABASE_FILE)).unwrap();
    // Someone with the file and a SQLite shell can drop the guard; the chain still tells.
    conn.execute_batch(&format!(
        "DROP TRIGGER events_are_append_only_update; DROP TRIGGER events_are_append_only_delete; {sql}"
    ))
    .unwrap();
}

#[test]
fn verify_history_names_the_first_altered_event() {
    let dir = tempfile::tempdir().unwrap();
    let f = file_fixture(dir.path());
    let d = f.close(&f.verify(&f.resolve(&f.log())));
    let intact = f.desk.verify_history().unwrap();
    assert!(intact.intact && intact.problem.is_none());
    assert_eq!(intact.events_checked, d.timeline.len() as i64);
    let resolved = d.timeline.iter().find(|e| e.kind == "resolved").unwrap();
    tamper(
        dir.path(),
        &format!(
            "UPDATE events SET detail = 'We fixed it fast' WHERE id = {}",
            resolved.id
        ),
    );
    let check = f.desk.verify_history().unwrap();
    assert!(!check.intact);
    assert_eq!(check.first_bad_event_id, Some(resolved.id));
    let problem = check.problem.unwrap();
    assert!(
        problem.contains(&format!("Event {} of INC-000001", resolved.id))
            && problem.contains("altered"),
        "{problem}"
    );
}

#[test]
fn verify_history_names_missing_events() {
    let dir = tempfile::tempdir().unwrap();
    let f = file_fixture(dir.path());
    let d = f.close(&f.verify(&f.resolve(&f.log())));
    let verified = d.timeline.iter().find(|e| e.kind == "verified").unwrap();
    tamper(
        dir.path(),
        &format!("DELETE FROM events WHERE id = {}", verified.id),
    );
    let check = f.desk.verify_history().unwrap();
    assert!(!check.intact);
    let problem = check.problem.unwrap();
    // One missing event is named as one, not as the range "Events 13 to 13".
    assert!(
        problem.contains(&format!("Event {} is missing", verified.id)),
        "{problem}"
    );
    assert!(!problem.contains(" to "), "{problem}");
}

/// Migration 6 rebuilds `incidents` (its CHECKs as OR chains): the rows, ids, history, full-text
/// search and deadlines of a version-5 file come through, and the constraints still hold.
#[test]
fn the_incidents_rebuild_keeps_rows_history_search_and_constraints() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DATABASE_FILE);
    {
        let mut conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "foreign_keys", true).unwrap();
        migrations::migrate_to(&mut conn, 5).unwrap();
        let fk: bool = conn
            .pragma_query_value(None, "foreign_keys", |r| r.get(0))
            .unwrap();
        assert!(fk, "the runner restores foreign-key enforcement");
        conn.execute_batch(
            "INSERT INTO services (name, criticality) VALUES ('Mail relay', 'high');
             INSERT INTO incidents (id, number, title, description, category_id, service_id, reporter_name,
               reporter_contact, channel, started_at, logged_at, impact, urgency, priority, computed_priority,
               status, created_by, updated_at, updated_by, users_affected)
             VALUES (7, 'INC-000007', 'Mailbox quota full', 'Outlook refuses to send', 1, 1, 'Rita',
               'rita@example.org', 'phone', '2026-01-05T09:00:00.000Z', '2026-01-05T09:00:00.000Z',
               'minor', 'low', 'P4', 'P4', 'new', 'Old operator', '2026-01-05T09:00:00.000Z',
               'Old operator', 1);
             INSERT INTO events (incident_id, at, actor, kind, new_value) VALUES
               (7, '2026-01-05T09:00:00.000Z', 'Old operator', 'created', 'P4 Low');
             INSERT INTO sla_deadlines (incident_id, kind, due_at) VALUES
               (7, 'resolution:breach', '2026-01-12T09:00:00.000Z');",
        )
        .unwrap();
    }
    let desk = Desk::open_in(dir.path(), clock()).unwrap();
    assert_eq!(desk.info().unwrap().schema_version, migrations::latest());
    let d = desk.get(7).unwrap();
    assert_eq!(
        (d.incident.number.as_str(), d.incident.title.as_str()),
        ("INC-000007", "Mailbox quota full")
    );
    assert_eq!(d.incident.users_affected, Some(1));
    assert_eq!(d.timeline.len(), 1);
    let found = |text: &str| {
        desk.list(&IncidentQuery {
            text: Some(text.into()),
            ..Default::default()
        })
        .unwrap()
        .total
    };
    assert_eq!(found("outlook"), 1, "the full-text index still answers");

    // The rebuilt table keeps its triggers: an edited title is searchable at once.
    let f = setup(desk, clock());
    let edited = f
        .desk
        .update(&UpdateIncident {
            id: 7,
            expected_version: d.incident.version,
            changes: IncidentChanges {
                title: Some("Mailbox archive stuck".into()),
                ..Default::default()
            },
        })
        .unwrap();
    assert_eq!(edited.incident.title, "Mailbox archive stuck");
    let search = |text: &str| {
        f.desk
            .list(&IncidentQuery {
                text: Some(text.into()),
                ..Default::default()
            })
            .unwrap()
            .total
    };
    assert_eq!((search("archive"), search("quota")), (1, 0));

    // The constraints and references still hold.
    let conn = Connection::open(&path).unwrap();
    conn.pragma_update(None, "foreign_keys", true).unwrap();
    let bad_status = conn
        .execute("UPDATE incidents SET status = 'parked' WHERE id = 7", [])
        .unwrap_err();
    assert!(bad_status.to_string().contains("CHECK"), "{bad_status}");
    let bad_priority = conn
        .execute("UPDATE incidents SET priority = 'P5' WHERE id = 7", [])
        .unwrap_err();
    assert!(bad_priority.to_string().contains("CHECK"), "{bad_priority}");
    let orphan = conn
        .execute(
            "INSERT INTO events (incident_id, at, actor, kind) VALUES (999, '2026-01-05T09:00:00.000Z', 'x', 'note')",
            [],
        )
        .unwrap_err();
    assert!(orphan.to_string().contains("FOREIGN KEY"), "{orphan}");
    let sql: String = conn
        .query_row(
            "SELECT sql FROM sqlite_schema WHERE name = 'incidents'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(!sql.contains(" IN ("), "{sql}");
    // The external-content full-text index agrees with the rebuilt table, row for row.
    conn.execute(
        "INSERT INTO incidents_fts (incidents_fts, rank) VALUES ('integrity-check', 1)",
        [],
    )
    .expect("full-text index consistent with the incidents table");
    let indexes: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'incidents' AND sql IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    // The eight of migration 6, and the two open-list sort indexes of migration 10.
    assert_eq!(indexes, 10);
}

/// Migration 7 fills `sla_next` from the deadlines a version-6 file already has: the earliest
/// pending one per incident (fired ones do not count), so the scheduler wakes for it.
#[test]
fn the_next_deadline_table_is_filled_from_existing_deadlines() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DATABASE_FILE);
    {
        let mut conn = Connection::open(&path).unwrap();
        migrations::migrate_to(&mut conn, 6).unwrap();
        conn.execute_batch(
            "INSERT INTO services (name, criticality) VALUES ('Mail relay', 'high');
             INSERT INTO incidents (id, number, title, description, category_id, service_id, reporter_name,
               reporter_contact, channel, started_at, logged_at, impact, urgency, priority, computed_priority,
               status, created_by, updated_at, updated_by)
             VALUES (3, 'INC-000003', 'Queue stuck', 'Mail queue stuck', 1, 1, 'R', 'r@example.org', 'phone',
               '2026-03-02T08:00:00.000Z', '2026-03-02T08:00:00.000Z', 'minor', 'low', 'P4', 'P4', 'new',
               'Old operator', '2026-03-02T08:00:00.000Z', 'Old operator');
             INSERT INTO sla_deadlines (incident_id, kind, due_at, fired_at) VALUES
               (3, 'response:warning:50', '2026-03-02T08:30:00.000Z', '2026-03-02T08:30:00.000Z'),
               (3, 'response:breach', '2026-03-02T10:00:00.000Z', NULL),
               (3, 'resolution:breach', '2026-03-06T08:00:00.000Z', NULL);",
        )
        .unwrap();
    }
    let desk = Desk::open_in(dir.path(), clock()).unwrap();
    assert_eq!(
        desk.next_deadline().unwrap(),
        Some(
            chrono::DateTime::parse_from_rfc3339("2026-03-02T10:00:00Z")
                .unwrap()
                .with_timezone(&chrono::Utc)
        )
    );
    let rows: i64 = desk
        .db()
        .read(|tx| Ok(tx.query_row("SELECT COUNT(*) FROM sla_next", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(rows, 1);
}
