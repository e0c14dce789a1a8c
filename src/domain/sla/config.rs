//! SLA configuration as users edit it in Settings: policies per priority, calendars with
//! holidays, escalation rules, reminders and quiet hours. Loaded once per transaction.

use super::calendar::{BusinessCalendar, Calendar, WorkingHours};
use crate::domain::limits;
use crate::domain::model::Priority;
use crate::error::Problems;
use crate::{Error, Result};
use chrono::{NaiveDate, NaiveTime};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlaPolicy {
    pub priority: Priority,
    pub response_minutes: i64,
    pub resolution_minutes: i64,
    pub calendar_id: i64,
    /// Percent of the target at which a warning is raised, ascending (default 50 and 75).
    pub warn_percents: Vec<i64>,
    /// Reasons for which the clocks may be paused; empty means pausing is not allowed.
    pub pause_reasons: Vec<String>,
}

impl SlaPolicy {
    /// Refuses targets out of order or beyond the documented limits, bad warning thresholds
    /// and over-long pause reasons. Returns the sorted warning thresholds and the trimmed
    /// pause reasons to store.
    pub fn validate(&self) -> Result<(Vec<i64>, Vec<String>)> {
        // Every field is checked before refusing, so the form shows all its problems at once.
        let mut p = Problems::new();
        let response = p.take(limits::check_minutes(
            self.response_minutes,
            "response_minutes",
            "The response target",
            1,
        ))?;
        let resolution = p.take(limits::check_minutes(
            self.resolution_minutes,
            "resolution_minutes",
            "The resolution target",
            1,
        ))?;
        if response.is_some()
            && resolution.is_some()
            && self.resolution_minutes < self.response_minutes
        {
            p.add(
                "resolution_minutes",
                "Resolution target cannot be shorter than the response target",
            );
        }
        let mut warn = self.warn_percents.clone();
        warn.sort_unstable();
        warn.dedup();
        if warn.iter().any(|w| !(1..=99).contains(w)) {
            p.add(
                "warn_percents",
                "Warning thresholds are percentages between 1 and 99",
            );
        }
        let mut reasons = Vec::new();
        if p.take(limits::check_count(
            &self.pause_reasons,
            "pause_reasons",
            "Pause reasons",
            limits::MAX_LIST,
        ))?
        .is_some()
        {
            for r in &self.pause_reasons {
                if let Some(r) = p.take(limits::text(
                    r,
                    "pause_reasons",
                    "A pause reason",
                    limits::MAX_NAME,
                ))? {
                    if !r.is_empty() {
                        reasons.push(r);
                    }
                }
            }
        }
        p.finish()?;
        Ok((warn, reasons))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Holiday {
    pub day: NaiveDate,
    #[serde(default)]
    pub name: String,
}

/// A calendar as stored and edited: `week` is Monday first, each day `null` or
/// `["08:00", "17:00"]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalendarRecord {
    pub id: i64,
    pub name: String,
    pub always_on: bool,
    pub time_zone: String,
    pub week: Vec<Option<[String; 2]>>,
    #[serde(default)]
    pub holidays: Vec<Holiday>,
}

fn parse_time(s: &str, field: &str) -> Result<NaiveTime> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M").map_err(|_| {
        Error::validation(
            field,
            format!("{} is not a time of day such as 08:00", limits::shown(s)),
        )
    })
}

pub fn parse_time_zone(s: &str) -> Result<Tz> {
    s.trim().parse::<Tz>().map_err(|_| {
        Error::validation(
            "time_zone",
            format!(
                "Time zone {} is not an IANA time zone such as Europe/London",
                limits::shown(s)
            ),
        )
    })
}

impl CalendarRecord {
    /// Checks everything a user sets (name, hours, zone, holidays) and returns the trimmed
    /// name.
    pub fn validate(&self) -> Result<String> {
        let mut p = Problems::new();
        let name = p.take(limits::required(
            &self.name,
            "name",
            "Calendar name",
            limits::MAX_NAME,
        ))?;
        p.take(limits::check_len(
            &self.time_zone,
            "time_zone",
            "Time zone",
            limits::MAX_LINE,
        ))?;
        if p.take(limits::check_count(
            &self.holidays,
            "holidays",
            "Holidays",
            limits::MAX_HOLIDAYS,
        ))?
        .is_some()
        {
            for h in &self.holidays {
                p.take(limits::check_date(h.day, "holidays", "A holiday"))?;
                p.take(limits::check_len(
                    &h.name,
                    "holidays",
                    "A holiday's name",
                    limits::MAX_NAME,
                ))?;
            }
        }
        if !self.always_on {
            p.take(parse_time_zone(&self.time_zone))?;
        }
        p.take(self.to_calendar())?;
        p.finish()?;
        Ok(name.unwrap_or_default())
    }

    /// The calendar the deadline arithmetic uses; the error names the bad field.
    pub fn to_calendar(&self) -> Result<Calendar> {
        if self.always_on {
            return Ok(Calendar::AlwaysOn);
        }
        let tz = parse_time_zone(&self.time_zone)?;
        if self.week.len() != 7 {
            return Err(Error::validation(
                "week",
                "Working hours need one entry per weekday, Monday first",
            ));
        }
        let mut week = [None; 7];
        for (i, day) in self.week.iter().enumerate() {
            if let Some([s, e]) = day {
                let start = parse_time(s, "week")?;
                let end = parse_time(e, "week")?;
                if end <= start {
                    return Err(Error::validation(
                        "week",
                        format!("Working hours must end after they start ({s}–{e})"),
                    ));
                }
                week[i] = Some(WorkingHours { start, end });
            }
        }
        if week.iter().all(Option::is_none) {
            return Err(Error::validation(
                "week",
                "A business calendar needs working hours on at least one day",
            ));
        }
        Ok(Calendar::Business(BusinessCalendar {
            time_zone: tz,
            week,
            holidays: self.holidays.iter().map(|h| h.day).collect::<BTreeSet<_>>(),
        }))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleTrigger {
    /// Not acknowledged within the threshold after logging.
    Unacknowledged,
    /// Not resolved within the threshold after logging.
    Unresolved,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleAction {
    EscalateTeam,
    NotifyPerson,
    RaisePriority,
}

impl RuleTrigger {
    pub const ALL: [RuleTrigger; 2] = [RuleTrigger::Unacknowledged, RuleTrigger::Unresolved];

    pub fn as_str(self) -> &'static str {
        match self {
            RuleTrigger::Unacknowledged => "unacknowledged",
            RuleTrigger::Unresolved => "unresolved",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RuleTrigger::Unacknowledged => "Not acknowledged",
            RuleTrigger::Unresolved => "Not resolved",
        }
    }
}

impl RuleAction {
    pub const ALL: [RuleAction; 3] = [
        RuleAction::EscalateTeam,
        RuleAction::NotifyPerson,
        RuleAction::RaisePriority,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RuleAction::EscalateTeam => "escalate_team",
            RuleAction::NotifyPerson => "notify_person",
            RuleAction::RaisePriority => "raise_priority",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RuleAction::EscalateTeam => "Escalate to a team",
            RuleAction::NotifyPerson => "Notify a person",
            RuleAction::RaisePriority => "Raise the priority",
        }
    }
}

/// "Unresolved 15 minutes after logging → escalate to the Network team".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EscalationRule {
    pub id: Option<i64>,
    pub name: String,
    #[serde(default = "yes")]
    pub active: bool,
    pub priority: Option<Priority>,
    pub category_id: Option<i64>,
    pub service_id: Option<i64>,
    pub team_id: Option<i64>,
    pub tier: Option<String>,
    pub trigger: RuleTrigger,
    pub after_minutes: i64,
    pub action: RuleAction,
    pub target_team_id: Option<i64>,
    pub target_person_id: Option<i64>,
    pub target_priority: Option<Priority>,
    #[serde(default)]
    pub reason: String,
}

fn yes() -> bool {
    true
}

impl EscalationRule {
    /// Refuses a rule without a name, with a threshold beyond the documented limits, or
    /// without the target its action needs. Returns the trimmed name.
    pub fn validate(&self) -> Result<String> {
        let mut p = Problems::new();
        let name = p.take(limits::required(
            &self.name,
            "name",
            "Rule name",
            limits::MAX_NAME,
        ))?;
        p.take(limits::check_minutes(
            self.after_minutes,
            "after_minutes",
            "The threshold",
            1,
        ))?;
        p.take(limits::check_len(
            self.reason.trim(),
            "reason",
            "The reason",
            limits::MAX_TEXT,
        ))?;
        match self.action {
            RuleAction::EscalateTeam if self.target_team_id.is_none() => {
                p.add("target_team_id", "Choose the team to escalate to")
            }
            RuleAction::NotifyPerson if self.target_person_id.is_none() => {
                p.add("target_person_id", "Choose the person to notify")
            }
            RuleAction::RaisePriority => {
                if self.target_priority.is_none() {
                    p.add("target_priority", "Choose the priority to raise to");
                }
                if self.reason.trim().is_empty() {
                    p.add(
                        "reason",
                        "Raising the priority needs a reason; it is recorded on the incident",
                    );
                }
            }
            _ => {}
        }
        if let Some(t) = &self.tier {
            p.take(crate::domain::model::Tier::parse(t, "tier"))?;
        }
        p.finish()?;
        Ok(name.unwrap_or_default())
    }
}

/// Reminders and quiet hours.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReminderSettings {
    /// "No update for 15 minutes on a P1": minutes per priority, None to switch off.
    pub update_minutes: [Option<i64>; 4],
    /// Resolved but not closed after this many minutes.
    pub closure_minutes: Option<i64>,
    pub quiet_hours: Option<QuietHours>,
}

impl ReminderSettings {
    /// Refuses intervals beyond the documented limits and bad quiet hours, naming every one.
    pub fn validate(&self) -> Result<()> {
        let mut p = Problems::new();
        for m in self.update_minutes.iter().flatten() {
            p.take(limits::check_minutes(
                *m,
                "update_minutes",
                "Update reminders",
                1,
            ))?;
        }
        if let Some(m) = self.closure_minutes {
            p.take(limits::check_minutes(
                m,
                "closure_minutes",
                "The closure reminder",
                1,
            ))?;
        }
        if let Some(q) = &self.quiet_hours {
            p.take(parse_time(&q.from, "quiet_from"))?;
            p.take(parse_time(&q.to, "quiet_to"))?;
            p.take(parse_time_zone(&q.time_zone))?;
        }
        p.finish()
    }
}

impl Default for ReminderSettings {
    fn default() -> Self {
        ReminderSettings {
            update_minutes: [Some(15), Some(60), None, None],
            closure_minutes: Some(24 * 60),
            quiet_hours: None,
        }
    }
}

/// Desktop notifications for P3/P4 warnings are silent between `from` and `to` (local time in
/// `time_zone`). Breaches of P1/P2 always notify.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuietHours {
    pub from: String,
    pub to: String,
    pub time_zone: String,
}

impl QuietHours {
    pub fn validate(&self) -> Result<()> {
        parse_time(&self.from, "quiet_from")?;
        parse_time(&self.to, "quiet_to")?;
        parse_time_zone(&self.time_zone)?;
        Ok(())
    }

    /// Whether `at` falls in the quiet period (which may span midnight).
    pub fn contains(&self, at: chrono::DateTime<chrono::Utc>) -> bool {
        let (Ok(from), Ok(to), Ok(tz)) = (
            parse_time(&self.from, "quiet_from"),
            parse_time(&self.to, "quiet_to"),
            parse_time_zone(&self.time_zone),
        ) else {
            return false;
        };
        let local = at.with_timezone(&tz).time();
        if from <= to {
            local >= from && local < to
        } else {
            local >= from || local < to
        }
    }
}

/// Everything the SLA engine needs, read once.
#[derive(Debug, Clone)]
pub struct SlaConfig {
    pub policies: Vec<SlaPolicy>,
    pub calendars: Vec<(CalendarRecord, Calendar)>,
    pub rules: Vec<EscalationRule>,
    pub reminders: ReminderSettings,
}

impl SlaConfig {
    pub fn policy(&self, p: Priority) -> Option<&SlaPolicy> {
        self.policies.iter().find(|x| x.priority == p)
    }

    pub fn calendar(&self, id: i64) -> Option<&(CalendarRecord, Calendar)> {
        self.calendars.iter().find(|(r, _)| r.id == id)
    }
}
