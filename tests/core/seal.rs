//! The history seal beyond the hash chain: deleted newest events, a chain recomputed after an
//! alteration, an incident row edited outside the app, and dropped append-only guards are all
//! found; the check at start reports in the notification centre.

use crate::support::*;
use incident_desk::store::events::event_hash;
use incident_desk::{Desk, FixedClock, DATABASE_FILE};
use rusqlite::{params, Connection};
use std::sync::Arc;

fn file_fixture(dir: &std::path::Path) -> Fixture {
    let c = Arc::new(FixedClock::at("2026-03-02T09:00:00Z"));
    let desk = Desk::open_in(dir, c.clone()).expect("file desk");
    setup(desk, c)
}

/// What someone with the file and a SQLite shell can do once the guards are dropped.
fn tamper(dir: &std::path::Path, sql: &str) {
    let conn = Connection::open(dir.join(DATABASE_FILE)).unwrap();
    conn.execute_batch(&format!(
        "DROP TRIGGER IF EXISTS events_are_append_only_update;
         DROP TRIGGER IF EXISTS events_are_append_only_delete; {sql}"
    ))
    .unwrap();
}

/// Recomputes every hash of the chain from the first event on, as a forger would.
fn rehash_whole_chain(dir: &std::path::Path) {
    let conn = Connection::open(dir.join(DATABASE_FILE)).unwrap();
    type Row = (
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
    );
    let rows: Vec<Row> = conn
        .prepare("SELECT id, incident_id, at, actor_id, actor, kind, field, old_value, new_value, detail, state_hash FROM events ORDER BY id")
        .unwrap()
        .query_map([], |r| {
            Ok((
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
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut prev = incident_desk::store::events::GENESIS.to_string();
    for (id, inc, at, actor_id, actor, kind, field, old, new, detail, state) in rows {
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
            state.as_deref(),
        );
        conn.execute(
            "UPDATE events SET prev_hash = ?2, hash = ?3 WHERE id = ?1",
            params![id, prev, h],
        )
        .unwrap();
        prev = h;
    }
}

#[test]
fn an_intact_history_verifies_with_every_incident_row_and_the_head_file_checked() {
    let dir = tempfile::tempdir().unwrap();
    let f = file_fixture(dir.path());
    f.close(&f.verify(&f.resolve(&f.log())));
    f.log();
    let check = f.desk.verify_history().unwrap();
    assert!(check.intact, "{check:?}");
    assert_eq!(check.incidents_checked, 2);
    assert_eq!(check.incidents_not_sealed, 0);
    assert_eq!(check.heads_checked.len(), 1, "{check:?}");
    assert!(check.heads_checked[0].contains(".head"));
    let head = incident_desk::desk::read_head_file(&incident_desk::desk::head_file(
        &dir.path().join(DATABASE_FILE),
    ))
    .expect("the head is kept beside the database");
    assert_eq!(head.last_event_id, check.last_event_id);
    assert_eq!(Some(head.last_hash), check.last_hash);
}

#[test]
fn deleting_the_newest_events_is_found_through_the_head_kept_beside_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let f = file_fixture(dir.path());
    let d = f.resolve(&f.log());
    let last = d.timeline.iter().map(|e| e.id).max().unwrap();
    // The chain that is left is perfectly valid on its own: only the head outside tells.
    tamper(
        dir.path(),
        &format!("DELETE FROM events WHERE id > {}", last - 3),
    );
    let check = f.desk.verify_history().unwrap();
    assert!(!check.intact);
    let problem = check.problem.unwrap();
    assert!(
        problem.contains("newest events were deleted")
            && problem.contains(&format!("up to event {last}"))
            && problem.contains(&format!("ends at event {}", last - 3)),
        "{problem}"
    );
}

#[test]
fn a_chain_recomputed_after_an_alteration_is_found_through_the_head() {
    let dir = tempfile::tempdir().unwrap();
    let f = file_fixture(dir.path());
    let d = f.resolve(&f.log());
    let resolved = d.timeline.iter().find(|e| e.kind == "resolved").unwrap();
    tamper(
        dir.path(),
        &format!(
            "UPDATE events SET detail = 'Fixed within minutes' WHERE id = {}",
            resolved.id
        ),
    );
    rehash_whole_chain(dir.path());
    let check = f.desk.verify_history().unwrap();
    assert!(!check.intact, "{check:?}");
    let problem = check.problem.unwrap();
    assert!(problem.contains("rewritten"), "{problem}");
    // The evidence stays: the head file is not moved onto the forged chain.
    f.log();
    assert!(!f.desk.verify_history().unwrap().intact);
}

#[test]
fn an_incident_row_edited_outside_the_app_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let f = file_fixture(dir.path());
    let a = f.log();
    f.log();
    tamper(
        dir.path(),
        &format!(
            "UPDATE incidents SET priority = 'P4', computed_priority = 'P4' WHERE id = {}",
            a.incident.id
        ),
    );
    let check = f.desk.verify_history().unwrap();
    assert!(!check.intact);
    assert_eq!(check.altered_incidents, vec![a.incident.number.clone()]);
    let problem = check.problem.unwrap();
    assert!(
        problem.contains(&a.incident.number) && problem.contains("changed outside Incident Desk"),
        "{problem}"
    );
}

#[test]
fn a_change_made_through_the_desk_keeps_the_row_and_its_seal_in_step() {
    let dir = tempfile::tempdir().unwrap();
    let f = file_fixture(dir.path());
    let d = f.log();
    let d = f.resolve(&d);
    f.desk.fire_due().unwrap();
    f.verify(&d);
    let check = f.desk.verify_history().unwrap();
    assert!(check.intact, "{check:?}");
    assert_eq!(check.incidents_checked, 1);
}

#[test]
fn dropped_append_only_guards_are_recreated_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let f = file_fixture(dir.path());
    let d = f.log();
    tamper(dir.path(), "");
    let check = f.desk.verify_history().unwrap();
    assert_eq!(
        check.triggers_restored,
        vec![
            "events_are_append_only_update".to_string(),
            "events_are_append_only_delete".to_string()
        ]
    );
    assert!(check
        .problems
        .iter()
        .any(|p| p.contains("append-only") && p.contains("recreated")));
    // The guard is back: history cannot be deleted any more.
    let conn = Connection::open(dir.path().join(DATABASE_FILE)).unwrap();
    let err = conn
        .execute("DELETE FROM events WHERE incident_id = ?1", [d.incident.id])
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
}

#[test]
fn the_check_at_start_puts_its_result_in_the_notification_centre() {
    let dir = tempfile::tempdir().unwrap();
    let f = file_fixture(dir.path());
    let a = f.log();
    let ok = f.desk.startup_check().unwrap();
    assert!(ok.intact);
    let alerts = f.desk.alerts(100).unwrap();
    let first = alerts.alerts.iter().find(|x| x.kind == "history").unwrap();
    assert_eq!(first.title, "History verified");
    assert!(first.read, "a good result raises no badge");

    tamper(
        dir.path(),
        &format!(
            "UPDATE incidents SET title = 'x' WHERE id = {}",
            a.incident.id
        ),
    );
    let bad = f.desk.startup_check().unwrap();
    assert!(!bad.intact);
    let alerts = f.desk.alerts(100).unwrap();
    let latest = alerts
        .alerts
        .iter()
        .filter(|x| x.kind == "history")
        .max_by_key(|x| x.id)
        .unwrap();
    assert_eq!(latest.title, "The history was altered");
    assert!(latest.body.contains(&a.incident.number), "{}", latest.body);
    assert!(!latest.read);
}

#[test]
fn a_backups_manifest_still_catches_deleted_events_when_the_head_file_is_gone_too() {
    let dir = tempfile::tempdir().unwrap();
    let f = file_fixture(dir.path());
    let d = f.resolve(&f.log());
    let backup = f.desk.back_up_automatic().unwrap();
    assert!(backup.record.verified_ok, "{backup:?}");
    let last = d.timeline.iter().map(|e| e.id).max().unwrap();
    std::fs::remove_file(incident_desk::desk::head_file(
        &dir.path().join(DATABASE_FILE),
    ))
    .unwrap();
    tamper(
        dir.path(),
        &format!("DELETE FROM events WHERE id > {}", last - 2),
    );
    let check = f.desk.verify_history().unwrap();
    assert!(!check.intact);
    let problem = check.problem.unwrap();
    assert!(
        problem.contains("newest events were deleted") && problem.contains("automatic backup"),
        "{problem}"
    );
}
