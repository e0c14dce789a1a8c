//! The database file as the user's only copy: identified, checked at open, closed whole, backed
//! up (verified, with a manifest), kept by retention, and restored.

use crate::support::*;
use incident_desk::backups::{self, BackupHandle};
use incident_desk::desk::IncidentDetail;
use incident_desk::domain::model::*;
use incident_desk::store::backup::{self as store_backup, BackupSettings};
use incident_desk::store::{events, file_check, migrations, Db, OpenOptions};
use incident_desk::{Clock, Desk, FixedClock, DATABASE_FILE};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::at("2026-03-02T09:00:00Z"))
}

fn file_fixture(dir: &Path) -> Fixture {
    let c = clock();
    let desk = Desk::open_in(dir, c.clone()).expect("file desk");
    setup(desk, c)
}

fn bytes(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap()
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn read_only(p: &Path) -> Connection {
    Connection::open_with_flags(p, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap()
}

fn count(conn: &Connection, table: &str) -> i64 {
    conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

fn integrity(conn: &Connection) -> String {
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

/// A file desk with `n` incidents, closed; returns the database path.
fn closed_file_with_incidents(dir: &Path, n: usize) -> PathBuf {
    let f = file_fixture(dir);
    for _ in 0..n {
        f.log();
    }
    f.desk.close_database().unwrap();
    dir.join(DATABASE_FILE)
}

// ---- identity ----

#[test]
fn a_new_database_carries_the_incident_desk_application_id() {
    let dir = tempfile::tempdir().unwrap();
    let desk = Desk::open_in(dir.path(), clock()).unwrap();
    desk.close_database().unwrap();
    let conn = read_only(&dir.path().join(DATABASE_FILE));
    let id: i32 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .unwrap();
    assert_eq!(id, file_check::APPLICATION_ID);
    assert_eq!(&id.to_be_bytes(), b"IDK1");
}

#[test]
fn a_file_from_before_the_application_id_gets_it_and_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DATABASE_FILE);
    {
        let mut conn = Connection::open(&path).unwrap();
        migrations::migrate_to(&mut conn, migrations::latest() - 1).unwrap();
        conn.execute(
            "INSERT INTO services (name, criticality) VALUES ('Old service', 'high')",
            [],
        )
        .unwrap();
    }
    let desk = Desk::open_in(dir.path(), clock()).unwrap();
    assert!(desk.db().open_report().identified_now);
    let services = desk.reference_data().unwrap().services;
    assert_eq!(services.len(), 1);
    desk.close_database().unwrap();
    let id: i32 = read_only(&path)
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .unwrap();
    assert_eq!(id, file_check::APPLICATION_ID);
}

#[test]
fn another_applications_sqlite_file_is_refused_and_left_byte_identical() {
    for (what, setup_sql) in [
        (
            "tables, none of ours",
            "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers (name) VALUES ('Ada');",
        ),
        (
            "another application id",
            "PRAGMA application_id = 1234; CREATE TABLE incidents (id INTEGER PRIMARY KEY); CREATE TABLE events (id INTEGER);",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DATABASE_FILE);
        Connection::open(&path)
            .unwrap()
            .execute_batch(setup_sql)
            .unwrap();
        let before = bytes(&path);
        let listing = names(dir.path());
        let err = Desk::open_in(dir.path(), clock()).err().expect("refused");
        assert_eq!(err.code(), "foreign_database", "{what}: {err}");
        let msg = err.to_string();
        assert!(msg.contains(&path.display().to_string()), "{msg}");
        assert!(msg.contains("left untouched") && msg.contains("--data-dir"), "{msg}");
        assert!(!msg.contains("CREATE") && !msg.contains("SELECT"), "no SQL: {msg}");
        assert_eq!(bytes(&path), before, "{what}: not one byte changed");
        assert_eq!(names(dir.path()), listing, "{what}: no file added beside it");
    }
}

#[test]
fn a_file_that_is_not_a_database_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DATABASE_FILE);
    std::fs::write(&path, "Quarterly report, draft 3\n".repeat(200)).unwrap();
    let before = bytes(&path);
    let err = Desk::open_in(dir.path(), clock()).err().expect("refused");
    assert_eq!(err.code(), "not_a_database");
    let msg = err.to_string();
    assert!(
        msg.contains(&path.display().to_string()) && msg.contains("backup"),
        "{msg}"
    );
    assert_eq!(bytes(&path), before);
    assert_eq!(names(dir.path()), [DATABASE_FILE]);
}

// ---- integrity at open ----

/// Overwrites a stretch of pages near the end of the file (incident and history pages, not the
/// schema on page 1) with garbage.
fn damage_pages(path: &Path) {
    let mut b = bytes(path);
    let page = 4096;
    let pages = b.len() / page;
    assert!(pages > 8, "file large enough to damage ({pages} pages)");
    for p in (pages - 6)..(pages - 2) {
        for (i, byte) in b[p * page..(p + 1) * page].iter_mut().enumerate() {
            *byte = (i * 7 + p) as u8;
        }
    }
    std::fs::write(path, b).unwrap();
}

#[test]
fn a_truncated_file_is_refused_at_open_and_left_unmodified() {
    let dir = tempfile::tempdir().unwrap();
    let path = closed_file_with_incidents(dir.path(), 40);
    let full = bytes(&path);
    std::fs::write(&path, &full[..full.len() / 2]).unwrap();
    let before = bytes(&path);
    // What the closed desk left beside it (its history head file): the open adds nothing.
    let listing = names(dir.path());
    let err = Desk::open_in(dir.path(), clock()).err().expect("refused");
    assert_eq!(err.code(), "damaged_database", "{err}");
    let msg = err.to_string();
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert!(msg.contains("Restore it from a backup"), "{msg}");
    assert_eq!(bytes(&path), before, "nothing written into it");
    assert_eq!(names(dir.path()), listing, "nothing added beside it");
}

#[test]
fn a_file_with_damaged_pages_is_refused_at_open_and_left_unmodified() {
    let dir = tempfile::tempdir().unwrap();
    let path = closed_file_with_incidents(dir.path(), 40);
    damage_pages(&path);
    let before = bytes(&path);
    // What the closed desk left beside it (its history head file): the open adds nothing.
    let listing = names(dir.path());
    let err = Desk::open_in(dir.path(), clock()).err().expect("refused");
    assert_eq!(err.code(), "damaged_database", "{err}");
    assert_eq!(bytes(&path), before);
    assert_eq!(names(dir.path()), listing, "nothing added beside it");
}

#[test]
fn a_large_file_checked_in_the_background_refuses_writes_once_found_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let path = closed_file_with_incidents(dir.path(), 40);
    damage_pages(&path);
    let before = bytes(&path);
    // Every file counts as large here: the check runs behind the open.
    let db = Db::open_with(
        &path,
        &OpenOptions {
            background_check_above: 0,
            ..Default::default()
        },
    )
    .expect("opens, check behind");
    assert!(db.open_report().quick_check_in_background);
    let err = db
        .write(|tx| {
            tx.execute(
                "INSERT INTO settings (key, value) VALUES ('probe', 'x')",
                [],
            )?;
            Ok(())
        })
        .unwrap_err();
    assert_eq!(err.code(), "damaged_database", "{err}");
    drop(db);
    let now = bytes(&path);
    assert_eq!(now.len(), before.len());
    assert!(now == before, "the damaged file was not written into");
}

#[test]
fn a_cleanly_closed_large_file_opens_at_once_and_writes_after_the_check_clears_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = closed_file_with_incidents(dir.path(), 3);
    let db = Db::open_with(
        &path,
        &OpenOptions {
            background_check_above: 0,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(db.open_report().quick_check_in_background);
    assert_eq!(db.open_report().quick_check_ms, None);
    db.write(|tx| {
        tx.execute(
            "INSERT INTO settings (key, value) VALUES ('probe', 'x')",
            [],
        )?;
        Ok(())
    })
    .expect("written once cleared");
    assert!(!db.check_pending());
}

#[test]
fn after_an_unclean_shutdown_the_check_runs_before_open_returns() {
    let dir = tempfile::tempdir().unwrap();
    let path = closed_file_with_incidents(dir.path(), 3);
    // What a killed session leaves: the in-use marker.
    std::fs::write(incident_desk::store::in_use_marker(&path), "1").unwrap();
    let db = Db::open_with(
        &path,
        &OpenOptions {
            background_check_above: 0,
            ..Default::default()
        },
    )
    .unwrap();
    let r = db.open_report();
    assert!(r.unclean_shutdown);
    assert!(!r.quick_check_in_background);
    assert!(r.quick_check_ms.is_some());
}

// ---- clean close ----

#[test]
fn after_closing_the_database_file_alone_holds_everything() {
    let dir = tempfile::tempdir().unwrap();
    let f = file_fixture(dir.path());
    let logged: Vec<i64> = (0..5).map(|_| f.log().incident.id).collect();
    f.desk.close_database().unwrap();
    let path = dir.path().join(DATABASE_FILE);
    let wal = dir.path().join(format!("{DATABASE_FILE}-wal"));
    assert!(
        !wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0,
        "no log left to go with the file"
    );
    assert!(!incident_desk::store::in_use_marker(&path).exists());
    // Copy the main file alone somewhere else: it is the whole database.
    let other = tempfile::tempdir().unwrap();
    let copy = other.path().join("copy.sqlite3");
    std::fs::copy(&path, &copy).unwrap();
    let conn = read_only(&copy);
    assert_eq!(integrity(&conn), "ok");
    assert_eq!(count(&conn, "incidents"), logged.len() as i64);
    assert!(events::verify_history(&conn, &[]).unwrap().intact);
    // The closed desk refuses further work with a sentence.
    let err = f.desk.list(&IncidentQuery::default()).unwrap_err();
    assert!(err.to_string().contains("was closed"), "{err}");
}

// ---- errors a person can act on ----

#[test]
fn a_full_disk_is_reported_naming_the_file_and_nothing_is_saved() {
    let dir = tempfile::tempdir().unwrap();
    let f = file_fixture(dir.path());
    f.log();
    // SQLite reports SQLITE_FULL when the file may not grow: as a full disk does.
    f.desk
        .db()
        .read(|tx| {
            let pages: i64 = tx.pragma_query_value(None, "page_count", |r| r.get(0))?;
            tx.pragma_update(None, "max_page_count", pages)?;
            Ok(())
        })
        .unwrap();
    let before = f.desk.info().unwrap().incident_count;
    let mut err = None;
    for _ in 0..200 {
        if let Err(e) = f.desk.log(&f.new_incident()) {
            err = Some(e);
            break;
        }
    }
    let err = err.expect("the file could not grow");
    assert_eq!(err.code(), "disk_full", "{err}");
    let path = dir.path().join(DATABASE_FILE);
    assert_eq!(
        err.to_string(),
        format!(
            "The disk holding {} is full: nothing was saved; free space and try again",
            path.display()
        )
    );
    let after = f.desk.info().unwrap().incident_count;
    let listed = f.desk.list(&IncidentQuery::default()).unwrap().total;
    assert_eq!(
        after, listed,
        "row and list agree: the failed log left nothing"
    );
    assert!(after >= before);
}

/// Runs the ignored test `name` of this binary as the unprivileged user `nobody` (root can
/// write into read-only folders, so a root test cannot see the refusal), with `env`.
#[cfg(unix)]
fn as_nobody(name: &str, env: &[(&str, &Path)]) -> std::process::Output {
    use std::os::unix::process::CommandExt;
    let mut cmd = std::process::Command::new(std::env::current_exe().unwrap());
    cmd.args([
        name,
        "--exact",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    if unsafe_is_root() {
        cmd.uid(65534).gid(65534);
    }
    cmd.output().unwrap()
}

#[cfg(unix)]
fn unsafe_is_root() -> bool {
    // The owner of a file we just created is who we are.
    use std::os::unix::fs::MetadataExt;
    let probe = tempfile::NamedTempFile::new().unwrap();
    probe.as_file().metadata().unwrap().uid() == 0
}

#[cfg(unix)]
fn open_to_all(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[cfg(unix)]
#[test]
fn a_read_only_data_folder_is_refused_with_a_message_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    open_to_all(dir.path(), 0o755);
    open_to_all(&data, 0o555);
    let out = as_nobody(
        "backup::child_opens_a_desk_in_a_read_only_folder",
        &[("INCIDENT_DESK_TEST_DIR", &data)],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("REFUSED read_only"), "{text}");
    assert!(
        text.contains(&format!(
            "The folder {} holding the database",
            data.display()
        )),
        "{text}"
    );
    assert!(text.contains("--data-dir"), "{text}");
    assert!(names(&data).is_empty());
}

#[test]
#[ignore = "run as another user by the read-only folder and read-only file tests"]
fn child_opens_a_desk_in_a_read_only_folder() {
    let Some(dir) = std::env::var_os("INCIDENT_DESK_TEST_DIR") else {
        return;
    };
    match Desk::open_in(Path::new(&dir), clock()) {
        Ok(_) => println!("OPENED"),
        Err(e) => println!("REFUSED {} {}", e.code(), e),
    }
}

#[cfg(unix)]
#[test]
fn backing_up_into_a_read_only_folder_is_refused_with_a_message_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let target = dir.path().join("usb");
    std::fs::create_dir(&data).unwrap();
    std::fs::create_dir(&target).unwrap();
    {
        let f = file_fixture(&data);
        f.log();
        f.desk.close_database().unwrap();
    }
    open_to_all(dir.path(), 0o755);
    chown_to_nobody(&data);
    open_to_all(&target, 0o555);
    let out = as_nobody(
        "backup::child_backs_up_into_a_read_only_folder",
        &[
            ("INCIDENT_DESK_TEST_DIR", &data),
            ("INCIDENT_DESK_TEST_TARGET", &target),
        ],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("REFUSED read_only"), "{text}");
    assert!(
        text.contains(&format!("The folder {} is read-only", target.display())),
        "{text}"
    );
    assert!(names(&target).is_empty());
}

#[cfg(unix)]
fn chown_to_nobody(dir: &Path) {
    if !unsafe_is_root() {
        return;
    }
    let status = std::process::Command::new("chown")
        .args(["-R", "65534:65534"])
        .arg(dir)
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
#[ignore = "run by backing_up_into_a_read_only_folder_is_refused_with_a_message_naming_it"]
fn child_backs_up_into_a_read_only_folder() {
    let (Some(dir), Some(target)) = (
        std::env::var_os("INCIDENT_DESK_TEST_DIR"),
        std::env::var_os("INCIDENT_DESK_TEST_TARGET"),
    ) else {
        return;
    };
    let desk = Desk::open_in(Path::new(&dir), clock()).expect("desk opens");
    match desk.back_up_now(Path::new(&target), &mut |_| {}) {
        Ok(b) => println!("BACKED UP {}", b.record.path),
        Err(e) => println!("REFUSED {} {}", e.code(), e),
    }
}

// ---- backups ----

#[test]
fn a_backup_is_verified_described_and_restored_with_the_current_file_kept_aside() {
    let dir = tempfile::tempdir().unwrap();
    let chosen = tempfile::tempdir().unwrap();
    let f = file_fixture(dir.path());
    let kept: Vec<IncidentDetail> = (0..3).map(|_| f.log()).collect();
    let mut reports = Vec::new();
    let b = f
        .desk
        .back_up_now(chosen.path(), &mut |p| reports.push(p))
        .unwrap();
    assert!(b.present && b.record.verified_ok, "{b:?}");
    assert_eq!(b.record.verification, "ok");
    assert_eq!(b.record.kind, "manual");
    assert_eq!(b.record.contents.incident_count, 3);
    let head = f.desk.verify_history().unwrap().last_hash;
    assert_eq!(b.record.contents.last_event_hash, head);
    let last = reports.last().expect("progress reported");
    assert_eq!(last.pages_done, last.pages_total);
    assert!(last.pages_total > 0);

    // The manifest beside it says the same.
    let m = store_backup::read_manifest(Path::new(&b.record.path)).unwrap();
    assert_eq!((m.incident_count, m.chain_head.clone()), (3, head.clone()));
    assert!(m.verified_ok);
    // One self-contained file, no journal beside it.
    assert_eq!(
        names(chosen.path()).len(),
        2,
        "backup and manifest only: {:?}",
        names(chosen.path())
    );

    // Listed with what it holds.
    let listed = f.desk.backups().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        listed[0].record.contents.event_count,
        b.record.contents.event_count
    );

    // Work after the backup …
    let later = f.log();
    assert_eq!(f.desk.info().unwrap().incident_count, 4);
    // … the preview says what restoring brings back.
    let preview = f.desk.preview_restore(Path::new(&b.record.path)).unwrap();
    assert!(preview.restorable && preview.matches_manifest);
    assert_eq!(
        preview
            .verification
            .contents
            .as_ref()
            .unwrap()
            .incident_count,
        3
    );

    let out = f
        .desk
        .restore_from_backup(Path::new(&b.record.path))
        .unwrap();
    assert_eq!(out.contents.incident_count, 3);
    let aside = PathBuf::from(out.previous_file_kept_at.expect("current file kept"));
    assert!(aside
        .file_name()
        .unwrap()
        .to_string_lossy()
        .starts_with("incident-desk.before-restore-20260302-090000Z"));
    // The desk that restored is closed; the caller reopens.
    assert!(f.desk.info().is_err());
    let desk = Desk::open_in(dir.path(), clock()).unwrap();
    assert_eq!(desk.info().unwrap().incident_count, 3);
    for d in &kept {
        assert_eq!(
            desk.get(d.incident.id).unwrap().incident.title,
            d.incident.title
        );
    }
    assert!(desk.get(later.incident.id).is_err());
    assert!(desk.verify_history().unwrap().intact);
    // The file that was replaced still has everything.
    let old = read_only(&aside);
    assert_eq!(count(&old, "incidents"), 4);
    assert_eq!(integrity(&old), "ok");
}

#[test]
fn a_damaged_file_that_cannot_open_is_replaced_by_its_backup_and_kept_aside() {
    let dir = tempfile::tempdir().unwrap();
    let f = file_fixture(dir.path());
    for _ in 0..40 {
        f.log();
    }
    f.desk.back_up_automatic().unwrap();
    f.desk.close_database().unwrap();
    let path = dir.path().join(DATABASE_FILE);
    damage_pages(&path);
    let damaged = bytes(&path);
    assert_eq!(
        Desk::open_in(dir.path(), clock()).err().unwrap().code(),
        "damaged_database"
    );
    // Without a desk: the backups beside the file, from their manifests.
    let found = backups::backups_in(&dir.path().join("backups")).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].record.contents.incident_count, 40);
    let out =
        backups::restore_database(&path, Path::new(&found[0].record.path), clock().now()).unwrap();
    let aside = PathBuf::from(out.previous_file_kept_at.unwrap());
    assert_eq!(bytes(&aside), damaged, "the damaged file is kept as it was");
    let desk = Desk::open_in(dir.path(), clock()).unwrap();
    assert_eq!(desk.info().unwrap().incident_count, 40);
}

#[test]
fn a_backup_taken_while_another_thread_writes_is_complete_and_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let chosen = tempfile::tempdir().unwrap();
    let f = Arc::new(file_fixture(dir.path()));
    for _ in 0..20 {
        f.log();
    }
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (f, stop) = (f.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                f.log();
                n += 1;
            }
            n
        })
    };
    // Let the writer get going, then back up three times while it writes.
    std::thread::sleep(std::time::Duration::from_millis(100));
    let mut taken = Vec::new();
    for _ in 0..3 {
        taken.push(f.desk.back_up_now(chosen.path(), &mut |_| {}).unwrap());
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    stop.store(true, Ordering::Relaxed);
    let written = writer.join().unwrap();
    assert!(written > 0, "the writer wrote during the backups");
    for b in &taken {
        assert!(b.record.verified_ok, "{:?}", b.record);
        let conn = read_only(Path::new(&b.record.path));
        assert_eq!(integrity(&conn), "ok");
        let n = count(&conn, "incidents");
        // A snapshot: incidents 1..=n, each with its history, nothing torn.
        let max: i64 = conn
            .query_row("SELECT COALESCE(MAX(id), 0) FROM incidents", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(max, n);
        let without_history: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM incidents i WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.incident_id = i.id AND e.kind = 'created')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(without_history, 0);
        assert!(events::verify_history(&conn, &[]).unwrap().intact);
    }
    assert!(taken[0].record.contents.incident_count >= 20);
}

#[test]
fn an_older_file_with_data_is_backed_up_before_it_is_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DATABASE_FILE);
    let old = migrations::latest() - 1;
    {
        let mut conn = Connection::open(&path).unwrap();
        migrations::migrate_to(&mut conn, old).unwrap();
        conn.execute_batch(
            "INSERT INTO services (name, criticality) VALUES ('Mail relay', 'high');
             INSERT INTO incidents (id, number, title, description, category_id, service_id, reporter_name,
               reporter_contact, channel, started_at, logged_at, impact, urgency, priority, computed_priority,
               status, created_by, updated_at, updated_by)
             VALUES (3, 'INC-000003', 'Queue stuck', 'Mail queue stuck', 1, 1, 'R', 'r@example.org', 'phone',
               '2026-03-02T08:00:00.000Z', '2026-03-02T08:00:00.000Z', 'minor', 'low', 'P4', 'P4', 'new',
               'Old operator', '2026-03-02T08:00:00.000Z', 'Old operator');",
        )
        .unwrap();
    }
    let before = bytes(&path);
    let desk = Desk::open_in(dir.path(), clock()).unwrap();
    let report = desk.db().open_report().clone();
    assert_eq!(report.migrated_from, Some(old));
    let taken = PathBuf::from(
        report
            .pre_migration_backup
            .expect("backup before migrating"),
    );
    assert_eq!(taken.parent().unwrap(), dir.path().join("backups"));
    // The backup is the file as the older version left it.
    let conn = read_only(&taken);
    let v: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(v, old);
    assert_eq!(count(&conn, "incidents"), 1);
    assert_eq!(integrity(&conn), "ok");
    assert!(before.len() as u64 <= std::fs::metadata(&taken).unwrap().len() + 4096);
    // Recorded, verified, with its manifest.
    let listed = desk.backups().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].record.kind, "pre_migration");
    assert!(listed[0].record.verified_ok, "{:?}", listed[0].record);
    assert!(store_backup::manifest_path(&taken).exists());
    assert_eq!(desk.info().unwrap().schema_version, migrations::latest());
}

#[test]
fn a_new_or_empty_file_is_not_backed_up_before_migrating() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DATABASE_FILE);
    {
        let mut conn = Connection::open(&path).unwrap();
        migrations::migrate_to(&mut conn, 2).unwrap();
    }
    let desk = Desk::open_in(dir.path(), clock()).unwrap();
    assert_eq!(desk.db().open_report().pre_migration_backup, None);
    assert!(!dir.path().join("backups").exists());
}

#[test]
fn retention_keeps_the_newest_backup_of_seven_days_and_four_weeks() {
    let dir = tempfile::tempdir().unwrap();
    let f = file_fixture(dir.path());
    f.log();
    let manual = f
        .desk
        .back_up_now(&dir.path().join("elsewhere"), &mut |_| {})
        .unwrap();
    // Two automatic backups a day (09:00, 21:00) from Tue 2026-03-03 to Fri 2026-04-10.
    for _ in 0..39 {
        f.clock.advance(chrono::Duration::days(1));
        f.desk.back_up_automatic().unwrap();
        f.clock.advance(chrono::Duration::hours(12));
        f.desk.back_up_automatic().unwrap();
        f.clock.advance(chrono::Duration::hours(-12));
    }
    let present: Vec<String> = f
        .desk
        .backups()
        .unwrap()
        .into_iter()
        .filter(|b| b.present && b.record.kind == "automatic")
        .map(|b| b.record.taken_at.format("%a %Y-%m-%d %H").to_string())
        .collect();
    assert_eq!(
        present,
        [
            "Fri 2026-04-10 21",
            "Thu 2026-04-09 21",
            "Wed 2026-04-08 21",
            "Tue 2026-04-07 21",
            "Mon 2026-04-06 21",
            "Sun 2026-04-05 21",
            "Sat 2026-04-04 21",
            // The newest of each earlier week, up to four weeks in all.
            "Sun 2026-03-29 21",
            "Sun 2026-03-22 21",
        ]
    );
    // The files on disk are exactly those (and their manifests).
    let on_disk = names(&dir.path().join("backups"));
    assert_eq!(on_disk.len(), 2 * present.len(), "{on_disk:?}");
    // A backup taken by hand elsewhere is never removed.
    assert!(Path::new(&manual.record.path).exists());
    let removed = f
        .desk
        .backups()
        .unwrap()
        .iter()
        .filter(|b| b.record.removed_at.is_some())
        .count();
    assert_eq!(removed, 78 - present.len(), "every removal is recorded");
}

#[test]
fn the_desk_warns_when_the_last_good_backup_is_older_than_two_days() {
    let dir = tempfile::tempdir().unwrap();
    let f = file_fixture(dir.path());
    let s = f.desk.backup_status().unwrap();
    assert!(s.last_good.is_none());
    assert!(s.warning.unwrap().contains("no verified backup"));
    assert_eq!(s.next_automatic_at, Some(f.clock.now()), "due at once");
    f.desk.back_up_automatic().unwrap();
    let s = f.desk.backup_status().unwrap();
    assert!(s.last_good.is_some() && s.warning.is_none());
    assert_eq!(
        s.next_automatic_at,
        Some(f.clock.now() + chrono::Duration::hours(24))
    );
    f.clock.advance(chrono::Duration::hours(47));
    assert!(f.desk.backup_status().unwrap().warning.is_none());
    f.clock.advance(chrono::Duration::hours(25));
    let w = f.desk.backup_status().unwrap().warning.unwrap();
    assert!(w.contains("3 days old"), "{w}");
}

#[test]
fn backup_settings_out_of_bounds_are_refused_with_their_field() {
    let dir = tempfile::tempdir().unwrap();
    let f = file_fixture(dir.path());
    assert_eq!(f.desk.backup_settings().unwrap(), BackupSettings::default());
    for (s, field) in [
        (
            BackupSettings {
                interval_hours: 0,
                ..Default::default()
            },
            "interval_hours",
        ),
        (
            BackupSettings {
                keep_daily: 91,
                ..Default::default()
            },
            "keep_daily",
        ),
        (
            BackupSettings {
                keep_weekly: -1,
                ..Default::default()
            },
            "keep_weekly",
        ),
    ] {
        let err = f.desk.save_backup_settings(&s).unwrap_err();
        assert_eq!((err.code(), err.field()), ("validation", Some(field)));
    }
    let s = BackupSettings {
        enabled: false,
        interval_hours: 6,
        keep_daily: 3,
        keep_weekly: 0,
    };
    assert_eq!(f.desk.save_backup_settings(&s).unwrap().settings, s);
    assert_eq!(f.desk.next_automatic_backup().unwrap(), None);
}

#[test]
fn the_backup_handle_takes_the_overdue_backup_at_start_and_checkpoints() {
    let dir = tempfile::tempdir().unwrap();
    let f = file_fixture(dir.path());
    f.log();
    let desk = Arc::new(f.desk);
    let handle =
        BackupHandle::start_with(desk.clone(), std::time::Duration::from_millis(50)).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while desk.last_good_backup().unwrap().is_none() {
        assert!(std::time::Instant::now() < deadline, "no backup taken");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // Writes go on; the handle folds them into the file every 50 ms here.
    let wal = dir.path().join(format!("{DATABASE_FILE}-wal"));
    desk.set_organisation("Example Ltd").unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0) > 0 {
        assert!(std::time::Instant::now() < deadline, "never checkpointed");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    handle.stop();
    let listed = desk.backups().unwrap();
    assert_eq!(listed.len(), 1, "one backup: the next is a day away");
    assert_eq!(listed[0].record.kind, "automatic");
}

#[test]
fn too_little_free_space_is_refused_naming_the_disk_and_the_need() {
    let dir = tempfile::tempdir().unwrap();
    let err = store_backup::ensure_free_space(dir.path(), u64::MAX, "the backup").unwrap_err();
    assert_eq!(err.code(), "disk_full");
    let msg = err.to_string();
    assert!(
        msg.contains(&dir.path().display().to_string()) && msg.contains("Free space and try again"),
        "{msg}"
    );
    assert!(store_backup::ensure_free_space(dir.path(), 1, "the backup").is_ok());
}

#[test]
fn restoring_the_database_onto_itself_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let f = file_fixture(dir.path());
    f.log();
    let path = dir.path().join(DATABASE_FILE);
    let err = f.desk.restore_from_backup(&path).unwrap_err();
    assert_eq!(err.code(), "validation");
    assert!(err.to_string().contains("the database itself"), "{err}");
    assert_eq!(
        f.desk.info().unwrap().incident_count,
        1,
        "still open and whole"
    );
}

#[cfg(unix)]
#[test]
fn a_read_only_database_file_is_refused_with_a_message_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let path = closed_file_with_incidents(&data, 2);
    open_to_all(dir.path(), 0o755);
    chown_to_nobody(&data);
    // The folder is the user's, the file is not writable by them.
    if unsafe_is_root() {
        let status = std::process::Command::new("chown")
            .arg("0:0")
            .arg(&path)
            .status()
            .unwrap();
        assert!(status.success());
    }
    open_to_all(&path, 0o444);
    let before = bytes(&path);
    let out = as_nobody(
        "backup::child_opens_a_desk_in_a_read_only_folder",
        &[("INCIDENT_DESK_TEST_DIR", &data)],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("REFUSED read_only"), "{text}");
    assert!(
        text.contains(&format!(
            "The database file {} is read-only",
            path.display()
        )),
        "{text}"
    );
    assert_eq!(bytes(&path), before);
}

#[test]
fn dropping_the_desk_closes_the_file_as_cleanly_as_closing_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DATABASE_FILE);
    let f = file_fixture(dir.path());
    f.log();
    assert!(
        incident_desk::store::in_use_marker(&path).exists(),
        "marked in use while open"
    );
    drop(f);
    assert!(!incident_desk::store::in_use_marker(&path).exists());
    let wal = dir.path().join(format!("{DATABASE_FILE}-wal"));
    assert!(!wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0);
    // The next start sees a clean shutdown.
    let desk = Desk::open_in(dir.path(), clock()).unwrap();
    assert!(!desk.db().open_report().unclean_shutdown);
    assert_eq!(desk.info().unwrap().incident_count, 1);
}

#[test]
fn a_damaged_file_with_a_log_left_by_a_crash_is_refused_without_folding_the_log_into_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = closed_file_with_incidents(dir.path(), 40);
    // A session that committed a change and then died: the main file and its -wal as it left them.
    let crashed = tempfile::tempdir().unwrap();
    {
        let desk = Desk::open_in(dir.path(), clock()).unwrap();
        let refs = desk.reference_data().unwrap();
        desk.log(&NewIncident {
            title: "Printer queue stuck".into(),
            description: "Nothing prints on floor 2".into(),
            category_id: refs.categories.first().map(|c| c.id),
            service_id: refs.services.first().map(|s| s.id),
            reporter_name: "Ola".into(),
            reporter_contact: "ola@example.org".into(),
            channel: "phone".into(),
            impact: "minor".into(),
            urgency: "low".into(),
            ..Default::default()
        })
        .unwrap();
        for suffix in ["", "-wal"] {
            std::fs::copy(
                format!("{}{suffix}", path.display()),
                crashed.path().join(format!("{DATABASE_FILE}{suffix}")),
            )
            .unwrap();
        }
    }
    let copy = crashed.path().join(DATABASE_FILE);
    let wal = crashed.path().join(format!("{DATABASE_FILE}-wal"));
    assert!(
        std::fs::metadata(&wal).unwrap().len() > 0,
        "the log holds the change"
    );
    damage_pages(&copy);
    let before = bytes(&copy);
    let err = Desk::open_in(crashed.path(), clock())
        .err()
        .expect("refused");
    assert_eq!(err.code(), "damaged_database", "{err}");
    assert!(
        bytes(&copy) == before,
        "the log was not checkpointed into the damaged file"
    );
}

/// With the real clock, "now" when the handle compares is a moment after the "now" the due
/// time was computed from: the first automatic backup of a desk that has none must still be
/// taken at start (it once never was, and the handle spun re-reading the settings).
#[test]
fn the_backup_handle_takes_the_first_backup_at_start_on_the_system_clock() {
    let dir = tempfile::tempdir().unwrap();
    let desk = Arc::new(Desk::open_in(dir.path(), Arc::new(incident_desk::SystemClock)).unwrap());
    let handle = BackupHandle::start(desk.clone()).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while desk.last_good_backup().unwrap().is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "no backup taken at start"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    handle.stop();
    let listed = desk.backups().unwrap();
    assert_eq!(listed.len(), 1, "one backup: the next is a day away");
    assert_eq!(listed[0].record.kind, "automatic");
}
