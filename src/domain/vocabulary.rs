//! The one vocabulary of the values a user sees: for each group of values (statuses, clock
//! states, rule triggers, paper sizes …) the label shown for each stored value.
//!
//! It exists so the window keeps no label tables of its own: it looks every label up here
//! (`reference_data().vocabulary`), and a value added to an enum gets its label in the same
//! change, because each group below is built from the enum's own list of values.

use crate::domain::lifecycle::Action;
use crate::domain::major::Milestone;
use crate::domain::model::*;
use crate::domain::report::PaperSize;
use crate::domain::sla::clocks::{ClockKind, ClockState};
use crate::domain::sla::config::{RuleAction, RuleTrigger};
use std::collections::BTreeMap;

/// `{ group: { value: label } }`, as the window receives it.
pub type Vocabulary = BTreeMap<String, BTreeMap<String, String>>;

/// Kinds of timeline entries (`Event::kind`), with the label of each.
pub const EVENT_KINDS: &[(&str, &str)] = &[
    ("created", "Logged"),
    ("field_changed", "Field changed"),
    ("priority_overridden", "Priority overridden"),
    ("assigned", "Assigned"),
    ("acknowledged", "Acknowledged"),
    ("first_response", "First response"),
    ("note", "Note"),
    ("escalated", "Escalated"),
    ("escalation_rule", "Escalation rule"),
    ("workaround", "Workaround"),
    ("resolved", "Resolved"),
    ("verified", "Verified"),
    ("closed", "Closed"),
    ("reopened", "Reopened"),
    ("paused", "SLA paused"),
    ("resumed", "SLA resumed"),
    ("sla_due", "SLA due time"),
    ("sla_warning", "SLA warning"),
    ("sla_breach", "SLA breach"),
    ("major_declared", "Major incident declared"),
    ("stakeholder_update", "Stakeholder update"),
    ("milestone_corrected", "Milestone corrected"),
    ("review_created", "Review opened"),
    ("review_finalised", "Review finalised"),
    ("review_amended", "Review amended"),
    ("review_edited", "Review draft edited"),
];

/// Kinds of alerts of the notification centre.
pub const ALERT_KINDS: &[(&str, &str)] = &[
    ("sla_breach", "SLA breach"),
    ("sla_warning", "SLA warning"),
    ("escalation", "Escalation"),
    ("reminder", "Reminder"),
    ("history", "History check"),
    ("backup", "Backup"),
];

/// How a backup was taken (`BackupRecord::kind`).
pub const BACKUP_KINDS: &[(&str, &str)] = &[
    ("manual", "Manual"),
    ("automatic", "Automatic"),
    ("pre_migration", "Before upgrade"),
];

/// How an SLA clock ended up, as a review's figures say it (`ClockOutcome::outcome`).
pub const REVIEW_OUTCOMES: &[(&str, &str)] = &[
    ("met", "Met"),
    ("breached", "Breached"),
    ("running", "Still running"),
    ("paused", "Paused"),
];

/// A post-incident review's status.
pub const REVIEW_STATUSES: &[(&str, &str)] = &[("draft", "Draft"), ("final", "Final")];

/// The paper sizes a review prints on, by the value the export takes.
pub fn paper_size(p: PaperSize) -> (&'static str, &'static str) {
    match p {
        PaperSize::A4 => ("a4", "A4"),
        PaperSize::Letter => ("letter", "Letter"),
    }
}

fn group<T: Copy>(
    values: &[T],
    as_str: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
) -> BTreeMap<String, String> {
    values
        .iter()
        .map(|v| (as_str(*v).to_string(), label(*v).to_string()))
        .collect()
}

fn table(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(v, l)| (v.to_string(), l.to_string()))
        .collect()
}

/// Every group of the vocabulary.
pub fn vocabulary() -> Vocabulary {
    let mut v = Vocabulary::new();
    let mut put = |name: &str, g: BTreeMap<String, String>| {
        v.insert(name.to_string(), g);
    };
    put(
        "clock_kind",
        group(&ClockKind::ALL, ClockKind::as_str, ClockKind::label),
    );
    put(
        "clock_state",
        group(&ClockState::ALL, ClockState::as_str, ClockState::label),
    );
    put("alert_kind", table(ALERT_KINDS));
    put(
        "rule_trigger",
        group(&RuleTrigger::ALL, RuleTrigger::as_str, RuleTrigger::label),
    );
    put(
        "rule_action",
        group(&RuleAction::ALL, RuleAction::as_str, RuleAction::label),
    );
    put(
        "milestone",
        group(&Milestone::ALL, Milestone::as_str, Milestone::label),
    );
    put(
        "paper_size",
        group(
            &[PaperSize::A4, PaperSize::Letter],
            |p| paper_size(p).0,
            |p| paper_size(p).1,
        ),
    );
    put("backup_kind", table(BACKUP_KINDS));
    put("review_outcome", table(REVIEW_OUTCOMES));
    put("review_status", table(REVIEW_STATUSES));
    put("event_kind", table(EVENT_KINDS));
    put("status", group(Status::ALL, Status::as_str, Status::label));
    put(
        "priority",
        group(Priority::ALL, Priority::as_str, Priority::label),
    );
    put("impact", group(Impact::ALL, Impact::as_str, Impact::label));
    put(
        "urgency",
        group(Urgency::ALL, Urgency::as_str, Urgency::label),
    );
    put(
        "channel",
        group(Channel::ALL, Channel::as_str, Channel::label),
    );
    put(
        "resolution_code",
        group(
            ResolutionCode::ALL,
            ResolutionCode::as_str,
            ResolutionCode::label,
        ),
    );
    put(
        "verification_method",
        group(
            VerificationMethod::ALL,
            VerificationMethod::as_str,
            VerificationMethod::label,
        ),
    );
    put(
        "escalation_kind",
        group(
            EscalationKind::ALL,
            EscalationKind::as_str,
            EscalationKind::label,
        ),
    );
    put("tier", group(Tier::ALL, Tier::as_str, Tier::label));
    put("role", group(Role::ALL, Role::as_str, Role::label));
    put(
        "criticality",
        group(Criticality::ALL, Criticality::as_str, Criticality::label),
    );
    put(
        "action",
        group(&Action::OFFERED, Action::as_str, Action::label),
    );
    v
}
