//! SLA scenarios on a virtual clock: warnings, breaches, business hours, pauses, reopen,
//! priority changes, escalation rules, reminders, replay after a restart, notifications.

use crate::support::*;
use chrono::{DateTime, Duration, Utc};
use incident_desk::desk::*;
use incident_desk::domain::model::*;
use incident_desk::domain::sla::clocks::{ClockKind, ClockState};
use incident_desk::domain::sla::config::*;
use incident_desk::notify::RecordingNotifier;
use incident_desk::scheduler::{summary_of_missed, SchedulerHandle};
use incident_desk::{Desk, FixedClock};
use std::sync::Arc;

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn policy(f: &Fixture, p: Priority) -> SlaPolicy {
    f.desk
        .sla_settings()
        .unwrap()
        .policies
        .into_iter()
        .find(|x| x.priority == p)
        .unwrap()
}

fn log_with(f: &Fixture, impact: &str, urgency: &str) -> IncidentDetail {
    let mut i = f.new_incident();
    i.impact = impact.into();
    i.urgency = urgency.into();
    f.desk.log(&i).unwrap()
}

/// Edits impact and urgency to extensive × critical, which the default matrix makes a P1.
fn raise_to_p1(f: &Fixture, d: &IncidentDetail) -> IncidentDetail {
    f.desk
        .update(&UpdateIncident {
            id: d.incident.id,
            expected_version: d.incident.version,
            changes: IncidentChanges {
                impact: Some("extensive".into()),
                urgency: Some("critical".into()),
                ..Default::default()
            },
        })
        .unwrap()
}

fn clock(d: &IncidentDetail, k: ClockKind) -> incident_desk::domain::sla::clocks::ClockView {
    d.sla.clocks.iter().find(|c| c.clock == k).unwrap().clone()
}

/// Runs the scheduler's firing at every minute and half-minute up to `until`, like the real
/// task would at each deadline, and collects the alerts.
fn run_until(f: &Fixture, until: &str) -> Vec<incident_desk::store::sla::Alert> {
    let until = t(until);
    let mut out = Vec::new();
    let mut rounds = 0;
    while f.clock.now() < until {
        rounds += 1;
        // A deadline that firing does not move on would loop here forever.
        assert!(
            rounds < 10_000,
            "the next deadline stopped advancing at {}",
            f.clock.now()
        );
        let next = f
            .desk
            .next_deadline()
            .unwrap()
            .filter(|d| *d <= until)
            .unwrap_or(until);
        f.clock.set(next.max(f.clock.now()));
        out.extend(f.desk.fire_due().unwrap());
        if f.desk.next_deadline().unwrap().is_none_or(|d| d > until) {
            f.clock.set(until);
        }
    }
    out.extend(f.desk.fire_due().unwrap());
    out
}

use incident_desk::Clock;

#[test]
fn a_p1_logged_at_nine_warns_at_half_and_three_quarters_and_breaches_at_quarter_past_once_each() {
    let f = fixture(); // 2026-03-02T09:00:00Z
    let d = log_with(&f, "extensive", "critical");
    assert_eq!(d.incident.priority, Priority::P1);
    let r = clock(&d, ClockKind::Response);
    assert_eq!(
        (r.state, r.due_at),
        (ClockState::Running, Some(t("2026-03-02T09:15:00Z")))
    );
    let alerts = run_until(&f, "2026-03-02T09:20:00Z");
    let response: Vec<_> = alerts
        .iter()
        .filter(|a| a.title.contains("response"))
        .map(|a| (a.kind.as_str(), a.due_at))
        .collect();
    assert_eq!(
        response,
        [
            ("sla_warning", t("2026-03-02T09:07:30Z")),
            ("sla_warning", t("2026-03-02T09:11:15Z")),
            ("sla_breach", t("2026-03-02T09:15:00Z")),
        ]
    );
    let breach = alerts.iter().find(|a| a.kind == "sla_breach").unwrap();
    assert_eq!(breach.title, "P1 INC-000001 response SLA breached");
    assert_eq!(
        breach.body,
        "Checkout returns 503 for EU customers (unassigned)"
    );
    // Nothing fires twice.
    f.clock.advance(Duration::minutes(1));
    assert!(f
        .desk
        .fire_due()
        .unwrap()
        .iter()
        .all(|a| !a.title.contains("response")));
    let d = f.desk.get(d.incident.id).unwrap();
    let recorded: Vec<_> = d
        .timeline
        .iter()
        .filter(|e| e.kind == "sla_warning" || e.kind == "sla_breach")
        .map(|e| (e.kind.as_str(), e.field.as_deref(), e.at))
        .collect();
    assert_eq!(
        recorded,
        [
            ("sla_warning", Some("response"), t("2026-03-02T09:07:30Z")),
            ("sla_warning", Some("response"), t("2026-03-02T09:11:15Z")),
            ("sla_breach", Some("response"), t("2026-03-02T09:15:00Z")),
        ],
        "recorded once each, at the time they occurred"
    );
    assert_eq!(clock(&d, ClockKind::Response).state, ClockState::Breached);
    let row = &f.desk.list(&IncidentQuery::default()).unwrap().rows[0];
    assert!(row.breached);
}

fn office_calendar(f: &Fixture, holidays: &[&str]) {
    let settings = f.desk.sla_settings().unwrap();
    let mut cal = settings
        .calendars
        .into_iter()
        .find(|c| !c.always_on)
        .unwrap();
    cal.time_zone = "Europe/London".into();
    cal.holidays = holidays
        .iter()
        .map(|d| Holiday {
            day: d.parse().unwrap(),
            name: "Bank holiday".into(),
        })
        .collect();
    f.desk.save_calendar(&cal, false).unwrap();
}

#[test]
fn a_p3_logged_friday_at_four_is_due_monday_at_eleven_and_a_holiday_moves_it_to_tuesday() {
    let (desk, virtual_clock) = desk_at("2026-03-06T16:00:00Z"); // a Friday, GMT
    let f = setup(desk, virtual_clock);
    office_calendar(&f, &[]);
    let d = log_with(&f, "moderate", "medium");
    assert_eq!(d.incident.priority, Priority::P3);
    assert_eq!(
        clock(&d, ClockKind::Response).due_at,
        Some(t("2026-03-09T11:00:00Z"))
    );

    office_calendar(&f, &["2026-03-09"]);
    let d = f.desk.get(d.incident.id).unwrap();
    assert_eq!(
        clock(&d, ClockKind::Response).due_at,
        Some(t("2026-03-10T11:00:00Z")),
        "the calendar change re-measured the open incident"
    );
    let moved = d
        .timeline
        .iter()
        .filter(|e| e.kind == "sla_due" && e.field.as_deref() == Some("response"))
        .count();
    assert_eq!(
        moved, 2,
        "the first due time and the move are both on the timeline"
    );
}

#[test]
fn a_p1_on_24x7_across_the_dst_change_is_due_fifteen_real_minutes_later() {
    let (desk, virtual_clock) = desk_at("2026-03-29T00:50:00Z"); // London springs forward at 01:00 UTC
    let f = setup(desk, virtual_clock);
    office_calendar(&f, &[]);
    let d = log_with(&f, "extensive", "critical");
    let due = clock(&d, ClockKind::Response).due_at.unwrap();
    assert_eq!(due - d.incident.logged_at, Duration::minutes(15));
}

#[test]
fn raising_a_p3_to_p1_after_ten_minutes_leaves_five_minutes_of_response_time() {
    let f = fixture(); // Monday 09:00 UTC: inside office hours
    let d = log_with(&f, "moderate", "medium");
    assert_eq!(d.incident.priority, Priority::P3);
    f.clock.advance(Duration::minutes(10));
    let d = raise_to_p1(&f, &d);
    assert_eq!(d.incident.priority, Priority::P1);
    let r = clock(&d, ClockKind::Response);
    assert_eq!((r.elapsed_seconds, r.remaining_seconds), (600, 300));
    assert_eq!(r.due_at, Some(t("2026-03-02T09:15:00Z")));
    let moved = d
        .timeline
        .iter()
        .rev()
        .find(|e| e.kind == "sla_due" && e.field.as_deref() == Some("response"))
        .unwrap();
    assert_eq!(moved.new_value.as_deref(), Some("2026-03-02T09:15:00.000Z"));
    assert_eq!(moved.old_value.as_deref(), Some("2026-03-02T13:00:00.000Z"));
    assert!(moved.summary.contains("moved from"), "{}", moved.summary);
}

#[test]
fn pausing_needs_a_reason_the_policy_names_and_stops_both_clocks() {
    let f = fixture();
    let d = log_with(&f, "significant", "high"); // P2: response 1 h on 24×7
    let err = f
        .desk
        .pause(&PauseInput {
            id: d.incident.id,
            expected_version: d.incident.version,
            reason: "awaiting reporter".into(),
        })
        .unwrap_err();
    assert_eq!(err.field(), Some("reason"));
    assert!(err.to_string().contains("names no pause reasons"), "{err}");

    let mut p2 = policy(&f, Priority::P2);
    p2.pause_reasons = vec!["awaiting reporter".into()];
    f.desk.save_sla_policy(&p2).unwrap();
    let err = f
        .desk
        .pause(&PauseInput {
            id: d.incident.id,
            expected_version: d.incident.version,
            reason: "lunch".into(),
        })
        .unwrap_err();
    assert!(
        err.to_string().contains("allowed: awaiting reporter"),
        "{err}"
    );

    f.clock.advance(Duration::minutes(10));
    let d = f
        .desk
        .pause(&PauseInput {
            id: d.incident.id,
            expected_version: d.incident.version,
            reason: "awaiting reporter".into(),
        })
        .unwrap();
    assert_eq!(clock(&d, ClockKind::Response).state, ClockState::Paused);
    assert!(f.desk.list(&IncidentQuery::default()).unwrap().rows[0].paused);
    f.clock.advance(Duration::minutes(30));
    let d = f
        .desk
        .resume(&VersionedId {
            id: d.incident.id,
            expected_version: d.incident.version,
        })
        .unwrap();
    let r = clock(&d, ClockKind::Response);
    assert_eq!(
        r.due_at,
        Some(t("2026-03-02T10:30:00Z")),
        "60 min target + 30 min paused"
    );
    assert_eq!(r.elapsed_seconds, 600);
    assert_eq!(d.sla.pauses.len(), 1);
    assert_eq!(d.sla.pauses[0].reason, "awaiting reporter");
    assert_eq!(d.sla.paused_seconds, 1800);
    assert_eq!(
        clock(&d, ClockKind::Resolution).due_at,
        Some(t("2026-03-02T17:30:00Z"))
    );
}

#[test]
fn a_reopened_incident_continues_its_resolution_clock_where_it_stopped() {
    let f = fixture();
    let d = log_with(&f, "extensive", "critical"); // P1: resolution 4 h
    let d = f
        .desk
        .acknowledge(&VersionedId {
            id: d.incident.id,
            expected_version: d.incident.version,
        })
        .unwrap();
    f.clock.advance(Duration::hours(1));
    let d = f.resolve(&d);
    assert_eq!(clock(&d, ClockKind::Resolution).state, ClockState::Met);
    f.clock.advance(Duration::hours(2));
    let d = f
        .desk
        .reopen(&ReopenInput {
            id: d.incident.id,
            expected_version: d.incident.version,
            reason: "Errors are back".into(),
        })
        .unwrap();
    let r = clock(&d, ClockKind::Resolution);
    assert_eq!((r.state, r.elapsed_seconds), (ClockState::Running, 3600));
    assert_eq!(r.due_at, Some(t("2026-03-02T15:00:00Z")));
    assert_eq!(
        clock(&d, ClockKind::Response).state,
        ClockState::Met,
        "the response clock stays stopped"
    );
}

#[test]
fn the_first_update_by_the_assignee_stops_the_response_clock() {
    let f = fixture();
    let d = log_with(&f, "extensive", "critical");
    let d = f
        .desk
        .assign(&AssignInput {
            id: d.incident.id,
            expected_version: d.incident.version,
            assignee_id: Some(f.me.id),
            team_id: None,
        })
        .unwrap();
    assert_eq!(
        clock(&d, ClockKind::Response).state,
        ClockState::Running,
        "being assigned is not a response"
    );
    f.clock.advance(Duration::minutes(4));
    let d = f
        .desk
        .add_note(&NoteInput {
            id: d.incident.id,
            expected_version: 0,
            text: "Looking at the load balancer".into(),
        })
        .unwrap();
    let r = clock(&d, ClockKind::Response);
    assert_eq!((r.state, r.elapsed_seconds), (ClockState::Met, 240));
    assert!(d
        .sla
        .response_rule
        .contains("first update made by the assignee"));
}

#[test]
fn an_escalation_rule_fires_on_time_and_is_recorded() {
    let f = fixture();
    f.desk
        .save_escalation_rule(&EscalationRule {
            id: None,
            name: "P1 to network after 15 min".into(),
            active: true,
            priority: Some(Priority::P1),
            category_id: None,
            service_id: None,
            team_id: None,
            tier: None,
            trigger: RuleTrigger::Unresolved,
            after_minutes: 15,
            action: RuleAction::EscalateTeam,
            target_team_id: Some(f.network_team.id),
            target_person_id: None,
            target_priority: None,
            reason: "Escalate to network team after 15 minutes unresolved".into(),
        })
        .unwrap();
    let d = log_with(&f, "extensive", "critical");
    let alerts = run_until(&f, "2026-03-02T09:16:00Z");
    let esc = alerts
        .iter()
        .find(|a| a.kind == "escalation")
        .expect("the rule fired");
    assert_eq!(esc.due_at, t("2026-03-02T09:15:00Z"));
    assert!(
        esc.title.contains("escalated to Network Team"),
        "{}",
        esc.title
    );
    assert!(
        esc.title.contains("network@example.org") && esc.title.contains("15 min"),
        "contact and expected response: {}",
        esc.title
    );
    let d = f.desk.get(d.incident.id).unwrap();
    assert_eq!(d.incident.team_name.as_deref(), Some("Network Team"));
    let e = d.timeline.iter().find(|e| e.kind == "escalated").unwrap();
    assert_eq!(e.actor, "Incident Desk");
    assert_eq!(
        e.detail.as_deref(),
        Some("Rule “P1 to network after 15 min”: Escalate to network team after 15 minutes unresolved"),
        "the desk acted; the reason names the rule"
    );
    assert_eq!(alerts.iter().filter(|a| a.kind == "escalation").count(), 1);
}

#[test]
fn a_rule_for_unacknowledged_incidents_does_not_fire_once_acknowledged() {
    let f = fixture();
    f.desk
        .save_escalation_rule(&EscalationRule {
            id: None,
            name: "Nobody responded".into(),
            active: true,
            priority: None,
            category_id: None,
            service_id: None,
            team_id: None,
            tier: None,
            trigger: RuleTrigger::Unacknowledged,
            after_minutes: 10,
            action: RuleAction::NotifyPerson,
            target_team_id: None,
            target_person_id: Some(f.colleague.id),
            target_priority: None,
            reason: String::new(),
        })
        .unwrap();
    let a = log_with(&f, "extensive", "critical");
    let b = log_with(&f, "extensive", "critical");
    f.clock.advance(Duration::minutes(5));
    f.desk
        .acknowledge(&VersionedId {
            id: b.incident.id,
            expected_version: b.incident.version,
        })
        .unwrap();
    let alerts = run_until(&f, "2026-03-02T09:12:00Z");
    let fired: Vec<_> = alerts.iter().filter(|x| x.kind == "escalation").collect();
    assert_eq!(fired.len(), 1);
    assert_eq!(fired[0].incident_id, Some(a.incident.id));
    assert!(
        fired[0].title.contains("notify Jonas Berg"),
        "{}",
        fired[0].title
    );
}

#[test]
fn reminders_ask_for_updates_on_a_quiet_p1_and_for_closure_of_resolved_incidents() {
    let f = fixture();
    let d = log_with(&f, "extensive", "critical");
    let d = f
        .desk
        .acknowledge(&VersionedId {
            id: d.incident.id,
            expected_version: d.incident.version,
        })
        .unwrap();
    let alerts = run_until(&f, "2026-03-02T09:16:00Z");
    let reminders: Vec<_> = alerts.iter().filter(|a| a.kind == "reminder").collect();
    assert_eq!(reminders.len(), 1);
    assert!(
        reminders[0].title.contains("no update for 15 min"),
        "{}",
        reminders[0].title
    );
    // An update re-arms it.
    let d = f
        .desk
        .add_note(&NoteInput {
            id: d.incident.id,
            expected_version: 0,
            text: "Still on it".into(),
        })
        .unwrap();
    assert_eq!(
        run_until(&f, "2026-03-02T09:31:15Z")
            .iter()
            .filter(|a| a.kind == "reminder")
            .count(),
        1
    );
    let _ = f.resolve(&f.desk.get(d.incident.id).unwrap());
    let later = run_until(&f, "2026-03-03T09:40:00Z");
    assert!(later
        .iter()
        .any(|a| a.kind == "reminder" && a.title.contains("resolved but not closed")));
}

#[test]
fn deadlines_missed_while_closed_are_replayed_once_with_their_true_times_and_one_summary() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::at("2026-03-02T09:00:00Z"));
    let f = setup(
        Desk::open_in(dir.path(), clock.clone()).unwrap(),
        clock.clone(),
    );
    log_with(&f, "extensive", "critical");
    log_with(&f, "extensive", "critical");
    drop(f);
    // The app was closed for an hour.
    clock.set(t("2026-03-02T10:00:00Z"));
    let desk = Arc::new(Desk::open_in(dir.path(), clock.clone()).unwrap());
    let notifier = Arc::new(RecordingNotifier::new());
    let handle = SchedulerHandle::start(desk.clone(), notifier.clone()).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while desk
        .alerts(100)
        .unwrap()
        .alerts
        .iter()
        .any(|a| a.delivery == "pending")
        || desk.alerts(100).unwrap().alerts.is_empty()
    {
        assert!(
            std::time::Instant::now() < deadline,
            "replay did not happen"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    handle.stop();
    let centre = desk.alerts(100).unwrap();
    let breaches: Vec<_> = centre
        .alerts
        .iter()
        .filter(|a| a.kind == "sla_breach")
        .collect();
    assert_eq!(breaches.len(), 2, "one response breach per incident");
    assert!(
        breaches
            .iter()
            .all(|a| a.due_at == t("2026-03-02T09:15:00Z")
                && a.raised_at == t("2026-03-02T10:00:00Z"))
    );
    let shown = notifier.shown();
    assert_eq!(shown.len(), 1, "one summary instead of a flood: {shown:?}");
    assert!(
        shown[0].title.starts_with("2 SLA breaches, 4 SLA warnings"),
        "{}",
        shown[0].title
    );
    assert!(shown[0].title.ends_with("while Incident Desk was closed"));
    assert!(centre.alerts.iter().all(|a| a.delivery == "summarised"));
    let count = centre.alerts.len();
    drop(desk);
    // Restarting again replays nothing.
    let desk = Arc::new(Desk::open_in(dir.path(), clock.clone()).unwrap());
    let notifier = Arc::new(RecordingNotifier::new());
    let handle = SchedulerHandle::start(desk.clone(), notifier.clone()).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    handle.stop();
    assert_eq!(desk.alerts(100).unwrap().alerts.len(), count);
    assert!(notifier.shown().is_empty());
}

#[test]
fn the_summary_counts_what_was_missed() {
    let f = fixture();
    log_with(&f, "extensive", "critical");
    f.clock.advance(Duration::minutes(16));
    let alerts = f.desk.fire_due().unwrap();
    let n = summary_of_missed(&alerts);
    assert_eq!(
        n.title,
        "1 SLA breach, 2 SLA warnings, 1 escalation or reminder while Incident Desk was closed"
    );
    assert!(n.urgent);
}

/// Real time: a clock that is the system clock plus an adjustable offset, so an incident can be
/// logged "59.5 seconds ago" and its 1-minute deadline passes half a second from now.
struct ShiftedClock(std::sync::Mutex<Duration>);

impl Clock for ShiftedClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + *self.0.lock().unwrap()
    }
}

#[test]
fn the_scheduler_task_fires_a_deadline_on_time_without_idle_wake_ups_and_keeps_alerts_when_notifications_fail(
) {
    let shift = Arc::new(ShiftedClock(std::sync::Mutex::new(Duration::milliseconds(
        -59_500,
    ))));
    let f = setup(
        Desk::in_memory(shift.clone()).unwrap(),
        Arc::new(FixedClock::at("2026-03-02T09:00:00Z")),
    );
    let mut p1 = policy(&f, Priority::P1);
    p1.response_minutes = 1;
    p1.warn_percents = vec![];
    f.desk.save_sla_policy(&p1).unwrap();
    let desk = Arc::new(f.desk);
    let notifier = Arc::new(RecordingNotifier::failing());
    let handle = SchedulerHandle::start(desk.clone(), notifier).unwrap();
    let mut i = NewIncident {
        impact: "extensive".into(),
        urgency: "critical".into(),
        ..Default::default()
    };
    let refs = desk.reference_data().unwrap();
    i.title = "Short deadline".into();
    i.description = "x".into();
    i.category_id = Some(refs.categories[0].id);
    i.service_id = Some(refs.services[0].id);
    i.reporter_name = "r".into();
    i.reporter_contact = "r@example.org".into();
    i.channel = "phone".into();
    let d = desk.log(&i).unwrap();
    *shift.0.lock().unwrap() = Duration::zero();
    handle.rearm();
    let due = clock(&d, ClockKind::Response).due_at.unwrap();
    let started = std::time::Instant::now();
    loop {
        let a = desk.alerts(10).unwrap().alerts;
        if let Some(b) = a
            .iter()
            .find(|a| a.kind == "sla_breach" && a.delivery != "pending")
        {
            let late = b.raised_at - due;
            assert!(late < Duration::milliseconds(500), "fired {late} late");
            assert!(
                b.delivery.starts_with("failed:"),
                "the failure is recorded: {}",
                b.delivery
            );
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "breach not fired"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let stats = handle.stats().clone();
    handle.stop();
    assert_eq!(
        stats
            .idle_wakeups
            .load(std::sync::atomic::Ordering::Relaxed),
        0
    );
}

#[test]
fn quiet_hours_silence_p3_warnings_but_never_p1_breaches() {
    let f = fixture();
    f.desk
        .save_reminders(&ReminderSettings {
            update_minutes: [None, None, None, None],
            closure_minutes: None,
            quiet_hours: Some(QuietHours {
                from: "08:00".into(),
                to: "18:00".into(),
                time_zone: "UTC".into(),
            }),
        })
        .unwrap();
    let q = QuietHours {
        from: "22:00".into(),
        to: "07:00".into(),
        time_zone: "UTC".into(),
    };
    assert!(
        q.contains(t("2026-03-02T23:30:00Z"))
            && q.contains(t("2026-03-02T06:59:00Z"))
            && !q.contains(t("2026-03-02T12:00:00Z"))
    );
    let err = f
        .desk
        .save_reminders(&ReminderSettings {
            quiet_hours: Some(QuietHours {
                from: "25:00".into(),
                to: "07:00".into(),
                time_zone: "UTC".into(),
            }),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(err.field(), Some("quiet_from"));
    // The delivery decision is the scheduler's; exercise it through a started scheduler.
    log_with(&f, "extensive", "critical");
    log_with(&f, "moderate", "medium");
    f.clock.set(t("2026-03-02T11:10:00Z")); // P1 breached, P3 response 4 h at > 50 %
    let desk = Arc::new(f.desk);
    let notifier = Arc::new(RecordingNotifier::new());
    // The first pass of a started scheduler is a replay; fire once before so the next pass is live.
    desk.fire_due().unwrap();
    f.clock.set(t("2026-03-02T12:10:00Z")); // P3 passes 75 % at 12:00
    let handle = SchedulerHandle::start(desk.clone(), notifier.clone()).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    handle.stop();
    let centre = desk.alerts(50).unwrap().alerts;
    let p3_warning = centre
        .iter()
        .find(|a| {
            a.priority == Some(Priority::P3)
                && a.kind == "sla_warning"
                && a.raised_at == t("2026-03-02T12:10:00Z")
        })
        .expect("P3 warning raised");
    assert_eq!(p3_warning.delivery, "silenced (quiet hours)");
    let shown = notifier.shown();
    assert!(
        shown.iter().all(|n| !n.title.starts_with("P3")),
        "{shown:?}"
    );
    assert!(
        shown
            .iter()
            .any(|n| n.title.starts_with("P1 INC-000001 resolution SLA 75%")),
        "P1 still notifies: {shown:?}"
    );
}

/// `sla_next` (one row per incident: its earliest pending deadline, kept by triggers) must
/// agree with `sla_deadlines` after anything: logging, firing, priority changes, resolving,
/// closing, SLA settings changes. The scheduler trusts it for when to wake and what is due.
fn assert_next_matches_deadlines(desk: &Desk) {
    desk.db()
        .read(|tx| {
            let mismatches: i64 = tx.query_row(
                "SELECT (SELECT COUNT(*) FROM (
                   SELECT incident_id, MIN(due_at) FROM sla_deadlines
                    WHERE fired_at IS NULL GROUP BY incident_id
                   EXCEPT SELECT incident_id, due_at FROM sla_next))
                 + (SELECT COUNT(*) FROM (
                   SELECT incident_id, due_at FROM sla_next
                   EXCEPT SELECT incident_id, MIN(due_at) FROM sla_deadlines
                    WHERE fired_at IS NULL GROUP BY incident_id))",
                [],
                |r| r.get(0),
            )?;
            assert_eq!(mismatches, 0, "sla_next disagrees with sla_deadlines");
            Ok(())
        })
        .unwrap();
}

#[test]
fn the_next_deadline_per_incident_stays_exact_through_firing_changes_and_closure() {
    let f = fixture();
    let p1 = log_with(&f, "extensive", "critical");
    let p3 = log_with(&f, "moderate", "medium");
    let p4 = log_with(&f, "minor", "low");
    assert_next_matches_deadlines(&f.desk);
    let first = f.desk.next_deadline().unwrap().expect("a pending deadline");
    let p1_response = clock(&p1, ClockKind::Response).due_at.unwrap();
    assert!(
        first > p1.incident.logged_at && first < p1_response,
        "the P1's first response warning, before its breach at {p1_response}, is the earliest deadline of the desk: {first}"
    );

    // Fire everything due in the first half hour: warnings and breaches move each next.
    run_until(&f, "2026-03-02T09:30:00Z");
    assert_next_matches_deadlines(&f.desk);
    assert!(f.desk.next_deadline().unwrap().unwrap() > t("2026-03-02T09:30:00Z"));

    // Raising the P4 to P1 re-measures its clocks; resolving and closing the P3 ends its own.
    raise_to_p1(&f, &f.desk.get(p4.incident.id).unwrap());
    assert_next_matches_deadlines(&f.desk);
    let p3 = f.close(&f.verify(&f.resolve(&f.desk.get(p3.incident.id).unwrap())));
    assert_next_matches_deadlines(&f.desk);
    f.desk
        .db()
        .read(|tx| {
            let n: i64 = tx.query_row(
                "SELECT COUNT(*) FROM sla_next WHERE incident_id = ?1",
                [p3.incident.id],
                |r| r.get(0),
            )?;
            assert_eq!(n, 0, "a closed incident has nothing pending");
            Ok(())
        })
        .unwrap();

    // A policy change re-measures every open incident in one transaction.
    let mut p1_policy = policy(&f, Priority::P1);
    p1_policy.resolution_minutes += 120;
    f.desk.save_sla_policy(&p1_policy).unwrap();
    assert_next_matches_deadlines(&f.desk);
    run_until(&f, "2026-03-03T18:00:00Z");
    assert_next_matches_deadlines(&f.desk);
}

// ---- issue 9: a breach stays a breach; re-measures are recorded; state from the core ----

fn set_response(f: &Fixture, p: Priority, minutes: i64) {
    let mut pol = policy(f, p);
    pol.response_minutes = minutes;
    f.desk.save_sla_policy(&pol).unwrap();
}

fn row(f: &Fixture, id: i64) -> IncidentRow {
    f.desk
        .list(&IncidentQuery::default())
        .unwrap()
        .rows
        .into_iter()
        .find(|r| r.id == id)
        .unwrap()
}

#[test]
fn a_breach_survives_a_policy_change_in_the_panel_the_list_and_the_review_figures() {
    let f = fixture(); // 09:00
    set_response(&f, Priority::P1, 1);
    let d = log_with(&f, "extensive", "critical");
    run_until(&f, "2026-03-02T09:02:00Z");
    let before = f.desk.get(d.incident.id).unwrap();
    assert_eq!(
        clock(&before, ClockKind::Response).state,
        ClockState::Breached
    );

    set_response(&f, Priority::P1, 60); // the rules changed after the fact
    let after = f.desk.get(d.incident.id).unwrap();
    let r = clock(&after, ClockKind::Response);
    assert_eq!(r.state, ClockState::Breached, "{r:?}");
    assert_eq!(
        r.due_at,
        Some(t("2026-03-02T09:01:00Z")),
        "breached when it was due"
    );
    assert!(r.remaining_seconds <= 0 && r.percent_used >= 100, "{r:?}");
    let row = row(&f, d.incident.id);
    assert!(row.breached);
    assert_eq!(row.sla_state, "breached");
    let review = f.desk.create_review(d.incident.id).unwrap();
    let outcome = review
        .figures
        .sla
        .iter()
        .find(|c| c.clock == "response")
        .unwrap();
    assert_eq!(outcome.outcome, "breached");
    // No due-time entry pretends the breached clock moved.
    assert!(!after.timeline.iter().any(|e| e.kind == "sla_due"
        && e.field.as_deref() == Some("response")
        && e.at > t("2026-03-02T09:00:00Z")));
    // Even resolving later keeps it breached.
    let resolved = f.resolve(&after);
    assert_eq!(
        clock(&resolved, ClockKind::Response).state,
        ClockState::Breached
    );
}

#[test]
fn a_policy_change_records_a_re_measure_on_each_incident_it_moves_and_none_on_others() {
    let f = fixture(); // 09:00
    let a = log_with(&f, "extensive", "critical"); // P1, response due 09:15
    let b = log_with(&f, "extensive", "critical");
    let c = log_with(&f, "moderate", "medium"); // P3: another policy
    f.clock.advance(Duration::minutes(2));
    set_response(&f, Priority::P1, 30);
    let remeasures = |id: i64| -> Vec<incident_desk::domain::model::Event> {
        f.desk
            .get(id)
            .unwrap()
            .timeline
            .into_iter()
            .filter(|e| e.kind == "sla_due" && e.at == t("2026-03-02T09:02:00Z"))
            .collect()
    };
    for d in [&a, &b] {
        let moved = remeasures(d.incident.id);
        assert_eq!(moved.len(), 1, "one entry per moved incident: {moved:?}");
        let e = &moved[0];
        assert_eq!(e.field.as_deref(), Some("response"));
        assert_eq!(e.old_value.as_deref(), Some("2026-03-02T09:15:00.000Z"));
        assert_eq!(e.new_value.as_deref(), Some("2026-03-02T09:30:00.000Z"));
        assert_eq!(
            e.detail.as_deref(),
            Some("SLA policy P1 changed: response 15 → 30 min")
        );
        assert_eq!((e.actor_name.as_str(), e.actor_id), ("Incident Desk", None));
        assert_eq!(
            clock(&f.desk.get(d.incident.id).unwrap(), ClockKind::Response).due_at,
            Some(t("2026-03-02T09:30:00Z"))
        );
    }
    assert!(remeasures(c.incident.id).is_empty(), "the P3 did not move");
}

#[test]
fn a_clock_past_its_warning_threshold_is_in_warning_in_the_panel_and_the_list() {
    let f = fixture(); // 09:00; P1 response 15 min, warnings at 50 and 75 %
    let d = log_with(&f, "extensive", "critical");
    let r = clock(&d, ClockKind::Response);
    assert_eq!(r.state, ClockState::Running);
    assert_eq!(row(&f, d.incident.id).sla_state, "running");
    assert!(!r.business_hours, "P1 counts on 24×7");
    assert!(!r.calendar_zone.is_empty());
    run_until(&f, "2026-03-02T09:08:00Z");
    let d = f.desk.get(d.incident.id).unwrap();
    assert_eq!(clock(&d, ClockKind::Response).state, ClockState::Warning);
    assert_eq!(row(&f, d.incident.id).sla_state, "warning");
    // The threshold is the policy's: at 90 % the same moment is plain running.
    let mut p1 = policy(&f, Priority::P1);
    p1.warn_percents = vec![90];
    f.desk.save_sla_policy(&p1).unwrap();
    let d = f.desk.get(d.incident.id).unwrap();
    assert_eq!(clock(&d, ClockKind::Response).state, ClockState::Running);
    // Paused and met clocks say so in the list too.
    let closed = f.close(&f.verify(&f.resolve(&d)));
    assert_eq!(row(&f, closed.incident.id).sla_state, "met");
}

#[test]
fn a_business_hours_clock_names_its_calendar_zone() {
    let (desk, virtual_clock) = desk_at("2026-03-06T16:00:00Z");
    let f = setup(desk, virtual_clock);
    office_calendar(&f, &[]);
    let d = log_with(&f, "moderate", "medium"); // P3 on office hours
    let r = clock(&d, ClockKind::Response);
    assert!(r.business_hours);
    assert_eq!(r.calendar_zone, "Europe/London");
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["state"], "running");
    assert_eq!(json["calendar_zone"], "Europe/London");
    assert_eq!(json["business_hours"], true);
}

#[test]
fn the_desks_own_entries_are_credited_to_incident_desk_not_the_operator() {
    let f = fixture();
    set_response(&f, Priority::P1, 1);
    let d = log_with(&f, "extensive", "critical");
    run_until(&f, "2026-03-02T09:02:00Z");
    let d = f.desk.get(d.incident.id).unwrap();
    let system: Vec<_> = d
        .timeline
        .iter()
        .filter(|e| e.kind.starts_with("sla_"))
        .collect();
    assert!(system.iter().any(|e| e.kind == "sla_due"));
    assert!(system.iter().any(|e| e.kind == "sla_breach"));
    for e in system {
        assert_eq!(e.actor_name, "Incident Desk", "{e:?}");
        assert_eq!(e.actor, "Incident Desk");
        assert_eq!(e.actor_id, None);
    }
    let created = &d.timeline[0];
    assert_eq!(
        (created.actor_name.as_str(), created.actor_id),
        ("Amira Haddad", Some(f.me.id))
    );
}

#[test]
fn sla_settings_forms_report_every_invalid_field_at_once() {
    let f = fixture();
    let mut p1 = policy(&f, Priority::P1);
    p1.response_minutes = 0;
    p1.resolution_minutes = -5;
    p1.warn_percents = vec![50, 150];
    let err = f.desk.save_sla_policy(&p1).unwrap_err();
    let fields: Vec<_> = err.problems().into_iter().map(|p| p.field).collect();
    assert_eq!(
        fields,
        ["response_minutes", "resolution_minutes", "warn_percents"]
    );
    assert_eq!(err.field(), Some("response_minutes"));

    let err = f
        .desk
        .save_escalation_rule(&EscalationRule {
            id: None,
            name: " ".into(),
            active: true,
            priority: None,
            category_id: None,
            service_id: None,
            team_id: None,
            tier: None,
            trigger: RuleTrigger::Unresolved,
            after_minutes: 0,
            action: RuleAction::RaisePriority,
            target_team_id: None,
            target_person_id: None,
            target_priority: None,
            reason: String::new(),
        })
        .unwrap_err();
    let fields: Vec<_> = err.problems().into_iter().map(|p| p.field).collect();
    assert_eq!(
        fields,
        ["name", "after_minutes", "target_priority", "reason"]
    );

    let mut r = f.desk.sla_settings().unwrap().reminders;
    r.closure_minutes = Some(0);
    r.quiet_hours = Some(QuietHours {
        from: "25:00".into(),
        to: "07:00".into(),
        time_zone: "Mars/Olympus".into(),
    });
    let err = f.desk.save_reminders(&r).unwrap_err();
    let fields: Vec<_> = err.problems().into_iter().map(|p| p.field).collect();
    assert_eq!(fields, ["closure_minutes", "quiet_from", "time_zone"]);
}

#[test]
fn a_business_hours_row_in_the_list_says_the_working_time_left_and_a_24x7_row_does_not() {
    let (desk, virtual_clock) = desk_at("2026-03-06T16:00:00Z"); // a Friday, GMT
    let f = setup(desk, virtual_clock);
    office_calendar(&f, &[]);
    let p3 = log_with(&f, "moderate", "medium"); // P3 on office hours
    let p1 = log_with(&f, "extensive", "critical"); // P1, 24×7
    let r = row(&f, p3.incident.id);
    let due = r.next_due_at.expect("a pending deadline");
    let kind = match r.next_due_clock.as_deref() {
        Some("response") => ClockKind::Response,
        _ => ClockKind::Resolution,
    };
    // Nothing has elapsed yet: the working time left is the whole target, over a weekend that
    // the wall clock counts.
    let target = clock(&p3, kind).target_minutes * 60;
    assert_eq!(r.working_seconds_left, Some(target), "{r:?}");
    let wall = (due - f.clock.now()).num_seconds();
    assert!(
        wall > target + 48 * 3600,
        "wall {wall} s, target {target} s"
    );
    assert_eq!(row(&f, p1.incident.id).working_seconds_left, None);
}

#[test]
fn a_backlog_of_deadlines_fires_each_once_across_transactions_with_one_change_for_the_screens() {
    let f = fixture();
    set_response(&f, Priority::P1, 1);
    // About three deadlines come due per P1 in ten minutes (response warnings and breach):
    // more than one transaction's worth of firing.
    let ids: Vec<i64> = (0..400)
        .map(|_| log_with(&f, "extensive", "critical").incident.id)
        .collect();
    let changes = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = changes.clone();
    f.desk
        .on_change(move |c| seen.lock().unwrap().push(c.incident_id));
    f.clock.advance(Duration::minutes(10));
    let alerts = f.desk.fire_due().unwrap();
    let breaches = alerts.iter().filter(|a| a.kind == "sla_breach").count();
    assert!(alerts.len() > 1000, "{} alerts", alerts.len());
    assert_eq!(
        breaches,
        ids.len(),
        "one response breach per incident, once"
    );
    assert!(
        f.desk.fire_due().unwrap().is_empty(),
        "nothing left to fire"
    );
    for id in [ids[0], ids[399]] {
        let d = f.desk.get(id).unwrap();
        assert_eq!(clock(&d, ClockKind::Response).state, ClockState::Breached);
    }
    assert_eq!(
        *changes.lock().unwrap(),
        vec![None],
        "one change for every open screen, not one per incident"
    );
}
