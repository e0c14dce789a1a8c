//! The incident detail read at a glance, on the real window: it offers only the actions the
//! core allows now (a resolved incident has no Assign or Edit), the single key A asks before it
//! acknowledges, Assign adds the first team on a desk that has none, a 20,000-character
//! description is folded with "Show all" instead of pushing the timeline down, a due time moved
//! by a few seconds says so to the second, and a business-hours clock also gives its due time in
//! the calendar's own zone, with the desk's own entries credited to "Incident Desk".

use serde_json::{json, Value};

use crate::app::{self, tid, App, Artifacts, Prerequisites};
use crate::seal::invoke;

/// The `ok` of a command's answer; panics with the refusal otherwise.
fn ok(answer: Value, what: &str) -> Value {
    match answer.get("ok") {
        Some(v) => v.clone(),
        None => panic!("{what} was refused: {answer}"),
    }
}

/// Logs an incident through the core (as the new-incident form does) on the desk's first
/// service and category; returns its detail.
fn log_incident(desk: &App, title: &str, description: &str) -> Value {
    log_incident_as(desk, title, description, "minor", "low")
}

fn log_incident_as(
    desk: &App,
    title: &str,
    description: &str,
    impact: &str,
    urgency: &str,
) -> Value {
    let reference = ok(invoke(desk, "reference_data", json!({})), "reference_data");
    let service = reference["services"][0]["id"].clone();
    let category = reference["categories"][0]["id"].clone();
    assert!(
        service.is_i64() && category.is_i64(),
        "the desk has a service and a category: {reference}"
    );
    ok(
        invoke(
            desk,
            "log_incident",
            json!({ "input": {
                "title": title,
                "description": description,
                "category_id": category,
                "service_id": service,
                "reporter_name": "Jordan Lee",
                "reporter_contact": "jordan@example.org",
                "channel": "phone",
                "impact": impact,
                "urgency": urgency,
            }}),
        ),
        "log_incident",
    )
}

fn id_version(detail: &Value) -> (i64, i64) {
    let inc = &detail["incident"];
    (
        inc["id"].as_i64().expect("incident id"),
        inc["version"].as_i64().expect("incident version"),
    )
}

/// Opens the detail of incident `id` the way a link does, and waits for its number.
fn open_detail(desk: &App, id: i64, number: &str) {
    desk.session()
        .execute(
            "location.hash = arguments[0]; return true;",
            vec![json!(format!("#/incident/{id}"))],
        )
        .expect("navigate to the incident");
    desk.wait_text("detail-number", number);
}

/// A key pressed on the page (nothing focused), as the screen's key handler receives it.
fn press(desk: &App, key: &str) {
    desk.session()
        .execute(
            "if (document.activeElement) document.activeElement.blur();\
             document.body.dispatchEvent(new KeyboardEvent('keydown', \
               { key: arguments[0], bubbles: true, cancelable: true }));\
             return true;",
            vec![json!(key)],
        )
        .expect("press a key");
}

#[test]
fn the_a_key_asks_before_acknowledging_and_assign_adds_the_first_team() {
    let _serial = app::serialize();
    let pre = Prerequisites::check();
    let artifacts =
        Artifacts::for_test("the_a_key_asks_before_acknowledging_and_assign_adds_the_first_team");
    let tmp = tempfile::tempdir().expect("temp dir");
    let desk = App::launch(&pre, &tmp.path().join("data"), &artifacts, "app");
    desk.shot("start"); // the first capture of a session can show an older frame
    desk.start_as("Alex Morgan");
    desk.click("nav-settings");
    desk.visible("settings");
    desk.click("settings-tab-services");
    desk.add_first_service("Payroll");

    let logged = log_incident(&desk, "Payroll export fails", "The job stops at step 3.");
    let (id, version) = id_version(&logged);
    open_detail(&desk, id, "INC-000001");
    desk.wait_text("detail-status", "New");

    // ── A asks first; Esc leaves the incident as it was ─────────────────────────────────
    press(&desk, "a");
    let ask = desk.wait_text("confirm-acknowledge", "cannot be undone");
    assert!(
        ask.contains("response clock"),
        "the question says what acknowledging does: {ask:?}"
    );
    desk.shot("A asks before acknowledging");
    assert!(
        desk.text("detail-status").contains("New"),
        "the key alone changed nothing"
    );
    assert_eq!(
        desk.text("detail-version"),
        version.to_string(),
        "no change was recorded by the key alone"
    );
    press(&desk, "Escape");
    desk.gone("confirm-acknowledge");
    assert!(desk.text("detail-status").contains("New"));

    // ── O would start the post-incident review: it asks too ──────────────────────────────
    press(&desk, "o");
    desk.wait_text("confirm-create-review", "Start the post-incident review");
    desk.click("confirm-create-review-cancel");
    desk.gone("confirm-create-review");
    assert_eq!(
        desk.count_css(&tid("detail-review-status")),
        0,
        "no review was started by the key alone"
    );

    // ── A, then confirm: acknowledged ───────────────────────────────────────────────────
    press(&desk, "a");
    desk.visible("confirm-acknowledge");
    desk.click("confirm-acknowledge-submit");
    desk.wait_text("detail-status", "In progress");
    desk.gone("confirm-acknowledge");
    desk.shot("acknowledged after confirming");

    // ── Correcting a milestone takes the window's one date-time input ───────────────────
    desk.click("action-correct-milestone");
    desk.select("correct-milestone", "started");
    desk.wait_text("correct-at-reading", "Reads as");
    desk.fill("correct-at", "29/11/2026 9am");
    desk.wait_text("correct-at-reading", "YYYY-MM-DD HH:MM");
    let an_hour_ago = (chrono::Local::now() - chrono::Duration::hours(1))
        .format("%Y-%m-%d %H:%M")
        .to_string();
    desk.fill("correct-at", &an_hour_ago);
    desk.wait_text("correct-at-reading", "Reads as");
    desk.fill(
        "correct-reason",
        "The monitoring alert fired an hour before the call.",
    );
    desk.click("correct-submit");
    desk.gone("form-correct");
    desk.wait_text_css(
        &format!("{}[data-kind='milestone_corrected']", tid("timeline-entry")),
        "corrected",
        "the correction on the timeline",
    );

    // ── Escalate on a desk without a team says so and offers to add one ────────────────
    desk.click("action-escalate");
    desk.wait_text("first-team", "no team yet");
    press(&desk, "Escape");
    desk.gone("form-escalate");

    // ── Assign on a desk without a team: add the first one right there ──────────────────
    desk.click("action-assign");
    let offer = desk.wait_text("first-team", "no team yet");
    assert!(
        offer.contains("Add team"),
        "the form offers to add one: {offer:?}"
    );
    desk.fill("first-team-name", "Service Desk");
    desk.click("first-team-add");
    desk.visible("first-team-added");
    let chosen = desk.session().execute(
        "const s = document.querySelector('[data-testid=\"assign-team\"]');\
         return s.options[s.selectedIndex].textContent;",
        vec![],
    );
    assert_eq!(
        chosen.expect("read the team select"),
        json!("Service Desk"),
        "the new team is chosen in the form"
    );
    desk.shot("first team added from Assign");
    desk.click("assign-submit");
    desk.wait_text_css(".detail-facts", "Service Desk", "the team in the facts");

    desk.quit();
}

#[test]
fn a_resolved_incident_offers_no_assign_or_edit_and_a_long_description_is_folded() {
    let _serial = app::serialize();
    let pre = Prerequisites::check();
    let artifacts = Artifacts::for_test(
        "a_resolved_incident_offers_no_assign_or_edit_and_a_long_description_is_folded",
    );
    let tmp = tempfile::tempdir().expect("temp dir");
    let desk = App::launch(&pre, &tmp.path().join("data"), &artifacts, "app");
    desk.visible("welcome");
    desk.click("welcome-demo");
    desk.wait_for_within(
        std::time::Duration::from_secs(60),
        "the demo data to load and the welcome screen to go",
        |s| Ok(App::displayed(s, &tid("welcome"))?.is_none().then_some(())),
    );
    desk.visible("nav-incidents");
    desk.shot("demo desk loaded");

    // A pasted log: 20,000 characters over 400 lines.
    let line = "2026-11-29 09:12:01 ERROR payroll-export step 3: connection reset by peer\n";
    let long: String = line.repeat(20_000 / line.len() + 1);
    let logged = log_incident(&desk, "Payroll export fails with a long log", &long);
    let number = logged["incident"]["number"]
        .as_str()
        .expect("number")
        .to_string();
    let (id, version) = id_version(&logged);
    let acked = ok(
        invoke(
            &desk,
            "acknowledge_incident",
            json!({ "input": { "id": id, "expected_version": version } }),
        ),
        "acknowledge",
    );
    let (_, version) = id_version(&acked);
    ok(
        invoke(
            &desk,
            "resolve_incident",
            json!({ "input": {
                "id": id, "expected_version": version,
                "resolution_code": "fixed",
                "resolution_notes": "Restarted the export host; the job completes.",
            }}),
        ),
        "resolve",
    );

    open_detail(&desk, id, &number);
    desk.wait_text("detail-status", "Resolved");
    desk.visible("action-verify");
    desk.visible("action-reopen");
    for refused in [
        "action-assign",
        "action-edit",
        "action-escalate",
        "action-resolve",
    ] {
        assert_eq!(
            desk.count_css(&tid(refused)),
            0,
            "a resolved incident does not offer {refused}: the core would refuse it"
        );
    }
    // Its key is gone too: E opens no form.
    press(&desk, "e");
    assert_eq!(desk.count_css(&tid("form-edit")), 0, "E opens no Edit form");

    // ── The description is folded; the timeline starts near the top ────────────────────
    let folded = desk.visible_css(
        &format!("{}[data-collapsed='true']", tid("detail-description")),
        "the folded description",
    );
    let height = desk
        .session()
        .execute(
            "return arguments[0].getBoundingClientRect().height;",
            vec![folded.to_json()],
        )
        .expect("height")
        .as_f64()
        .expect("a number");
    assert!(
        height < 300.0,
        "the folded description is short: {height} px"
    );
    let timeline_top = desk
        .session()
        .execute(
            "return document.querySelector('[data-testid=\"timeline\"]').getBoundingClientRect().top + window.scrollY;",
            vec![],
        )
        .expect("timeline top")
        .as_f64()
        .expect("a number");
    assert!(
        timeline_top < 1500.0,
        "the timeline is not pushed down by the description: top at {timeline_top} px"
    );
    desk.scroll_to("detail-description-block");
    desk.shot("resolved, description folded");
    desk.click("detail-description-toggle");
    desk.visible_css(
        &format!("{}[data-collapsed='false']", tid("detail-description")),
        "the unfolded description",
    );
    let toggle = desk.text("detail-description-toggle");
    assert_eq!(toggle, "Show less", "the toggle folds it again");
    desk.click("detail-description-toggle");
    desk.visible_css(
        &format!("{}[data-collapsed='true']", tid("detail-description")),
        "the folded description again",
    );

    // ── The look of a worked incident: a 3-second pause, a note, its SLA panel ──────────
    let worked = log_incident_as(
        &desk,
        "Card payments fail at checkout",
        "Every card payment ends on an error page since 10:05; PayPal still works.",
        "significant",
        "high",
    );
    let wnumber = worked["incident"]["number"]
        .as_str()
        .expect("number")
        .to_string();
    let (wid, mut wversion) = id_version(&worked);
    let priority = worked["incident"]["priority"].clone();
    let settings = ok(invoke(&desk, "sla_settings", json!({})), "sla_settings");
    let mut policy = settings["policies"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["priority"] == priority))
        .cloned()
        .unwrap_or_else(|| panic!("a policy for {priority}: {settings}"));
    policy["pause_reasons"] = json!(["Waiting for the payment provider"]);
    ok(
        invoke(&desk, "save_sla_policy", json!({ "input": policy })),
        "save_sla_policy",
    );
    for (command, extra) in [
        ("acknowledge_incident", json!({})),
        (
            "pause_incident",
            json!({ "reason": "Waiting for the payment provider" }),
        ),
        ("resume_incident", json!({})),
        (
            "add_note",
            json!({ "text": "The provider confirms an outage of its card gateway." }),
        ),
    ] {
        if command == "resume_incident" {
            std::thread::sleep(std::time::Duration::from_secs(3));
        }
        let mut input = json!({ "id": wid, "expected_version": wversion });
        if let (Some(i), Some(e)) = (input.as_object_mut(), extra.as_object()) {
            i.extend(e.clone());
        }
        let answer = ok(invoke(&desk, command, json!({ "input": input })), command);
        wversion = id_version(&answer).1;
    }
    open_detail(&desk, wid, &wnumber);
    desk.wait_text("detail-status", "In progress");
    let pause = desk.wait_text("sla-pause", "Waiting for the payment provider");
    assert!(
        pause.contains(" s)"),
        "a pause of a few seconds says its seconds: {pause:?}"
    );
    // The resolution due time moved by the pause's seconds: said to the second, not "23:01 to 23:01".
    let moved = desk.wait_text_css(
        &format!(
            "{} {}:last-child",
            tid("sla-due-history"),
            tid("sla-due-entry")
        ),
        "later)",
        "the due time moved by the pause",
    );
    assert!(
        moved.contains("Resolution due time moved from") && moved.contains(" s later)"),
        "the move is given in seconds: {moved:?}"
    );
    desk.shot("detail");
    desk.scroll_to("sla-panel");
    desk.shot("sla panel");

    desk.quit();
}

#[test]
fn a_business_hours_clock_shows_its_due_time_in_the_calendars_own_zone() {
    let _serial = app::serialize();
    let pre = Prerequisites::check();
    let artifacts =
        Artifacts::for_test("a_business_hours_clock_shows_its_due_time_in_the_calendars_own_zone");
    let tmp = tempfile::tempdir().expect("temp dir");
    let desk = App::launch(&pre, &tmp.path().join("data"), &artifacts, "app");
    desk.visible("welcome");
    desk.shot("welcome");
    desk.click("welcome-demo");
    desk.wait_for_within(
        std::time::Duration::from_secs(60),
        "the demo data to load and the welcome screen to go",
        |s| Ok(App::displayed(s, &tid("welcome"))?.is_none().then_some(())),
    );

    // The office-hours calendar is Berlin's; the window runs in UTC.
    let settings = ok(invoke(&desk, "sla_settings", json!({})), "sla_settings");
    let mut calendar = settings["calendars"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["always_on"] == json!(false)))
        .cloned()
        .unwrap_or_else(|| panic!("a business-hours calendar: {settings}"));
    calendar["time_zone"] = json!("Europe/Berlin");
    ok(
        invoke(
            &desk,
            "save_calendar",
            json!({ "input": { "create": false, "calendar": calendar } }),
        ),
        "save_calendar",
    );
    let logged = log_incident_as(
        &desk,
        "Printer queue stuck on floor 3",
        "Jobs wait in the queue and never print.",
        "minor",
        "medium",
    );
    let (id, _) = id_version(&logged);
    let number = logged["incident"]["number"]
        .as_str()
        .expect("number")
        .to_string();
    let clock = &logged["sla"]["clocks"][1];
    assert_eq!(
        clock["business_hours"],
        json!(true),
        "the clock counts business hours: {clock}"
    );
    open_detail(&desk, id, &number);

    let css = format!(
        "{} {}",
        tid("sla-clock-resolution"),
        tid("sla-due-calendar")
    );
    let local = desk.wait_text_css(&css, "Berlin", "the due time in the calendar's zone");
    // Berlin is an hour (winter) or two (summer) ahead of the window's UTC: 17:00 there.
    let due_utc = clock["due_at"].as_str().expect("due_at");
    let hour_utc: u32 = due_utc[11..13].parse().expect("the hour of due_at");
    assert!(
        local.contains(&format!("{:02}:", hour_utc + 1))
            || local.contains(&format!("{:02}:", hour_utc + 2)),
        "the calendar's time is Berlin time, not the UTC {due_utc}: {local:?}"
    );
    // The due times were set by the desk itself, not by the operator who logged the incident.
    let actors = desk
        .session()
        .execute(
            "return [...document.querySelectorAll(\
               '[data-testid=\"timeline-entry\"][data-kind=\"sla_due\"] [data-testid=\"timeline-actor\"]')]\
               .map((e) => e.textContent);",
            vec![],
        )
        .expect("the actors of the due-time entries");
    let actors: Vec<String> = serde_json::from_value(actors).expect("a list of names");
    assert!(
        !actors.is_empty() && actors.iter().all(|a| a == "Incident Desk"),
        "the desk's own timeline entries are credited to Incident Desk: {actors:?}"
    );
    desk.scroll_to("sla-panel");
    desk.shot("sla panel with business hours");

    desk.quit();
}
