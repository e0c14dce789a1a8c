//! Post-incident reviews as signed off: a final review prints what was signed off whatever
//! happens to the incident later, the team's own words on escalation and communication, and the
//! check on the number of action items.

use crate::support::*;
use chrono::{DateTime, Duration, Utc};
use incident_desk::desk::*;
use incident_desk::domain::model::*;
use incident_desk::domain::report::{render_pdf, Block, PaperSize};
use incident_desk::domain::review::{document, ActionInput, ReviewEdit, ReviewView};

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// A resolved P1 with a review whose summary is written.
fn reviewed(f: &Fixture) -> IncidentDetail {
    let mut i = f.new_incident();
    i.started_at = Some("2026-03-02T08:50:00Z".into());
    i.users_affected = Some(1200);
    let d = f.desk.log(&i).unwrap();
    f.clock.advance(Duration::minutes(40));
    let d = f.resolve(&d);
    let r = f.desk.create_review(d.incident.id).unwrap();
    f.desk
        .edit_review(&ReviewEdit {
            incident_id: d.incident.id,
            expected_version: r.review.version,
            summary: Some("Gateway pool exhausted".into()),
            ..Default::default()
        })
        .unwrap();
    d
}

fn add_action(f: &Fixture, incident_id: i64, text: &str) -> ReviewView {
    f.desk
        .save_review_action(&ActionInput {
            incident_id,
            id: None,
            text: text.into(),
            owner_id: Some(f.colleague.id),
            due_date: Some("2026-04-01".into()),
            status: "open".into(),
            reason: None,
        })
        .unwrap()
}

fn note(f: &Fixture, id: i64, text: &str) {
    f.clock.advance(Duration::seconds(30));
    f.desk
        .add_note(&NoteInput {
            id,
            expected_version: 0,
            text: text.into(),
        })
        .unwrap();
}

fn pdf_pages(bytes: &[u8]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("review.pdf");
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8", "-raw", path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils) must be installed to check the printed review");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

/// A page's text without its running header and footer (whose "Page N of M" grows with an
/// appendix), in the order it was drawn.
fn body(page: &str, doc: &incident_desk::domain::report::ReportDocument) -> String {
    page.lines()
        .map(|l| {
            let l = l.trim();
            match l.rfind("Page ") {
                Some(i) if l[i..].contains(" of ") => l[..i].trim_end(),
                _ => l,
            }
        })
        .filter(|l| *l != doc.header_text && *l != doc.footer_left && !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_final_review_prints_what_was_signed_off_and_later_events_only_in_an_appendix() {
    let f = fixture();
    f.desk.set_organisation("Example Ltd").unwrap();
    let d = reviewed(&f);
    let id = d.incident.id;
    add_action(&f, id, "Alarm on gateway pool saturation");
    let r = add_action(&f, id, "Load test before each sale");
    f.clock.advance(Duration::minutes(5));
    let signed = f.desk.finalise_review(id, r.review.version).unwrap();
    assert!(signed.after_sign_off.is_empty());
    let finalised = f
        .desk
        .get(id)
        .unwrap()
        .timeline
        .into_iter()
        .rfind(|e| e.kind == "review_finalised")
        .expect("finalising records an event");
    assert_eq!(
        signed.last_event_id, finalised.id,
        "the signed-off range ends with the finalisation"
    );
    let at = t("2026-03-03T12:00:00Z");
    let before = document(&signed, "Example Ltd", PaperSize::A4, at);
    assert_eq!(before.organisation, "Example Ltd");
    let before_pdf = render_pdf(&before).unwrap();

    // Afterwards: 150 notes, the incident reopened, the organisation renamed.
    for n in 0..150 {
        note(&f, id, &format!("Later note {n:03}"));
    }
    let now = f.desk.get(id).unwrap();
    f.desk
        .reopen(&ReopenInput {
            id,
            expected_version: now.incident.version,
            reason: "The error came back".into(),
        })
        .unwrap();

    f.desk.set_organisation("Renamed Ltd").unwrap();

    let later = f.desk.review(id).unwrap();
    assert_eq!(later.fingerprint, signed.fingerprint);
    assert_eq!(later.last_event_id, signed.last_event_id);
    assert_eq!(later.last_event_hash, signed.last_event_hash);
    assert_eq!(later.timeline, signed.timeline);
    assert_eq!(
        later.incident, signed.incident,
        "the incident as signed off"
    );
    let later_notes = later
        .after_sign_off
        .iter()
        .filter(|e| {
            e.detail
                .as_deref()
                .is_some_and(|d| d.starts_with("Later note"))
        })
        .count();
    assert_eq!(later_notes, 150, "every later note is in the appendix");
    assert!(later
        .after_sign_off
        .iter()
        .any(|e| e.detail.as_deref() == Some("The error came back")));
    assert!(later.latest_event_id > later.last_event_id);
    let after = document(&later, "Renamed Ltd", PaperSize::A4, at);
    assert_eq!(
        after.organisation, "Example Ltd",
        "the organisation as signed off"
    );
    assert_eq!(after.facts, before.facts);
    assert_eq!(after.header_text, before.header_text);
    assert_eq!(after.footer_left, before.footer_left);
    let n = before.blocks.len();
    assert_eq!(
        after.blocks[..n],
        before.blocks[..],
        "the signed-off document is unchanged"
    );
    assert_eq!(
        after.blocks[n],
        Block::Heading(format!(
            "Appendix: events after sign-off ({})",
            later.after_sign_off.len()
        ))
    );
    assert!(after.blocks[n..].iter().any(|b| matches!(
        b,
        Block::Table { rows, .. } if rows.iter().any(|r| r[2].contains("Later note 149"))
    )));

    // The PDF: every page of the signed-off review reads the same; the appendix follows.
    let (old, new) = (
        pdf_pages(&before_pdf),
        pdf_pages(&render_pdf(&after).unwrap()),
    );
    assert!(new.len() > old.len());
    let last = old.len() - 1;
    for (p, (a, b)) in old.iter().zip(&new).enumerate().take(last) {
        assert_eq!(body(a, &before), body(b, &after), "page {} changed", p + 1);
    }
    // The last page of the review continues with the appendix.
    let (head, tail) = (body(&old[last], &before), body(&new[last], &after));
    assert!(
        tail.starts_with(&head),
        "the last page of the review changed:\n{head}\n---\n{tail}"
    );
    let all = new.join("\n");
    assert!(all.contains("Appendix: events after sign-off"));
    assert!(!old.join("\n").contains("Later note"));
}

#[test]
fn escalation_and_communication_analysis_are_written_printed_and_locked_after_finalising() {
    let f = fixture();
    let d = reviewed(&f);
    let id = d.incident.id;
    let r = f.desk.review(id).unwrap();
    let r = f
        .desk
        .edit_review(&ReviewEdit {
            incident_id: id,
            expected_version: r.review.version,
            escalation_analysis: Some("Escalated to the network team 20 minutes late".into()),
            communication_analysis: Some("Executives heard of it from customers first".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        r.review.escalation_analysis,
        "Escalated to the network team 20 minutes late"
    );
    assert_eq!(
        r.review.communication_analysis,
        "Executives heard of it from customers first"
    );
    let doc = document(&r, "Example Ltd", PaperSize::A4, t("2026-03-03T12:00:00Z"));
    for (heading, text) in [
        (
            "Escalation analysis",
            "Escalated to the network team 20 minutes late",
        ),
        (
            "Communication analysis",
            "Executives heard of it from customers first",
        ),
    ] {
        let at = doc
            .blocks
            .iter()
            .position(|b| *b == Block::Heading(heading.into()))
            .unwrap();
        let next_heading = doc.blocks[at + 1..]
            .iter()
            .position(|b| matches!(b, Block::Heading(_)))
            .map_or(doc.blocks.len(), |i| at + 1 + i);
        assert!(
            doc.blocks[at..next_heading].contains(&Block::Paragraph(text.into())),
            "{heading} prints the team's words"
        );
    }
    let squashed = pdf_pages(&render_pdf(&doc).unwrap())
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(squashed.contains("Executives heard of it from customers first"));

    let r = f.desk.finalise_review(id, r.review.version).unwrap();
    let err = f
        .desk
        .edit_review(&ReviewEdit {
            incident_id: id,
            expected_version: r.review.version,
            escalation_analysis: Some("Rewritten".into()),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(err.field(), Some("reason"));
    let r = f
        .desk
        .edit_review(&ReviewEdit {
            incident_id: id,
            expected_version: r.review.version,
            communication_analysis: Some("Executives heard of it from the service desk".into()),
            reason: Some("Checked the call log".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        r.review.communication_analysis, "Executives heard of it from customers first",
        "the final text is locked"
    );
    assert_eq!(r.amendments.len(), 1);
    assert_eq!(r.amendments[0].field, "communication_analysis");
    assert!(f
        .desk
        .get(id)
        .unwrap()
        .timeline
        .iter()
        .any(|e| e.kind == "review_amended"));
}

#[test]
fn fewer_than_two_action_items_are_warned_about_but_not_refused() {
    let f = fixture();
    let d = reviewed(&f);
    let id = d.incident.id;
    let r = f.desk.review(id).unwrap();
    assert!(r.warnings.iter().any(|w| w.starts_with("No action items")));
    let r = add_action(&f, id, "Alarm on gateway pool saturation");
    assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
    assert!(
        r.warnings[0].contains("Only one action item") && r.warnings[0].contains("two or three"),
        "{:?}",
        r.warnings
    );
    let doc = document(&r, "Example Ltd", PaperSize::A4, t("2026-03-03T12:00:00Z"));
    assert!(doc
        .blocks
        .iter()
        .any(|b| matches!(b, Block::Warning(w) if w.contains("Only one action item"))));
    // A warning, not a refusal: one action item can be finalised.
    let fin = f.desk.finalise_review(id, r.review.version).unwrap();
    assert_eq!(fin.review.status, "final");
    let f2 = fixture();
    let d2 = reviewed(&f2);
    add_action(&f2, d2.incident.id, "One");
    let r2 = add_action(&f2, d2.incident.id, "Two");
    assert!(r2.warnings.is_empty(), "{:?}", r2.warnings);
}

fn pdfinfo(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("review.pdf");
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("pdfinfo")
        .args(["-isodates", path.to_str().unwrap()])
        .output()
        .expect("pdfinfo (poppler-utils) must be installed");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn info(all: &str, key: &str) -> String {
    all.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}:")))
        .unwrap_or_else(|| panic!("no {key} in\n{all}"))
        .trim()
        .to_string()
}

#[test]
fn the_exported_pdf_carries_the_export_time_title_and_author_and_counts_with_separators() {
    let f = fixture();
    f.desk.set_organisation("Example Ltd").unwrap();
    let d = reviewed(&f);
    f.clock.set(t("2026-03-05T14:30:00Z"));
    let bytes = f.desk.review_pdf(d.incident.id, PaperSize::A4).unwrap();
    let all = pdfinfo(&bytes);
    assert!(
        info(&all, "CreationDate").starts_with("2026-03-05T14:30:00"),
        "{all}"
    );
    assert!(
        info(&all, "ModDate").starts_with("2026-03-05T14:30:00"),
        "{all}"
    );
    assert_eq!(info(&all, "Author"), format!("Example Ltd / {}", f.me.name));
    assert_eq!(
        info(&all, "Title"),
        format!(
            "Post-incident review – {} · {}",
            d.incident.number, d.incident.title
        )
    );
    let text = pdf_pages(&bytes).join("\n");
    assert!(text.contains("1,200"), "users affected with a separator");
    assert!(!text.contains("1200"));
    assert!(text.contains("Impact duration"));
    assert!(!text.contains("Users affected for"));
    // 40 min from start to resolution, 50 with the 10 before logging.
    assert!(text.contains("50 min"), "{text}");
}

#[test]
fn a_review_finalised_before_sign_offs_were_kept_ends_at_its_finalisation_event() {
    let dir = tempfile::tempdir().unwrap();
    let clock = std::sync::Arc::new(incident_desk::FixedClock::at("2026-03-02T09:00:00Z"));
    let f = setup(
        incident_desk::Desk::open_in(dir.path(), clock.clone()).unwrap(),
        clock.clone(),
    );
    let d = reviewed(&f);
    let id = d.incident.id;
    let r = f.desk.review(id).unwrap();
    let signed = f.desk.finalise_review(id, r.review.version).unwrap();
    note(&f, id, "Later note");
    drop(f);
    // As schema 9 left a final review: no signed-off content kept.
    {
        let conn =
            rusqlite::Connection::open(dir.path().join(incident_desk::DATABASE_FILE)).unwrap();
        conn.execute("UPDATE reviews SET signed_off = NULL", [])
            .unwrap();
    }
    let desk = incident_desk::Desk::open_in(dir.path(), clock).unwrap();
    let later = desk.review(id).unwrap();
    assert_eq!(later.last_event_id, signed.last_event_id);
    assert_eq!(later.timeline, signed.timeline);
    // (Its incident is the one of now: what it was at sign-off was not kept before schema 10.)
    assert_eq!(later.after_sign_off.len(), 1);
    assert_eq!(
        later.after_sign_off[0].detail.as_deref(),
        Some("Later note")
    );
}

#[test]
fn every_change_to_a_draft_review_is_on_the_incidents_timeline() {
    let f = fixture();
    let d = reviewed(&f);
    add_action(&f, d.incident.id, "Alert on pool saturation");
    let timeline = f.desk.get(d.incident.id).unwrap().timeline;
    let edits: Vec<_> = timeline
        .iter()
        .filter(|e| e.kind == "review_edited")
        .collect();
    assert_eq!(
        edits.len(),
        2,
        "the summary and the action item: {edits:#?}"
    );
    assert_eq!(edits[0].field.as_deref(), Some("summary"));
    assert_eq!(edits[0].old_value.as_deref(), Some(""));
    assert_eq!(
        edits[0].new_value.as_deref(),
        Some("Gateway pool exhausted")
    );
    assert_eq!(edits[1].field.as_deref(), Some("action item"));
    assert_eq!(edits[1].old_value.as_deref(), Some("(new action item)"));
    assert!(
        edits[1]
            .new_value
            .as_deref()
            .is_some_and(|v| v.starts_with("Alert on pool saturation")),
        "{:?}",
        edits[1].new_value
    );
}
