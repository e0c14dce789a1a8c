//! Issue acceptance: a new user sets up the desk, logs an incident, takes it through the ITIL
//! lifecycle to closure, and finds it, with its whole history, after restarting the app.

use crate::app::{self, tid, App, Artifacts, Prerequisites};

const TITLE: &str = "Email is down for the whole office";
const SERVICE: &str = "Corporate email";

/// The list row of an incident, by its number.
fn row(number: &str) -> String {
    format!("{}[data-number=\"{number}\"]", tid("incident-row"))
}

fn in_row(number: &str, testid: &str) -> String {
    format!("{} {}", row(number), tid(testid))
}

#[test]
fn an_incident_is_logged_worked_to_closure_and_is_still_there_with_its_timeline_after_a_restart() {
    let _serial = app::serialize();
    let pre = Prerequisites::check();
    let artifacts = Artifacts::for_test("incident_lifecycle_survives_restart");
    let tmp = tempfile::tempdir().expect("temp dir");
    let data_dir = tmp.path().join("desk");

    // ── First run: the welcome screen asks who I am ──────────────────────────────────────
    let desk = App::launch(&pre, &data_dir, &artifacts, "first-run");
    desk.visible("welcome");
    desk.shot("welcome");
    desk.fill("welcome-name", "Alex Morgan");
    desk.click("welcome-start");
    desk.gone("welcome");
    desk.wait_text("operator-name", "Alex Morgan");
    desk.visible("list-empty");
    desk.shot("empty desk");
    assert!(
        data_dir.join("incident-desk.sqlite3").is_file(),
        "the database is created in the data folder given on the command line: {}",
        data_dir.display()
    );

    // ── Settings: add the service the incident is about ──────────────────────────────────
    desk.click("nav-settings");
    desk.visible("settings");
    desk.click("settings-tab-services");
    desk.add_first_service(SERVICE);
    desk.shot("service added");

    // ── New incident with the title missing: refused next to the title, nothing saved ────
    desk.click("new-incident");
    desk.visible("form-new-incident");
    desk.shot("new incident form");
    fill_incident_except_title(&desk);
    desk.click("submit-incident");
    let title_error = desk.text("error-title");
    assert!(
        title_error.to_lowercase().contains("title"),
        "the message under the title field names the title: {title_error:?}"
    );
    assert!(
        desk.is_visible("form-new-incident"),
        "the form stays open after a refusal"
    );
    desk.shot("title missing refused");
    desk.click("cancel-incident");
    // What was typed is not thrown away without a question.
    desk.visible("discard-dialog");
    desk.click("discard-confirm");
    desk.visible("list-empty");
    let rows = desk.count_css(&tid("incident-row"));
    assert_eq!(
        rows, 0,
        "a refused incident is not saved, but the list has {rows} row(s)"
    );
    desk.wait_text("page-info", "No incidents");

    // ── New incident, complete: priority P1 from extensive impact × critical urgency ─────
    desk.click("new-incident");
    desk.visible("form-new-incident");
    desk.fill("field-title", TITLE);
    fill_incident_except_title(&desk);
    desk.wait_text("priority-preview", "P1");
    desk.shot("complete form with P1 preview");
    desk.click("submit-incident");
    desk.wait_text("detail-number", "INC-000001");
    desk.wait_text("detail-status", "New");
    desk.shot("logged");

    desk.click("nav-incidents");
    desk.wait_text_css(
        &in_row("INC-000001", "row-priority"),
        "P1",
        "INC-000001 in the list with priority P1",
    );
    let row_title = desk.text_css(&in_row("INC-000001", "row-title"), "the row's title");
    assert!(
        row_title.contains(TITLE),
        "the row shows the title: {row_title:?}"
    );
    let row_number = desk.text_css(&in_row("INC-000001", "row-number"), "the row's number");
    assert!(
        row_number.contains("INC-000001"),
        "the row shows the number: {row_number:?}"
    );
    let rows = desk.count_css(&tid("incident-row"));
    assert_eq!(rows, 1, "one incident logged, one row listed");
    desk.shot("listed as P1");

    // ── Work it: acknowledge, resolve ────────────────────────────────────────────────────
    desk.click_css(
        &in_row("INC-000001", "row-title"),
        "the INC-000001 row to open",
    );
    desk.visible("incident-detail");
    desk.wait_text("detail-number", "INC-000001");
    desk.wait_text("detail-priority", "P1");
    desk.wait_text("detail-title", TITLE);
    desk.shot("detail");

    desk.click("action-acknowledge");
    desk.wait_text("detail-status", "In progress");
    desk.shot("acknowledged");

    desk.click("action-resolve");
    desk.select("resolve-code", "fixed");
    desk.fill(
        "resolve-notes",
        "Restarted the mail transport service; mail flows again.",
    );
    desk.click("resolve-submit");
    desk.wait_text("detail-status", "Resolved");
    desk.shot("resolved");

    // ── Closing before the user confirmed the fix is not offered (the core would refuse it)
    assert_eq!(
        desk.count_css(&tid("action-close")),
        0,
        "Close is not offered before the resolution is verified"
    );
    let verify_class = desk
        .session()
        .attribute(&desk.visible("action-verify"), "class")
        .expect("class of Verify")
        .unwrap_or_default();
    assert!(
        verify_class.contains("btn-primary"),
        "Verify is the next step: {verify_class:?}"
    );
    let notice = desk.text_css(".detail-main .notice", "the not-yet-verified notice");
    assert!(
        notice.to_lowercase().contains("not yet verified"),
        "the detail says what is missing before closing: {notice:?}"
    );
    desk.shot("close not offered before verification");

    // ── Verify, then close ───────────────────────────────────────────────────────────────
    desk.click("action-verify");
    desk.select("verify-method", "reporter_confirmed");
    desk.fill(
        "verify-notes",
        "The reporter sent and received a test message.",
    );
    desk.click("verify-submit");
    desk.gone("verify-submit");
    desk.shot("verified");

    try_to_close(&desk, "Confirmed with the reporter; closing.");
    desk.wait_text("detail-status", "Closed");
    desk.shot("closed");

    // ── Restart on the same data folder ──────────────────────────────────────────────────
    desk.quit();
    let desk = App::launch(&pre, &data_dir, &artifacts, "after-restart");
    desk.visible("filter-state");
    desk.wait_text("operator-name", "Alex Morgan");
    assert!(
        !desk.is_visible("welcome"),
        "a desk with an operator does not greet again"
    );
    show_closed_incidents(&desk);
    desk.wait_text_css(
        &in_row("INC-000001", "row-status"),
        "Closed",
        "INC-000001 in the list as Closed after the restart",
    );
    desk.shot("after restart");
    desk.click_css(
        &in_row("INC-000001", "row-title"),
        "the INC-000001 row to open",
    );
    desk.wait_text("detail-number", "INC-000001");
    desk.wait_text("detail-status", "Closed");
    desk.visible("timeline");
    let entries = timeline(&desk);
    desk.scroll_to("timeline");
    desk.shot("timeline after restart");
    assert_timeline_has_every_step(&entries);

    desk.quit();
}

/// Everything but the title: description, category, service, reporter, channel,
/// impact "extensive" and urgency "critical".
fn fill_incident_except_title(desk: &App) {
    desk.fill(
        "field-description",
        "Outlook and webmail show 'cannot connect' since 09:10 for everyone.",
    );
    desk.select("field-category", "Application");
    desk.select("field-service", SERVICE);
    desk.fill("field-reporter-name", "Sam Reporter");
    desk.fill("field-reporter-contact", "sam@example.org");
    desk.select("field-channel", "phone");
    desk.select("field-impact", "extensive");
    desk.select("field-urgency", "critical");
}

/// Open the close form and submit it with these notes.
fn try_to_close(desk: &App, notes: &str) {
    desk.click("action-close");
    desk.fill("close-notes", notes);
    desk.click("close-submit");
}

/// The list shows open incidents by default: switch the state filter to all (or closed).
fn show_closed_incidents(desk: &App) {
    desk.visible("filter-state");
    desk.select("filter-state", "all");
}

/// One timeline entry as shown: its kind (`data-kind`), its text, and the instant of its
/// `<time datetime>`.
struct Entry {
    kind: String,
    text: String,
    at: String,
}

fn timeline(desk: &App) -> Vec<Entry> {
    let css = format!("{} {}", tid("timeline"), tid("timeline-entry"));
    desk.wait_for("the timeline entries", |s| {
        let mut out = Vec::new();
        for el in s.find_all(&css)? {
            let kind = s.attribute(&el, "data-kind")?.unwrap_or_default();
            let text = s.text(&el)?;
            let at = match s.find_in(&el, "time")? {
                Some(time) => s.attribute(&time, "datetime")?.unwrap_or_default(),
                None => String::new(),
            };
            out.push(Entry { kind, text, at });
        }
        Ok((!out.is_empty()).then_some(out))
    })
}

/// Every step of the lifecycle is on the timeline once, in the order it happened, with the
/// operator's name and a dated time; the refused close left no trace.
fn assert_timeline_has_every_step(entries: &[Entry]) {
    let listing: Vec<String> = entries
        .iter()
        .map(|e| format!("[{}] {}", e.kind, e.text.replace('\n', " | ")))
        .collect();
    let steps = [
        ("created", "logged"),
        ("acknowledged", "acknowledged"),
        ("resolved", "resolved"),
        ("verified", "verified"),
        ("closed", "closed"),
    ];
    let mut positions = Vec::new();
    for (kind, word) in steps {
        let found: Vec<usize> = entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.kind == kind)
            .map(|(i, _)| i)
            .collect();
        assert_eq!(
            found.len(),
            1,
            "exactly one '{kind}' entry on the timeline: {listing:#?}"
        );
        let entry = &entries[found[0]];
        assert!(
            entry.text.to_lowercase().contains(word),
            "the '{kind}' entry says '{word}': {:?}",
            entry.text
        );
        assert!(
            entry.text.contains("Alex Morgan"),
            "the '{kind}' entry names who did it: {:?}",
            entry.text
        );
        let year = entry.at.get(0..4).unwrap_or("");
        assert!(
            year.len() == 4
                && year.chars().all(|c| c.is_ascii_digit())
                && entry.text.contains(year),
            "the '{kind}' entry shows its date (datetime {:?}): {:?}",
            entry.at,
            entry.text
        );
        positions.push(found[0]);
    }
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "the timeline lists logged → acknowledged → resolved → verified → closed in that order: {listing:#?}"
    );
}

/// Settings › Services: a service added by mistake is deleted after a confirmation; in People,
/// deleting the person the desk is signed in as is refused with the core's message in the form.
#[test]
fn a_settings_entry_added_by_mistake_is_deleted_and_one_in_use_is_refused() {
    let _serial = app::serialize();
    let pre = Prerequisites::check();
    let artifacts = Artifacts::for_test("settings_entry_deleted");
    let tmp = tempfile::tempdir().expect("temp dir");
    let desk = App::launch(&pre, &tmp.path().join("desk"), &artifacts, "delete");
    desk.start_as("Alex Morgan");

    desk.click("nav-settings");
    desk.visible("settings");
    desk.click("settings-tab-services");
    desk.add_first_service(SERVICE);
    let rows = format!("{} {}", tid("settings-list"), tid("settings-row"));
    desk.click("settings-add");
    desk.fill("service-name", "Fax gatway");
    desk.click("settings-save");
    desk.wait_for("the second service in the list", |s| {
        Ok((s.find_all(&rows)?.len() == 2).then_some(()))
    });

    desk.click_css(
        &format!("{rows}[data-id]:last-child"),
        "the misspelt service's row",
    );
    desk.click("settings-delete");
    desk.wait_text("settings-delete-box", "Delete “Fax gatway”?");
    desk.shot("confirm delete");
    desk.click("settings-delete-confirm");
    desk.wait_for("the deleted service to leave the list", |s| {
        Ok((s.find_all(&rows)?.len() == 1).then_some(()))
    });
    let left = desk.text_css(&rows, "the remaining service row");
    assert!(left.contains(SERVICE), "{left:?}");
    desk.shot("service deleted");

    desk.click("settings-tab-people");
    desk.click_css(&rows, "the operator's row");
    desk.click("settings-delete");
    desk.click("settings-delete-confirm");
    let refusal = desk.wait_text("form-error", "Who am I");
    assert!(refusal.contains("Alex Morgan"), "{refusal:?}");
    assert_eq!(desk.count_css(&rows), 1, "the person is still there");
    desk.shot("operator delete refused");
    desk.quit();
}
