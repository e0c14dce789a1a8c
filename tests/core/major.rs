//! Major incidents, stakeholder updates, milestone corrections and post-incident reviews,
//! with figures checked against hand-computed values.

use crate::support::*;
use chrono::{DateTime, Duration, Utc};
use incident_desk::desk::*;
use incident_desk::domain::major::{CorrectionInput, DeclareInput, Milestone, UpdateInput};
use incident_desk::domain::model::*;
use incident_desk::domain::review::{ActionInput, ReviewEdit};

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn mim(f: &Fixture) -> Person {
    f.desk
        .save_person(&PersonInput {
            name: "Tomasz Nowak".into(),
            roles: vec!["major_incident_manager".into()],
            ..Default::default()
        })
        .unwrap()
}

/// A P1 on the revenue-generating web shop, started 08:50, logged 09:00.
fn outage(f: &Fixture) -> IncidentDetail {
    let mut i = f.new_incident();
    i.started_at = Some("2026-03-02T08:50:00Z".into());
    i.detected_at = Some("2026-03-02T08:56:00Z".into());
    f.desk.log(&i).unwrap()
}

/// The outage, declared a major incident (reason "Revenue", a bridge) by a major incident
/// manager.
fn declared_outage(f: &Fixture) -> IncidentDetail {
    let d = outage(f);
    let m = mim(f);
    f.desk
        .declare_major(&DeclareInput {
            id: d.incident.id,
            expected_version: d.incident.version,
            reason: "Revenue".into(),
            manager_id: Some(m.id),
            bridge: "bridge".into(),
            emergency_change: String::new(),
        })
        .unwrap()
}

#[test]
fn the_desk_suggests_a_major_incident_and_says_which_criteria_matched() {
    let f = fixture(); // 09:00
    let d = outage(&f);
    let codes: Vec<_> = d.major_criteria.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(codes, ["users"], "the whole of a 25,000-user service");
    assert!(
        d.major_criteria[0].text.contains("25,000"),
        "{}",
        d.major_criteria[0].text
    );
    f.clock.advance(Duration::minutes(6)); // down 16 min, P1 response at 40 %
    let d = f.desk.get(d.incident.id).unwrap();
    let codes: Vec<_> = d.major_criteria.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(codes, ["users", "revenue"]);
    assert!(
        d.major_criteria[1]
            .text
            .contains("down for more than 15 min"),
        "{}",
        d.major_criteria[1].text
    );
    f.clock.advance(Duration::minutes(6)); // response clock 80 %
    let d = f.desk.get(d.incident.id).unwrap();
    assert!(
        d.major_criteria
            .iter()
            .any(|c| c.code == "sla" && c.text.contains("past 75 %")),
        "{:?}",
        d.major_criteria
    );
}

fn security(f: &Fixture) -> i64 {
    f.desk
        .reference_data()
        .unwrap()
        .categories
        .into_iter()
        .find(|c| c.name == "Security")
        .unwrap()
        .id
}

#[test]
fn a_security_category_alone_does_not_suggest_a_major_incident() {
    let f = fixture();
    let mut i = f.new_incident();
    i.impact = "minor".into();
    i.urgency = "low".into();
    i.category_id = Some(security(&f));
    let d = f.desk.log(&i).unwrap();
    assert_eq!(d.incident.priority, Priority::P4);
    assert!(
        d.major_criteria.is_empty(),
        "a P4 in Security gets no banner: {:?}",
        d.major_criteria
    );
    // The same category with significant impact is a risk, and the text says why.
    i.impact = "significant".into();
    let d = f.desk.log(&i).unwrap();
    let risk: Vec<_> = d
        .major_criteria
        .iter()
        .filter(|c| c.code == "risk")
        .collect();
    assert_eq!(risk.len(), 1, "{:?}", d.major_criteria);
    assert!(
        risk[0].text.contains("Security") && risk[0].text.contains("significant impact"),
        "{}",
        risk[0].text
    );
    // A P2 by override in Security with minor impact is serious too.
    i.impact = "minor".into();
    i.priority_override = Some("P2".into());
    i.priority_override_reason = Some("Possible data leak".into());
    let d = f.desk.log(&i).unwrap();
    assert!(d.major_criteria.iter().any(|c| c.code == "risk"));
}

#[test]
fn a_declaration_stores_the_same_figure_in_its_reason_and_its_criteria() {
    let f = fixture(); // 09:00, the outage started 08:50
    let d = outage(&f);
    let m = mim(&f);
    f.clock.advance(Duration::minutes(12)); // down 22 min
    let shown = f.desk.get(d.incident.id).unwrap();
    // The operator reads the banner, takes a minute, and declares with its text as reason.
    let reason = shown
        .major_criteria
        .iter()
        .map(|c| c.text.clone())
        .collect::<Vec<_>>()
        .join("; ");
    f.clock.advance(Duration::seconds(70)); // down 23 min
    let declared = f
        .desk
        .declare_major(&DeclareInput {
            id: d.incident.id,
            expected_version: shown.incident.version,
            reason: reason.clone(),
            manager_id: Some(m.id),
            bridge: "bridge".into(),
            emergency_change: String::new(),
        })
        .unwrap();
    let rec = declared.major.unwrap();
    assert_eq!(rec.reason, reason);
    let revenue = rec
        .criteria
        .iter()
        .find(|c| c.code == "revenue")
        .expect("revenue criterion");
    assert!(
        rec.reason.contains(&revenue.text),
        "reason and criterion carry one value: {:?} vs {:?}",
        rec.reason,
        revenue.text
    );
    let stored: Vec<_> = rec.criteria.iter().map(|c| c.text.clone()).collect();
    let suggested: Vec<_> = shown
        .major_criteria
        .iter()
        .map(|c| c.text.clone())
        .collect();
    assert_eq!(stored, suggested, "the same texts a minute later");
}

#[test]
fn declaring_needs_a_reason_a_major_incident_manager_and_a_bridge() {
    let f = fixture();
    let d = outage(&f);
    let base = DeclareInput {
        id: d.incident.id,
        expected_version: d.incident.version,
        reason: "Checkout down for all EU customers".into(),
        manager_id: None,
        bridge: "https://meet.example.org/inc-1".into(),
        emergency_change: String::new(),
    };
    assert_eq!(
        f.desk.declare_major(&base).unwrap_err().field(),
        Some("manager_id")
    );
    let err = f
        .desk
        .declare_major(&DeclareInput {
            manager_id: Some(f.colleague.id),
            ..base.clone()
        })
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("does not hold the major incident manager role"),
        "{err}"
    );
    let m = mim(&f);
    assert_eq!(
        f.desk
            .declare_major(&DeclareInput {
                manager_id: Some(m.id),
                reason: " ".into(),
                ..base.clone()
            })
            .unwrap_err()
            .field(),
        Some("reason")
    );
    assert_eq!(
        f.desk
            .declare_major(&DeclareInput {
                manager_id: Some(m.id),
                bridge: String::new(),
                ..base.clone()
            })
            .unwrap_err()
            .field(),
        Some("bridge")
    );
    let d = f
        .desk
        .declare_major(&DeclareInput {
            manager_id: Some(m.id),
            emergency_change: "CHG-0042".into(),
            ..base.clone()
        })
        .unwrap();
    let rec = d.major.unwrap();
    assert_eq!(
        (
            rec.manager_name.as_str(),
            rec.bridge.as_str(),
            rec.emergency_change.as_str()
        ),
        ("Tomasz Nowak", "https://meet.example.org/inc-1", "CHG-0042")
    );
    assert_eq!(rec.criteria[0].code, "users");
    let e = d
        .timeline
        .iter()
        .find(|e| e.kind == "major_declared")
        .unwrap();
    assert!(
        e.summary.contains("Major incident manager: Tomasz Nowak"),
        "{}",
        e.summary
    );
    let err = f
        .desk
        .declare_major(&DeclareInput {
            expected_version: d.incident.version,
            manager_id: Some(m.id),
            ..base
        })
        .unwrap_err();
    assert_eq!(err.code(), "invalid_transition");
}

#[test]
fn stakeholder_updates_are_recorded_and_their_cadence_is_reminded() {
    let f = fixture();
    let d = outage(&f);
    let m = mim(&f);
    let d = f
        .desk
        .declare_major(&DeclareInput {
            id: d.incident.id,
            expected_version: d.incident.version,
            reason: "Revenue".into(),
            manager_id: Some(m.id),
            bridge: "+44 20 7946 0999".into(),
            emergency_change: String::new(),
        })
        .unwrap();
    let settings = f.desk.communication_settings().unwrap();
    let execs = settings
        .audiences
        .iter()
        .find(|a| a.name == "Executives")
        .unwrap()
        .clone();
    let investigating = settings
        .templates
        .iter()
        .find(|t| t.name == "Investigating")
        .unwrap()
        .clone();
    let draft = f
        .desk
        .draft_update(d.incident.id, investigating.id, execs.id)
        .unwrap();
    assert_eq!(
        draft.subject,
        "[INC-000001] Investigating: Web Shop Checkout disruption"
    );
    assert!(
        draft.body.contains("started at Mon 02 Mar 08:50 UTC"),
        "{}",
        draft.body
    );
    assert!(
        draft.body.contains("Next update by Mon 02 Mar 09:30 UTC"),
        "{}",
        draft.body
    );
    assert_eq!(draft.recipients, "executives@example.org");
    f.clock.advance(Duration::minutes(5));
    let d = f
        .desk
        .send_update(&UpdateInput {
            id: d.incident.id,
            audience_id: Some(execs.id),
            template: Some("Investigating".into()),
            subject: draft.subject.clone(),
            body: draft.body.clone(),
        })
        .unwrap();
    let e = d
        .timeline
        .iter()
        .find(|e| e.kind == "stakeholder_update")
        .unwrap();
    assert_eq!(
        e.summary,
        "Amira Haddad sent a stakeholder update to Executives"
    );
    assert!(e
        .detail
        .as_deref()
        .unwrap()
        .starts_with("[INC-000001] Investigating"));
    let view = f.desk.major_view(d.incident.id).unwrap();
    assert_eq!(view.updates.len(), 1);
    assert_eq!(view.updates[0].sent_at, t("2026-03-02T09:05:00Z"));
    let next_exec = view
        .next_updates
        .iter()
        .find(|n| n.audience == "Executives")
        .unwrap();
    assert_eq!(next_exec.due_at, t("2026-03-02T09:35:00Z"));
    let it = view
        .next_updates
        .iter()
        .find(|n| n.audience == "IT team")
        .unwrap();
    assert_eq!(
        it.due_at,
        t("2026-03-02T09:15:00Z"),
        "declared 09:00, cadence 15 min, nothing sent yet"
    );
    // The scheduler reminds when an update is due.
    f.clock.set(t("2026-03-02T09:16:00Z"));
    let alerts = f.desk.fire_due().unwrap();
    assert!(
        alerts
            .iter()
            .any(|a| a.title == "Stakeholder update due for INC-000001 (IT team)"),
        "{alerts:?}"
    );
    let err = f
        .desk
        .send_update(&UpdateInput {
            id: d.incident.id,
            audience_id: Some(execs.id),
            template: None,
            subject: "x".into(),
            body: " ".into(),
        })
        .unwrap_err();
    assert_eq!(err.field(), Some("body"));
}

#[test]
fn a_milestone_correction_is_itself_recorded() {
    let f = fixture();
    let d = outage(&f);
    let err = f
        .desk
        .correct_milestone(&CorrectionInput {
            id: d.incident.id,
            expected_version: d.incident.version,
            milestone: Milestone::Detected,
            at: "2026-03-02T08:40:00Z".into(),
            reason: "Monitoring log".into(),
        })
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("between the start and the logging"),
        "{err}"
    );
    let d = f
        .desk
        .correct_milestone(&CorrectionInput {
            id: d.incident.id,
            expected_version: d.incident.version,
            milestone: Milestone::Started,
            at: "2026-03-02T08:45:00Z".into(),
            reason: "Load balancer log shows the first 503 at 08:45".into(),
        })
        .unwrap();
    assert_eq!(d.incident.started_at, t("2026-03-02T08:45:00Z"));
    let e = d
        .timeline
        .iter()
        .find(|e| e.kind == "milestone_corrected")
        .unwrap();
    assert_eq!(e.old_value.as_deref(), Some("2026-03-02T08:50:00.000Z"));
    assert_eq!(
        e.detail.as_deref(),
        Some("Load balancer log shows the first 503 at 08:45")
    );
    assert!(e.summary.contains("corrected Started"), "{}", e.summary);
}

/// The worked example: started 08:50, detected 08:56, logged 09:00, acknowledged 09:04,
/// escalated to the network team 09:20 (rule threshold 15 min: late), resolved 10:30.
/// Executives (cadence 30 min) from 09:00: updates at 09:25 (on time), 10:05 (late),
/// nothing by 10:35 → the resolution at 10:30 ends the window first.
#[test]
fn review_figures_match_the_hand_computed_example() {
    let f = fixture();
    f.desk
        .save_escalation_rule(&incident_desk::domain::sla::config::EscalationRule {
            id: None,
            name: "P1 to network".into(),
            active: true,
            priority: Some(Priority::P1),
            category_id: None,
            service_id: None,
            team_id: None,
            tier: None,
            trigger: incident_desk::domain::sla::config::RuleTrigger::Unresolved,
            after_minutes: 15,
            action: incident_desk::domain::sla::config::RuleAction::EscalateTeam,
            target_team_id: Some(f.network_team.id),
            target_person_id: None,
            target_priority: None,
            reason: String::new(),
        })
        .unwrap();
    let d = declared_outage(&f);
    f.clock.set(t("2026-03-02T09:04:00Z"));
    let d = f
        .desk
        .acknowledge(&VersionedId {
            id: d.incident.id,
            expected_version: d.incident.version,
        })
        .unwrap();
    let execs = f
        .desk
        .communication_settings()
        .unwrap()
        .audiences
        .into_iter()
        .find(|a| a.name == "Executives")
        .unwrap();
    let mut others = f.desk.communication_settings().unwrap().audiences;
    for a in others.iter_mut().filter(|a| a.name != "Executives") {
        a.active = false;
        f.desk.save_audience(a, false).unwrap();
    }
    // The rule would escalate at 09:15; here the team escalates by hand at 09:20, after it.
    let mut d = d;
    for (at, what) in [
        ("2026-03-02T09:20:00Z", "escalate"),
        ("2026-03-02T09:25:00Z", "update"),
        ("2026-03-02T10:05:00Z", "update"),
    ] {
        f.clock.set(t(at));
        d = f.desk.get(d.incident.id).unwrap();
        d = match what {
            "escalate" if d.incident.team_id.is_none() => f
                .desk
                .escalate(&EscalateInput {
                    id: d.incident.id,
                    expected_version: d.incident.version,
                    kind: "functional".into(),
                    team_id: Some(f.network_team.id),
                    person_id: None,
                    reason: "Load balancer".into(),
                })
                .unwrap(),
            "escalate" => d,
            _ => f
                .desk
                .send_update(&UpdateInput {
                    id: d.incident.id,
                    audience_id: Some(execs.id),
                    template: None,
                    subject: "Update".into(),
                    body: "Still working".into(),
                })
                .unwrap(),
        };
    }
    f.clock.set(t("2026-03-02T10:30:00Z"));
    let d = f.resolve(&f.desk.get(d.incident.id).unwrap());
    assert_eq!(
        d.review_status.as_deref(),
        Some("draft"),
        "a review opens when a major incident is resolved"
    );
    let r = f.desk.review(d.incident.id).unwrap();
    let fig = &r.figures;
    assert_eq!(fig.time_to_detect_seconds, 6 * 60);
    assert_eq!(fig.time_to_acknowledge_seconds, Some(4 * 60));
    assert_eq!(fig.time_to_resolve_seconds, Some(90 * 60));
    assert_eq!(fig.impact_seconds, Some(100 * 60));
    let sla: Vec<_> = fig
        .sla
        .iter()
        .map(|c| (c.clock.as_str(), c.outcome.as_str()))
        .collect();
    assert_eq!(sla, [("response", "met"), ("resolution", "met")]);
    let tiers: Vec<_> = fig
        .tiers
        .iter()
        .map(|t| (t.team.as_str(), t.seconds / 60))
        .collect();
    assert_eq!(
        tiers,
        [("Service desk (first line)", 20), ("Network Team", 70)]
    );
    assert_eq!(fig.escalations.len(), 1);
    assert_eq!(
        fig.escalations[0].verdict, "late",
        "{:?}",
        fig.escalations[0]
    );
    let comms = &fig.communication[0];
    assert_eq!(comms.audience, "Executives");
    let slots: Vec<_> = comms
        .slots
        .iter()
        .map(|s| (s.due.format("%H:%M").to_string(), s.verdict.as_str()))
        .collect();
    assert_eq!(
        slots,
        [
            ("09:30".to_string(), "on time"),
            ("09:55".to_string(), "late")
        ]
    );
    assert_eq!((comms.on_time, comms.late, comms.missed), (1, 1, 0));
    assert_eq!(r.warnings.len(), 1, "no action items yet");
    assert_eq!(r.timeline[0].what, "The disruption started");
    assert_eq!(r.timeline[1].what, "Detected (Phone)");
    assert!(!r.last_event_hash.is_empty() && r.fingerprint.len() == 64);
}

/// Declared 09:00, Executives every 30 min; the one update goes out at 09:10 and the incident
/// is resolved at 09:20, before the first slot was due: one update sent, one on time.
#[test]
fn an_update_sent_before_an_early_resolution_counts_as_on_time() {
    let f = fixture();
    let d = declared_outage(&f);
    let mut audiences = f.desk.communication_settings().unwrap().audiences;
    for a in audiences.iter_mut().filter(|a| a.name != "Executives") {
        a.active = false;
        f.desk.save_audience(a, false).unwrap();
    }
    let execs = audiences.iter().find(|a| a.name == "Executives").unwrap();
    assert_eq!(execs.cadence_minutes, 30);
    f.clock.set(t("2026-03-02T09:10:00Z"));
    let d = f
        .desk
        .send_update(&UpdateInput {
            id: d.incident.id,
            audience_id: Some(execs.id),
            template: None,
            subject: "Checkout down".into(),
            body: "We are on it".into(),
        })
        .unwrap();
    f.clock.set(t("2026-03-02T09:20:00Z"));
    let d = f.resolve(&d);
    let r = f.desk.review(d.incident.id).unwrap();
    let comms = &r.figures.communication[0];
    assert_eq!(comms.audience, "Executives");
    assert_eq!(
        (comms.updates_sent, comms.on_time, comms.late, comms.missed),
        (1, 1, 0, 0)
    );
    assert_eq!(comms.slots[0].due, t("2026-03-02T09:30:00Z"));
    assert_eq!(comms.slots[0].sent_at, Some(t("2026-03-02T09:10:00Z")));
}

#[test]
fn a_final_review_is_locked_and_later_corrections_are_amendments() {
    let f = fixture();
    let d = f.resolve(&outage(&f));
    let r = f.desk.create_review(d.incident.id).unwrap();
    assert_eq!(
        f.desk.create_review(d.incident.id).unwrap_err().code(),
        "conflict"
    );
    let err = f
        .desk
        .finalise_review(d.incident.id, r.review.version)
        .unwrap_err();
    assert_eq!(err.field(), Some("summary"));
    f.desk
        .edit_review(&ReviewEdit {
            incident_id: d.incident.id,
            expected_version: r.review.version,
            summary: Some("Gateway pool exhausted".into()),
            went_well: Some("Fast detection".into()),
            ..Default::default()
        })
        .unwrap();
    for (text, due) in [
        ("Raise pool size alarm", "2026-03-20"),
        ("Load test before sales", "2026-04-01"),
    ] {
        f.desk
            .save_review_action(&ActionInput {
                incident_id: d.incident.id,
                id: None,
                text: text.into(),
                owner_id: Some(f.colleague.id),
                due_date: Some(due.into()),
                status: "open".into(),
                reason: None,
            })
            .unwrap();
    }
    let err = f
        .desk
        .save_review_action(&ActionInput {
            incident_id: d.incident.id,
            id: None,
            text: "x".into(),
            owner_id: Some(f.colleague.id),
            due_date: Some("soon".into()),
            status: String::new(),
            reason: None,
        })
        .unwrap_err();
    assert_eq!(err.field(), Some("due_date"));
    let r = f.desk.review(d.incident.id).unwrap();
    assert!(r.warnings.is_empty(), "two actions: {:?}", r.warnings);
    let r = f
        .desk
        .finalise_review(d.incident.id, r.review.version)
        .unwrap();
    assert_eq!(r.review.status, "final");
    let err = f
        .desk
        .edit_review(&ReviewEdit {
            incident_id: d.incident.id,
            expected_version: r.review.version,
            summary: Some("Rewritten".into()),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(err.field(), Some("reason"));
    let r = f
        .desk
        .edit_review(&ReviewEdit {
            incident_id: d.incident.id,
            expected_version: r.review.version,
            summary: Some("Gateway pool exhausted by a retry storm".into()),
            reason: Some("Root cause found by problem management".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        r.review.summary, "Gateway pool exhausted",
        "the final text is locked"
    );
    assert_eq!(r.amendments.len(), 1);
    assert_eq!(
        r.amendments[0].new_value,
        "Gateway pool exhausted by a retry storm"
    );
    assert_eq!(
        r.amendments[0].reason,
        "Root cause found by problem management"
    );
    let timeline = f.desk.get(d.incident.id).unwrap().timeline;
    let amended = timeline
        .iter()
        .find(|e| e.kind == "review_amended")
        .expect("the amendment is on the timeline, inside the hash chain");
    assert_eq!(
        amended.new_value.as_deref(),
        Some("Gateway pool exhausted by a retry storm")
    );
    assert!(f.desk.verify_history().unwrap().intact);
    // The figures of a final review are frozen: a later policy change does not rewrite them.
    let before = r.figures.clone();
    let mut p1 = f.desk.sla_settings().unwrap().policies[0].clone();
    p1.response_minutes = 1;
    f.desk.save_sla_policy(&p1).unwrap();
    assert_eq!(f.desk.review(d.incident.id).unwrap().figures, before);
    // Progress on an action item is allowed and recorded.
    let first = r.actions[0].clone();
    let r = f
        .desk
        .save_review_action(&ActionInput {
            incident_id: d.incident.id,
            id: Some(first.id),
            text: first.text.clone(),
            owner_id: first.owner_id,
            due_date: first.due_date.map(|d| d.to_string()),
            status: "done".into(),
            reason: None,
        })
        .unwrap();
    assert_eq!(r.actions[0].status, "done");
    assert_eq!(r.amendments.len(), 2);
}

fn pdf_text(bytes: &[u8], mode: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("review.pdf");
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args([mode, path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils) must be installed to check the printed review");
    assert!(
        out.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_printed_review_contains_every_field_a_long_description_and_a_300_row_timeline() {
    let f = fixture();
    let description: String = (0..400)
        .map(|i| format!("w{i:03}é"))
        .collect::<Vec<_>>()
        .join(" ");
    assert!(description.chars().count() >= 2000);
    let mut i = f.new_incident();
    i.description = description.clone();
    i.started_at = Some("2026-03-02T08:50:00Z".into());
    i.users_affected = Some(1800);
    let d = f.desk.log(&i).unwrap();
    let m = mim(&f);
    let mut d = f
        .desk
        .declare_major(&DeclareInput {
            id: d.incident.id,
            expected_version: d.incident.version,
            reason: "Checkout down → revenue loss".into(),
            manager_id: Some(m.id),
            bridge: "https://meet.example.org/inc-1".into(),
            emergency_change: "CHG-0042".into(),
        })
        .unwrap();
    for n in 0..300 {
        f.clock.advance(Duration::seconds(30));
        d = f
            .desk
            .add_note(&NoteInput {
                id: d.incident.id,
                expected_version: 0,
                text: format!("Progress note {n:03}"),
            })
            .unwrap();
    }
    let d = f.resolve(&d);
    f.desk
        .edit_review(&ReviewEdit {
            incident_id: d.incident.id,
            expected_version: 1,
            summary: Some("Gateway pool exhausted – fixed by raising the pool size".into()),
            detection: Some("Customers noticed before monitoring did".into()),
            technical_response: Some("Restarted the gateway pool; raised its size".into()),
            went_well: Some("Bridge opened within 5 minutes".into()),
            went_badly: Some("No alert on pool saturation".into()),
            problem_ref: Some("PRB-0007".into()),
            reason: None,
            ..Default::default()
        })
        .unwrap();
    f.desk
        .save_review_action(&ActionInput {
            incident_id: d.incident.id,
            id: None,
            text: "Alert on gateway pool saturation".into(),
            owner_id: Some(f.colleague.id),
            due_date: Some("2026-03-20".into()),
            status: "open".into(),
            reason: None,
        })
        .unwrap();
    assert_eq!(
        f.desk.set_organisation(" ").unwrap_err().field(),
        Some("organisation")
    );
    f.desk.set_organisation("Northwind Retail Ltd").unwrap();
    let pdf = f
        .desk
        .review_pdf(d.incident.id, incident_desk::domain::report::PaperSize::A4)
        .unwrap();
    // To look at it: REVIEW_PDF_OUT=/tmp/review.pdf cargo test --test core printed_review
    if let Some(out) = std::env::var_os("REVIEW_PDF_OUT") {
        std::fs::write(out, &pdf).unwrap();
    }
    let text = pdf_text(&pdf, "-raw");
    let flat = squash(&text);
    for expected in [
        "Northwind Retail Ltd",
        "Post-incident review",
        "INC-000001",
        "Checkout returns 503 for EU customers",
        "P1 Critical",
        "Web Shop Checkout",
        "Gateway pool exhausted – fixed by raising the pool size",
        "Customers noticed before monitoring did",
        "Restarted the gateway pool; raised its size",
        "Bridge opened within 5 minutes",
        "No alert on pool saturation",
        "PRB-0007",
        "Alert on gateway pool saturation",
        "Jonas Berg",
        "2026-03-20",
        "Checkout down → revenue loss",
        "https://meet.example.org/inc-1",
        "CHG-0042",
        "Tomasz Nowak",
        "1,800",
        "Time to detect",
        "Time to acknowledge",
        "Time to resolve",
        "Escalation analysis",
        "Communication analysis",
        "Executives",
        "What went well",
        "What did not go well",
    ] {
        assert!(flat.contains(expected), "the PDF lacks {expected:?}");
    }
    // The whole description, word by word, in order.
    let words: Vec<&str> = flat.split(' ').collect();
    let mut at = 0;
    for w in description.split(' ') {
        let pos = words[at..]
            .iter()
            .position(|x| x.contains(w))
            .unwrap_or_else(|| panic!("description word {w} missing or out of order"));
        at += pos + 1;
    }
    for n in 0..300 {
        assert!(
            flat.contains(&format!("Progress note {n:03}")),
            "timeline row {n} missing"
        );
    }
    let r = f.desk.review(d.incident.id).unwrap();
    assert!(
        flat.contains(&r.last_event_hash),
        "the last event's hash is printed"
    );
    assert!(
        flat.contains(&r.fingerprint[..16]),
        "the fingerprint is in the footer"
    );
    let pages = text.matches('\u{c}').count();
    assert!(
        pages >= 5,
        "a 300-row timeline spans several pages ({pages})"
    );
    assert!(
        flat.contains(&format!("Page {pages} of {pages}")),
        "page footers count right"
    );
}
