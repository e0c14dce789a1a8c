//! SLA configuration as users edit it in Settings: policies per priority, calendars with
//! holidays, escalation rules, reminders and quiet hours. Loaded once per transaction.

use super::calendar::{BusinessCalendar, Calendar, WorkingHours};
use crate::domain::model::Priority;
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
    NaiveTime::parse_from_str(s.trim(), "%H:%M")
        .map_err(|_| Error::validation(field, format!("{s:?} is not a time of day such as 08:00")))
}

pub fn parse_time_zone(s: &str) -> Result<Tz> {
    s.trim().parse::<Tz>().map_err(|_| {
        Error::validation(
            "time_zone",
            format!("Time zone {s:?} is not an IANA time zone such as Europe/London"),
        )
    })
}

impl CalendarRecord {
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

/// Reminders and quiet hours.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReminderSettings {
    /// "No update for 15 minutes on a P1": minutes per priority, None to switch off.
    pub update_minutes: [Option<i64>; 4],
    /// Resolved but not closed after this many minutes.
    pub closure_minutes: Option<i64>,
    pub quiet_hours: Option<QuietHours>,
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
