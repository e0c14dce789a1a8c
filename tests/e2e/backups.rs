//! The database file as a user meets it: Back up now and Restore from backup in Settings ›
//! Backups, a damaged file refused at start with the offer to restore a backup, and an
//! oversized setting refused with its message while the app stays alive.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::app::{self, tid, App, Artifacts, Prerequisites};

const SERVICE: &str = "Web shop";

/// Launches the app with extra environment variables (the pickers' overrides) for this app
/// only: set in this process for the launch, removed as soon as the app runs. The caller holds
/// `app::serialize()`, so no other launch can see them (as in major.rs).
fn launch_with_env(
    pre: &Prerequisites,
    data_dir: &Path,
    artifacts: &Artifacts,
    label: &str,
    vars: &[(&str, &Path)],
) -> App {
    struct Unset(Vec<String>);
    impl Drop for Unset {
        fn drop(&mut self) {
            for v in &self.0 {
                std::env::remove_var(v);
            }
        }
    }
    let _unset = Unset(vars.iter().map(|(k, _)| k.to_string()).collect());
    for (k, v) in vars {
        std::env::set_var(k, v);
    }
    App::launch(pre, data_dir, artifacts, label)
}

/// Logs an incident through the form; returns its number.
fn log_incident(desk: &App, title: &str, impact: &str) -> String {
    desk.click("new-incident");
    desk.visible("form-new-incident");
    desk.fill("field-title", title);
    desk.fill("field-description", "Customers cannot complete an order.");
    desk.select("field-category", "Application");
    desk.select("field-service", SERVICE);
    desk.fill("field-reporter-name", "Sam Reporter");
    desk.fill("field-reporter-contact", "sam@example.org");
    desk.select("field-channel", "phone");
    desk.select("field-impact", impact);
    desk.select("field-urgency", "high");
    desk.click("submit-incident");
    let number = desk.wait_text("detail-number", "INC-").trim().to_string();
    desk.wait_text("detail-title", title);
    number
}

/// The numbers of the incidents the list shows (all states).
fn listed_numbers(desk: &App) -> Vec<String> {
    desk.wait_for("the incident list's numbers", |s| {
        let mut out = Vec::new();
        for el in s.find_all(&tid("incident-row"))? {
            if let Some(n) = s.attribute(&el, "data-number")? {
                out.push(n);
            }
        }
        out.sort();
        Ok(Some(out))
    })
}

fn wait_listed(desk: &App, expected: &[&str]) -> Vec<String> {
    let mut last = Vec::new();
    let r = desk.try_wait_for(
        desk.timeout,
        "the list to show exactly these incidents",
        |_| {
            last = listed_numbers(desk);
            Ok((last == expected).then_some(()))
        },
    );
    if let Err(msg) = r {
        panic!("{msg}; the list showed {last:?}, expected {expected:?}");
    }
    last
}

fn files_named(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with(prefix))
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn open_backups_tab(desk: &App) {
    desk.click("nav-settings");
    desk.visible("settings");
    desk.click("settings-tab-backups");
    desk.visible("backups");
}

#[test]
fn a_backup_taken_now_is_verified_listed_and_restored_with_the_current_file_kept_aside() {
    let _serial = app::serialize();
    let pre = Prerequisites::check();
    let artifacts = Artifacts::for_test("backup_now_and_restore");
    let tmp = tempfile::tempdir().expect("temp dir");
    let data_dir = tmp.path().join("desk");
    let usb = tmp.path().join("usb-stick");

    // ── Two incidents, then Back up now into the chosen folder ───────────────────────────
    let desk = launch_with_env(
        &pre,
        &data_dir,
        &artifacts,
        "backup",
        &[("INCIDENT_DESK_BACKUP_DIR", &usb)],
    );
    desk.start_as("Amira Haddad");
    desk.click("nav-settings");
    desk.visible("settings");
    desk.click("settings-tab-services");
    desk.add_first_service(SERVICE);
    let first = log_incident(&desk, "Checkout times out", "moderate");
    let second = log_incident(&desk, "Basket empties itself", "minor");
    assert_eq!(
        (first.as_str(), second.as_str()),
        ("INC-000001", "INC-000002")
    );

    open_backups_tab(&desk);
    desk.click("backup-now");
    let result = desk.wait_text("backup-result", "verified");
    assert!(
        result.contains("2 incidents"),
        "the result says what the backup holds: {result:?}"
    );
    let verified = desk.wait_for("the result's verdict", |s| {
        let Some(el) = App::displayed(s, &tid("backup-result"))? else {
            return Ok(None);
        };
        s.attribute(&el, "data-verified")
    });
    assert_eq!(verified, "true", "the backup verified: {result:?}");
    let path = desk.text("backup-result-path").trim().to_string();
    let backup = PathBuf::from(&path);
    assert!(
        backup.starts_with(&usb) && backup.is_file(),
        "the backup is a file in the chosen folder {}: {path}",
        usb.display()
    );
    assert!(
        PathBuf::from(format!("{path}.json")).is_file(),
        "its manifest is beside it"
    );
    let bar = desk.wait_for("the progress bar", |s| {
        let Some(el) = App::displayed(s, &tid("backup-progress"))? else {
            return Ok(None);
        };
        Ok(Some((s.property(&el, "value")?, s.property(&el, "max")?)))
    });
    assert_eq!(bar.0, bar.1, "the progress bar is full once done: {bar:?}");

    // The list: the manual backup, 2 incidents, verified, present.
    let row = format!(
        "{}[data-kind=\"manual\"][data-path=\"{path}\"]",
        tid("backup-row")
    );
    let row_text = desk.wait_text_css(&row, "Manual", "the manual backup in the list");
    assert!(
        row_text.contains("Yes") && row_text.contains("Present"),
        "the row says verified and present: {row_text:?}"
    );
    let incidents = desk.text_css(
        &format!("{row} {}", tid("backup-row-incidents")),
        "the row's incidents",
    );
    assert_eq!(incidents.trim(), "2");
    let last = desk.text("backup-last-path");
    assert!(
        last.contains("incident-desk-"),
        "the last good backup is shown: {last:?}"
    );
    assert!(
        !desk.is_visible("backup-warning"),
        "no warning with a fresh good backup"
    );
    wait_toast_gone(&desk);
    desk.shot("backups tab with the backup listed");

    // ── A third incident after the backup ────────────────────────────────────────────────
    let third = log_incident(&desk, "Invoices print blank", "minor");
    assert_eq!(third, "INC-000003");
    desk.quit();

    // ── Restore from backup: the picker answers with that backup ─────────────────────────
    let desk = launch_with_env(
        &pre,
        &data_dir,
        &artifacts,
        "restore",
        &[("INCIDENT_DESK_RESTORE_FILE", &backup)],
    );
    desk.visible("incident-list");
    wait_listed(&desk, &["INC-000001", "INC-000002", "INC-000003"]);
    open_backups_tab(&desk);
    desk.click("restore-start");
    desk.visible("restore-confirm-box");
    let file = desk.text("restore-file");
    assert_eq!(file.trim(), path, "the preview names the chosen file");
    desk.wait_text("restore-incidents", "2 incidents");
    desk.wait_text("restore-integrity", "passes");
    desk.wait_text("restore-history", "intact");
    desk.wait_text("restore-manifest", "matches");
    desk.wait_text("restore-keeps", "kept beside");
    desk.scroll_to("restore-confirm-box");
    desk.shot("restore confirmation");
    assert!(
        files_named(&data_dir, "incident-desk.before-restore-").is_empty(),
        "nothing changes before the restore is confirmed"
    );

    desk.click("restore-confirm");
    wait_reloaded(&desk);
    let done = desk.wait_text("restore-banner-text", "kept at");
    wait_listed(&desk, &["INC-000001", "INC-000002"]);
    desk.shot("restored desk with the backup's incidents");

    let kept = files_named(&data_dir, "incident-desk.before-restore-");
    let kept_db: Vec<_> = kept
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "sqlite3"))
        .collect();
    assert_eq!(
        kept_db.len(),
        1,
        "the previous file is kept beside the database: {kept:?}"
    );
    assert!(
        done.contains(&kept_db[0].display().to_string()),
        "the window says where the previous file was kept: {done:?}"
    );
    // The file kept aside still holds the third incident.
    let previous = rusqlite::Connection::open_with_flags(
        kept_db[0],
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("open the kept file");
    let n: i64 = previous
        .query_row("SELECT COUNT(*) FROM incidents", [], |r| r.get(0))
        .expect("count");
    assert_eq!(n, 3, "the file kept aside holds every incident it had");
    drop(previous);

    // The restored desk works: a new incident is logged on it.
    let next = log_incident(&desk, "Search returns nothing", "minor");
    assert_eq!(next, "INC-000003", "numbering goes on from the backup");
    desk.quit();
}

#[test]
fn a_damaged_database_is_refused_with_its_message_untouched_and_a_backup_restores_the_desk() {
    let _serial = app::serialize();
    let pre = Prerequisites::check();
    let artifacts = Artifacts::for_test("damaged_database_refused");
    let tmp = tempfile::tempdir().expect("temp dir");
    let data_dir = tmp.path().join("desk");
    let backups = data_dir.join("backups");
    let db = data_dir.join(incident_desk::DATABASE_FILE);

    // ── A desk with an incident and a backup of it in backups/ ───────────────────────────
    let desk = launch_with_env(
        &pre,
        &data_dir,
        &artifacts,
        "healthy",
        &[("INCIDENT_DESK_BACKUP_DIR", &backups)],
    );
    desk.start_as("Amira Haddad");
    desk.click("nav-settings");
    desk.visible("settings");
    desk.click("settings-tab-services");
    desk.add_first_service(SERVICE);
    log_incident(&desk, "Checkout times out", "moderate");
    open_backups_tab(&desk);
    desk.click("backup-now");
    desk.wait_text("backup-result", "verified");
    let taken = desk.text("backup-result-path").trim().to_string();
    desk.quit();

    // Ending the WebDriver session does not let the app close the file cleanly: fold the
    // write-ahead log into it as a clean close does, so the damage below hits the data.
    incident_desk::Desk::open_in(&data_dir, std::sync::Arc::new(incident_desk::SystemClock))
        .expect("the healthy file opens")
        .close_database()
        .expect("closed cleanly");
    assert!(
        std::fs::metadata(data_dir.join(format!("{}-wal", incident_desk::DATABASE_FILE)))
            .map_or(true, |m| m.len() == 0),
        "everything is in the one file"
    );

    // ── The file is damaged: cut in half ─────────────────────────────────────────────────
    let full = std::fs::read(&db).expect("read the database");
    std::fs::write(&db, &full[..full.len() / 2]).expect("truncate");
    let damaged = std::fs::read(&db).expect("read the damaged file");
    // What lies beside it now (an empty -wal may remain from the close above): the start
    // below must add nothing to it and change nothing in it.
    let beside = |dir: &std::path::Path| -> Vec<(String, u64)> {
        let mut v: Vec<(String, u64)> = std::fs::read_dir(dir)
            .expect("list the data folder")
            .filter_map(|e| e.ok())
            .filter(|e| e.path().is_file())
            .map(|e| {
                let len = e.metadata().map(|m| m.len()).unwrap_or(0);
                (e.file_name().to_string_lossy().into_owned(), len)
            })
            .collect();
        v.sort();
        v
    };
    let listing = beside(&data_dir);

    let desk = App::launch(&pre, &data_dir, &artifacts, "damaged");
    let fatal = desk.visible("fatal");
    let code = desk
        .session()
        .attribute(&fatal, "data-code")
        .expect("code")
        .unwrap_or_default();
    assert_eq!(code, "damaged_database");
    let message = desk.wait_text("fatal-message", "damaged");
    assert!(
        message.contains(&db.display().to_string()),
        "the message names the file: {message:?}"
    );
    desk.wait_text("fatal-advice", "Restore a backup below");
    let offer = desk.wait_text("recovery", "Restore from backup");
    assert!(
        offer.contains(&backups.display().to_string()),
        "the offer says where it looked: {offer:?}"
    );
    let item_css = format!("{}[data-path=\"{taken}\"]", tid("recovery-item"));
    let item = desk.wait_text_css(&item_css, "1 incident", "the backup in the offer");
    assert!(item.contains("verified"), "{item:?}");
    desk.shot("damaged file refused with the restore offer");
    assert_eq!(
        std::fs::read(&db).expect("read"),
        damaged,
        "the damaged file is byte-identical after the start"
    );
    assert_eq!(beside(&data_dir), listing, "nothing was written beside it");

    // Try again reopens the file: still refused, still untouched.
    desk.click("fatal-retry");
    desk.wait_text_css(
        "#toast",
        "still cannot be opened",
        "the toast after Try again",
    );
    desk.wait_text("fatal-message", "damaged");
    assert_eq!(
        std::fs::read(&db).expect("read"),
        damaged,
        "trying again leaves the damaged file byte-identical"
    );

    // ── Restore the backup found in backups/ ─────────────────────────────────────────────
    desk.click_css(
        &format!("{item_css} {}", tid("recovery-restore")),
        "the backup's Restore button",
    );
    desk.visible("restore-confirm-box");
    desk.wait_text("restore-incidents", "1 incident");
    desk.shot("restore confirmation on the start screen");
    desk.click("restore-confirm");
    wait_reloaded(&desk);
    desk.wait_text("restore-banner-text", "kept at");
    wait_listed(&desk, &["INC-000001"]);
    desk.shot("desk up on the restored backup");
    let kept: Vec<_> = files_named(&data_dir, "incident-desk.before-restore-")
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "sqlite3"))
        .collect();
    assert_eq!(kept.len(), 1, "the damaged file is kept aside: {kept:?}");
    assert_eq!(
        std::fs::read(&kept[0]).expect("read the kept file"),
        damaged,
        "the damaged file is kept aside unchanged"
    );
    desk.quit();
}

/// The toast of the last step has faded (for a screenshot of the page alone).
fn wait_toast_gone(desk: &App) {
    desk.wait_for("the toast to fade", |s| {
        let visible = s.execute(
            "const t = document.getElementById('toast'); return !!t && t.classList.contains('is-visible');",
            vec![],
        )?;
        Ok((visible == serde_json::Value::Bool(false)).then_some(()))
    });
    // …and its fade-out transition has been painted.
    std::thread::sleep(Duration::from_millis(500));
}

/// The desk reopened and the window reloaded onto the incident list (a restore ends so).
fn wait_reloaded(desk: &App) {
    desk.wait_for_within(
        Duration::from_secs(30),
        "the window to reload onto the incident list",
        |s| App::displayed(s, &tid("incident-list")).map(|e| e.map(|_| ())),
    );
}

#[test]
fn an_oversized_setting_is_refused_with_its_message_and_the_app_stays_alive() {
    let _serial = app::serialize();
    let pre = Prerequisites::check();
    let artifacts = Artifacts::for_test("oversized_setting_refused");
    let tmp = tempfile::tempdir().expect("temp dir");
    let data_dir = tmp.path().join("desk");

    let desk = App::launch(&pre, &data_dir, &artifacts, "app");
    desk.start_as("Amira Haddad");

    // A revenue-generating service.
    desk.click("nav-settings");
    desk.visible("settings");
    desk.click("settings-tab-services");
    desk.click("settings-add");
    desk.fill("service-name", SERVICE);
    desk.click("service-revenue");
    desk.click("settings-save");
    desk.wait_text_css(
        &format!("{} {}", tid("settings-list"), tid("settings-row")),
        SERVICE,
        "the service in the list",
    );

    // Communication › major-incident criteria: 200,000,000,000,000 minutes.
    desk.click("settings-tab-communication");
    desk.visible("criteria-form");
    desk.fill("criteria-revenue", "200000000000000");
    desk.click("criteria-save");
    let message = desk.text("error-revenue_down_minutes");
    assert!(
        message.contains("5,256,000") || message.contains("5256000"),
        "the message next to the field states the bound: {message:?}"
    );
    desk.scroll_to("criteria-form");
    desk.shot("oversized revenue minutes refused");

    // The app is alive: an extensive-impact incident on the revenue service is logged and opens
    // (leaving the refused, unsaved criteria asks first).
    desk.click("new-incident");
    desk.click("discard-confirm");
    desk.gone("discard-dialog");
    let number = log_incident(&desk, "Checkout is down for everyone", "extensive");
    desk.click("nav-incidents");
    desk.click_css(
        &format!(
            "{}[data-number=\"{number}\"] {}",
            tid("incident-row"),
            tid("row-title")
        ),
        "the incident's row to open",
    );
    desk.visible("incident-detail");
    desk.wait_text("detail-number", &number);
    desk.wait_text("detail-title", "Checkout is down for everyone");
    desk.shot("the incident opens");
    desk.quit();
}

#[test]
fn a_desk_whose_backups_are_gone_warns_at_start_and_backup_settings_are_checked_by_field() {
    let _serial = app::serialize();
    let pre = Prerequisites::check();
    let artifacts = Artifacts::for_test("backup_warning_at_start");
    let tmp = tempfile::tempdir().expect("temp dir");
    let data_dir = tmp.path().join("desk");
    let backups = data_dir.join("backups");

    // The automatic backup is taken at the first start.
    let desk = App::launch(&pre, &data_dir, &artifacts, "first");
    desk.start_as("Amira Haddad");
    open_backups_tab(&desk);
    desk.wait_text("backup-last-when", "automatic");
    assert!(!desk.is_visible("backup-warning"));
    desk.quit();

    // Someone empties the backups folder.
    std::fs::remove_dir_all(&backups).expect("remove the backups");

    let desk = App::launch(&pre, &data_dir, &artifacts, "again");
    desk.visible("incident-list");
    let banner = desk.wait_text("backup-banner-text", "no verified backup");
    assert!(banner.contains("back it up now"), "{banner:?}");
    desk.shot("backup warning at start");
    desk.click("backup-banner-open");
    desk.visible("backups");
    desk.wait_text("backup-warning", "no verified backup");
    let row = desk.wait_text("backup-row", "Missing");
    assert!(row.contains("Automatic"), "{row:?}");

    // Out-of-bounds settings are refused next to their field; nothing is saved.
    desk.fill("backup-interval", "0");
    desk.click("backup-settings-save");
    let message = desk.text("error-interval_hours");
    assert!(
        message.contains("between 1 and 168"),
        "the bound is stated next to the field: {message:?}"
    );
    desk.fill("backup-interval", "12");
    desk.fill("backup-keep-weekly", "53");
    desk.click("backup-settings-save");
    let message = desk.text("error-keep_weekly");
    assert!(message.contains("between 0 and 52"), "{message:?}");
    desk.shot("backup settings refused by field");
    desk.fill("backup-keep-weekly", "8");
    desk.click("backup-settings-save");
    desk.wait_text_css("#toast", "Backup settings saved", "the saved toast");
    assert!(!desk.is_visible("error-keep_weekly"));

    desk.click("backup-banner-dismiss");
    desk.gone("backup-banner");
    desk.quit();
}

/// Runs xdotool with these arguments; its trimmed output.
fn xdotool(args: &[&str]) -> Option<String> {
    let out = std::process::Command::new("xdotool")
        .args(args)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

#[test]
fn back_up_now_and_restore_ask_with_the_native_folder_and_file_choosers() {
    let _serial = app::serialize();
    let pre = Prerequisites::check();
    assert!(
        xdotool(&["version"]).is_some(),
        "xdotool is needed to answer the native dialog: apt-get install xdotool"
    );
    let artifacts = Artifacts::for_test("backup_native_folder_chooser");
    let tmp = tempfile::tempdir().expect("temp dir");
    let data_dir = tmp.path().join("desk");
    let chosen = tmp.path().join("chosen-folder");
    std::fs::create_dir_all(&chosen).expect("the folder to choose");

    let desk = App::launch(&pre, &data_dir, &artifacts, "app");
    desk.start_as("Amira Haddad");
    open_backups_tab(&desk);
    desk.click("backup-now");

    // The GTK folder chooser opens with its title.
    let dialog = desk.wait_for("the native folder chooser to open", |_| {
        Ok(xdotool(&["search", "--name", "Back up Incident Desk"])
            .and_then(|ids| ids.lines().last().map(str::to_string)))
    });
    std::thread::sleep(Duration::from_millis(800));
    let shot = artifacts.step_path("native folder chooser", "png");
    let _ = std::process::Command::new("import")
        .args(["-window", "root"])
        .arg(&shot)
        .status();
    // Type the folder into the location field and choose it.
    let _ = xdotool(&["windowfocus", "--sync", &dialog]);
    xdotool(&["key", "--clearmodifiers", "ctrl+l"]).expect("ctrl+l");
    std::thread::sleep(Duration::from_millis(300));
    let typed = format!("{}/", chosen.display());
    xdotool(&["type", "--delay", "20", &typed]).expect("type the folder");
    std::thread::sleep(Duration::from_millis(300));
    xdotool(&["key", "Return"]).expect("Return");
    // The first Return may only enter the folder; the next chooses it with the dialog's default
    // button. A loaded machine paints the dialog late, so ask until it has closed rather than
    // trusting one fixed pause.
    for _ in 0..15 {
        std::thread::sleep(Duration::from_millis(800));
        if xdotool(&["search", "--name", "Back up Incident Desk"]).is_none() {
            break;
        }
        let _ = xdotool(&["windowfocus", "--sync", &dialog]);
        xdotool(&["key", "Return"]).expect("Return");
    }

    let result = desk.wait_text("backup-result", "verified");
    let path = desk.text("backup-result-path");
    assert!(
        Path::new(path.trim()).starts_with(&chosen),
        "the backup went into the folder chosen in the dialog {}: {result:?}",
        chosen.display()
    );
    desk.shot("backed up into the chosen folder");

    // Restore from backup… asks for the file with the native file chooser.
    desk.click("restore-start");
    let dialog = desk.wait_for("the native file chooser to open", |_| {
        Ok(
            xdotool(&["search", "--name", "Restore Incident Desk from this backup"])
                .and_then(|ids| ids.lines().last().map(str::to_string)),
        )
    });
    std::thread::sleep(Duration::from_millis(800));
    let _ = xdotool(&["windowfocus", "--sync", &dialog]);
    xdotool(&["key", "--clearmodifiers", "ctrl+l"]).expect("ctrl+l");
    std::thread::sleep(Duration::from_millis(300));
    xdotool(&["type", "--delay", "20", path.trim()]).expect("type the file");
    std::thread::sleep(Duration::from_millis(300));
    xdotool(&["key", "Return"]).expect("Return");
    desk.visible("restore-confirm-box");
    let file = desk.text("restore-file");
    assert_eq!(
        file.trim(),
        path.trim(),
        "the preview names the file chosen"
    );
    desk.wait_text("restore-integrity", "passes");
    desk.click("restore-cancel");
    desk.gone("restore-confirm-box");
    desk.quit();
}
