//! No input can crash the app: a malformed argument sent through the window's own IPC bridge
//! (the way ui/js/api.js calls the core) comes back as a typed `invalid_input` error naming the
//! field, a rejection that is not the core's is `internal` (never "storage"), and the app is
//! alive and usable afterwards.

use serde_json::{json, Value};

use crate::app::{self, App, Artifacts, Prerequisites};

/// Runs an async script body in the page and returns what it resolves to. The body may
/// `await`; WebDriver's Execute Script waits for the promise it returns.
fn run(desk: &App, what: &str, body: &str) -> Value {
    let script = format!("return (async () => {{ {body} }})();");
    desk.wait_for(what, |s| s.execute(&script, vec![]).map(Some))
}

/// Calls a command through the same bridge as ui/js/api.js and returns
/// `{ok: value}` or `{err: rejection}`.
fn invoke(desk: &App, command: &str, args: Value) -> Value {
    run(
        desk,
        &format!("{command} to answer"),
        &format!(
            "const t = window.__TAURI__;\n\
             const invoke = (t && t.core && t.core.invoke) || \
               window.__TAURI_INTERNALS__.invoke.bind(window.__TAURI_INTERNALS__);\n\
             try {{ return {{ ok: await invoke({command:?}, {args}) }}; }}\n\
             catch (e) {{ return {{ err: e }}; }}"
        ),
    )
}

#[test]
fn a_malformed_argument_from_the_window_is_a_typed_error_and_the_app_stays_up() {
    let _serial = app::serialize();
    let pre = Prerequisites::check();
    let artifacts = Artifacts::for_test(
        "a_malformed_argument_from_the_window_is_a_typed_error_and_the_app_stays_up",
    );
    let tmp = tempfile::tempdir().expect("temp dir");
    let data_dir = tmp.path().join("desk");

    let desk = App::launch(&pre, &data_dir, &artifacts, "app");
    desk.visible("welcome");

    // A text where the incident id (a number) belongs.
    let reply = invoke(
        &desk,
        "get_incident",
        json!({"input": {"id": "INC-000001"}}),
    );
    let err = &reply["err"];
    assert_eq!(
        err["code"], "invalid_input",
        "typed, not a bare string: {reply}"
    );
    assert_eq!(err["field"], "id", "{reply}");
    let message = err["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("`id` is not valid") && message.contains("nothing was saved"),
        "a readable message naming the field: {reply}"
    );

    // A nested field of the wrong type, and a required one left out.
    let reply = invoke(
        &desk,
        "update_incident",
        json!({"input": {"id": 1, "expected_version": 1, "changes": {"users_affected": "many"}}}),
    );
    assert_eq!(reply["err"]["code"], "invalid_input", "{reply}");
    assert_eq!(reply["err"]["field"], "users_affected", "{reply}");
    let reply = invoke(&desk, "acknowledge_incident", json!({"input": {"id": 1}}));
    assert_eq!(reply["err"]["field"], "expected_version", "{reply}");
    let reply = invoke(&desk, "get_incident", json!({}));
    assert_eq!(reply["err"]["code"], "invalid_input", "{reply}");
    assert_eq!(reply["err"]["field"], "input", "{reply}");

    // Through ui/js/api.js itself: a typed ApiError the screens show next to the field.
    let seen = run(
        &desk,
        "api.js to reject",
        "const api = await import('./js/api.js');\n\
         try { await api.getIncident('seven'); return { resolved: true }; }\n\
         catch (e) { return { apiError: e instanceof api.ApiError, code: e.code, field: e.field,\n\
                              message: e.message }; }",
    );
    assert_eq!(seen["apiError"], true, "{seen}");
    assert_eq!(seen["code"], "invalid_input", "{seen}");
    assert_eq!(seen["field"], "id", "{seen}");

    // A rejection that is not the core's (Tauri's own plain string) is `internal`, not
    // `storage`.
    let reply = invoke(&desk, "no_such_command", json!({}));
    assert!(
        reply["err"].is_string(),
        "Tauri rejects an unknown command with a bare string: {reply}"
    );
    let mapped = run(
        &desk,
        "api.js to map a bare rejection",
        "const api = await import('./js/api.js');\n\
         const e = api.toApiError('command no_such_command not found');\n\
         const odd = api.toApiError({ unexpected: 1 });\n\
         return { code: e.code, message: e.message, other: api.toApiError(undefined).code,\n\
                  odd: odd.code, oddMessage: odd.message };",
    );
    assert_eq!(mapped["code"], "internal", "{mapped}");
    assert_eq!(mapped["other"], "internal", "{mapped}");
    assert_eq!(mapped["odd"], "internal", "{mapped}");
    assert_eq!(
        mapped["oddMessage"], "The desk did not answer: {\"unexpected\":1}",
        "{mapped}"
    );
    assert_eq!(mapped["message"], "command no_such_command not found");
    desk.shot("after the malformed calls");

    // The app is alive and the desk works: the first run goes on as usual.
    desk.start_as("Amira Haddad");
    desk.visible("list-empty");
    let info = invoke(&desk, "desk_info", json!({}));
    assert_eq!(info["ok"]["operator"]["name"], "Amira Haddad", "{info}");
    assert_eq!(info["ok"]["incident_count"], 0, "nothing was saved: {info}");
    desk.shot("desk working");

    desk.quit();
}

#[test]
fn an_app_asked_to_quit_by_the_session_closes_its_database_into_one_complete_file() {
    let _serial = app::serialize();
    let pre = Prerequisites::check();
    let artifacts = Artifacts::for_test(
        "an_app_asked_to_quit_by_the_session_closes_its_database_into_one_complete_file",
    );
    let tmp = tempfile::tempdir().expect("temp dir");
    let data_dir = tmp.path().join("desk");
    let db = data_dir.join(incident_desk::DATABASE_FILE);
    let wal = db.with_extension("sqlite3-wal");

    let desk = App::launch(&pre, &data_dir, &artifacts, "app");
    desk.start_as("Amira Haddad");
    desk.visible("list-empty");
    assert!(
        std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0),
        "while the app runs, committed changes sit in the write-ahead log {}",
        wal.display()
    );

    // Logout or shutdown: the session sends SIGTERM to the app.
    let app_name = pre.app.display().to_string();
    let app_pids = || -> Vec<u32> {
        crate::webdriver::processes_in_group(desk.driver_pgid())
            .into_iter()
            .filter(|(_, cmd)| cmd.starts_with(&app_name))
            .map(|(pid, _)| pid)
            .collect()
    };
    let pids = app_pids();
    assert_eq!(pids.len(), 1, "one app process runs: {pids:?}");
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pids[0].to_string()])
        .status()
        .expect("run kill");
    assert!(status.success(), "SIGTERM was sent");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while !app_pids().is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the app did not exit within 15 s of SIGTERM"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }

    assert!(
        std::fs::metadata(&wal).map_or(true, |m| m.len() == 0),
        "the database was closed and its write-ahead log checkpointed: {}",
        wal.display()
    );
    // The file alone, as a copy made after exit would be, holds everything committed.
    let copy = tempfile::tempdir().expect("temp dir");
    std::fs::copy(&db, copy.path().join(incident_desk::DATABASE_FILE)).expect("copy the file");
    let reopened =
        incident_desk::Desk::open_in(copy.path(), std::sync::Arc::new(incident_desk::SystemClock))
            .expect("the copy opens");
    let operator = reopened.info().expect("desk info").operator.map(|p| p.name);
    assert_eq!(operator.as_deref(), Some("Amira Haddad"));
    drop(desk); // the session is gone with the app; this stops the drivers
}

/// The state of the P3 policy's save as the page sees it, and how long the page took to answer.
fn probe_save(desk: &App) -> (Value, std::time::Duration) {
    probe_save_on(desk.session())
}

fn probe_save_on(s: &crate::webdriver::Session) -> (Value, std::time::Duration) {
    let start = std::time::Instant::now();
    let seen = s
        .execute(
            "const b = document.querySelector('[data-testid=\"sla-save-P3\"]');\n\
             const form = b && b.closest('form');\n\
             return { formBusy: !!form && form.getAttribute('aria-busy') === 'true',\n\
                      saveDisabled: !!b && b.disabled,\n\
                      pageBusy: document.documentElement.hasAttribute('data-desk-busy') };",
            vec![],
        )
        .unwrap_or_else(|e| panic!("the page did not answer: {e}"));
    (seen, start.elapsed())
}

#[test]
fn a_long_policy_save_leaves_the_window_responsive_and_shows_it_is_busy() {
    let _serial = app::serialize();
    let pre = Prerequisites::check();
    let artifacts =
        Artifacts::for_test("a_long_policy_save_leaves_the_window_responsive_and_shows_it_is_busy");
    let tmp = tempfile::tempdir().expect("temp dir");
    let data_dir = tmp.path().join("desk");
    let desk = App::launch(&pre, &data_dir, &artifacts, "app");
    desk.start_as("Amira Haddad");
    desk.click("nav-settings");
    desk.visible("settings");
    desk.click("settings-tab-sla");
    desk.visible("sla-save-P3");

    // Another writer holds the database (as a team desk's other member, or a slow disk would):
    // the save has to wait for it, up to the store's busy timeout.
    let db = data_dir.join(incident_desk::DATABASE_FILE);
    let other = rusqlite::Connection::open(&db).expect("second connection");
    other
        .execute_batch("BEGIN IMMEDIATE")
        .expect("the other writer takes the write lock");
    let held = std::time::Duration::from_millis(2500);
    let locked_at = std::time::Instant::now();
    let click = std::time::Instant::now();
    desk.click("sla-save-P3");

    // The click itself (WebDriver waits for the window to handle it) and every look at the page
    // while the save waits must come back quickly.
    let mut slowest = click.elapsed();
    let mut busy_seen = None;
    while locked_at.elapsed() < held {
        let (seen, took) = probe_save(&desk);
        slowest = slowest.max(took);
        if seen["formBusy"] == true && seen["saveDisabled"] == true && seen["pageBusy"] == true {
            busy_seen.get_or_insert(seen);
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    desk.shot("while the save waits");
    other
        .execute_batch("COMMIT")
        .expect("the other writer lets go");
    drop(other);

    assert!(
        slowest < std::time::Duration::from_millis(1000),
        "the window answered within a second while the save waited {held:?} (slowest {slowest:?})"
    );
    assert!(
        busy_seen.is_some(),
        "while the save ran, its form was busy (Save disabled) and the page showed it was busy"
    );
    desk.wait_text_css(
        "#toast",
        "P3 policy saved",
        "the toast saying the policy was saved",
    );
    desk.wait_for("the page to be idle again", |s| {
        let (seen, _) = probe_save_on(s);
        Ok((seen["pageBusy"] == false && seen["formBusy"] == false).then_some(()))
    });
    desk.shot("saved");
    desk.quit();
}
