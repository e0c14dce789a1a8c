//! Logging and working incidents: validation, priority, lifecycle, history.

use crate::support::*;
use chrono::Duration;
use incident_desk::desk::IncidentDetail;
use incident_desk::domain::model::*;

#[test]
fn a_logged_incident_gets_a_human_id_utc_times_and_the_matrix_priority() {
    let f = fixture();
    let d = f.log();
    assert_eq!(d.incident.number, "INC-000001");
    assert_eq!(d.incident.priority, Priority::P1);
    assert_eq!(d.incident.computed_priority, Priority::P1);
    assert_eq!(d.incident.status, Status::New);
    assert_eq!(
        d.incident.logged_at.to_rfc3339(),
        "2026-03-02T09:00:00+00:00"
    );
    assert_eq!(
        d.incident.started_at, d.incident.logged_at,
        "started defaults to now"
    );
    assert_eq!(d.incident.created_by, "Amira Haddad");
    assert_eq!(f.log().incident.number, "INC-000002");
    assert_eq!(f.kinds(&d), ["created"]);
    assert!(d.timeline[0]
        .summary
        .contains("Amira Haddad logged the incident as P1 Critical"));
}

#[test]
fn each_required_field_is_named_when_missing() {
    let f = fixture();
    type Blank = fn(&mut NewIncident);
    let cases: &[(&str, &str, Blank)] = &[
        ("title", "Title is required", |i| i.title = " ".into()),
        ("description", "Description is required", |i| {
            i.description.clear()
        }),
        ("category_id", "Category is required", |i| {
            i.category_id = None
        }),
        ("service_id", "Affected service is required", |i| {
            i.service_id = None
        }),
        ("reporter_name", "Reporter name is required", |i| {
            i.reporter_name.clear()
        }),
        (
            "reporter_contact",
            "Reporter contact (e-mail or phone) is required",
            |i| i.reporter_contact.clear(),
        ),
        ("channel", "Channel is required", |i| i.channel.clear()),
        ("impact", "Impact is required", |i| i.impact.clear()),
        ("urgency", "Urgency is required", |i| i.urgency.clear()),
    ];
    for (field, message, blank) in cases {
        let mut input = f.new_incident();
        blank(&mut input);
        let err = f.desk.log(&input).expect_err(field);
        assert_eq!(err.code(), "validation", "{field}");
        assert_eq!(err.field(), Some(*field));
        assert_eq!(err.to_string(), *message);
    }
    assert_eq!(
        f.desk.info().unwrap().incident_count,
        0,
        "nothing was saved"
    );
}

#[test]
fn bad_values_are_refused_with_the_rule() {
    let f = fixture();
    let mut i = f.new_incident();
    i.impact = "huge".into();
    let err = f.desk.log(&i).unwrap_err();
    assert_eq!(err.field(), Some("impact"));
    assert!(
        err.to_string()
            .contains("extensive, significant, moderate, minor"),
        "{err}"
    );

    let mut i = f.new_incident();
    i.started_at = Some("yesterday".into());
    assert_eq!(f.desk.log(&i).unwrap_err().field(), Some("started_at"));

    let mut i = f.new_incident();
    i.started_at = Some("2026-03-02T10:00:00Z".into());
    let err = f.desk.log(&i).unwrap_err();
    assert_eq!(err.to_string(), "The start time cannot be in the future");

    let mut i = f.new_incident();
    i.service_id = Some(999);
    assert_eq!(
        f.desk.log(&i).unwrap_err().to_string(),
        "Service 999 does not exist"
    );

    let mut i = f.new_incident();
    i.title = "x".repeat(201);
    assert_eq!(f.desk.log(&i).unwrap_err().field(), Some("title"));
}

#[test]
fn an_earlier_start_is_kept() {
    let f = fixture();
    let mut i = f.new_incident();
    i.started_at = Some("2026-03-02T08:37:00Z".into());
    let d = f.desk.log(&i).unwrap();
    assert_eq!(
        d.incident.started_at.to_rfc3339(),
        "2026-03-02T08:37:00+00:00"
    );
}

#[test]
fn overriding_the_priority_needs_a_reason_and_is_recorded() {
    let f = fixture();
    let mut i = f.new_incident();
    i.impact = "minor".into();
    i.urgency = "low".into();
    i.priority_override = Some("P2".into());
    let err = f.desk.log(&i).unwrap_err();
    assert_eq!(err.field(), Some("priority_override_reason"));
    assert!(
        err.to_string().contains("computed priority P4 with P2"),
        "{err}"
    );

    i.priority_override_reason = Some("CEO's laptop before the board meeting".into());
    let d = f.desk.log(&i).unwrap();
    assert_eq!(d.incident.priority, Priority::P2);
    assert_eq!(d.incident.computed_priority, Priority::P4);
    assert_eq!(f.kinds(&d), ["created", "priority_overridden"]);
    assert_eq!(
        d.timeline[1].detail.as_deref(),
        Some("CEO's laptop before the board meeting")
    );
}

#[test]
fn the_full_lifecycle_is_recorded_in_order() {
    let f = fixture();
    let d = f.log();
    f.clock.advance(Duration::minutes(4));
    let d = f
        .desk
        .acknowledge(&VersionedId {
            id: d.incident.id,
            expected_version: d.incident.version,
        })
        .unwrap();
    assert_eq!(d.incident.status, Status::InProgress);
    assert_eq!(
        d.incident.acknowledged_at.unwrap().to_rfc3339(),
        "2026-03-02T09:04:00+00:00"
    );
    assert_eq!(d.incident.assignee_name.as_deref(), Some("Amira Haddad"));
    f.clock.advance(Duration::minutes(10));
    let d = f
        .desk
        .escalate(&EscalateInput {
            id: d.incident.id,
            expected_version: d.incident.version,
            kind: "functional".into(),
            team_id: Some(f.network_team.id),
            person_id: None,
            reason: "Load balancer errors".into(),
        })
        .unwrap();
    assert_eq!(d.incident.team_name.as_deref(), Some("Network Team"));
    assert_eq!(d.incident.escalation_level, 1);
    let d = f
        .desk
        .record_workaround(&WorkaroundInput {
            id: d.incident.id,
            expected_version: d.incident.version,
            workaround: "Route EU traffic to the US pool".into(),
        })
        .unwrap();
    let d = f
        .desk
        .add_note(&NoteInput {
            id: d.incident.id,
            expected_version: 0,
            text: "Vendor ticket 4471 opened".into(),
        })
        .unwrap();
    f.clock.advance(Duration::days(1));
    let d = f.resolve(&d);
    let d = f.verify(&d);
    let d = f.close(&d);
    assert_eq!(d.incident.status, Status::Closed);
    assert_eq!(d.incident.closed_by.as_deref(), Some("Amira Haddad"));
    let kinds = f.kinds(&d);
    let expected = [
        "created",
        "acknowledged",
        "assigned",
        "field_changed",
        "escalated",
        "assigned", // the escalation handed it to the team: the person is cleared, recorded
        "workaround",
        "note",
        "resolved",
        "field_changed",
        "verified",
        "closed",
        "field_changed",
    ];
    assert_eq!(kinds, expected);
    let times: Vec<_> = d.timeline.iter().map(|e| e.at).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "timeline in order");
    assert_eq!(
        d.timeline.last().unwrap().at.to_rfc3339(),
        "2026-03-03T09:14:00+00:00"
    );
    // Every change is the operator's; only the desk's own SLA entries are not.
    assert!(d
        .timeline
        .iter()
        .all(|e| e.actor == "Amira Haddad"
            || (e.kind.starts_with("sla_") && e.actor == "Incident Desk")));
}

#[test]
fn resolving_without_notes_or_code_is_refused() {
    let f = fixture();
    let d = f.log();
    let err = f
        .desk
        .resolve(&ResolveInput {
            id: d.incident.id,
            expected_version: 1,
            resolution_code: "fixed".into(),
            resolution_notes: " ".into(),
        })
        .unwrap_err();
    assert_eq!(err.field(), Some("resolution_notes"));
    assert_eq!(
        err.to_string(),
        "Resolution notes are required to resolve INC-000001: say what restored the service"
    );
    let err = f
        .desk
        .resolve(&ResolveInput {
            id: d.incident.id,
            expected_version: 1,
            resolution_code: String::new(),
            resolution_notes: "x".into(),
        })
        .unwrap_err();
    assert_eq!(err.field(), Some("resolution_code"));
    assert_eq!(
        f.desk.get(d.incident.id).unwrap().incident.status,
        Status::New
    );
}

#[test]
fn closing_before_verification_is_refused() {
    let f = fixture();
    let d = f.resolve(&f.log());
    let err = f
        .desk
        .close(&CloseInput {
            id: d.incident.id,
            expected_version: d.incident.version,
            closure_notes: "done".into(),
        })
        .unwrap_err();
    assert_eq!(err.code(), "invalid_transition");
    assert!(err.to_string().contains("not been verified"), "{err}");
    let err = f
        .desk
        .close(&CloseInput {
            id: d.incident.id,
            expected_version: d.incident.version,
            closure_notes: String::new(),
        })
        .unwrap_err();
    assert_eq!(
        err.code(),
        "invalid_transition",
        "the missing verification is said first"
    );
}

#[test]
fn closing_needs_closure_notes() {
    let f = fixture();
    let d = f.verify(&f.resolve(&f.log()));
    let err = f
        .desk
        .close(&CloseInput {
            id: d.incident.id,
            expected_version: d.incident.version,
            closure_notes: " ".into(),
        })
        .unwrap_err();
    assert_eq!(err.field(), Some("closure_notes"));
}

#[test]
fn reopening_needs_a_reason_is_counted_and_clears_the_resolution() {
    let f = fixture();
    let d = f.close(&f.verify(&f.resolve(&f.log())));
    let err = f
        .desk
        .reopen(&ReopenInput {
            id: d.incident.id,
            expected_version: d.incident.version,
            reason: String::new(),
        })
        .unwrap_err();
    assert_eq!(err.field(), Some("reason"));
    let d = f
        .desk
        .reopen(&ReopenInput {
            id: d.incident.id,
            expected_version: d.incident.version,
            reason: "503s are back".into(),
        })
        .unwrap();
    assert_eq!(d.incident.status, Status::InProgress);
    assert_eq!(d.incident.reopen_count, 1);
    assert!(
        d.incident.resolved_at.is_none()
            && d.incident.verified_at.is_none()
            && d.incident.closed_at.is_none()
    );
    let d = f.resolve(&d);
    let d = f
        .desk
        .reopen(&ReopenInput {
            id: d.incident.id,
            expected_version: d.incident.version,
            reason: "Again".into(),
        })
        .unwrap();
    assert_eq!(d.incident.reopen_count, 2);
}

#[test]
fn notes_on_a_closed_incident_are_refused_until_it_is_reopened() {
    let f = fixture();
    let d = f.close(&f.verify(&f.resolve(&f.log())));
    let err = f
        .desk
        .add_note(&NoteInput {
            id: d.incident.id,
            expected_version: d.incident.version,
            text: "late".into(),
        })
        .unwrap_err();
    assert_eq!(err.code(), "invalid_transition");
    assert!(err.to_string().contains("Reopen it first"), "{err}");
}

#[test]
fn every_field_change_records_old_and_new_value_actor_and_time() {
    let f = fixture();
    let d = f.log();
    f.clock.advance(Duration::minutes(3));
    let d = f
        .desk
        .update(&UpdateIncident {
            id: d.incident.id,
            expected_version: d.incident.version,
            changes: IncidentChanges {
                title: Some("Checkout 503 in EU and UK".into()),
                service_id: Some(f.service),
                urgency: Some("medium".into()),
                ..Default::default()
            },
        })
        .unwrap();
    assert_eq!(d.incident.priority, Priority::P2, "extensive × medium");
    let changes: Vec<_> = d
        .timeline
        .iter()
        .filter(|e| e.kind == "field_changed")
        .map(|e| {
            (
                e.field.clone().unwrap(),
                e.old_value.clone().unwrap(),
                e.new_value.clone().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        changes,
        [
            (
                "title".into(),
                "Checkout returns 503 for EU customers".into(),
                "Checkout 503 in EU and UK".into()
            ),
            (
                "service_id".into(),
                "Web Shop Checkout".into(),
                "E-mail".into()
            ),
            ("urgency".into(), "Critical".into(), "Medium".into()),
            ("priority".into(), "P1".into(), "P2".into()),
        ]
    );
    // The operator's last change; the due-time entries after it are the desk's own.
    let last = d
        .timeline
        .iter()
        .rev()
        .find(|e| !e.kind.starts_with("sla_"))
        .unwrap();
    assert_eq!(last.actor, "Amira Haddad");
    assert_eq!(last.actor_name, "Amira Haddad");
    assert!(d
        .timeline
        .iter()
        .filter(|e| e.kind == "sla_due")
        .all(|e| e.actor_name == "Incident Desk" && e.actor_id.is_none()));
    assert_eq!(last.at.to_rfc3339(), "2026-03-02T09:03:00+00:00");
    let title_change = d
        .timeline
        .iter()
        .find(|e| e.field.as_deref() == Some("title"))
        .unwrap();
    assert!(
        title_change.summary.contains("changed Title from"),
        "{}",
        title_change.summary
    );
}

#[test]
fn an_edit_that_changes_nothing_is_refused() {
    let f = fixture();
    let d = f.log();
    let err = f
        .desk
        .update(&UpdateIncident {
            id: d.incident.id,
            expected_version: d.incident.version,
            changes: IncidentChanges {
                title: Some(d.incident.title.clone()),
                ..Default::default()
            },
        })
        .unwrap_err();
    assert_eq!(err.code(), "validation");
    assert!(err.to_string().contains("Nothing to save"));
}

#[test]
fn a_stale_update_is_a_conflict_naming_who_changed_it_and_when() {
    let f = fixture();
    let d = f.log();
    f.desk.set_operator(f.colleague.id).unwrap();
    f.clock.advance(Duration::minutes(2));
    f.desk
        .assign(&AssignInput {
            id: d.incident.id,
            expected_version: 1,
            assignee_id: Some(f.colleague.id),
            team_id: None,
        })
        .unwrap();
    f.desk.set_operator(f.me.id).unwrap();
    let err = f
        .desk
        .update(&UpdateIncident {
            id: d.incident.id,
            expected_version: 1,
            changes: IncidentChanges {
                title: Some("My edit".into()),
                ..Default::default()
            },
        })
        .unwrap_err();
    assert_eq!(err.code(), "conflict");
    let msg = err.to_string();
    assert!(
        msg.contains("Jonas Berg") && msg.contains("2026-03-02 09:02:00"),
        "{msg}"
    );
    let now = f.desk.get(d.incident.id).unwrap();
    assert_eq!(now.incident.title, d.incident.title, "nothing overwritten");
}

#[test]
fn changes_without_an_operator_are_refused() {
    let (desk, _) = desk_at("2026-03-02T09:00:00Z");
    let err = desk.log(&NewIncident::default()).unwrap_err();
    assert_eq!(err.field(), Some("operator"));
}

#[test]
fn hierarchical_escalation_names_the_manager_and_needs_a_reason() {
    let f = fixture();
    let d = f.log();
    let err = f
        .desk
        .escalate(&EscalateInput {
            id: d.incident.id,
            expected_version: 1,
            kind: "hierarchical".into(),
            team_id: None,
            person_id: Some(f.colleague.id),
            reason: String::new(),
        })
        .unwrap_err();
    assert_eq!(err.field(), Some("reason"));
    let d = f
        .desk
        .escalate(&EscalateInput {
            id: d.incident.id,
            expected_version: 1,
            kind: "hierarchical".into(),
            team_id: None,
            person_id: Some(f.colleague.id),
            reason: "Revenue at risk".into(),
        })
        .unwrap();
    let e = d.timeline.last().unwrap();
    assert_eq!(
        e.summary,
        "Amira Haddad escalated it (hierarchical) to Jonas Berg"
    );
}

// ---- issue 9: records that never change silently, choices from the core ----

fn another_team(f: &Fixture) -> Team {
    f.desk
        .save_team(&TeamInput {
            id: None,
            name: "Database Team".into(),
            tier: "specialist".into(),
            contact: "db@example.org".into(),
            expected_response_minutes: 30,
        })
        .unwrap()
}

#[test]
fn escalating_an_assigned_incident_records_that_its_assignee_was_cleared() {
    let f = fixture();
    let d = f.log();
    let d = f
        .desk
        .assign(&AssignInput {
            id: d.incident.id,
            expected_version: d.incident.version,
            assignee_id: Some(f.colleague.id),
            team_id: Some(f.network_team.id),
        })
        .unwrap();
    let db = another_team(&f);
    let d = f
        .desk
        .escalate(&EscalateInput {
            id: d.incident.id,
            expected_version: d.incident.version,
            kind: "functional".into(),
            team_id: Some(db.id),
            person_id: None,
            reason: "Database locks, not the network".into(),
        })
        .unwrap();
    assert_eq!(d.incident.assignee_id, None, "the receiving team decides");
    let cleared: Vec<_> = d
        .timeline
        .iter()
        .filter(|e| e.kind == "assigned" && e.field.as_deref() == Some("assignee_id"))
        .map(|e| (e.old_value.clone(), e.new_value.clone(), e.detail.clone()))
        .collect();
    assert_eq!(
        cleared.last(),
        Some(&(
            Some("Jonas Berg".to_string()),
            None,
            Some("Escalated to Database Team: the receiving team decides who works it".into())
        )),
        "{cleared:?}"
    );
    // An escalation of an unassigned incident clears nobody and records no such entry.
    let e = f.log();
    let e = f
        .desk
        .escalate(&EscalateInput {
            id: e.incident.id,
            expected_version: e.incident.version,
            kind: "functional".into(),
            team_id: Some(db.id),
            person_id: None,
            reason: "Database".into(),
        })
        .unwrap();
    assert!(!e.timeline.iter().any(|x| x.kind == "assigned"));
}

/// An incident brought to `status` ("paused" = in progress with its clocks paused).
fn incident_in(f: &Fixture, status: &str) -> IncidentDetail {
    let d = f.log();
    let vid = |d: &IncidentDetail| VersionedId {
        id: d.incident.id,
        expected_version: d.incident.version,
    };
    let d = match status {
        "new" => return d,
        "assigned" => {
            return f
                .desk
                .assign(&AssignInput {
                    id: d.incident.id,
                    expected_version: d.incident.version,
                    assignee_id: None,
                    team_id: Some(f.network_team.id),
                })
                .unwrap()
        }
        _ => f.desk.acknowledge(&vid(&d)).unwrap(),
    };
    match status {
        "in_progress" => d,
        "paused" => f
            .desk
            .pause(&PauseInput {
                id: d.incident.id,
                expected_version: d.incident.version,
                reason: "awaiting reporter".into(),
            })
            .unwrap(),
        _ => {
            let d = f.resolve(&d);
            match status {
                "resolved" => d,
                "verified" => f.verify(&d),
                "closed" => f.close(&f.verify(&d)),
                other => panic!("no such status {other}"),
            }
        }
    }
}

/// Tries `action` on `d` with a valid input.
fn attempt(
    f: &Fixture,
    d: &IncidentDetail,
    action: &str,
    team: i64,
) -> incident_desk::Result<IncidentDetail> {
    let (id, v) = (d.incident.id, d.incident.version);
    let vid = VersionedId {
        id,
        expected_version: v,
    };
    match action {
        "edit" => f.desk.update(&UpdateIncident {
            id,
            expected_version: v,
            changes: IncidentChanges {
                title: Some("A new title".into()),
                ..Default::default()
            },
        }),
        "assign" => f.desk.assign(&AssignInput {
            id,
            expected_version: v,
            assignee_id: Some(f.colleague.id),
            team_id: None,
        }),
        "acknowledge" => f.desk.acknowledge(&vid),
        "note" => f.desk.add_note(&NoteInput {
            id,
            expected_version: v,
            text: "Checked the logs".into(),
        }),
        "escalate" => f.desk.escalate(&EscalateInput {
            id,
            expected_version: v,
            kind: "functional".into(),
            team_id: Some(team),
            person_id: None,
            reason: "Needs the database team".into(),
        }),
        "workaround" => f.desk.record_workaround(&WorkaroundInput {
            id,
            expected_version: v,
            workaround: "Use the backup gateway".into(),
        }),
        "resolve" => f.desk.resolve(&ResolveInput {
            id,
            expected_version: v,
            resolution_code: "fixed".into(),
            resolution_notes: "Restarted".into(),
        }),
        "verify" => f.desk.verify(&VerifyInput {
            id,
            expected_version: v,
            method: "monitoring_data".into(),
            notes: String::new(),
        }),
        "close" => f.desk.close(&CloseInput {
            id,
            expected_version: v,
            closure_notes: "Done".into(),
        }),
        "reopen" => f.desk.reopen(&ReopenInput {
            id,
            expected_version: v,
            reason: "It came back".into(),
        }),
        "pause" => f.desk.pause(&PauseInput {
            id,
            expected_version: v,
            reason: "awaiting reporter".into(),
        }),
        "resume" => f.desk.resume(&vid),
        other => panic!("unknown action {other}"),
    }
}

#[test]
fn the_allowed_actions_of_every_status_are_exactly_those_the_core_accepts() {
    let f = fixture();
    let mut p1 = f
        .desk
        .sla_settings()
        .unwrap()
        .policies
        .into_iter()
        .find(|p| p.priority == Priority::P1)
        .unwrap();
    p1.pause_reasons = vec!["awaiting reporter".into()];
    f.desk.save_sla_policy(&p1).unwrap();
    let team = another_team(&f).id;
    let working = "edit assign acknowledge note escalate workaround resolve pause";
    let expected: &[(&str, &str)] = &[
        ("new", working),
        ("assigned", working),
        (
            "in_progress",
            "edit assign note escalate workaround resolve pause",
        ),
        (
            "paused",
            "edit assign note escalate workaround resolve resume",
        ),
        ("resolved", "note verify reopen"),
        ("verified", "note close reopen"),
        ("closed", "reopen"),
    ];
    let all = [
        "edit",
        "assign",
        "acknowledge",
        "note",
        "escalate",
        "workaround",
        "resolve",
        "verify",
        "close",
        "reopen",
        "pause",
        "resume",
    ];
    for (status, allowed) in expected {
        let d = incident_in(&f, status);
        let allowed: Vec<&str> = allowed.split(' ').collect();
        assert_eq!(d.allowed_actions, allowed, "allowed while {status}");
        for action in all {
            let fresh = incident_in(&f, status);
            let got = attempt(&f, &fresh, action, team);
            if allowed.contains(&action) {
                assert!(
                    got.is_ok(),
                    "{action} is offered while {status} but refused: {got:?}"
                );
            } else {
                assert!(
                    got.is_err(),
                    "{action} is not offered while {status} but accepted"
                );
            }
        }
    }
    // Without a pause reason in the policy, pausing is not offered (the action refuses it).
    p1.pause_reasons.clear();
    f.desk.save_sla_policy(&p1).unwrap();
    let d = incident_in(&f, "in_progress");
    assert!(!d.allowed_actions.iter().any(|a| a == "pause"));
    assert!(attempt(&f, &d, "pause", team).is_err());
}

#[test]
fn a_new_incident_with_four_bad_fields_reports_all_four() {
    let f = fixture();
    let mut i = f.new_incident();
    i.title = " ".into();
    i.description.clear();
    i.channel = "fax".into();
    i.impact = "huge".into();
    let err = f.desk.log(&i).unwrap_err();
    assert_eq!(err.code(), "validation");
    let payload = err.to_payload();
    let fields: Vec<_> = payload.problems.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(fields, ["title", "description", "channel", "impact"]);
    assert_eq!(
        payload.field.as_deref(),
        Some("title"),
        "field is the first problem"
    );
    assert_eq!(payload.message, payload.problems[0].message);
    assert!(
        payload.problems[2].message.contains("fax"),
        "{:?}",
        payload.problems
    );
    let json = serde_json::to_value(&payload).unwrap();
    assert_eq!(json["problems"].as_array().map(Vec::len), Some(4), "{json}");
    assert!(
        f.desk
            .list(&IncidentQuery::default())
            .unwrap()
            .rows
            .is_empty(),
        "nothing written"
    );
}

#[test]
fn an_edit_with_two_bad_fields_reports_both_and_changes_nothing() {
    let f = fixture();
    let d = f.log();
    let err = f
        .desk
        .update(&UpdateIncident {
            id: d.incident.id,
            expected_version: d.incident.version,
            changes: IncidentChanges {
                title: Some(String::new()),
                users_affected: Some(-5),
                description: Some("A better description".into()),
                ..Default::default()
            },
        })
        .unwrap_err();
    let fields: Vec<_> = err.problems().into_iter().map(|p| p.field).collect();
    assert_eq!(fields, ["title", "users_affected"]);
    let now = f.desk.get(d.incident.id).unwrap();
    assert_eq!(now.incident.version, d.incident.version);
}

#[test]
fn times_in_the_future_are_refused_in_words() {
    let f = fixture();
    let mut i = f.new_incident();
    i.detected_at = Some("2030-01-01T00:00:00Z".into());
    let err = f.desk.log(&i).unwrap_err();
    assert_eq!(
        err.to_string(),
        "The detection time cannot be in the future"
    );
}

#[test]
fn the_vocabulary_labels_every_value_of_every_group_the_window_uses() {
    use incident_desk::domain::lifecycle::Action;
    use incident_desk::domain::sla::clocks::{ClockKind, ClockState};
    use incident_desk::domain::sla::config::{RuleAction, RuleTrigger};
    let f = fixture();
    let v = f.desk.reference_data().unwrap().vocabulary;
    for group in [
        "clock_kind",
        "clock_state",
        "alert_kind",
        "rule_trigger",
        "rule_action",
        "milestone",
        "paper_size",
        "backup_kind",
        "review_outcome",
        "review_status",
        "event_kind",
        "status",
        "priority",
        "impact",
        "urgency",
        "channel",
        "resolution_code",
        "verification_method",
        "escalation_kind",
        "tier",
        "role",
        "criticality",
        "action",
    ] {
        let g = v
            .get(group)
            .unwrap_or_else(|| panic!("group {group} missing"));
        assert!(!g.is_empty(), "{group} is empty");
        assert!(g.values().all(|l| !l.trim().is_empty()), "{group}: {g:?}");
    }
    let has = |group: &str, value: &str| {
        assert!(
            v[group].get(value).is_some_and(|l| !l.is_empty()),
            "{group}.{value} has no label"
        )
    };
    for s in Status::ALL {
        has("status", s.as_str());
    }
    for p in Priority::ALL {
        has("priority", p.as_str());
    }
    for x in Impact::ALL {
        has("impact", x.as_str());
    }
    for x in Urgency::ALL {
        has("urgency", x.as_str());
    }
    for x in Channel::ALL {
        has("channel", x.as_str());
    }
    for x in ResolutionCode::ALL {
        has("resolution_code", x.as_str());
    }
    for x in VerificationMethod::ALL {
        has("verification_method", x.as_str());
    }
    for x in EscalationKind::ALL {
        has("escalation_kind", x.as_str());
    }
    for x in Tier::ALL {
        has("tier", x.as_str());
    }
    for x in Role::ALL {
        has("role", x.as_str());
    }
    for x in Criticality::ALL {
        has("criticality", x.as_str());
    }
    for x in ClockKind::ALL {
        has("clock_kind", x.as_str());
    }
    for x in ClockState::ALL {
        has("clock_state", x.as_str());
    }
    assert_eq!(v["clock_state"]["warning"], "Warning");
    for x in RuleTrigger::ALL {
        has("rule_trigger", x.as_str());
    }
    for x in RuleAction::ALL {
        has("rule_action", x.as_str());
    }
    for x in Action::OFFERED {
        has("action", x.as_str());
    }
    for m in ["started", "detected", "workaround_available", "resolved"] {
        has("milestone", m);
    }
    for p in ["a4", "letter"] {
        has("paper_size", p);
    }
    // Every kind of timeline entry a lifecycle run writes has a label.
    let d = f.close(&f.verify(&f.resolve(&f.log())));
    for e in &d.timeline {
        has("event_kind", &e.kind);
    }
}

#[test]
fn reopening_counts_in_words() {
    let f = fixture();
    let d = incident_in(&f, "resolved");
    let reopen = |d: &IncidentDetail| {
        f.desk
            .reopen(&ReopenInput {
                id: d.incident.id,
                expected_version: d.incident.version,
                reason: "It came back".into(),
            })
            .unwrap()
    };
    let d = reopen(&d);
    let d = reopen(&f.resolve(&d));
    let counts: Vec<_> = d
        .timeline
        .iter()
        .filter(|e| e.kind == "reopened")
        .filter_map(|e| e.new_value.clone())
        .collect();
    assert_eq!(counts, ["reopened once", "reopened 2 times"]);
}

#[test]
fn escalating_on_a_desk_without_teams_says_where_to_add_one() {
    let (desk, _clock) = desk_at("2026-03-02T09:00:00Z");
    let me = desk
        .save_person(&PersonInput {
            name: "Amira Haddad".into(),
            ..Default::default()
        })
        .unwrap();
    desk.set_operator(me.id).unwrap();
    let service = desk
        .save_service(&ServiceInput {
            name: "E-mail".into(),
            criticality: "high".into(),
            ..Default::default()
        })
        .unwrap();
    let category = desk.reference_data().unwrap().categories[0].id;
    let d = desk
        .log(&NewIncident {
            title: "Mail is slow".into(),
            description: "Since nine".into(),
            category_id: Some(category),
            service_id: Some(service.id),
            reporter_name: "Laura".into(),
            reporter_contact: "laura@example.org".into(),
            channel: "phone".into(),
            impact: "minor".into(),
            urgency: "low".into(),
            ..Default::default()
        })
        .unwrap();
    let err = desk
        .escalate(&EscalateInput {
            id: d.incident.id,
            expected_version: d.incident.version,
            kind: "functional".into(),
            team_id: None,
            person_id: None,
            reason: "Needs specialists".into(),
        })
        .unwrap_err();
    assert_eq!(err.field(), Some("team_id"));
    assert!(err.to_string().contains("Settings → Teams"), "{err}");
}
