//! Major incidents and stakeholder communication: the records and their rules.
//!
//! The desk suggests declaring a major incident when the reference's criteria hold and says
//! which one matched; declaring records the reason, the major incident manager, the crisis
//! bridge and any emergency change. Stakeholder updates record exactly what was sent to which
//! audience, by whom and when; each audience's cadence becomes a deadline of the SLA scheduler.
//! Storage is in `store::major`, the actions in `actions::major`.

use crate::domain::limits::{self, fmt_int};
use crate::domain::model::{Impact, Incident, Priority, Service, Status};
use crate::domain::sla::clocks::ClockState;
use crate::domain::sla::SlaPanel;
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// When to suggest a major incident (defaults from the reference), editable in Settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MajorCriteria {
    pub users_threshold: i64,
    pub revenue_down_minutes: i64,
    /// A P1 whose SLA clock has used this share of its target is "likely to breach".
    pub p1_breach_likely_percent: i64,
    /// Categories that carry a security or regulatory risk. The criterion holds for an
    /// incident in one of them only when it is also serious: extensive or significant impact,
    /// or priority P1/P2 (the category alone is not enough).
    pub risk_categories: Vec<String>,
}

impl Default for MajorCriteria {
    fn default() -> Self {
        MajorCriteria {
            users_threshold: 500,
            revenue_down_minutes: 15,
            p1_breach_likely_percent: 75,
            risk_categories: vec!["Security".into()],
        }
    }
}

impl MajorCriteria {
    /// Refuses thresholds that could never hold, cannot be computed with, or lie beyond the
    /// documented limits (`domain::limits`).
    pub fn validate(&self) -> Result<()> {
        limits::check_range(
            self.users_threshold,
            "users_threshold",
            "The users threshold",
            1,
            limits::MAX_USERS,
        )?;
        limits::check_minutes(
            self.revenue_down_minutes,
            "revenue_down_minutes",
            "The revenue outage threshold",
            1,
        )?;
        if !(1..=100).contains(&self.p1_breach_likely_percent) {
            return Err(Error::validation(
                "p1_breach_likely_percent",
                "The likely-breach threshold is a percentage between 1 and 100",
            ));
        }
        limits::check_count(
            &self.risk_categories,
            "risk_categories",
            "Risk categories",
            limits::MAX_LIST,
        )?;
        for c in &self.risk_categories {
            limits::check_len(c, "risk_categories", "A risk category", limits::MAX_NAME)?;
        }
        Ok(())
    }
}

/// One criterion that holds, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criterion {
    /// users, revenue, sla, risk
    pub code: String,
    pub text: String,
}

/// The major-incident criteria `c` that hold for `inc` (of `service`) at `now`.
pub fn evaluate(
    c: &MajorCriteria,
    service: Option<&Service>,
    inc: &Incident,
    panel: &SlaPanel,
    now: DateTime<Utc>,
) -> Vec<Criterion> {
    let mut out = Vec::new();
    match (inc.users_affected, service) {
        (Some(n), _) if n > c.users_threshold => out.push(Criterion {
            code: "users".into(),
            text: format!(
                "More than {} users affected ({} reported)",
                fmt_int(c.users_threshold),
                fmt_int(n)
            ),
        }),
        (None, Some(s))
            if inc.impact == Impact::Extensive && s.users_served > c.users_threshold =>
        {
            out.push(Criterion {
                code: "users".into(),
                text: format!(
                    "More than {} users affected: the whole of {} is hit and it serves {}",
                    fmt_int(c.users_threshold),
                    s.name,
                    fmt_int(s.users_served)
                ),
            })
        }
        _ => {}
    }
    if let Some(s) = service {
        let down = now - inc.started_at;
        let working = matches!(
            inc.status,
            Status::New | Status::Assigned | Status::InProgress
        );
        // The text names the threshold, not the minutes so far: the suggestion the operator
        // copies into the reason and the criterion stored a minute later say the same thing.
        if s.revenue_generating
            && inc.impact == Impact::Extensive
            && working
            && limits::minutes(c.revenue_down_minutes).is_some_and(|t| down > t)
        {
            out.push(Criterion {
                code: "revenue".into(),
                text: format!(
                    "Revenue-generating service {} down for more than {} min",
                    s.name, c.revenue_down_minutes
                ),
            });
        }
    }
    if inc.priority == Priority::P1 {
        if let Some(clock) = panel.clocks.iter().find(|k| {
            k.state == ClockState::Breached
                || (matches!(k.state, ClockState::Running | ClockState::Warning)
                    && k.percent_used >= c.p1_breach_likely_percent)
        }) {
            // As above: the threshold, not a percentage that moves every second.
            let text = if clock.state == ClockState::Breached {
                format!(
                    "P1 with an SLA breach: the {} clock is breached",
                    clock.clock.as_str()
                )
            } else {
                format!(
                    "P1 with an SLA breach likely: the {} clock is past {} % of its target",
                    clock.clock.as_str(),
                    c.p1_breach_likely_percent
                )
            };
            out.push(Criterion {
                code: "sla".into(),
                text,
            });
        }
    }
    // A category alone is no risk (a P4 in Security is a password reset): the incident must
    // also be serious, by impact (extensive or significant) or priority (P1 or P2).
    let serious = matches!(inc.impact, Impact::Extensive | Impact::Significant)
        || matches!(inc.priority, Priority::P1 | Priority::P2);
    if serious
        && c.risk_categories
            .iter()
            .any(|r| r.eq_ignore_ascii_case(&inc.category_name))
    {
        out.push(Criterion {
            code: "risk".into(),
            text: format!(
                "Security or regulatory risk: category {} with {} impact, {}",
                inc.category_name,
                inc.impact.label().to_lowercase(),
                inc.priority.label()
            ),
        });
    }
    out
}

/// A declared major incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MajorRecord {
    pub declared_at: DateTime<Utc>,
    pub declared_by: String,
    pub reason: String,
    pub criteria: Vec<Criterion>,
    pub manager_id: i64,
    pub manager_name: String,
    pub bridge: String,
    pub emergency_change: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DeclareInput {
    pub id: i64,
    pub expected_version: i64,
    #[serde(default)]
    pub reason: String,
    pub manager_id: Option<i64>,
    #[serde(default)]
    pub bridge: String,
    #[serde(default)]
    pub emergency_change: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Audience {
    pub id: i64,
    pub name: String,
    pub recipients: String,
    pub cadence_minutes: i64,
    pub active: bool,
}

impl Audience {
    /// The audience's name, trimmed; refused when blank or when the cadence is out of range.
    pub fn validate(&self) -> Result<String> {
        let name = limits::required(&self.name, "name", "Audience name", limits::MAX_NAME)?;
        limits::check_len(
            self.recipients.trim(),
            "recipients",
            "Recipients",
            limits::MAX_LINE,
        )?;
        if !(1..=24 * 60).contains(&self.cadence_minutes) {
            return Err(Error::validation("cadence_minutes", "The update cadence is between 1 minute and 24 hours (the reference: every 15–30 minutes for major incidents)"));
        }
        Ok(name)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Template {
    pub id: i64,
    pub name: String,
    pub subject: String,
    pub body: String,
}

pub const PLACEHOLDERS: &[&str] = &[
    "{number}",
    "{title}",
    "{service}",
    "{started}",
    "{impact}",
    "{status}",
    "{workaround}",
    "{next_update}",
];

impl Template {
    /// Refuses a template without name, subject or body, or with an unknown placeholder.
    pub fn validate(&self) -> Result<()> {
        let t = self;
        limits::required(&t.name, "name", "Template name", limits::MAX_NAME)?;
        limits::required(&t.subject, "subject", "Subject", limits::MAX_LINE)?;
        limits::required(&t.body, "body", "Body", limits::MAX_TEXT)?;
        for text in [&t.subject, &t.body] {
            let mut rest = text.as_str();
            while let Some(i) = rest.find('{') {
                let end = rest[i..].find('}').map(|j| i + j + 1).unwrap_or(rest.len());
                let ph = &rest[i..end];
                if !PLACEHOLDERS.contains(&ph) {
                    return Err(Error::validation(
                        if std::ptr::eq(text, &t.subject) {
                            "subject"
                        } else {
                            "body"
                        },
                        format!(
                            "Unknown placeholder {}; use {}",
                            limits::shown(ph),
                            PLACEHOLDERS.join(", ")
                        ),
                    ));
                }
                rest = &rest[end..];
            }
        }
        Ok(())
    }
}

/// A sent stakeholder update.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StakeholderUpdate {
    pub id: i64,
    pub audience_id: i64,
    pub audience: String,
    pub recipients: String,
    pub sent_at: DateTime<Utc>,
    pub sent_by: String,
    pub template: Option<String>,
    pub subject: String,
    pub body: String,
}

/// When each active audience's next update is due for a major incident being worked: a cadence
/// after the last update it was sent (or after the declaration).
pub fn next_updates(
    record: &MajorRecord,
    status: Status,
    audiences: Vec<Audience>,
    sent: &[StakeholderUpdate],
) -> Vec<(Audience, DateTime<Utc>)> {
    if !matches!(status, Status::New | Status::Assigned | Status::InProgress) {
        return vec![];
    }
    audiences
        .into_iter()
        .filter(|a| a.active)
        .filter_map(|a| {
            let last = sent
                .iter()
                .filter(|u| u.audience_id == a.id)
                .map(|u| u.sent_at)
                .max()
                .unwrap_or(record.declared_at);
            // A cadence saved out of range by an older version gives no due time, not a panic.
            let due = limits::plus_minutes(last, a.cadence_minutes)?;
            Some((a, due))
        })
        .collect()
}

/// Fills a template's placeholders from the incident.
pub fn render(inc: &Incident, text: &str, next_update: Option<DateTime<Utc>>) -> String {
    let t = |d: &DateTime<Utc>| d.format("%a %d %b %H:%M UTC").to_string();
    text.replace("{number}", &inc.number)
        .replace("{title}", &inc.title)
        .replace("{service}", &inc.service_name)
        .replace("{started}", &t(&inc.started_at))
        .replace(
            "{impact}",
            &format!("{} — {}", inc.impact.label(), inc.impact.definition()),
        )
        .replace("{status}", inc.status.label())
        .replace(
            "{workaround}",
            inc.workaround.as_deref().unwrap_or("none yet"),
        )
        .replace(
            "{next_update}",
            &next_update.map(|d| t(&d)).unwrap_or_else(|| "—".into()),
        )
}

/// A draft of an update from a template, for the composer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub subject: String,
    pub body: String,
    pub recipients: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct UpdateInput {
    pub id: i64,
    pub audience_id: Option<i64>,
    pub template: Option<String>,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub body: String,
}

/// Milestones that can be corrected after the fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Milestone {
    Started,
    Detected,
    WorkaroundAvailable,
    Resolved,
}

impl Milestone {
    pub const ALL: [Milestone; 4] = [
        Milestone::Started,
        Milestone::Detected,
        Milestone::WorkaroundAvailable,
        Milestone::Resolved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Milestone::Started => "started",
            Milestone::Detected => "detected",
            Milestone::WorkaroundAvailable => "workaround_available",
            Milestone::Resolved => "resolved",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Milestone::Started => "Started",
            Milestone::Detected => "Detected",
            Milestone::WorkaroundAvailable => "Workaround available",
            Milestone::Resolved => "Resolved",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CorrectionInput {
    pub id: i64,
    pub expected_version: i64,
    pub milestone: Milestone,
    pub at: String,
    #[serde(default)]
    pub reason: String,
}
