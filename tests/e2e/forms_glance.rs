//! Issue 9, the forms a new user fills in: typed input is never thrown away without a question
//! (Cancel, the Settings tab, "‹ Incidents", Esc, Settings' "Add service"), the half-filled
//! incident survives a trip to Settings to add its first service, a refused submit shows every
//! invalid field at once, and a date-time typed the window's one way is stored as that instant.
//! Screenshots at 1280×800 of the form with its errors and of Settings › SLA policies.

use serde_json::Value;

use crate::app::{self, tid, App, Artifacts, Prerequisites};

const SERVICE: &str = "Payroll portal";
const TITLE: &str = "Payroll portal returns error 502 for everyone";

/// Runs an async script body in the page and returns what it resolves to.
fn run(desk: &App, what: &str, body: &str) -> Value {
    let script = format!("return (async () => {{ {body} }})();");
    desk.wait_for(what, |s| s.execute(&script, vec![]).map(Some))
}

/// A screenshot once the window has painted what the last step changed (WebKit's screenshot
/// can otherwise show the frame before).
fn shot(desk: &App, step: &str) {
    run(
        desk,
        "two frames to be painted",
        "await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));\n\
         await new Promise((r) => setTimeout(r, 150)); return true;",
    );
    desk.shot(step);
}

/// The value an input holds now.
fn value_of(desk: &App, testid: &str) -> String {
    let el = desk.visible(testid);
    desk.session()
        .property(&el, "value")
        .unwrap_or_else(|e| panic!("reading the value of {testid}: {e}"))
}

/// The question before discarding typed input is on show; answer it with `answer`
/// ("discard-stay" or "discard-confirm") and wait until it is gone.
fn answer_discard(desk: &App, answer: &str, what: &str) {
    let message = desk.text("discard-message");
    assert!(
        message.to_lowercase().contains("discard"),
        "{what}: the question says what would be lost: {message:?}"
    );
    desk.click(answer);
    desk.gone("discard-dialog");
}

fn press_escape(desk: &App) {
    run(
        desk,
        "Esc to be pressed",
        "document.activeElement.dispatchEvent(new KeyboardEvent('keydown', \
           { key: 'Escape', bubbles: true, cancelable: true })); return true;",
    );
}

fn fill_complete_incident(desk: &App) {
    desk.fill("field-title", TITLE);
    desk.fill(
        "field-description",
        "Every payslip page answers 502 since the morning deployment.",
    );
    desk.select("field-category", "Application");
    desk.select("field-service", SERVICE);
    desk.fill("field-reporter-name", "Jordan Lee");
    desk.fill("field-reporter-contact", "jordan@example.org");
    desk.select("field-impact", "extensive");
    desk.select("field-urgency", "high");
}

#[test]
fn a_half_filled_incident_is_never_discarded_without_asking_and_survives_adding_its_first_service()
{
    let _serial = app::serialize();
    let pre = Prerequisites::check();
    let artifacts = Artifacts::for_test("forms_draft_discard_warning");
    let tmp = tempfile::tempdir().expect("temp dir");
    let data_dir = tmp.path().join("desk");
    let desk = App::launch(&pre, &data_dir, &artifacts, "app");
    desk.start_as("Alex Morgan");

    // ── A desk without services: the form says what is missing and keeps the draft ───────
    desk.click("new-incident");
    desk.visible("form-new-incident");
    let missing = desk.text("setup-missing");
    assert!(
        missing.contains("no services") && !missing.contains("categories"),
        "the hint names what is really missing (the categories exist): {missing:?}"
    );
    desk.fill("field-title", TITLE);
    desk.click("setup-missing-link");
    desk.visible("settings");
    desk.visible("draft-waiting");
    shot(&desk, "settings offers the way back to the draft");
    desk.add_first_service(SERVICE);
    desk.click("back-to-draft");
    desk.visible("form-new-incident");
    desk.visible("draft-restored");
    assert_eq!(
        value_of(&desk, "field-title"),
        TITLE,
        "the half-filled incident comes back as it was left"
    );
    assert!(
        !desk.is_visible("setup-missing"),
        "with a service added nothing is missing any more"
    );

    // ── Cancel, the Settings tab, "‹ Incidents" and Esc each ask; staying keeps the text ─
    desk.click("cancel-incident");
    desk.visible("discard-dialog");
    shot(&desk, "cancel asks before discarding");
    answer_discard(&desk, "discard-stay", "Cancel");
    shot(&desk, "cancel asked, stayed");
    desk.click("nav-settings");
    answer_discard(&desk, "discard-stay", "the Settings tab");
    desk.click("new-incident-back");
    answer_discard(&desk, "discard-stay", "‹ Incidents");
    press_escape(&desk);
    answer_discard(&desk, "discard-stay", "Esc");
    assert!(
        desk.is_visible("form-new-incident"),
        "after staying the form is still on show"
    );
    assert_eq!(
        value_of(&desk, "field-title"),
        TITLE,
        "staying keeps what was typed"
    );
    assert!(
        !desk.is_visible("settings"),
        "staying did not go to Settings"
    );

    // ── Discarding really leaves, and an untouched form leaves without a question ──────
    desk.click("cancel-incident");
    answer_discard(&desk, "discard-confirm", "Cancel, then Discard");
    desk.visible("list-empty");
    desk.click("new-incident");
    desk.visible("form-new-incident");
    assert_eq!(
        value_of(&desk, "field-title"),
        "",
        "a discarded draft does not come back"
    );
    desk.click("cancel-incident");
    desk.visible("list-empty");
    assert!(
        !desk.is_visible("discard-dialog"),
        "an untouched form is left without a question"
    );

    // ── Settings › Services: "Add service" over a half-typed service asks too ───────────
    desk.click("nav-settings");
    desk.click("settings-tab-services");
    desk.click("settings-add");
    desk.fill("service-name", "Mail relay");
    desk.click("settings-add");
    answer_discard(
        &desk,
        "discard-stay",
        "Add service over a half-typed service",
    );
    assert_eq!(value_of(&desk, "service-name"), "Mail relay");
    desk.click("settings-add");
    answer_discard(&desk, "discard-confirm", "Add service, then Discard");
    assert_eq!(value_of(&desk, "service-name"), "");
    desk.quit();
}

#[test]
fn every_invalid_field_of_a_refusal_is_shown_at_once_and_a_typed_time_is_stored() {
    let _serial = app::serialize();
    let pre = Prerequisites::check();
    let artifacts = Artifacts::for_test("forms_every_invalid_field");
    let tmp = tempfile::tempdir().expect("temp dir");
    let data_dir = tmp.path().join("desk");
    let desk = App::launch(&pre, &data_dir, &artifacts, "app");
    desk.start_as("Alex Morgan");
    desk.click("nav-settings");
    desk.click("settings-tab-services");
    desk.add_first_service(SERVICE);

    // ── Unreadable times: both named at once, at their fields ───────────────────────────
    desk.click("new-incident");
    desk.visible("form-new-incident");
    desk.fill("field-started-at", "11/29/2026");
    desk.fill("field-detected-at", "yesterday 9");
    desk.click("submit-incident");
    for field in ["started_at", "detected_at"] {
        let message = desk.text(&format!("error-{field}"));
        assert!(
            message.contains("YYYY-MM-DD HH:MM"),
            "{field}: the message says how to write it: {message:?}"
        );
    }
    shot(&desk, "unreadable times named at once");

    // ── Every problem of a refusal lands at its own field at once (the window's side of
    //    contract 4: the core's `problems` list), the first one focused ─────────────────────
    desk.fill("field-started-at", "");
    desk.fill("field-detected-at", "");
    let shown = run(
        &desk,
        "a refusal with three problems to be shown",
        "const forms = await import('./js/forms.js');\n\
         const form = document.querySelector('[data-testid=\"form-new-incident\"]');\n\
         const slot = form.querySelector('.form-errors');\n\
         forms.clearErrors(form);\n\
         forms.showError(form, slot, { code: 'validation', field: 'title', message: 'Title is required',\n\
           problems: [{ field: 'title', message: 'Title is required' },\n\
                      { field: 'impact', message: 'Impact is required' },\n\
                      { field: 'no_such_field', message: 'Something without a field' }] });\n\
         return { errors: [...form.querySelectorAll('.field-error')].map((e) => e.getAttribute('data-testid')),\n\
                  form: slot.textContent, focused: document.activeElement.getAttribute('data-testid') };",
    );
    assert_eq!(
        shown["errors"],
        serde_json::json!(["error-title", "error-impact"]),
        "each problem naming a field sits at that field: {shown}"
    );
    assert!(
        shown["form"]
            .as_str()
            .is_some_and(|t| t.contains("Something without a field")),
        "a problem naming no field of the form is shown at the top: {shown}"
    );
    assert_eq!(
        shown["focused"], "field-title",
        "the first invalid field is focused: {shown}"
    );
    shot(&desk, "problems of a refusal at their fields");

    // ── A typed local time is stored as that instant (RFC 3339 to the core) ────────────
    fill_complete_incident(&desk);
    desk.fill("field-started-at", "2026-11-20 09:05");
    desk.fill("field-detected-at", "2026-11-20 9:20");
    let reading = desk.text("field-started-at-reading");
    assert!(
        reading.contains("Fri 20 Nov 2026 09:05"),
        "the typed time is read back in the window's one format: {reading:?}"
    );
    desk.click("submit-incident");
    desk.wait_text("detail-number", "INC-000001");
    let stored = run(
        &desk,
        "the stored incident and the instants typed",
        "const t = window.__TAURI__;\n\
         const invoke = (t && t.core && t.core.invoke) || \
           window.__TAURI_INTERNALS__.invoke.bind(window.__TAURI_INTERNALS__);\n\
         const d = await invoke('get_incident', { input: { id: 1 } });\n\
         return { started: Date.parse(d.incident.started_at), detected: Date.parse(d.incident.detected_at),\n\
                  want_started: new Date(2026, 10, 20, 9, 5).getTime(),\n\
                  want_detected: new Date(2026, 10, 20, 9, 20).getTime() };",
    );
    assert_eq!(
        stored["started"], stored["want_started"],
        "Started at is stored as the local time typed: {stored}"
    );
    assert_eq!(
        stored["detected"], stored["want_detected"],
        "Detected at is stored as the local time typed: {stored}"
    );
    desk.quit();
}

/// Needs the core's side of contract 4 (`problems` listing every invalid field of log_incident);
/// with only the single `field` of a refusal, one message shows.
#[test]
fn an_empty_new_incident_shows_a_message_at_every_required_field() {
    let _serial = app::serialize();
    let pre = Prerequisites::check();
    let artifacts = Artifacts::for_test("forms_empty_incident_errors");
    let tmp = tempfile::tempdir().expect("temp dir");
    let data_dir = tmp.path().join("desk");
    let desk = App::launch(&pre, &data_dir, &artifacts, "app");
    desk.start_as("Alex Morgan");
    desk.click("nav-settings");
    desk.click("settings-tab-services");
    desk.add_first_service(SERVICE);
    desk.click("new-incident");
    desk.visible("form-new-incident");
    desk.fill("field-started-at", "");
    desk.click("submit-incident");
    let required = [
        "title",
        "description",
        "category_id",
        "service_id",
        "reporter_name",
        "reporter_contact",
        "impact",
        "urgency",
    ];
    desk.visible("error-title");
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|f| !desk.is_visible(&format!("error-{f}")))
        .collect();
    shot(&desk, "new incident with every invalid field");
    assert!(
        missing.is_empty(),
        "every invalid field shows its message at once; without one: {missing:?}"
    );
    assert_eq!(desk.count_css(&tid("incident-row")), 0, "nothing is saved");
    desk.quit();
}

#[test]
fn settings_sla_labels_every_input_and_says_when_response_and_resolution_warnings_come() {
    let _serial = app::serialize();
    let pre = Prerequisites::check();
    let artifacts = Artifacts::for_test("forms_sla_settings");
    let tmp = tempfile::tempdir().expect("temp dir");
    let data_dir = tmp.path().join("desk");
    let desk = App::launch(&pre, &data_dir, &artifacts, "app");
    desk.start_as("Alex Morgan");
    desk.click("nav-settings");
    desk.click("settings-tab-sla");
    desk.visible("sla-policies");
    desk.fill("sla-response-P1", "15");
    desk.fill("sla-resolution-P1", "240");
    desk.fill("sla-warn-P1", "50, 75");
    let times = desk.text("sla-warn-times-P1");
    assert!(
        times.contains("Warnings after")
            && times.contains("response 7 min, 11 min")
            && times.contains("resolution 2 h, 3 h"),
        "both clocks' warning times are listed: {times:?}"
    );
    // Every input of the policies and of the calendars has a visible label tied to it.
    let unlabelled = |desk: &App| {
        run(
            desk,
            "the inputs without a visible label",
            "return [...document.querySelectorAll('.settings-panel input, .settings-panel select, .settings-panel textarea')]\n\
               .filter((el) => el.type !== 'hidden')\n\
               .filter((el) => { const l = el.id && document.querySelector(`label[for=\"${el.id}\"]`);\n\
                                 return !(l && l.getClientRects().length && l.textContent.trim()); })\n\
               .map((el) => el.getAttribute('data-testid') || el.outerHTML.slice(0, 80));",
        )
    };
    let left = unlabelled(&desk);
    assert_eq!(
        left,
        Value::Array(vec![]),
        "SLA policy inputs without a visible label"
    );
    shot(&desk, "settings sla");
    // Leaving a policy with edits asks as well.
    desk.click("settings-tab-calendars");
    answer_discard(&desk, "discard-confirm", "leaving an edited policy");
    desk.visible("calendar-week");
    let left = unlabelled(&desk);
    assert_eq!(
        left,
        Value::Array(vec![]),
        "calendar inputs without a visible label"
    );
    shot(&desk, "settings calendars");

    // ── A new calendar (on the settings tab helper): a holiday added in the form, saved, the
    //    new calendar stays open and its import saves at once ────────────────────────────
    desk.click("settings-add");
    desk.fill("calendar-name", "Office Berlin");
    desk.fill("calendar-zone", "Europe/Berlin");
    desk.fill("holiday-date", "2026-12-25");
    desk.fill("holiday-name", "Christmas Day");
    desk.click("holiday-add");
    desk.wait_text("holiday-list", "Christmas Day");
    desk.click("settings-save");
    desk.wait_text("settings-list", "Office Berlin");
    desk.wait_text_css(
        &format!("{} h2", tid("settings-form")),
        "Office Berlin",
        "the new calendar open for its holidays",
    );
    desk.fill("holidays-import-text", "2026-12-26, Boxing Day");
    desk.click("holidays-import");
    desk.wait_text("holiday-list", "Boxing Day");
    assert_eq!(
        desk.count_css(&tid("holiday-row")),
        2,
        "both holidays are listed"
    );
    let row = run(
        &desk,
        "the new calendar's row",
        "return [...document.querySelectorAll('[data-testid=\"settings-row\"]')]\n\
           .map((r) => r.innerText).find((t) => t.includes('Office Berlin')) || '';",
    );
    assert!(
        row.as_str()
            .is_some_and(|t| t.contains("Europe/Berlin") && t.trim_end().ends_with('2')),
        "the list shows the zone and both holidays: {row}"
    );

    // ── Escalation rules (on the settings tab helper): a refusal at its field, a saved rule
    //    listed, and a half-typed rule not dropped by "Add rule" without a question ────────
    desk.click("settings-tab-escalation");
    desk.visible("settings-form");
    desk.fill("rule-name", "Unresolved P2 raised to P1");
    desk.fill("rule-minutes", "");
    desk.select("rule-action", "raise_priority");
    desk.select("rule-target-priority", "P1");
    desk.fill(
        "rule-reason",
        "A P2 open for two hours needs the major-incident eye.",
    );
    desk.click("settings-save");
    let message = desk.text("error-after_minutes");
    assert!(
        message.contains("whole number of minutes"),
        "an empty time is refused at its field: {message:?}"
    );
    desk.fill("rule-minutes", "120");
    desk.click("settings-save");
    let row = desk.wait_text_css(
        &format!("{} {}", tid("settings-list"), tid("settings-row")),
        "Unresolved P2 raised to P1",
        "the saved rule in the list",
    );
    assert!(
        row.contains("after 2 h"),
        "the trigger reads in words: {row:?}"
    );
    desk.fill("rule-name", "Half-typed rule");
    desk.click("settings-add");
    answer_discard(&desk, "discard-stay", "Add rule over a half-typed rule");
    assert_eq!(value_of(&desk, "rule-name"), "Half-typed rule");

    // ── Reminders: the core's refusal of an update reminder sits at those inputs, not at the
    //    top of the form ───────────────────────────────────────────────────────────────────
    desk.click("settings-tab-reminders");
    answer_discard(&desk, "discard-confirm", "leaving a half-typed rule");
    desk.visible("reminders-form");
    desk.fill("reminder-update-P1", "99999999");
    desk.click("reminders-save");
    let message = desk.text("error-update_minutes");
    assert!(
        message.contains("Update reminders"),
        "the refusal names the update reminders: {message:?}"
    );
    assert!(
        !desk.is_visible("form-error"),
        "nothing is shown at form level for a field the form has"
    );
    shot(&desk, "reminders refusal at the field");
    desk.quit();
}

#[test]
fn the_notification_centre_shows_the_true_due_time_of_an_alert_raised_seconds_late() {
    let _serial = app::serialize();
    let pre = Prerequisites::check();
    let artifacts = Artifacts::for_test("forms_alert_due_time");
    let tmp = tempfile::tempdir().expect("temp dir");
    let data_dir = tmp.path().join("desk");
    let desk = App::launch(&pre, &data_dir, &artifacts, "first");
    desk.start_as("Alex Morgan");
    desk.quit();

    // Two breaches as the scheduler records them: one summarised 40 s after its due time (the
    // desk was busy restarting), one raised 12 ms after it (the usual case).
    let db = data_dir.join(incident_desk::DATABASE_FILE);
    {
        let conn = rusqlite::Connection::open(&db).expect("open the file");
        conn.execute_batch(
            "INSERT INTO alerts (raised_at, due_at, kind, priority, title, body, delivery, read_at) VALUES
               ('2026-11-20T10:00:40.000Z', '2026-11-20T10:00:00.000Z', 'sla_breach', 'P1',
                'P1 response SLA breached (summarised)', 'Raised after a restart.', 'shown', NULL),
               ('2026-11-20T11:00:00.012Z', '2026-11-20T11:00:00.000Z', 'sla_breach', 'P1',
                'P1 response SLA breached (on time)', 'Raised at once.', 'shown', NULL);",
        )
        .expect("record the alerts");
    }

    let desk = App::launch(&pre, &data_dir, &artifacts, "after");
    desk.click("alerts-button");
    desk.visible("alerts-panel");
    let late = desk.wait_text_css(
        &format!("{} {}", tid("alerts-panel"), tid("alert-late")),
        "raised 40 s later",
        "the summarised breach's true due time",
    );
    let due = run(
        &desk,
        "the due time in the window's format",
        "const f = await import('./js/format.js'); return f.fullDateTime('2026-11-20T10:00:00.000Z');",
    );
    let due = due.as_str().expect("a string");
    assert!(
        late.contains(&format!("Due {due}")),
        "the line gives the due time: {late:?}"
    );
    let lines = run(
        &desk,
        "the alert items and their late lines",
        "return [...document.querySelectorAll('[data-testid=\"alert-item\"]')].map((li) => ({\n\
           title: li.querySelector('[data-testid=\"alert-title\"]').textContent,\n\
           late: !!li.querySelector('[data-testid=\"alert-late\"]') }));",
    );
    let on_time = lines
        .as_array()
        .expect("a list")
        .iter()
        .find(|l| l["title"].as_str().is_some_and(|t| t.contains("on time")))
        .unwrap_or_else(|| panic!("the on-time alert is listed: {lines}"));
    assert_eq!(
        on_time["late"], false,
        "an alert raised within its second says nothing more: {lines}"
    );
    shot(&desk, "alerts with the true due time");
    desk.quit();
}

#[test]
fn a_database_from_a_newer_version_is_explained_once() {
    let _serial = app::serialize();
    let pre = Prerequisites::check();
    let artifacts = Artifacts::for_test("forms_newer_database");
    let tmp = tempfile::tempdir().expect("temp dir");
    let data_dir = tmp.path().join("desk");
    let desk = App::launch(&pre, &data_dir, &artifacts, "first");
    desk.start_as("Alex Morgan");
    desk.quit();
    {
        let conn = rusqlite::Connection::open(data_dir.join(incident_desk::DATABASE_FILE))
            .expect("open the file");
        conn.pragma_update(None, "user_version", 999)
            .expect("mark the file as written by a newer version");
    }

    let desk = App::launch(&pre, &data_dir, &artifacts, "newer");
    let message = desk.text("fatal-message");
    assert!(
        message.contains("newer version"),
        "the core's message says why: {message:?}"
    );
    let page = run(
        &desk,
        "the fatal screen's text",
        "return document.querySelector('[data-testid=\"fatal\"]').innerText;",
    );
    let page = page.as_str().expect("text");
    assert_eq!(
        page.matches("another data folder").count(),
        1,
        "the screen gives its advice once, not twice: {page:?}"
    );
    assert!(
        !desk.is_visible("fatal-advice"),
        "no second paragraph repeats the core's message"
    );
    shot(&desk, "newer database");
    desk.quit();
}

#[test]
fn verify_history_names_an_altered_event_in_words_and_local_time() {
    let _serial = app::serialize();
    let pre = Prerequisites::check();
    let artifacts = Artifacts::for_test("forms_verify_history_words");
    let tmp = tempfile::tempdir().expect("temp dir");
    let data_dir = tmp.path().join("desk");
    let desk = App::launch(&pre, &data_dir, &artifacts, "first");
    desk.click("welcome-demo");
    desk.gone("welcome");
    desk.quit();

    // Someone with a SQLite shell drops the guards and rewrites an event's text.
    {
        let conn = rusqlite::Connection::open(data_dir.join(incident_desk::DATABASE_FILE))
            .expect("open the file");
        conn.execute_batch(
            "DROP TRIGGER events_are_append_only_update; DROP TRIGGER events_are_append_only_delete;
             UPDATE events SET detail = 'We fixed it fast' WHERE id = 5;",
        )
        .expect("alter an event");
    }

    let desk = App::launch(&pre, &data_dir, &artifacts, "after");
    desk.click("nav-settings");
    desk.click("settings-tab-history");
    desk.click("verify-history");
    desk.visible_css(
        &format!("{}[data-intact='false']", tid("verify-result")),
        "the altered history reported",
    );
    let seen = run(
        &desk,
        "the problems as shown",
        "const text = document.querySelector('[data-testid=\"verify-result\"]').innerText;\n\
         return { text, iso: /\\d{4}-\\d{2}-\\d{2}T\\d{2}:/.test(text),\n\
                  local: /at (Sun|Mon|Tue|Wed|Thu|Fri|Sat) \\d{1,2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}/.test(text) };",
    );
    assert_eq!(
        seen["iso"], false,
        "no raw RFC 3339 instant is shown: {seen}"
    );
    assert_eq!(
        seen["local"], true,
        "the altered event's time reads in the window's format: {seen}"
    );
    assert!(
        seen["text"]
            .as_str()
            .is_some_and(|t| t.contains("Event 5") && t.contains("altered")),
        "the event is named: {seen}"
    );
    shot(&desk, "verify history in words");
    desk.quit();
}
