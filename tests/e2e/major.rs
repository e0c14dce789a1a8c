//! Major incident on the real window: on the demo desk a P1 that hits the whole of Web Shop
//! Checkout is suggested as a major incident, declared with a manager and a crisis bridge, gets
//! a stakeholder update to the executives from a template, is resolved, and its post-incident
//! review (opened by the core) is written, saved and exported as an A4 PDF without a dialog.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::app::{self, tid, App, Artifacts, Prerequisites};

const SERVICE: &str = "Web Shop Checkout";
const TITLE: &str = "Checkout fails for every customer";
const MANAGER: &str = "Tomasz Nowak";
const BRIDGE: &str = "https://meet.example.org/bridge";
const REASON: &str = "Every customer is unable to pay: the whole web shop checkout is down.";
const AUDIENCE: &str = "Executives";
const TEMPLATE: &str = "Investigating";
const SUMMARY: &str =
    "Checkout rejected every payment for 40 minutes; a rollback of the payment gateway release restored it.";

/// `INCIDENT_DESK_EXPORT_DIR` for the app of this test only. The harness gives tauri-driver a
/// fixed set of variables on top of the test process's own environment (which the driver, the
/// native driver and the app inherit), so the variable is set in this process just for the
/// launch and removed as soon as the app runs. The end-to-end tests run one at a time under
/// `app::serialize()`, which the caller holds: no other launch can see it.
pub(crate) fn launch_with_export_dir(
    pre: &Prerequisites,
    data_dir: &Path,
    artifacts: &Artifacts,
    export_dir: &Path,
) -> App {
    struct Unset;
    impl Drop for Unset {
        fn drop(&mut self) {
            std::env::remove_var("INCIDENT_DESK_EXPORT_DIR");
        }
    }
    std::env::set_var("INCIDENT_DESK_EXPORT_DIR", export_dir);
    let _unset = Unset;
    App::launch(pre, data_dir, artifacts, "app")
}

/// Whitespace collapsed to single spaces (pdftotext breaks lines where the PDF does).
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The value of a displayed input or textarea, once `ok` accepts it.
fn value_when(desk: &App, testid: &str, what: &str, ok: impl Fn(&str) -> bool) -> String {
    let css = tid(testid);
    let mut last = String::new();
    let result = desk.try_wait_for(desk.timeout, what, |s| {
        let Some(el) = App::displayed(s, &css)? else {
            return Ok(None);
        };
        last = s.property(&el, "value")?;
        Ok(ok(&last).then(|| last.clone()))
    });
    match result {
        Ok(v) => v,
        Err(msg) => panic!("{msg}; '{testid}' held {last:?}"),
    }
}

#[test]
fn a_p1_on_the_whole_web_shop_is_declared_major_updates_executives_and_its_review_exports_as_pdf() {
    let _serial = app::serialize();
    let pre = Prerequisites::check();
    let artifacts = Artifacts::for_test("major_incident_to_review_pdf");
    let tmp = tempfile::tempdir().expect("temp dir");
    let data_dir = tmp.path().join("desk");
    let export_dir = tmp.path().join("exports");
    std::fs::create_dir_all(&export_dir).expect("create the export folder");

    let desk = launch_with_export_dir(&pre, &data_dir, &artifacts, &export_dir);

    // ── First run: load the demo desk (people, teams, services, incidents) ───────────────
    desk.visible("welcome");
    desk.shot("welcome");
    desk.click("welcome-demo");
    desk.wait_for_within(
        Duration::from_secs(60),
        "the demo data to load and the welcome screen to go",
        |s| Ok(App::displayed(s, &tid("welcome"))?.is_none().then_some(())),
    );
    desk.visible("nav-incidents");
    desk.shot("demo desk loaded");

    // ── Log a P1 on Web Shop Checkout: extensive impact × critical urgency ───────────────
    desk.click("new-incident");
    desk.visible("form-new-incident");
    desk.fill("field-title", TITLE);
    desk.fill(
        "field-description",
        "Every payment attempt ends on an error page since 10:05; no order goes through.",
    );
    desk.select("field-category", "Application");
    desk.select("field-service", SERVICE);
    desk.fill("field-reporter-name", "Laura Smith");
    desk.fill("field-reporter-contact", "laura.smith@example.org");
    desk.select("field-channel", "phone");
    desk.select("field-impact", "extensive");
    desk.select("field-urgency", "critical");
    desk.wait_text("priority-preview", "P1");
    desk.shot("new P1 on the web shop");
    desk.click("submit-incident");
    let number = desk.wait_text("detail-number", "INC-").trim().to_string();
    desk.wait_text("detail-priority", "P1");
    desk.wait_text("detail-title", TITLE);
    eprintln!("logged {number}");

    // ── The desk suggests a major incident: the whole 25,000-user service is hit ─────────
    let banner = desk.wait_text("major-suggestion", "25,000");
    assert!(
        banner.contains(SERVICE),
        "the suggestion names the service that is hit: {banner:?}"
    );
    assert!(
        !desk.is_visible("major-badge"),
        "not a major incident before it is declared"
    );
    desk.scroll_to("major-suggestion");
    desk.shot("major incident suggested");

    // ── Declare it: reason, manager, crisis bridge ───────────────────────────────────────
    desk.click("action-declare-major");
    desk.visible("form-declare-major");
    desk.fill("declare-reason", REASON);
    let manager = desk.select("declare-manager", MANAGER);
    assert!(
        manager.contains(MANAGER),
        "the manager chosen is {MANAGER}: {manager:?}"
    );
    // Only people with the major incident manager role are offered.
    let offered = desk.wait_for("the managers offered", |s| {
        let mut labels = Vec::new();
        for opt in s.find_all(&format!("{} option", tid("declare-manager")))? {
            if !s.property(&opt, "value")?.is_empty() {
                labels.push(s.property(&opt, "textContent")?.trim().to_string());
            }
        }
        Ok((!labels.is_empty()).then_some(labels))
    });
    assert!(
        offered.iter().any(|l| l.contains("Samuel Okafor"))
            && offered
                .iter()
                .all(|l| l.contains(MANAGER) || l.contains("Samuel Okafor")),
        "the manager list holds exactly the demo's major incident managers: {offered:?}"
    );
    desk.fill("declare-bridge", BRIDGE);
    desk.visible("declare-change");
    desk.scroll_to("form-declare-major");
    desk.shot("declare form filled");
    desk.click("declare-submit");
    desk.gone("form-declare-major");
    desk.visible("major-badge");
    desk.gone("major-suggestion");
    let panel = desk.wait_text("major-panel", MANAGER);
    assert!(
        panel.contains(BRIDGE),
        "the major-incident panel shows the bridge: {panel:?}"
    );
    desk.wait_text("major-reason", "unable to pay");
    let next_exec = format!("{}[data-audience=\"{AUDIENCE}\"]", tid("next-update"));
    desk.visible_css(
        &next_exec,
        "the next update to the executives to be scheduled",
    );
    desk.scroll_to("major-panel");
    desk.shot("declared major with its panel");

    // ── Stakeholder update to the executives from the "Investigating" template ───────────
    desk.click("action-send-update");
    desk.visible("form-update");
    desk.select("update-audience", AUDIENCE);
    desk.select("update-template", TEMPLATE);
    desk.wait_text("update-recipients", "executives@example.org");
    let subject = value_when(
        &desk,
        "update-subject",
        "the subject to be filled from the Investigating template",
        |v| v.contains(&number) && v.contains("Investigating") && v.contains(SERVICE),
    );
    let body = value_when(
        &desk,
        "update-body",
        "the text to be filled from the Investigating template",
        |v| v.contains(SERVICE) && !v.contains('{'),
    );
    assert!(
        body.to_lowercase().contains("investigating"),
        "the text is the Investigating template's: {body:?}"
    );
    desk.scroll_to("form-update");
    desk.shot("update drafted from the template");
    desk.click("update-submit");
    desk.gone("form-update");
    let item_subject = format!(
        "{}[data-audience=\"{AUDIENCE}\"] {}",
        tid("update-item"),
        tid("update-item-subject")
    );
    let shown = desk.wait_text_css(
        &item_subject,
        &subject,
        "the update to the executives in the list of updates sent",
    );
    assert_eq!(
        shown.trim(),
        subject,
        "the update is listed exactly as sent"
    );
    assert_eq!(
        desk.count_css(&tid("update-item")),
        1,
        "one update sent, one listed"
    );
    desk.scroll_to("major-panel");
    desk.shot("update to the executives sent");

    // ── Acknowledge and resolve: the core opens the draft review ─────────────────────────
    desk.click("action-acknowledge");
    desk.wait_text("detail-status", "In progress");
    desk.shot("acknowledged");
    desk.click("action-resolve");
    desk.select("resolve-code", "fixed");
    desk.fill(
        "resolve-notes",
        "Rolled back the payment gateway release; payments go through again.",
    );
    desk.click("resolve-submit");
    desk.wait_text("detail-status", "Resolved");
    desk.wait_text("action-open-review", "Draft");
    assert!(
        !desk.is_visible("action-create-review"),
        "a resolved major incident already has its review: nothing to start"
    );
    desk.shot("resolved with a draft review");

    // ── The review: draft, figures, timeline; write the summary and save ─────────────────
    desk.click("action-open-review");
    desk.visible("review");
    desk.wait_text("review-status", "Draft");
    desk.visible("review-figures");
    desk.visible("review-timeline");
    desk.shot("review opened as draft");
    desk.fill("review-summary", SUMMARY);
    desk.click("review-save");
    desk.wait_text_css("#toast", "saved", "the toast saying the review was saved");
    value_when(
        &desk,
        "review-summary",
        "the saved summary to be shown after the save",
        |v| v.trim() == SUMMARY,
    );
    desk.wait_text("review-status", "Draft");
    desk.shot("summary saved");

    // ── Export as A4: saved into INCIDENT_DESK_EXPORT_DIR without a dialog ───────────────
    desk.select("review-paper", "a4");
    desk.click("review-export");
    let result = desk.wait_for_within(Duration::from_secs(60), "the export result", |s| {
        let Some(el) = App::displayed(s, &tid("review-export-result"))? else {
            return Ok(None);
        };
        let text = s.text(&el)?;
        Ok((!text.trim().is_empty()).then_some(text))
    });
    desk.scroll_to("review-paper");
    desk.shot("exported");
    let saved_to = result
        .trim()
        .strip_prefix("Saved to ")
        .unwrap_or_else(|| panic!("the export says where it saved the PDF: {result:?}"));
    let pdf = PathBuf::from(saved_to.trim());
    assert!(
        pdf.starts_with(&export_dir),
        "the PDF is saved in INCIDENT_DESK_EXPORT_DIR {}: {}",
        export_dir.display(),
        pdf.display()
    );
    let bytes = std::fs::read(&pdf).unwrap_or_else(|e| panic!("read {}: {e}", pdf.display()));
    assert!(
        bytes.starts_with(b"%PDF"),
        "{} is a PDF (starts with {:?})",
        pdf.display(),
        String::from_utf8_lossy(&bytes[..bytes.len().min(8)])
    );
    let kept = artifacts.dir.join("review.pdf");
    let _ = std::fs::copy(&pdf, &kept);

    let out = Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap_or_else(|e| panic!("cannot run pdftotext (Debian package poppler-utils): {e}"));
    assert!(
        out.status.success(),
        "pdftotext {} failed: {}",
        pdf.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let _ = std::fs::write(artifacts.dir.join("review.txt"), &text);
    let flat = squash(&text);
    for (what, needle) in [
        ("the incident number", number.as_str()),
        ("the summary", SUMMARY),
        ("the audience updated", AUDIENCE),
    ] {
        assert!(
            flat.contains(&squash(needle)),
            "the PDF's text holds {what} {needle:?} (text kept in {}):\n{text}",
            artifacts.dir.join("review.txt").display()
        );
    }

    desk.quit();
}
