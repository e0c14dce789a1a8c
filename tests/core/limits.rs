//! Issue 8: no input may crash the app. Each reproduction of the issue is refused with its field
//! named, and the desk keeps working after it; values saved by older versions beyond the limits
//! are read without a panic.

use crate::support::{fixture, Fixture};
use incident_desk::desk::IncidentDetail;
use incident_desk::domain::limits::{MAX_MINUTES, MAX_TEXT};
use incident_desk::domain::major::{Audience, MajorCriteria, Template};
use incident_desk::domain::model::*;
use incident_desk::domain::sla::config::{
    CalendarRecord, EscalationRule, ReminderSettings, RuleAction, RuleTrigger,
};
use incident_desk::Error;

fn refused(result: Result<impl std::fmt::Debug, Error>, field: &str, rule: &str) {
    let err = result.expect_err("the value should be refused");
    assert_eq!(err.code(), "validation", "{err}");
    assert_eq!(err.field(), Some(field), "{err}");
    assert!(
        err.to_string().contains(rule),
        "message should state the rule: {err}"
    );
}

/// Logs an incident of `p` on the revenue-generating service with extensive impact, opens it,
/// notes and resolves it: every path that computes deadlines or criteria.
fn still_works(f: &Fixture, p: Priority) -> IncidentDetail {
    let d = f
        .desk
        .log(&NewIncident {
            priority_override: Some(p.as_str().into()),
            priority_override_reason: Some("Testing every priority".into()),
            ..f.new_incident()
        })
        .unwrap_or_else(|e| panic!("logging a {} incident: {e}", p.as_str()));
    assert_eq!(d.incident.priority, p);
    f.desk.get(d.incident.id).expect("opened");
    let d = f
        .desk
        .add_note(&NoteInput {
            id: d.incident.id,
            expected_version: d.incident.version,
            text: "Still looking".into(),
        })
        .expect("noted");
    f.desk.major_view(d.incident.id).expect("major view");
    f.resolve(&d)
}

fn every_priority_still_works(f: &Fixture) {
    for p in Priority::ALL {
        still_works(f, *p);
    }
    f.clock.advance(chrono::Duration::days(30));
    f.desk.fire_due().expect("deadlines fire");
    f.desk.list(&IncidentQuery::default()).expect("list");
}

#[test]
fn a_revenue_outage_threshold_beyond_ten_years_is_refused_and_revenue_incidents_still_open() {
    let f = fixture();
    refused(
        f.desk.save_major_criteria(&MajorCriteria {
            revenue_down_minutes: 200_000_000_000_000,
            ..Default::default()
        }),
        "revenue_down_minutes",
        "between 1 and 5,256,000 minutes (10 years)",
    );
    f.desk
        .save_major_criteria(&MajorCriteria {
            revenue_down_minutes: MAX_MINUTES,
            ..Default::default()
        })
        .expect("ten years is the limit itself");
    every_priority_still_works(&f);
}

#[test]
fn thresholds_of_users_and_percentages_beyond_their_limits_are_refused() {
    let f = fixture();
    refused(
        f.desk.save_major_criteria(&MajorCriteria {
            users_threshold: i64::MAX,
            ..Default::default()
        }),
        "users_threshold",
        "between 1 and 10,000,000",
    );
    refused(
        f.desk.save_major_criteria(&MajorCriteria {
            p1_breach_likely_percent: 101,
            ..Default::default()
        }),
        "p1_breach_likely_percent",
        "between 1 and 100",
    );
    refused(
        f.desk.log(&NewIncident {
            users_affected: Some(i64::MAX),
            ..f.new_incident()
        }),
        "users_affected",
        "between 0 and 10,000,000",
    );
}

#[test]
fn a_p3_resolution_target_of_i64_max_is_refused_and_p3_incidents_still_log() {
    let f = fixture();
    let p3 = f
        .desk
        .sla_settings()
        .unwrap()
        .policies
        .into_iter()
        .find(|p| p.priority == Priority::P3)
        .unwrap();
    for minutes in [i64::MAX, MAX_MINUTES + 1, 100_000_000_000_000] {
        refused(
            f.desk
                .save_sla_policy(&incident_desk::domain::sla::config::SlaPolicy {
                    resolution_minutes: minutes,
                    ..p3.clone()
                }),
            "resolution_minutes",
            "between 1 and 5,256,000 minutes (10 years)",
        );
    }
    refused(
        f.desk
            .save_sla_policy(&incident_desk::domain::sla::config::SlaPolicy {
                response_minutes: i64::MAX,
                resolution_minutes: i64::MAX,
                ..p3.clone()
            }),
        "response_minutes",
        "5,256,000",
    );
    f.desk
        .save_sla_policy(&incident_desk::domain::sla::config::SlaPolicy {
            resolution_minutes: MAX_MINUTES,
            ..p3
        })
        .expect("ten years is the limit itself");
    let d = still_works(&f, Priority::P3);
    assert_eq!(d.incident.priority, Priority::P3);
    every_priority_still_works(&f);
}

fn rule(after_minutes: i64) -> EscalationRule {
    EscalationRule {
        id: None,
        name: "Network after 15 minutes".into(),
        active: true,
        priority: None,
        category_id: None,
        service_id: None,
        team_id: None,
        tier: None,
        trigger: RuleTrigger::Unresolved,
        after_minutes,
        action: RuleAction::NotifyPerson,
        target_team_id: None,
        target_person_id: None,
        target_priority: None,
        reason: String::new(),
    }
}

#[test]
fn an_escalation_rule_threshold_of_i64_max_is_refused_and_incidents_still_log() {
    let f = fixture();
    let mut r = rule(i64::MAX);
    r.target_person_id = Some(f.colleague.id);
    refused(
        f.desk.save_escalation_rule(&r),
        "after_minutes",
        "between 1 and 5,256,000 minutes (10 years)",
    );
    r.after_minutes = MAX_MINUTES;
    f.desk.save_escalation_rule(&r).expect("the limit itself");
    every_priority_still_works(&f);
}

#[test]
fn reminders_of_i64_max_or_ten_to_the_fourteen_minutes_are_refused_and_resolving_still_works() {
    let f = fixture();
    refused(
        f.desk.save_reminders(&ReminderSettings {
            update_minutes: [Some(i64::MAX), None, None, None],
            ..Default::default()
        }),
        "update_minutes",
        "between 1 and 5,256,000 minutes (10 years)",
    );
    refused(
        f.desk.save_reminders(&ReminderSettings {
            closure_minutes: Some(100_000_000_000_000),
            ..Default::default()
        }),
        "closure_minutes",
        "between 1 and 5,256,000 minutes (10 years)",
    );
    f.desk
        .save_reminders(&ReminderSettings {
            update_minutes: [Some(MAX_MINUTES); 4],
            closure_minutes: Some(MAX_MINUTES),
            quiet_hours: None,
        })
        .expect("the limit itself");
    every_priority_still_works(&f);
}

/// What an older version without bounds may have saved: every minute value at its most
/// extreme. Reading and acting on it must not panic: such a deadline is simply not set.
#[test]
fn out_of_range_values_saved_by_an_older_version_give_no_deadline_instead_of_a_panic() {
    let f = fixture();
    let mut r = rule(15);
    r.target_person_id = Some(f.colleague.id);
    f.desk.save_escalation_rule(&r).unwrap();
    let d = f.log();
    f.desk
        .declare_major(&incident_desk::domain::major::DeclareInput {
            id: d.incident.id,
            expected_version: d.incident.version,
            reason: "Checkout down".into(),
            manager_id: Some(
                f.desk
                    .save_person(&PersonInput {
                        name: "Mia Major".into(),
                        roles: vec!["major_incident_manager".into()],
                        ..Default::default()
                    })
                    .unwrap()
                    .id,
            ),
            bridge: "https://meet.example.org/inc".into(),
            emergency_change: String::new(),
        })
        .unwrap();
    f.desk
        .db()
        .write(|tx| {
            tx.execute_batch(&format!(
                "UPDATE sla_policies SET response_minutes = {max}, resolution_minutes = {max},
                   warn_percents = '[-5, 50, {max}]';
                 UPDATE escalation_rules SET after_minutes = {max};
                 UPDATE audiences SET cadence_minutes = {max};
                 INSERT INTO settings (key, value) VALUES ('reminders',
                   '{{\"update_minutes\":[{max},{min},100000000000000,1],\"closure_minutes\":100000000000000,\"quiet_hours\":null}}');
                 INSERT INTO settings (key, value) VALUES ('major_criteria',
                   '{{\"users_threshold\":{max},\"revenue_down_minutes\":200000000000000,\"p1_breach_likely_percent\":{min},\"risk_categories\":[]}}');",
                max = i64::MAX,
                min = i64::MIN
            ))?;
            Ok(())
        })
        .unwrap();
    let again = f
        .desk
        .get(d.incident.id)
        .expect("the major incident still opens");
    f.desk.major_view(d.incident.id).expect("major view");
    f.desk
        .draft_update(d.incident.id, 1, 1)
        .expect("a draft with no next update time");
    let resolved = f.resolve(&again);
    f.desk
        .review(resolved.incident.id)
        .expect("the review's figures are computed");
    for p in Priority::ALL {
        let d = still_works(&f, *p);
        let clocks = &f.desk.get(d.incident.id).unwrap().sla.clocks;
        assert!(clocks.iter().all(|c| c.due_at.is_none()), "{clocks:?}");
    }
    f.clock.advance(chrono::Duration::days(3650));
    f.desk.fire_due().expect("nothing to fire, no panic");
    f.desk
        .save_sla_policy(&f.desk.sla_settings().unwrap().policies[0])
        .expect_err("a stored value beyond the limits is refused when saved again");
}

#[test]
fn a_description_over_100000_characters_is_refused_naming_the_field() {
    let f = fixture();
    refused(
        f.desk.log(&NewIncident {
            description: "x".repeat(MAX_TEXT + 1),
            ..f.new_incident()
        }),
        "description",
        "at most 100,000 characters",
    );
    let d = f
        .desk
        .log(&NewIncident {
            description: "é".repeat(MAX_TEXT),
            ..f.new_incident()
        })
        .expect("100,000 characters is the limit itself");
    refused(
        f.desk.add_note(&NoteInput {
            id: d.incident.id,
            expected_version: d.incident.version,
            text: "n".repeat(MAX_TEXT + 1),
        }),
        "text",
        "at most 100,000 characters",
    );
    refused(
        f.desk.resolve(&ResolveInput {
            id: d.incident.id,
            expected_version: d.incident.version,
            resolution_code: "fixed".into(),
            resolution_notes: "r".repeat(MAX_TEXT + 1),
        }),
        "resolution_notes",
        "at most 100,000 characters",
    );
    refused(
        f.desk.log(&NewIncident {
            reporter_name: "n".repeat(101),
            ..f.new_incident()
        }),
        "reporter_name",
        "at most 100 characters",
    );
    refused(
        f.desk.save_team(&TeamInput {
            name: "Team".into(),
            tier: "specialist".into(),
            contact: "c".repeat(1001),
            ..Default::default()
        }),
        "contact",
        "at most 1,000 characters",
    );
}

#[test]
fn a_search_of_more_than_500_characters_or_32_words_is_refused() {
    let f = fixture();
    f.log();
    refused(
        f.desk.list(&IncidentQuery {
            text: Some("checkout ".repeat(33)),
            ..Default::default()
        }),
        "text",
        "at most 32 words",
    );
    refused(
        f.desk.list(&IncidentQuery {
            text: Some("c".repeat(501)),
            ..Default::default()
        }),
        "text",
        "at most 500 characters",
    );
    let page = f
        .desk
        .list(&IncidentQuery {
            text: Some("checkout ".repeat(32)),
            ..Default::default()
        })
        .expect("32 words is the limit itself");
    assert_eq!(page.total, 1);
}

#[test]
fn a_duplicate_audience_template_or_calendar_name_is_a_validation_error_on_name() {
    let f = fixture();
    let settings = f.desk.communication_settings().unwrap();
    let err = f
        .desk
        .save_audience(
            &Audience {
                id: 0,
                name: "executives".into(),
                recipients: "board@example.org".into(),
                cadence_minutes: 30,
                active: true,
            },
            true,
        )
        .unwrap_err();
    assert_eq!((err.code(), err.field()), ("validation", Some("name")));
    assert!(
        err.to_string()
            .contains("An audience named \"executives\" already exists"),
        "{err}"
    );
    let other = &settings.templates[1];
    let err = f
        .desk
        .save_template(
            &Template {
                name: settings.templates[0].name.clone(),
                ..other.clone()
            },
            false,
        )
        .unwrap_err();
    assert_eq!((err.code(), err.field()), ("validation", Some("name")));
    assert!(err.to_string().contains("already exists"), "{err}");
    let cal: CalendarRecord = f.desk.sla_settings().unwrap().calendars[0].clone();
    let err = f.desk.save_calendar(&cal, true).unwrap_err();
    assert_eq!((err.code(), err.field()), ("validation", Some("name")));
    assert!(
        err.to_string()
            .contains(&format!("A calendar named {:?} already exists", cal.name)),
        "{err}"
    );
}

#[test]
fn a_huge_unknown_value_is_quoted_short_in_the_message() {
    let f = fixture();
    let err = f
        .desk
        .preview_priority(&"z".repeat(1_000_000), "high")
        .unwrap_err();
    assert_eq!(err.field(), Some("impact"));
    assert!(err.to_string().len() < 300, "{}", err.to_string().len());
}

/// A 24×7 target of five billion minutes (an older version saved it) lands in the year
/// 11,500: a deadline the database cannot keep is not set, and the list and the scheduler
/// still read every deadline.
#[test]
fn a_deadline_beyond_the_year_9999_is_not_set_and_the_list_still_reads() {
    let f = fixture();
    f.desk
        .db()
        .write(|tx| {
            tx.execute(
                "UPDATE sla_policies SET response_minutes = 5000000000, resolution_minutes = 5000000000 WHERE priority = 'P1'",
                [],
            )?;
            Ok(())
        })
        .unwrap();
    let d = still_works(&f, Priority::P1);
    assert!(
        f.desk
            .get(d.incident.id)
            .unwrap()
            .sla
            .clocks
            .iter()
            .all(|c| c.due_at.is_none()),
        "no due time that far"
    );
    f.desk
        .list(&IncidentQuery::default())
        .expect("the list reads every deadline");
    f.desk
        .next_deadline()
        .expect("the scheduler reads every deadline");
}
