//! SLA on the real window: a P1 with a one-minute response target set through Settings turns
//! its list badge to "warning", then "breached" on the real clock; the breach is in the
//! notification centre and went out as a desktop notification on the session bus. And pausing
//! a P1 shows paused clocks until it is resumed.

use std::time::{Duration, Instant};

use crate::app::{self, tid, App, Artifacts, Prerequisites};
use crate::dbus::{self, DbusMonitor, NOTIFY_RULE};

const SERVICE: &str = "Payroll";
const PAUSE_REASON: &str = "Awaiting customer";

fn row(number: &str) -> String {
    format!("{}[data-number=\"{number}\"]", tid("incident-row"))
}

fn in_row(number: &str, testid: &str) -> String {
    format!("{} {}", row(number), tid(testid))
}

/// First run: the welcome screen, then one service to log incidents against.
fn set_up_desk(desk: &App) {
    desk.start_as("Alex Morgan");

    desk.click("nav-settings");
    desk.visible("settings");
    desk.click("settings-tab-services");
    desk.add_first_service(SERVICE);
}

/// Settings › SLA: the P1 policy, saved, and read back after leaving the tab and coming back.
fn set_p1_policy(desk: &App, response: &str, resolution: &str, warn: &str, pauses: Option<&str>) {
    desk.click("nav-settings");
    desk.visible("settings");
    desk.click("settings-tab-sla");
    desk.fill("sla-response-P1", response);
    desk.fill("sla-resolution-P1", resolution);
    desk.select("sla-calendar-P1", "24×7");
    desk.fill("sla-warn-P1", warn);
    if let Some(reasons) = pauses {
        desk.fill("sla-pause-reasons-P1", reasons);
    }
    desk.click("sla-save-P1");
    desk.shot("P1 policy saved");

    // Saved in the core, not just typed: another tab, then back, shows the stored values.
    desk.click("settings-tab-services");
    desk.visible("settings-add");
    desk.click("settings-tab-sla");
    let mut expected = vec![
        ("sla-response-P1", response),
        ("sla-resolution-P1", resolution),
        ("sla-warn-P1", warn),
    ];
    if let Some(reasons) = pauses {
        expected.push(("sla-pause-reasons-P1", reasons));
    }
    for (testid, want) in expected {
        let css = tid(testid);
        let mut seen = String::new();
        let ok = desk.try_wait_for(
            desk.timeout,
            &format!("'{testid}' to show the saved {want:?}"),
            |s| {
                let Some(el) = App::displayed(s, &css)? else {
                    return Ok(None);
                };
                seen = s.property(&el, "value")?;
                Ok((normalise_list(&seen) == normalise_list(want)).then_some(()))
            },
        );
        if let Err(msg) = ok {
            panic!("{msg}; the field holds {seen:?} (the policy was not saved?)");
        }
    }
}

/// "5, 10" and "5,10" are the same list.
fn normalise_list(s: &str) -> String {
    s.split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .collect::<Vec<_>>()
        .join(",")
}

/// New incident with extensive impact × critical urgency (P1); returns once its detail shows.
fn log_p1(desk: &App, title: &str, number: &str) {
    desk.click("new-incident");
    desk.visible("form-new-incident");
    desk.fill("field-title", title);
    desk.fill(
        "field-description",
        "Nobody can run the monthly payroll export; the job fails at step 3.",
    );
    desk.select("field-category", "Application");
    desk.select("field-service", SERVICE);
    desk.fill("field-reporter-name", "Jordan Lee");
    desk.fill("field-reporter-contact", "jordan@example.org");
    desk.select("field-channel", "phone");
    desk.select("field-impact", "extensive");
    desk.select("field-urgency", "critical");
    desk.wait_text("priority-preview", "P1");
    desk.click("submit-incident");
    desk.wait_text("detail-number", number);
    desk.wait_text("detail-priority", "P1");
}

/// Wait until the displayed element `css` has `data-state` = `want`; returns the states seen on
/// the way (each change once, in order) so a test can check the order.
fn wait_state(desk: &App, css: &str, want: &str, timeout: Duration, what: &str) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    let result = desk.try_wait_for(timeout, what, |s| {
        let Some(el) = App::displayed(s, css)? else {
            return Ok(None);
        };
        let state = s.attribute(&el, "data-state")?.unwrap_or_default();
        if seen.last() != Some(&state) {
            seen.push(state.clone());
        }
        Ok((state == want).then_some(()))
    });
    match result {
        Ok(()) => seen,
        Err(msg) => panic!("{msg}; data-state went through {seen:?}"),
    }
}

fn state_of(desk: &App, css: &str) -> String {
    desk.wait_for(&format!("{css} to be displayed with a data-state"), |s| {
        let Some(el) = App::displayed(s, css)? else {
            return Ok(None);
        };
        s.attribute(&el, "data-state")
    })
}

/// The alert items of the open notification centre: (kind, read, text).
fn alert_items(desk: &App) -> Vec<(String, String, String)> {
    let css = format!("{} {}", tid("alerts-panel"), tid("alert-item"));
    desk.wait_for("the alert items of the notification centre", |s| {
        let mut out = Vec::new();
        for el in s.find_all(&css)? {
            out.push((
                s.attribute(&el, "data-kind")?.unwrap_or_default(),
                s.attribute(&el, "data-read")?.unwrap_or_default(),
                s.text(&el)?,
            ));
        }
        Ok((!out.is_empty()).then_some(out))
    })
}

/// The unread count on the bell, or 0 when no count is shown.
fn unread(desk: &App) -> u32 {
    desk.wait_for("the unread count to be readable", |s| {
        let Some(el) = App::displayed(s, &tid("alerts-unread"))? else {
            return Ok(Some(0));
        };
        let text = s.text(&el)?;
        let digits: String = text.chars().filter(|c| c.is_ascii_digit()).collect();
        Ok(Some(digits.parse().unwrap_or(0)))
    })
}

fn is_read(flag: &str) -> bool {
    matches!(flag, "true" | "1" | "read" | "yes")
}

#[test]
fn a_p1_past_its_one_minute_response_target_warns_then_breaches_and_raises_an_alert() {
    let _serial = app::serialize();
    let pre = Prerequisites::check();
    let artifacts = Artifacts::for_test("sla_warning_then_breach");
    let tmp = tempfile::tempdir().expect("temp dir");
    let data_dir = tmp.path().join("desk");

    // The app's desktop notifications go to a real server, and the bus is watched.
    let (server, _dunst) = dbus::ensure_notification_server(&artifacts.dir);
    eprintln!("notification server: {server}");
    let monitor = DbusMonitor::start(&[NOTIFY_RULE], &artifacts.dir, "app");

    let desk = App::launch(&pre, &data_dir, &artifacts, "app");
    set_up_desk(&desk);

    // Response 1 min with a warning at 5 % (3 s), resolution 2 min.
    set_p1_policy(&desk, "1", "2", "5", None);

    let title = "Payroll export fails for every department";
    log_p1(&desk, title, "INC-000001");
    let logged = Instant::now();
    desk.visible("sla-panel");
    desk.shot("logged P1 with its SLA panel");

    // ── The list badge: warning after 5 % of the minute, breached after the minute ───────
    desk.click("nav-incidents");
    let badge = in_row("INC-000001", "row-sla");
    let before_warning = wait_state(
        &desk,
        &badge,
        "warning",
        Duration::from_secs(45),
        "the SLA badge of INC-000001 to turn to warning (5 % of a 1-minute response target)",
    );
    desk.shot("badge warning");
    assert!(
        before_warning.iter().all(|s| s == "ok" || s == "warning"),
        "before the warning the badge was only ok: {before_warning:?}"
    );
    let warned_after = logged.elapsed();

    let to_breach = Duration::from_secs(75).saturating_sub(logged.elapsed());
    let before_breach = wait_state(
        &desk,
        &badge,
        "breached",
        to_breach,
        "the SLA badge of INC-000001 to turn to breached (1-minute response target)",
    );
    let breached_after = logged.elapsed();
    desk.shot("badge breached");
    assert!(
        before_breach
            .iter()
            .all(|s| s == "warning" || s == "breached"),
        "between warning and breach the badge stayed warning: {before_breach:?}"
    );
    assert!(
        breached_after >= Duration::from_secs(50),
        "a 1-minute target is not breached early: breached {breached_after:?} after logging \
         (warning after {warned_after:?})"
    );
    eprintln!("badge: warning after {warned_after:?}, breached after {breached_after:?}");

    // ── The notification centre lists the breach (the scheduler fired it) ─────────────────
    desk.click("alerts-button");
    desk.visible("alerts-panel");
    let breach_item = format!(
        "{} {}[data-kind=\"sla_breach\"]",
        tid("alerts-panel"),
        tid("alert-item")
    );
    desk.wait_text_css(
        &breach_item,
        "response SLA breached",
        "the breach in the notification centre",
    );
    // The bell counts exactly the unread alerts listed (the warnings and the breach).
    let item_css = format!("{} {}", tid("alerts-panel"), tid("alert-item"));
    let (bell, listed_unread) = desk.wait_for(
        "the bell's unread count to match the unread alerts listed",
        |s| {
            let Some(el) = App::displayed(s, &tid("alerts-unread"))? else {
                return Ok(None);
            };
            let digits: String = s
                .text(&el)?
                .chars()
                .filter(|c| c.is_ascii_digit())
                .collect();
            let Ok(bell) = digits.parse::<usize>() else {
                return Ok(None);
            };
            let mut unread = 0;
            for item in s.find_all(&item_css)? {
                if !is_read(&s.attribute(&item, "data-read")?.unwrap_or_default()) {
                    unread += 1;
                }
            }
            Ok((bell > 0 && bell == unread).then_some((bell, unread)))
        },
    );
    assert!(
        bell >= 2 && listed_unread >= 2,
        "at least the response warning and the breach are unread: bell {bell}, listed {listed_unread}"
    );
    let items = alert_items(&desk);
    desk.shot("notification centre with the breach");
    let breach = items
        .iter()
        .find(|(kind, _, text)| kind == "sla_breach" && text.contains("INC-000001"))
        .unwrap_or_else(|| panic!("a breach alert for INC-000001: {items:#?}"));
    assert!(
        breach.2.to_lowercase().contains("response sla breached"),
        "the breach alert says which clock: {breach:?}"
    );
    assert!(
        !is_read(&breach.1),
        "the new breach is unread: data-read {:?}",
        breach.1
    );
    assert!(
        items
            .iter()
            .any(|(kind, _, text)| kind == "sla_warning" && text.contains("INC-000001")),
        "the 5 % warning is in the notification centre too: {items:#?}"
    );

    // ── …and went out as a desktop notification on the session bus ────────────────────────
    let breach_title = "P1 INC-000001 response SLA breached";
    let call = monitor.wait_for_notify(Duration::from_secs(10), breach_title, |c| {
        c.summary == breach_title
    });
    assert_eq!(call.app_name, "Incident Desk", "{}", call.raw);
    assert!(
        call.body.contains(title),
        "the notification's body names the incident: {:?}",
        call.body
    );
    assert_eq!(
        call.urgency,
        Some(2),
        "a P1 breach is a critical notification: {}",
        call.raw
    );
    assert!(
        call.actions.iter().any(|a| a == "default"),
        "clicking the notification opens the incident: {:?}",
        call.actions
    );
    let warning = monitor
        .notify_calls()
        .into_iter()
        .find(|c| c.summary.starts_with("P1 INC-000001 response SLA 5% used"));
    assert!(
        warning.is_some(),
        "the warning went out as a notification too; calls: {:#?}",
        monitor
            .notify_calls()
            .iter()
            .map(|c| c.summary.clone())
            .collect::<Vec<_>>()
    );
    monitor.save();
    // With a notification server present no alert reports a failed desktop notification.
    let failed: Vec<String> = desk.wait_for("the alerts' delivery notes", |s| {
        let mut out = Vec::new();
        for el in s.find_all(&format!(
            "{} {}",
            tid("alerts-panel"),
            tid("alert-delivery")
        ))? {
            let text = s.text(&el)?;
            if text.to_lowercase().contains("fail") {
                out.push(text);
            }
        }
        Ok(Some(out))
    });
    assert!(
        failed.is_empty(),
        "desktop notifications were delivered to {server}, yet: {failed:?}"
    );

    // ── Mark all read ─────────────────────────────────────────────────────────────────────
    desk.click("alerts-mark-read");
    desk.wait_for("the unread count to go to zero", |s| {
        let Some(el) = App::displayed(s, &tid("alerts-unread"))? else {
            return Ok(Some(()));
        };
        let digits: String = s
            .text(&el)?
            .chars()
            .filter(|c| c.is_ascii_digit())
            .collect();
        Ok((digits.is_empty() || digits == "0").then_some(()))
    });
    let css = format!("{} {}", tid("alerts-panel"), tid("alert-item"));
    desk.wait_for("every alert item to be marked read", |s| {
        let items = s.find_all(&css)?;
        if items.is_empty() {
            return Ok(None);
        }
        for el in &items {
            if !is_read(&s.attribute(el, "data-read")?.unwrap_or_default()) {
                return Ok(None);
            }
        }
        Ok(Some(()))
    });
    assert_eq!(unread(&desk), 0);
    desk.shot("all alerts read");

    // ── The detail: the response clock breached, the resolution clock still running ───────
    desk.click("nav-incidents");
    desk.click_css(
        &in_row("INC-000001", "row-title"),
        "the INC-000001 row to open",
    );
    desk.wait_text("detail-number", "INC-000001");
    desk.visible("sla-panel");
    wait_state(
        &desk,
        &tid("sla-clock-response"),
        "breached",
        desk.timeout,
        "the response clock to show breached",
    );
    let resolution = state_of(&desk, &tid("sla-clock-resolution"));
    if logged.elapsed() < Duration::from_secs(115) {
        assert_ne!(
            resolution, "breached",
            "the 2-minute resolution clock is not breached yet"
        );
    }
    desk.scroll_to("sla-panel");
    desk.shot("detail with the response clock breached");
    let kinds = desk.wait_for("the timeline to record the breach", |s| {
        let mut kinds = Vec::new();
        for el in s.find_all(&format!("{} {}", tid("timeline"), tid("timeline-entry")))? {
            kinds.push(s.attribute(&el, "data-kind")?.unwrap_or_default());
        }
        Ok(kinds.iter().any(|k| k == "sla_breach").then_some(kinds))
    });
    assert!(
        kinds.iter().any(|k| k == "sla_warning"),
        "the timeline records the warning too: {kinds:?}"
    );

    desk.quit();
}

#[test]
fn a_paused_p1_shows_paused_clocks_until_it_is_resumed() {
    let _serial = app::serialize();
    let pre = Prerequisites::check();
    let artifacts = Artifacts::for_test("sla_pause_resume");
    let tmp = tempfile::tempdir().expect("temp dir");
    let data_dir = tmp.path().join("desk");

    let desk = App::launch(&pre, &data_dir, &artifacts, "app");
    set_up_desk(&desk);
    set_p1_policy(&desk, "15", "240", "50, 75", Some(PAUSE_REASON));

    log_p1(&desk, "Warehouse scanners cannot sync", "INC-000001");
    desk.visible("sla-panel");
    let response = tid("sla-clock-response");
    let resolution = tid("sla-clock-resolution");
    let running = state_of(&desk, &response);
    assert!(
        running == "running" || running == "ok",
        "a new P1's response clock runs: {running:?}"
    );
    desk.shot("running");

    desk.click("action-pause");
    desk.select("pause-reason", PAUSE_REASON);
    desk.click("pause-submit");
    wait_state(
        &desk,
        &response,
        "paused",
        desk.timeout,
        "the response clock to pause",
    );
    wait_state(
        &desk,
        &resolution,
        "paused",
        desk.timeout,
        "the resolution clock to pause",
    );
    desk.visible("action-resume");
    desk.scroll_to("sla-panel");
    desk.shot("paused");

    desk.click("nav-incidents");
    wait_state(
        &desk,
        &in_row("INC-000001", "row-sla"),
        "paused",
        desk.timeout,
        "the list badge of INC-000001 to show paused",
    );
    desk.shot("list badge paused");

    desk.click_css(
        &in_row("INC-000001", "row-title"),
        "the INC-000001 row to open",
    );
    desk.wait_text("detail-number", "INC-000001");
    desk.click("action-resume");
    let back = wait_state(
        &desk,
        &response,
        "running",
        desk.timeout,
        "the response clock to run again",
    );
    assert!(back.last().is_some_and(|s| s == "running"));
    assert_ne!(state_of(&desk, &resolution), "paused");
    desk.shot("resumed");

    let kinds = desk.wait_for("the timeline to record the pause and the resume", |s| {
        let mut kinds = Vec::new();
        let mut paused_text = String::new();
        for el in s.find_all(&format!("{} {}", tid("timeline"), tid("timeline-entry")))? {
            let kind = s.attribute(&el, "data-kind")?.unwrap_or_default();
            if kind == "paused" {
                paused_text = s.text(&el)?;
            }
            kinds.push(kind);
        }
        Ok(
            (kinds.iter().any(|k| k == "paused") && kinds.iter().any(|k| k == "resumed"))
                .then_some((kinds, paused_text)),
        )
    });
    assert!(
        kinds.1.contains(PAUSE_REASON),
        "the pause on the timeline gives its reason: {:?}",
        kinds.1
    );

    desk.click("nav-incidents");
    let badge_css = in_row("INC-000001", "row-sla");
    desk.wait_for("the list badge to count down again after the resume", |s| {
        let Some(el) = App::displayed(s, &badge_css)? else {
            return Ok(None);
        };
        let state = s.attribute(&el, "data-state")?.unwrap_or_default();
        Ok((state == "ok" || state == "warning").then_some(()))
    });
    desk.shot("list badge after resume");
    desk.quit();
}
