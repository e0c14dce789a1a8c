//! Post-incident reviews: the record of what happened, what it cost, what went well and what
//! did not, and the two or three actions that will make the next one better.
//!
//! Every figure (time to detect, acknowledge, resolve; time at each tier; update punctuality)
//! is computed from the recorded events, never typed in (`actions::review`). A final review is
//! locked: later corrections are amendments beside the original text, and it prints what was
//! signed off ([`SignedOff`]); events recorded on the incident afterwards are an appendix, never
//! part of it. This module holds the records, the locking rules and the printable document.

use crate::domain::major::MajorRecord;
use crate::domain::model::{number_for, Incident};
use crate::{Error, Result};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    pub id: i64,
    pub incident_id: i64,
    /// draft or final
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub summary: String,
    pub detection: String,
    pub technical_response: String,
    /// The team's own words on how the escalation went (the table beside it is computed).
    #[serde(default)]
    pub escalation_analysis: String,
    /// The team's own words on how stakeholders were kept informed.
    #[serde(default)]
    pub communication_analysis: String,
    pub went_well: String,
    pub went_badly: String,
    pub problem_ref: String,
    pub finalised_at: Option<DateTime<Utc>>,
    pub finalised_by: Option<String>,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionItem {
    pub id: i64,
    pub text: String,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    pub due_date: Option<NaiveDate>,
    /// open, in_progress, done
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Amendment {
    pub at: DateTime<Utc>,
    pub by: String,
    pub field: String,
    pub old_value: String,
    pub new_value: String,
    pub reason: String,
}

/// Edits of the review's text. Fields left out are unchanged.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ReviewEdit {
    pub incident_id: i64,
    pub expected_version: i64,
    pub summary: Option<String>,
    pub detection: Option<String>,
    pub technical_response: Option<String>,
    #[serde(default)]
    pub escalation_analysis: Option<String>,
    #[serde(default)]
    pub communication_analysis: Option<String>,
    pub went_well: Option<String>,
    pub went_badly: Option<String>,
    pub problem_ref: Option<String>,
    /// Required once the review is final: the edit becomes an amendment.
    pub reason: Option<String>,
}

pub fn check_version(r: &Review, expected: i64) -> Result<()> {
    if r.version != expected {
        return Err(Error::Conflict(format!(
            "The review of {} was changed after you opened it (you saw version {expected}, it is now {}). Reload it, then try again.",
            number_for(r.incident_id),
            r.version
        )));
    }
    Ok(())
}

pub fn final_reason(r: &Review, reason: Option<&str>) -> Result<Option<String>> {
    if r.status != "final" {
        return Ok(None);
    }
    match reason.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Ok(Some(s.to_string())),
        None => Err(Error::validation(
            "reason",
            "The review is final and locked: give a reason, and the change is recorded as an amendment",
        )),
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ActionInput {
    pub incident_id: i64,
    /// None adds an action item.
    pub id: Option<i64>,
    #[serde(default)]
    pub text: String,
    pub owner_id: Option<i64>,
    /// YYYY-MM-DD
    pub due_date: Option<String>,
    #[serde(default)]
    pub status: String,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClockOutcome {
    pub clock: String,
    pub target_minutes: i64,
    pub elapsed_seconds: i64,
    /// met, breached, running, paused
    pub outcome: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TierSegment {
    pub team: String,
    pub tier: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub seconds: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EscalationCheck {
    pub at: DateTime<Utc>,
    pub to: String,
    pub after_logging_seconds: i64,
    /// on time, late, no threshold
    pub verdict: String,
    pub threshold_minutes: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpdateSlot {
    pub due: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    /// on time, late, missed
    pub verdict: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AudienceCadence {
    pub audience: String,
    pub cadence_minutes: i64,
    pub updates_sent: i64,
    pub on_time: i64,
    pub late: i64,
    pub missed: i64,
    pub slots: Vec<UpdateSlot>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    pub time_to_detect_seconds: i64,
    pub time_to_acknowledge_seconds: Option<i64>,
    pub time_to_resolve_seconds: Option<i64>,
    /// Started → resolved: how long users were affected.
    pub impact_seconds: Option<i64>,
    pub detected_by: String,
    pub users_affected: Option<i64>,
    pub services: Vec<String>,
    pub sla: Vec<ClockOutcome>,
    pub tiers: Vec<TierSegment>,
    pub escalations: Vec<EscalationCheck>,
    pub communication: Vec<AudienceCadence>,
}

/// One line of the review's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub at: DateTime<Utc>,
    pub who: String,
    pub what: String,
    pub detail: Option<String>,
}

/// What a review was signed off with, captured when it is finalised: everything its document
/// is computed from that later events could change. A final review prints exactly this; what
/// happened afterwards is an appendix or an amendment, never a silent rewrite.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignedOff {
    /// The organisation named on the review when it was signed off.
    #[serde(default)]
    pub organisation: Option<String>,
    pub incident: Incident,
    pub major: Option<MajorRecord>,
    /// Up to and including the finalisation event.
    pub timeline: Vec<TimelineEntry>,
    pub actions: Vec<ActionItem>,
    pub warnings: Vec<String>,
    pub last_event_id: i64,
    pub last_event_hash: String,
    pub fingerprint: String,
}

/// Everything a review shows and prints.
///
/// For a final review `incident`, `major`, `figures`, `timeline`, `warnings`, the last event and
/// the fingerprint are the signed-off ones; `actions` are live (their progress is tracked, each
/// change an amendment) and `signed_off_actions` are the ones that were signed off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewView {
    pub review: Review,
    pub incident: Incident,
    pub major: Option<MajorRecord>,
    pub figures: Figures,
    pub timeline: Vec<TimelineEntry>,
    pub actions: Vec<ActionItem>,
    pub amendments: Vec<Amendment>,
    pub warnings: Vec<String>,
    pub last_event_id: i64,
    pub last_event_hash: String,
    /// SHA-256 of the review's content as shown (as signed off, once final): printed in the
    /// footer.
    pub fingerprint: String,
    /// The action items as signed off (None while draft).
    #[serde(default)]
    pub signed_off_actions: Option<Vec<ActionItem>>,
    /// The organisation the review was signed off for, printed instead of today's name.
    #[serde(default)]
    pub signed_off_organisation: Option<String>,
    /// Events of the incident recorded after the review was signed off (empty while draft).
    #[serde(default)]
    pub after_sign_off: Vec<TimelineEntry>,
    /// The incident's newest event now: equal to `last_event_*` unless events came after
    /// sign-off.
    #[serde(default)]
    pub latest_event_id: i64,
    #[serde(default)]
    pub latest_event_hash: String,
}

/// The check a review's action items get: the reference asks for two or three specific,
/// actionable improvements. A warning, never a refusal.
pub fn action_warnings(count: usize) -> Vec<String> {
    match count {
        0 => vec!["No action items yet: the reference recommends two or three specific, actionable improvements.".to_string()],
        1 => vec!["Only one action item: the reference recommends two or three specific, actionable improvements.".to_string()],
        n if n > 3 => vec![format!("{n} action items: the reference recommends two or three specific improvements rather than many vague ones.")],
        _ => Vec::new(),
    }
}

/// SHA-256 over what a review shows: the fingerprint printed on it.
#[allow(clippy::too_many_arguments)]
pub fn fingerprint(
    review: &Review,
    incident: &Incident,
    major: &Option<MajorRecord>,
    timeline: &[TimelineEntry],
    actions: &[ActionItem],
    amendments: &[Amendment],
    last_event_hash: &str,
) -> Result<String> {
    use sha2::{Digest, Sha256};
    let content = serde_json::to_string(&(
        review,
        incident,
        major,
        timeline,
        actions,
        amendments,
        last_event_hash,
    ))?;
    Ok(Sha256::digest(content.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// A span of time as the review prints and shows it (the review screen applies the same rule):
/// seconds where they matter, under ten minutes ("38 s", "4 min 05 s"); minutes from there
/// ("1 h 30 min", "45 min", "4 h"), and hours from a day on ("2 d 3 h").
pub fn duration_text(seconds: i64) -> String {
    let s = seconds.unsigned_abs();
    let sign = if seconds < 0 { "−" } else { "" };
    let (d, h, m, sec) = (s / 86_400, (s % 86_400) / 3600, (s % 3600) / 60, s % 60);
    let text = if d > 0 && h == 0 {
        format!("{d} d")
    } else if d > 0 {
        format!("{d} d {h} h")
    } else if h > 0 && m == 0 {
        format!("{h} h")
    } else if h > 0 {
        format!("{h} h {m} min")
    } else if m >= 10 {
        format!("{m} min")
    } else if m > 0 {
        format!("{m} min {sec:02} s")
    } else {
        format!("{s} s")
    };
    format!("{sign}{text}")
}

fn when(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn or_dash(s: &str) -> String {
    if s.trim().is_empty() {
        "—".into()
    } else {
        s.to_string()
    }
}

/// Timeline entries as a printed table.
fn timeline_table(entries: &[TimelineEntry]) -> crate::domain::report::Block {
    use crate::domain::report::{Block, Column};
    Block::Table {
        columns: vec![
            Column::new("When (UTC)", 2.2),
            Column::new("Who", 1.6),
            Column::new("What", 5.0),
        ],
        rows: entries
            .iter()
            .map(|t| {
                let what = match &t.detail {
                    Some(d) if !d.trim().is_empty() => format!("{}\n{}", t.what, d),
                    _ => t.what.clone(),
                };
                vec![
                    t.at.format("%Y-%m-%d %H:%M:%S").to_string(),
                    t.who.clone(),
                    what,
                ]
            })
            .collect(),
    }
}

/// The review as a printable document: every field of the review is in it.
pub fn document(
    v: &ReviewView,
    organisation: &str,
    paper: crate::domain::report::PaperSize,
    generated_at: DateTime<Utc>,
) -> crate::domain::report::ReportDocument {
    use crate::domain::limits::fmt_int;
    use crate::domain::report::{Block, Column, ReportDocument};
    let organisation = v.signed_off_organisation.as_deref().unwrap_or(organisation);
    let inc = &v.incident;
    // A final review prints the action items it was signed off with; their later progress is
    // in the amendments.
    let actions = v.signed_off_actions.as_ref().unwrap_or(&v.actions);
    let f = &v.figures;
    let status = if v.review.status == "final" {
        "FINAL"
    } else {
        "DRAFT"
    };
    let mut facts = vec![
        ("Priority".to_string(), inc.priority.label().to_string()),
        ("Service".into(), inc.service_name.clone()),
        ("Category".into(), inc.category_name.clone()),
        ("Started".into(), when(&inc.started_at)),
        ("Detected".into(), when(&inc.detected_at)),
        ("Logged".into(), when(&inc.logged_at)),
        (
            "Resolved".into(),
            inc.resolved_at
                .as_ref()
                .map(when)
                .unwrap_or_else(|| "not resolved".into()),
        ),
        (
            "Closed".into(),
            inc.closed_at
                .as_ref()
                .map(when)
                .unwrap_or_else(|| "not closed".into()),
        ),
        (
            "Review status".into(),
            match (&v.review.finalised_at, &v.review.finalised_by) {
                (Some(at), Some(by)) => format!("Final — {} by {by}", when(at)),
                _ => format!(
                    "Draft — opened {} by {}",
                    when(&v.review.created_at),
                    v.review.created_by
                ),
            },
        ),
    ];
    if let Some(m) = &v.major {
        facts.push((
            "Major incident".into(),
            format!(
                "Declared {} by {}; manager {}",
                when(&m.declared_at),
                m.declared_by,
                m.manager_name
            ),
        ));
    }
    let mut b = Vec::new();
    b.push(Block::Heading("Summary".into()));
    b.push(Block::Paragraph(or_dash(&v.review.summary)));
    b.push(Block::Paragraph(format!(
        "Incident description: {}",
        inc.description
    )));
    for w in &v.warnings {
        b.push(Block::Warning(w.clone()));
    }
    let punctuality: (i64, i64) = f.communication.iter().fold((0, 0), |(ok, all), a| {
        (ok + a.on_time, all + a.on_time + a.late + a.missed)
    });
    let mut metrics = vec![
        (
            "Time to detect".to_string(),
            duration_text(f.time_to_detect_seconds),
        ),
        (
            "Time to acknowledge".into(),
            f.time_to_acknowledge_seconds
                .map(duration_text)
                .unwrap_or_else(|| "—".into()),
        ),
        (
            "Time to resolve".into(),
            f.time_to_resolve_seconds
                .map(duration_text)
                .unwrap_or_else(|| "—".into()),
        ),
        (
            "Impact duration".into(),
            f.impact_seconds
                .map(duration_text)
                .unwrap_or_else(|| "—".into()),
        ),
    ];
    if punctuality.1 > 0 {
        metrics.push((
            "Updates on time".into(),
            format!("{} of {}", fmt_int(punctuality.0), fmt_int(punctuality.1)),
        ));
    }
    b.push(Block::Metrics(metrics));
    b.push(Block::Heading("Impact".into()));
    let mut impact = vec![
        (
            "Impact".to_string(),
            format!("{} — {}", inc.impact.label(), inc.impact.definition()),
        ),
        (
            "Urgency".into(),
            format!("{} — {}", inc.urgency.label(), inc.urgency.definition()),
        ),
        (
            "Users affected".into(),
            f.users_affected
                .map(fmt_int)
                .unwrap_or_else(|| "not recorded".into()),
        ),
        ("Services".into(), f.services.join(", ")),
        (
            "Duration".into(),
            f.impact_seconds
                .map(duration_text)
                .unwrap_or_else(|| "ongoing".into()),
        ),
    ];
    for c in &f.sla {
        impact.push((
            format!("SLA {}", c.clock),
            format!(
                "{} — {} used of a {} target",
                c.outcome,
                duration_text(c.elapsed_seconds),
                duration_text(c.target_minutes.saturating_mul(60))
            ),
        ));
    }
    if let Some(m) = &v.major {
        impact.push(("Declared because".into(), m.reason.clone()));
        for c in &m.criteria {
            impact.push(("Criterion".into(), c.text.clone()));
        }
        impact.push(("Crisis bridge".into(), m.bridge.clone()));
        impact.push(("Emergency change".into(), or_dash(&m.emergency_change)));
    }
    b.push(Block::KeyValues(impact));
    b.push(Block::Heading(format!(
        "Timeline ({} entries)",
        fmt_int(v.timeline.len() as i64)
    )));
    b.push(timeline_table(&v.timeline));
    b.push(Block::Heading("Detection analysis".into()));
    b.push(Block::KeyValues(vec![
        (
            "Time to detect".into(),
            duration_text(f.time_to_detect_seconds),
        ),
        ("How it was detected".into(), f.detected_by.clone()),
    ]));
    b.push(Block::Paragraph(or_dash(&v.review.detection)));
    b.push(Block::Heading("Escalation analysis".into()));
    b.push(Block::Table {
        columns: vec![
            Column {
                title: "Team".into(),
                width: 3.0,
            },
            Column {
                title: "Tier".into(),
                width: 1.8,
            },
            Column {
                title: "From".into(),
                width: 2.0,
            },
            Column {
                title: "Time spent".into(),
                width: 1.5,
            },
        ],
        rows: f
            .tiers
            .iter()
            .map(|t| {
                vec![
                    t.team.clone(),
                    t.tier.clone(),
                    t.from.format("%Y-%m-%d %H:%M").to_string(),
                    duration_text(t.seconds),
                ]
            })
            .collect(),
    });
    if f.escalations.is_empty() {
        b.push(Block::Paragraph("No escalations were recorded.".into()));
    } else {
        b.push(Block::Table {
            columns: vec![
                Column {
                    title: "Escalated".into(),
                    width: 2.0,
                },
                Column {
                    title: "To".into(),
                    width: 4.0,
                },
                Column {
                    title: "After logging".into(),
                    width: 1.5,
                },
                Column {
                    title: "Verdict".into(),
                    width: 1.5,
                },
            ],
            rows: f
                .escalations
                .iter()
                .map(|e| {
                    let verdict = match e.threshold_minutes {
                        Some(m) => format!("{} (threshold {m} min)", e.verdict),
                        None => e.verdict.clone(),
                    };
                    vec![
                        e.at.format("%Y-%m-%d %H:%M").to_string(),
                        e.to.clone(),
                        duration_text(e.after_logging_seconds),
                        verdict,
                    ]
                })
                .collect(),
        });
    }
    b.push(Block::Paragraph(or_dash(&v.review.escalation_analysis)));
    b.push(Block::Heading("Communication analysis".into()));
    if f.communication.is_empty() {
        b.push(Block::Paragraph(
            "Not a major incident: no stakeholder update cadence applied.".into(),
        ));
    } else {
        b.push(Block::Table {
            columns: vec![
                Column {
                    title: "Audience".into(),
                    width: 2.5,
                },
                Column {
                    title: "Cadence".into(),
                    width: 1.2,
                },
                Column {
                    title: "Sent".into(),
                    width: 1.0,
                },
                Column {
                    title: "On time".into(),
                    width: 1.0,
                },
                Column {
                    title: "Late".into(),
                    width: 1.0,
                },
                Column {
                    title: "Missed".into(),
                    width: 1.0,
                },
            ],
            rows: f
                .communication
                .iter()
                .map(|a| {
                    vec![
                        a.audience.clone(),
                        format!("{} min", a.cadence_minutes),
                        fmt_int(a.updates_sent),
                        fmt_int(a.on_time),
                        fmt_int(a.late),
                        fmt_int(a.missed),
                    ]
                })
                .collect(),
        });
    }
    b.push(Block::Paragraph(or_dash(&v.review.communication_analysis)));
    b.push(Block::Heading("Technical response".into()));
    b.push(Block::Paragraph(or_dash(&v.review.technical_response)));
    b.push(Block::Heading("What went well".into()));
    b.push(Block::Paragraph(or_dash(&v.review.went_well)));
    b.push(Block::Heading("What did not go well".into()));
    b.push(Block::Paragraph(or_dash(&v.review.went_badly)));
    b.push(Block::Heading("Action items".into()));
    if actions.is_empty() {
        b.push(Block::Paragraph("None recorded.".into()));
    } else {
        b.push(Block::Table {
            columns: vec![
                Column {
                    title: "#".into(),
                    width: 0.5,
                },
                Column {
                    title: "Action".into(),
                    width: 5.0,
                },
                Column {
                    title: "Owner".into(),
                    width: 1.8,
                },
                Column {
                    title: "Due".into(),
                    width: 1.3,
                },
                Column {
                    title: "Status".into(),
                    width: 1.2,
                },
            ],
            rows: actions
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    vec![
                        (i + 1).to_string(),
                        a.text.clone(),
                        a.owner_name.clone().unwrap_or_else(|| "—".into()),
                        a.due_date
                            .map(|d| d.to_string())
                            .unwrap_or_else(|| "—".into()),
                        a.status.replace('_', " "),
                    ]
                })
                .collect(),
        });
    }
    b.push(Block::KeyValues(vec![(
        "Problem record".into(),
        or_dash(&v.review.problem_ref),
    )]));
    if !v.amendments.is_empty() {
        b.push(Block::Heading("Amendments after finalisation".into()));
        b.push(Block::Table {
            columns: vec![
                Column {
                    title: "When / who".into(),
                    width: 2.0,
                },
                Column {
                    title: "Field".into(),
                    width: 1.4,
                },
                Column {
                    title: "Was".into(),
                    width: 2.6,
                },
                Column {
                    title: "Now".into(),
                    width: 2.6,
                },
                Column {
                    title: "Reason".into(),
                    width: 2.0,
                },
            ],
            rows: v
                .amendments
                .iter()
                .map(|a| {
                    vec![
                        format!("{} {}", a.at.format("%Y-%m-%d %H:%M"), a.by),
                        a.field.replace('_', " "),
                        a.old_value.clone(),
                        a.new_value.clone(),
                        a.reason.clone(),
                    ]
                })
                .collect(),
        });
    }
    b.push(Block::Heading("Integrity".into()));
    b.push(Block::Paragraph(
        "The history of this incident is a hash chain: each recorded event carries the hash of the one before. Compare the hash below with \"Verify history\" in Incident Desk to check that nothing was changed since this was printed.".into(),
    ));
    b.push(Block::Mono(format!(
        "Last event #{}: {}\nReview fingerprint: {}",
        v.last_event_id, v.last_event_hash, v.fingerprint
    )));
    if !v.after_sign_off.is_empty() {
        b.push(Block::Heading(format!(
            "Appendix: events after sign-off ({})",
            fmt_int(v.after_sign_off.len() as i64)
        )));
        b.push(Block::Paragraph(
            "Recorded on the incident after the review was finalised. They are not part of the signed-off review above, whose fingerprint and last event are unchanged.".into(),
        ));
        b.push(timeline_table(&v.after_sign_off));
        b.push(Block::Mono(format!(
            "Latest event #{}: {}",
            v.latest_event_id, v.latest_event_hash
        )));
    }
    ReportDocument {
        paper,
        organisation: organisation.to_string(),
        title: "Post-incident review".into(),
        subtitle: format!("{} · {}", inc.number, inc.title),
        facts,
        header_text: format!("{} · Post-incident review · {status}", inc.number),
        footer_left: format!(
            "Generated {} · fingerprint {}",
            generated_at.format("%Y-%m-%d %H:%M UTC"),
            &v.fingerprint[..16.min(v.fingerprint.len())]
        ),
        blocks: b,
        author: organisation.to_string(),
        created_at: Some(generated_at),
    }
}

#[cfg(test)]
mod tests {
    use super::duration_text;

    #[test]
    fn seconds_show_where_they_matter_under_ten_minutes() {
        assert_eq!(duration_text(38), "38 s");
        assert_eq!(duration_text(245), "4 min 05 s");
        assert_eq!(duration_text(600), "10 min");
        assert_eq!(duration_text(659), "10 min");
    }

    #[test]
    fn durations_read_as_days_hours_and_minutes_even_at_the_extremes() {
        assert_eq!(duration_text(5400), "1 h 30 min");
        assert_eq!(duration_text(-45), "−45 s");
        assert_eq!(duration_text(14_400), "4 h");
        assert_eq!(duration_text(2 * 86_400), "2 d");
        assert_eq!(duration_text(90_000), "1 d 1 h");
        assert!(duration_text(i64::MIN).starts_with('−'));
        assert!(duration_text(i64::MAX).ends_with(" h"));
    }
}
