//! Backups and restore through the commands: a restore reopens the desk on the backup and keeps
//! the previous file aside, and a desk that could not open (a damaged file) lists the backups
//! beside it and is restored without ever having been opened.

use super::tests::{app_on, call, new_incident, setup_basics};
use crate::state::AppState;
use incident_desk::{Desk, DATABASE_FILE};
use serde_json::json;
use std::path::Path;
use std::sync::Arc;
use tauri::Manager;

fn backup_of(desk: &Desk, folder: &Path) -> String {
    let b = desk.back_up_now(folder, &mut |_| {}).expect("backed up");
    assert!(b.record.verified_ok, "{b:?}");
    b.record.path
}

#[test]
fn a_restore_reopens_the_desk_on_the_backup_and_keeps_the_previous_file_beside_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().to_path_buf();
    let state = AppState::open(&data);
    state.start_scheduler(Arc::new(incident_desk::notify::RecordingNotifier::new()));
    let w = app_on(dir, state);
    let (service, category) = setup_basics(&w);
    call(&w, "log_incident", Some(new_incident(service, category))).expect("first");
    let usb = tempfile::tempdir().expect("temp dir");
    let path = {
        let state = w.window.state::<AppState>();
        let desk = state.desk().expect("desk");
        backup_of(&desk, usb.path())
    };
    call(&w, "log_incident", Some(new_incident(service, category))).expect("second");

    let listed = call(&w, "list_backups", None).expect("list");
    assert!(
        listed.as_array().is_some_and(|l| l
            .iter()
            .any(|b| b["path"] == path.as_str() && b["present"] == true)),
        "{listed}"
    );
    let preview = call(&w, "preview_restore", Some(json!({ "path": path }))).expect("preview");
    assert_eq!(preview["restorable"], true, "{preview}");
    assert_eq!(preview["verification"]["contents"]["incident_count"], 1);

    let outcome = call(&w, "restore_backup", Some(json!({ "path": path }))).expect("restored");
    let kept = outcome["previous_file_kept_at"].as_str().expect("kept at");
    assert!(
        Path::new(kept).is_file() && Path::new(kept).parent() == Some(data.as_path()),
        "the previous file is kept beside the database: {outcome}"
    );
    let page = call(&w, "list_incidents", Some(json!({"offset": 0}))).expect("list");
    assert_eq!(
        page["total"], 1,
        "the desk shows the backup's incidents: {page}"
    );
    let status = call(&w, "backup_status", None).expect("status of the reopened desk");
    assert!(status["settings"]["enabled"].is_boolean(), "{status}");

    let err = call(
        &w,
        "restore_backup",
        Some(json!({"path": "/no/such/backup.sqlite3"})),
    )
    .expect_err("a file that is no backup is refused");
    assert_eq!(err["code"], "damaged_database", "{err}");
    call(&w, "desk_info", None).expect("and the desk is open again after the refusal");
}

#[test]
fn a_damaged_file_is_restored_from_the_backups_beside_it_without_an_open_desk() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().to_path_buf();
    let db = data.join(DATABASE_FILE);
    {
        let desk = Desk::open_in(&data, Arc::new(incident_desk::SystemClock)).expect("desk");
        backup_of(&desk, &data.join("backups"));
        desk.close_database().expect("closed");
    }
    let full = std::fs::read(&db).expect("read");
    std::fs::write(&db, &full[..full.len() / 2]).expect("truncate");
    let damaged = std::fs::read(&db).expect("read");

    let state = AppState::open(&data);
    let w = app_on(dir, state);
    let err = call(&w, "desk_info", None).expect_err("refused");
    assert_eq!(err["code"], "damaged_database", "{err}");
    let found = call(&w, "recovery_backups", None).expect("listed without a desk");
    let backups = found["backups"].as_array().cloned().unwrap_or_default();
    assert_eq!(backups.len(), 1, "{found}");
    assert_eq!(
        std::fs::read(&db).expect("read"),
        damaged,
        "untouched so far"
    );

    let outcome = call(
        &w,
        "restore_backup",
        Some(json!({ "path": backups[0]["path"] })),
    )
    .expect("restored");
    let kept = outcome["previous_file_kept_at"].as_str().expect("kept at");
    assert_eq!(std::fs::read(kept).expect("read kept"), damaged);
    call(&w, "desk_info", None).expect("the desk is open on the backup");
}
