//! The post-incident review on the real window: the team's own words on escalation and
//! communication, the warning for a single action item, finalising (which clears the draft's
//! export note), an event after sign-off shown apart from the signed-off review, and the final
//! PDF with its appendix, rendered to an image to look at.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use crate::app::{self, tid, App, Artifacts, Prerequisites};
use crate::major::launch_with_export_dir;

const TITLE: &str = "Payroll export stops at the bank upload";
const SUMMARY: &str = "The nightly payroll export to the bank failed for 40 minutes after a certificate expired; renewing it restored the upload.";
const ESCALATION: &str =
    "The service desk waited 25 minutes before escalating to the network team; the rule says 15.";
const COMMUNICATION: &str =
    "Finance heard of the delay from the bank first: no update went out until the fix.";
const LATER_NOTE: &str = "Bank confirmed every payment of the run arrived";

/// Exports the review and returns the saved PDF's path (the export folder skips the dialog).
fn export(desk: &App) -> PathBuf {
    desk.click("review-export");
    let result = desk.wait_for_within(Duration::from_secs(60), "the export result", |s| {
        let Some(el) = App::displayed(s, &tid("review-export-result"))? else {
            return Ok(None);
        };
        let text = s.text(&el)?;
        Ok(text.trim().starts_with("Saved to ").then_some(text))
    });
    PathBuf::from(result.trim().trim_start_matches("Saved to ").trim())
}

fn add_action(desk: &App, text: &str, owner: &str, due: &str) {
    desk.click("review-action-add");
    desk.visible("review-action-form");
    desk.fill("action-text", text);
    desk.select("action-owner", owner);
    desk.fill("action-due", due);
    desk.click("action-save");
    desk.gone("review-action-form");
    desk.wait_text_css(
        &tid("review-actions"),
        text,
        "the new action item in the list",
    );
}

#[test]
fn a_final_review_keeps_what_was_signed_off_and_shows_later_events_apart() {
    let _serial = app::serialize();
    let pre = Prerequisites::check();
    let artifacts = Artifacts::for_test("review_signed_off");
    let tmp = tempfile::tempdir().expect("temp dir");
    let data_dir = tmp.path().join("desk");
    let export_dir = tmp.path().join("exports");
    std::fs::create_dir_all(&export_dir).expect("create the export folder");
    let desk = launch_with_export_dir(&pre, &data_dir, &artifacts, &export_dir);

    desk.visible("welcome");
    desk.click("welcome-demo");
    desk.wait_for_within(
        Duration::from_secs(60),
        "the demo data to load and the welcome screen to go",
        |s| Ok(App::displayed(s, &tid("welcome"))?.is_none().then_some(())),
    );

    // ── An incident, acknowledged and resolved ───────────────────────────────────────────
    desk.click("new-incident");
    desk.visible("form-new-incident");
    desk.fill("field-title", TITLE);
    desk.fill(
        "field-description",
        "The bank rejects the payroll file upload with a TLS error since 02:10.",
    );
    desk.select("field-category", "Application");
    desk.select("field-service", "Payroll");
    desk.fill("field-reporter-name", "Laura Smith");
    desk.fill("field-reporter-contact", "laura.smith@example.org");
    desk.select("field-channel", "phone");
    desk.select("field-impact", "significant");
    desk.select("field-urgency", "high");
    desk.click("submit-incident");
    desk.wait_text("detail-title", TITLE);
    desk.click("action-acknowledge");
    desk.wait_text("detail-status", "In progress");
    desk.click("action-resolve");
    desk.select("resolve-code", "fixed");
    desk.fill("resolve-notes", "Renewed the bank upload certificate.");
    desk.click("resolve-submit");
    desk.wait_text("detail-status", "Resolved");

    // ── The review: written in the team's words, one action item warned about ───────────
    desk.click("action-create-review");
    desk.visible("review");
    desk.wait_text("review-status", "Draft");
    desk.fill("review-summary", SUMMARY);
    desk.fill("review-escalation-text", ESCALATION);
    desk.fill("review-communication-text", COMMUNICATION);
    desk.fill(
        "review-went-well",
        "The certificate was found within minutes of escalating.",
    );
    desk.fill(
        "review-went-badly",
        "No alert before the certificate expired.",
    );
    desk.scroll_to("review-text");
    desk.shot("analysis written in the team's words");
    desk.click("review-save");
    desk.wait_text_css("#toast", "saved", "the toast saying the review was saved");
    add_action(
        &desk,
        "Alert 30 days before any bank certificate expires",
        "Tomasz Nowak",
        "2026-12-15",
    );
    let warning = desk.wait_text("review-warning", "Only one action item");
    assert!(
        warning.contains("two or three"),
        "the warning says what the reference asks for: {warning:?}"
    );
    add_action(
        &desk,
        "Escalation rule for payroll: network team after 15 minutes",
        "Tomasz Nowak",
        "2026-12-20",
    );
    desk.wait_for("the single-action warning to go", |s| {
        Ok(App::displayed(s, &tid("review-warning"))?
            .is_none()
            .then_some(()))
    });

    // A draft export, then finalising: the draft's "Saved to …" does not stay under Final.
    let draft = export(&desk);
    assert!(draft.starts_with(&export_dir), "{}", draft.display());
    desk.click("review-finalise");
    desk.click("review-finalise-confirm");
    desk.wait_text("review-status", "Final");
    desk.wait_for("the draft's export note to go", |s| {
        Ok(App::displayed(s, &tid("review-export-result"))?
            .is_none()
            .then_some(()))
    });
    // The same duration rule on the screen and in the PDF (seconds under ten minutes).
    let detect = desk
        .text_css(
            &format!("{} .figure-value", tid("figure-detect")),
            "the time to detect",
        )
        .trim()
        .to_string();
    assert!(
        detect.ends_with(" s"),
        "a time to detect under a minute is shown in seconds: {detect:?}"
    );
    let hash_signed = desk.text("review-hash");
    let fingerprint = desk.text("review-fingerprint");
    desk.wait_text("review-escalation-text", ESCALATION);
    desk.wait_text("review-communication-text", COMMUNICATION);
    desk.scroll_to("review");
    desk.shot("review final");

    // ── A note after sign-off: shown apart, the signed-off review unchanged ─────────────
    desk.click("review-back");
    desk.visible("action-note");
    desk.click("action-note");
    desk.fill("note-text", LATER_NOTE);
    desk.click("note-submit");
    desk.wait_text_css(
        "#toast",
        "Note added",
        "the toast saying the note was added",
    );
    desk.click("action-open-review");
    desk.visible("review");
    let after = desk.wait_text("review-after-sign-off", LATER_NOTE);
    desk.wait_text("review-after-note", "1 event was recorded");
    assert!(after.contains("Events after sign-off"), "{after:?}");
    let signed_timeline = desk.text("review-timeline");
    assert!(
        !signed_timeline.contains(LATER_NOTE),
        "the note is not part of the signed-off timeline"
    );
    assert_eq!(desk.text("review-hash"), hash_signed);
    assert_eq!(desk.text("review-fingerprint"), fingerprint);
    desk.visible("review-latest-hash");
    desk.scroll_to("review-after-sign-off");
    desk.shot("events after sign-off");

    // ── The final PDF: the signed-off review, then the appendix ──────────────────────────
    let pdf = export(&desk);
    desk.scroll_to("review");
    desk.shot("review final exported");
    let kept = artifacts.dir.join("review-final.pdf");
    std::fs::copy(&pdf, &kept).expect("keep the PDF");
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&kept)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    // pdftotext guesses word gaps from glyph positions and sometimes reads "8 s" as "8s":
    // compare without spaces.
    let squeezed = |t: &str| t.split_whitespace().collect::<String>();
    assert!(
        squeezed(&text).contains(&squeezed(&format!(
            "Time to detect {detect} How it was detected"
        ))),
        "the PDF's time to detect reads as on the screen ({detect:?}):\n{text}"
    );
    for needle in [
        ESCALATION,
        COMMUNICATION,
        "Appendix: events after sign-off",
        LATER_NOTE,
    ] {
        assert!(text.contains(needle), "the PDF holds {needle:?}:\n{text}");
    }
    let appendix = text.find("Appendix: events after sign-off").unwrap_or(0);
    assert!(
        text.find(LATER_NOTE).unwrap_or(0) > appendix,
        "the later note is only in the appendix"
    );
    let status = Command::new("pdftoppm")
        .args(["-r", "60", "-png", "-f", "1", "-l", "1"])
        .arg(&kept)
        .arg(artifacts.dir.join("review-pdf-page"))
        .status()
        .expect("pdftoppm (poppler-utils)");
    assert!(status.success());
    desk.quit();
}
