//! The command layer through Tauri's own IPC path (mock runtime): argument names, JSON shapes
//! and the `{code, message, field}` error contract the UI relies on.

use crate::state::AppState;
use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{Manager, WebviewWindow, WebviewWindowBuilder};

pub(super) struct Window {
    pub(super) window: WebviewWindow<tauri::test::MockRuntime>,
    pub(super) _dir: tempfile::TempDir,
}

pub(super) fn app_on(dir: tempfile::TempDir, state: AppState) -> Window {
    let app = super::register(mock_builder())
        .build(mock_context(noop_assets()))
        .expect("mock app builds");
    app.manage(state);
    let window = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("mock window builds");
    Window { window, _dir: dir }
}

pub(super) fn app() -> Window {
    let dir = tempfile::tempdir().expect("temp dir");
    let state = AppState::open(dir.path());
    app_on(dir, state)
}

pub(super) fn call(w: &Window, cmd: &str, input: Option<Value>) -> Result<Value, Value> {
    let body = match input {
        Some(i) => json!({ "input": i }),
        None => json!({}),
    };
    get_ipc_response(
        &w.window,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().expect("url"),
            body: InvokeBody::Json(body),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|b| b.deserialize::<Value>().expect("json reply"))
}

pub(super) fn setup_basics(w: &Window) -> (i64, i64) {
    let me = call(
        w,
        "save_person",
        Some(json!({"name": "Amira Haddad", "roles": ["service_desk_analyst"]})),
    )
    .expect("person saved");
    call(w, "set_operator", Some(json!({"person_id": me["id"]}))).expect("operator set");
    let svc = call(
        w,
        "save_service",
        Some(json!({"name": "E-mail", "criticality": "high", "users_served": 1200})),
    )
    .expect("service saved");
    let refs = call(w, "reference_data", None).expect("reference data");
    let network = refs["categories"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["name"] == "Network"))
        .map(|c| c["id"].as_i64().unwrap_or(0))
        .expect("default categories include Network");
    (svc["id"].as_i64().unwrap_or(0), network)
}

pub(super) fn new_incident(service: i64, category: i64) -> Value {
    json!({
        "title": "Mail delivery delayed", "description": "Outbound mail queued for 20 minutes",
        "category_id": category, "service_id": service, "reporter_name": "Ben Carter",
        "reporter_contact": "ben@example.org", "channel": "phone",
        "impact": "extensive", "urgency": "critical"
    })
}

#[test]
fn a_refused_command_rejects_with_code_message_and_field() {
    let w = app();
    let (service, category) = setup_basics(&w);
    let mut input = new_incident(service, category);
    input["title"] = json!("  ");
    let err = call(&w, "log_incident", Some(input)).expect_err("blank title is refused");
    assert_eq!(err["code"], "validation");
    assert_eq!(err["field"], "title");
    assert_eq!(err["message"], "Title is required");
    let page = call(&w, "list_incidents", Some(json!({}))).expect("list");
    assert_eq!(page["total"], 0, "nothing was saved");
}

#[test]
fn an_incident_goes_through_the_commands_from_log_to_close() {
    let w = app();
    let (service, category) = setup_basics(&w);
    let preview = call(
        &w,
        "preview_priority",
        Some(json!({"impact": "extensive", "urgency": "critical"})),
    )
    .expect("preview");
    assert_eq!(preview["priority"], "P1");
    let d = call(&w, "log_incident", Some(new_incident(service, category))).expect("logged");
    assert_eq!(d["incident"]["number"], "INC-000001");
    assert_eq!(d["incident"]["priority"], "P1");
    let id = d["incident"]["id"].clone();
    let v = |d: &Value| d["incident"]["version"].clone();

    let d = call(
        &w,
        "acknowledge_incident",
        Some(json!({"id": id, "expected_version": v(&d)})),
    )
    .expect("acknowledged");
    let d = call(
        &w,
        "resolve_incident",
        Some(json!({"id": id, "expected_version": v(&d), "resolution_code": "fixed", "resolution_notes": "Restarted the mail relay"})),
    )
    .expect("resolved");
    let err = call(
        &w,
        "close_incident",
        Some(json!({"id": id, "expected_version": v(&d), "closure_notes": "done"})),
    )
    .expect_err("closing unverified is refused");
    assert_eq!(err["code"], "invalid_transition");
    assert!(
        err.get("field").is_none(),
        "no field for a transition: {err}"
    );
    let d = call(
        &w,
        "verify_resolution",
        Some(
            json!({"id": id, "expected_version": v(&d), "method": "functional_test", "notes": ""}),
        ),
    )
    .expect("verified");
    let d = call(
        &w,
        "close_incident",
        Some(json!({"id": id, "expected_version": v(&d), "closure_notes": "Relay restarted; monitoring added"})),
    )
    .expect("closed");
    assert_eq!(d["incident"]["status"], "closed");
    let got = call(&w, "get_incident", Some(json!({"id": id}))).expect("get");
    let kinds: Vec<&str> = got["timeline"]
        .as_array()
        .map(|t| t.iter().filter_map(|e| e["kind"].as_str()).collect())
        .unwrap_or_default();
    for k in ["created", "acknowledged", "resolved", "verified", "closed"] {
        assert!(kinds.contains(&k), "timeline has {k}: {kinds:?}");
    }
}

#[test]
fn a_desk_that_could_not_open_says_why_on_every_command() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join(incident_desk::DATABASE_FILE);
    newer_db(&db);
    let state = AppState::open(dir.path());
    let w = app_on(dir, state);
    let err = call(&w, "desk_info", None).expect_err("newer database refused");
    assert_eq!(err["code"], "incompatible_database");
    assert!(
        err["message"]
            .as_str()
            .unwrap_or("")
            .contains("newer version"),
        "{err}"
    );
}

/// Makes a database file that claims a schema newer than this binary knows.
pub(super) fn newer_db(path: &std::path::Path) {
    let desk = incident_desk::Desk::open(path, std::sync::Arc::new(incident_desk::SystemClock))
        .expect("fresh desk");
    desk.db()
        .write(|tx| {
            tx.pragma_update(None, "user_version", 999)?;
            Ok(())
        })
        .expect("schema bumped");
}

#[test]
fn sla_settings_and_the_notification_centre_go_through_the_commands() {
    let w = app();
    let s = call(&w, "sla_settings", None).expect("sla settings");
    let policies = s["policies"].as_array().cloned().unwrap_or_default();
    assert_eq!(policies.len(), 4);
    assert_eq!(policies[0]["priority"], "P1");
    assert_eq!(policies[0]["response_minutes"], 15);
    let mut p1 = policies[0].clone();
    p1["resolution_minutes"] = json!(5);
    let err = call(&w, "save_sla_policy", Some(p1)).expect_err("resolution shorter than response");
    assert_eq!(err["field"], "resolution_minutes");
    let err = call(
        &w,
        "import_holidays",
        Some(json!({"calendar_id": 2, "text": "2026-12-25, Christmas\n25/12/2026"})),
    )
    .expect_err("bad date line");
    assert_eq!(err["field"], "holidays");
    assert!(
        err["message"].as_str().unwrap_or("").starts_with("Line 2:"),
        "{err}"
    );
    let centre = call(&w, "list_alerts", None).expect("alerts");
    assert_eq!(centre["unread"], 0);
}

#[test]
fn deleting_a_settings_entry_goes_through_the_commands_and_a_used_one_is_refused() {
    let w = app();
    let (service, category) = setup_basics(&w);
    let spare = call(
        &w,
        "save_service",
        Some(json!({"name": "Fax gateway", "criticality": "low"})),
    )
    .expect("spare service saved");
    let name = call(&w, "delete_service", Some(json!({"id": spare["id"]}))).expect("deleted");
    assert_eq!(name, json!("Fax gateway"));
    call(&w, "log_incident", Some(new_incident(service, category))).expect("logged");
    let err = call(&w, "delete_service", Some(json!({"id": service}))).expect_err("in use");
    assert_eq!(err["code"], "in_use");
    assert!(
        err["message"]
            .as_str()
            .is_some_and(|m| m.contains("1 incident refers to it")),
        "{err}"
    );
    let err = call(&w, "delete_category", Some(json!({"id": 999_999}))).expect_err("missing");
    assert_eq!(err["code"], "not_found");
}
