//! The history seal as a user meets it: an incident edited in the database file behind the
//! app's back is reported by the check at start (in the notification centre) and named by
//! Settings › History › Verify history.

use serde_json::{json, Value};

use crate::app::{self, tid, App, Artifacts, Prerequisites};

/// Calls a command through the window's IPC bridge, as ui/js/api.js does.
pub(crate) fn invoke(desk: &App, command: &str, args: Value) -> Value {
    let script = format!(
        "return (async () => {{ const t = window.__TAURI__;\n\
         const invoke = (t && t.core && t.core.invoke) || \
           window.__TAURI_INTERNALS__.invoke.bind(window.__TAURI_INTERNALS__);\n\
         try {{ return {{ ok: await invoke({command:?}, {args}) }}; }}\n\
         catch (e) {{ return {{ err: e }}; }} }})();"
    );
    desk.wait_for(&format!("{command} to answer"), |s| {
        s.execute(&script, vec![]).map(Some)
    })
}

#[test]
fn an_incident_edited_behind_the_apps_back_is_reported_at_start_and_by_verify_history() {
    let _serial = app::serialize();
    let pre = Prerequisites::check();
    let artifacts = Artifacts::for_test(
        "an_incident_edited_behind_the_apps_back_is_reported_at_start_and_by_verify_history",
    );
    let tmp = tempfile::tempdir().expect("temp dir");
    let data_dir = tmp.path().join("desk");

    let desk = App::launch(&pre, &data_dir, &artifacts, "first");
    desk.visible("welcome");
    let loaded = invoke(&desk, "load_demo_data", json!({}));
    assert!(loaded.get("ok").is_some(), "demo data loaded: {loaded}");
    desk.quit();

    // Someone with the file and a SQLite shell lowers a priority; no event records it.
    let db = data_dir.join(incident_desk::DATABASE_FILE);
    {
        let conn = rusqlite::Connection::open(&db).expect("open the file");
        let n = conn
            .execute(
                "UPDATE incidents SET title = 'Nothing happened' WHERE id = 1",
                [],
            )
            .expect("edit the row");
        assert_eq!(n, 1);
    }

    let desk = App::launch(&pre, &data_dir, &artifacts, "after-edit");
    // The check at start runs on its own thread; its result lands in the notification centre.
    desk.click("alerts-button");
    desk.visible("alerts-panel");
    let item_css = format!(
        "{} {}[data-kind='history']",
        tid("alerts-panel"),
        tid("alert-item")
    );
    let text = desk.wait_text_css(
        &item_css,
        "INC-000001",
        "the history check's alert naming INC-000001",
    );
    assert!(
        text.contains("The history was altered") && text.contains("changed outside Incident Desk"),
        "the alert says what happened: {text}"
    );
    desk.shot("alert-in-the-notification-centre");
    desk.click("alerts-button");

    desk.click("nav-settings");
    desk.click("settings-tab-history");
    desk.click("verify-history");
    let result = desk.visible_css(
        &format!("{}[data-intact='false']", tid("verify-result")),
        "a failed verification",
    );
    let _ = result;
    let problems = desk.wait_text("verify-problems", "INC-000001");
    assert!(
        problems.contains("changed outside Incident Desk"),
        "the row edit is named: {problems}"
    );
    desk.shot("verify-history-names-the-incident");
    desk.quit();
}
