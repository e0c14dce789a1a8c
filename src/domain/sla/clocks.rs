//! The two SLA clocks of an incident, computed from its recorded history.
//!
//! The response clock runs from logging until the first response. The resolution clock runs
//! from logging until resolution, runs again after a reopen, and adds up. Both stop while the
//! incident is paused for a reason the policy allows. Nothing here is stored: a clock is a pure
//! function of the history, the policy and the calendar, so changing the priority re-measures
//! the same history against the new target and elapsed time is never reset.

use super::calendar::Calendar;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Which clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockKind {
    Response,
    Resolution,
}

impl ClockKind {
    pub const ALL: [ClockKind; 2] = [ClockKind::Response, ClockKind::Resolution];

    pub fn as_str(self) -> &'static str {
        match self {
            ClockKind::Response => "response",
            ClockKind::Resolution => "resolution",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ClockKind::Response => "Response",
            ClockKind::Resolution => "Resolution",
        }
    }
}

/// The facts of an incident's history the clocks depend on.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    pub logged_at: Option<DateTime<Utc>>,
    pub first_response_at: Option<DateTime<Utc>>,
    /// Resolution clock runs: [start, stop), the last one open while unresolved.
    pub resolution_runs: Vec<(DateTime<Utc>, Option<DateTime<Utc>>)>,
    /// Pauses: [start, end), the last one open while paused.
    pub pauses: Vec<(DateTime<Utc>, Option<DateTime<Utc>>)>,
}

impl History {
    /// The periods in which `clock` counts, pauses removed, in order. An open period has no end.
    pub fn running(&self, clock: ClockKind) -> Vec<(DateTime<Utc>, Option<DateTime<Utc>>)> {
        let runs = match clock {
            ClockKind::Response => match self.logged_at {
                Some(t) => vec![(t, self.first_response_at)],
                None => vec![],
            },
            ClockKind::Resolution => self.resolution_runs.clone(),
        };
        let mut out = Vec::new();
        for (start, end) in runs {
            let mut pieces = vec![(start, end)];
            for &(p_start, p_end) in &self.pauses {
                let mut next = Vec::new();
                for (a, b) in pieces {
                    let before_end = b.map_or(p_start, |b| b.min(p_start));
                    if before_end > a {
                        next.push((a, Some(before_end)));
                    }
                    if let Some(p_end) = p_end {
                        let after_start = a.max(p_end);
                        if b.is_none_or(|b| b > after_start) {
                            next.push((after_start, b));
                        }
                    }
                }
                pieces = next;
            }
            out.extend(pieces.into_iter().filter(|(a, b)| b.is_none_or(|b| b > *a)));
        }
        out.sort_by_key(|(a, _)| *a);
        out
    }
}

/// Counted time of the running periods up to `now`.
pub fn elapsed(
    cal: &Calendar,
    running: &[(DateTime<Utc>, Option<DateTime<Utc>>)],
    now: DateTime<Utc>,
) -> Duration {
    running
        .iter()
        .map(|&(a, b)| cal.elapsed(a, b.unwrap_or(now).min(now)))
        .fold(Duration::zero(), |x, y| {
            x.checked_add(&y).unwrap_or(Duration::MAX)
        })
}

/// The instant at which `amount` of counted time is reached, if the history reaches it
/// (an open period runs on forever; a stopped clock that never reached it gives None).
pub fn instant_at(
    cal: &Calendar,
    running: &[(DateTime<Utc>, Option<DateTime<Utc>>)],
    amount: Duration,
) -> Option<DateTime<Utc>> {
    let mut acc = Duration::zero();
    for &(a, b) in running {
        let left = amount.checked_sub(&acc)?;
        match b {
            None => return cal.add(a, left).ok(),
            Some(b) => {
                let len = cal.elapsed(a, b);
                if len >= left {
                    return cal.add(a, left).ok();
                }
                acc = acc.checked_add(&len)?;
            }
        }
    }
    None
}

/// Where a clock stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockState {
    /// Counting, not yet due, no warning threshold passed.
    Running,
    /// Counting, past the policy's first warning threshold (thresholds are set per policy in
    /// Settings → SLA), not yet due.
    Warning,
    /// Stopped by a pause.
    Paused,
    /// Stopped before its target: met.
    Met,
    /// Reached its target (still running late, or stopped late), or a breach was recorded:
    /// a breach that happened stays a breach, whatever later policy changes compute.
    Breached,
}

impl ClockState {
    pub const ALL: [ClockState; 5] = [
        ClockState::Running,
        ClockState::Warning,
        ClockState::Paused,
        ClockState::Met,
        ClockState::Breached,
    ];

    /// The snake_case form the window and list rows receive.
    pub fn as_str(self) -> &'static str {
        match self {
            ClockState::Running => "running",
            ClockState::Warning => "warning",
            ClockState::Paused => "paused",
            ClockState::Met => "met",
            ClockState::Breached => "breached",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ClockState::Running => "Running",
            ClockState::Warning => "Warning",
            ClockState::Paused => "Paused",
            ClockState::Met => "Met",
            ClockState::Breached => "Breached",
        }
    }
}

/// The calendar a clock counts in, as the panel names it.
#[derive(Debug, Clone, Copy)]
pub struct CalendarInfo<'a> {
    pub calendar: &'a Calendar,
    pub name: &'a str,
    /// IANA zone of the calendar's working hours.
    pub zone: &'a str,
}

/// What the policy and the record say about one clock, beside its history.
#[derive(Debug, Clone, Copy)]
pub struct ClockRules {
    pub target: Duration,
    /// The lowest warning threshold of the policy, in percent, if any.
    pub warn_percent: Option<i64>,
    /// When the clock's breach was recorded (its fired breach deadline), if it was.
    pub recorded_breach: Option<DateTime<Utc>>,
}

/// A clock as the incident's SLA panel shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClockView {
    pub clock: ClockKind,
    pub target_minutes: i64,
    pub calendar: String,
    /// IANA name of the calendar's time zone (e.g. "Europe/Berlin"), for a due time in the
    /// calendar's own zone.
    pub calendar_zone: String,
    /// True when the calendar has working hours (not 24×7): remaining time is working time.
    pub business_hours: bool,
    pub state: ClockState,
    pub elapsed_seconds: i64,
    /// Negative once breached.
    pub remaining_seconds: i64,
    /// When it is (or was) due: None for a clock that stopped before reaching its target.
    pub due_at: Option<DateTime<Utc>>,
    pub stopped_at: Option<DateTime<Utc>>,
    /// Percent of the target used, for badges and bars.
    pub percent_used: i64,
    /// Whether the clock is counting this very moment (running and inside working hours), so
    /// a live countdown knows whether to tick.
    pub counting_now: bool,
}

pub fn view(
    clock: ClockKind,
    history: &History,
    info: CalendarInfo<'_>,
    rules: ClockRules,
    paused_now: bool,
    now: DateTime<Utc>,
) -> ClockView {
    let cal = info.calendar;
    let target = rules.target;
    let running = history.running(clock);
    let used = elapsed(cal, &running, now);
    let due_at = instant_at(cal, &running, target);
    let open = running.last().is_some_and(|(_, b)| b.is_none());
    let stopped_at = if open || paused_now {
        None
    } else {
        running.last().and_then(|(_, b)| *b)
    };
    let percent_used = used.num_seconds().saturating_mul(100) / target.num_seconds().max(1);
    let state = if used >= target || rules.recorded_breach.is_some() {
        ClockState::Breached
    } else if paused_now {
        ClockState::Paused
    } else if open && rules.warn_percent.is_some_and(|w| percent_used >= w) {
        ClockState::Warning
    } else if open {
        ClockState::Running
    } else if history.logged_at.is_some()
        && clock == ClockKind::Response
        && history.first_response_at.is_none()
    {
        // Logged but no response and not open: only possible while paused.
        ClockState::Paused
    } else {
        ClockState::Met
    };
    let remaining = target.num_seconds().saturating_sub(used.num_seconds());
    // A recorded breach keeps the due time it was breached at and never shows time left,
    // even when a later, longer target would compute some.
    let (due_at, remaining, percent_used) = match rules.recorded_breach {
        Some(at) => (Some(at), remaining.min(0), percent_used.max(100)),
        None => (due_at, remaining, percent_used),
    };
    ClockView {
        clock,
        target_minutes: target.num_minutes(),
        calendar: info.name.to_string(),
        calendar_zone: info.zone.to_string(),
        business_hours: !matches!(cal, Calendar::AlwaysOn),
        state,
        elapsed_seconds: used.num_seconds(),
        remaining_seconds: remaining,
        due_at: if state == ClockState::Met {
            None
        } else {
            due_at
        },
        stopped_at,
        percent_used,
        counting_now: open
            && !paused_now
            && now
                .checked_add_signed(Duration::seconds(1))
                .is_some_and(|next| cal.elapsed(now, next) > Duration::zero()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(&format!("2026-03-02T{s}:00Z"))
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn pauses_are_cut_out_of_running_periods() {
        let h = History {
            logged_at: Some(t("09:00")),
            first_response_at: None,
            resolution_runs: vec![(t("09:00"), Some(t("12:00"))), (t("13:00"), None)],
            pauses: vec![(t("10:00"), Some(t("11:00"))), (t("14:00"), None)],
        };
        assert_eq!(
            h.running(ClockKind::Resolution),
            vec![
                (t("09:00"), Some(t("10:00"))),
                (t("11:00"), Some(t("12:00"))),
                (t("13:00"), Some(t("14:00")))
            ]
        );
        assert_eq!(
            h.running(ClockKind::Response),
            vec![
                (t("09:00"), Some(t("10:00"))),
                (t("11:00"), Some(t("14:00")))
            ]
        );
    }

    #[test]
    fn a_reopened_clock_adds_up_and_finds_its_due_time_in_the_second_run() {
        let running = vec![(t("09:00"), Some(t("10:00"))), (t("11:00"), None)];
        let due = instant_at(&Calendar::AlwaysOn, &running, Duration::hours(4)).unwrap();
        assert_eq!(due, t("14:00"));
        assert_eq!(
            elapsed(&Calendar::AlwaysOn, &running, t("12:00")),
            Duration::hours(2)
        );
    }

    #[test]
    fn a_clock_stopped_in_time_is_met_and_has_no_due_time() {
        let h = History {
            logged_at: Some(t("09:00")),
            first_response_at: Some(t("09:10")),
            ..Default::default()
        };
        let v = view(
            ClockKind::Response,
            &h,
            CalendarInfo {
                calendar: &Calendar::AlwaysOn,
                name: "24×7",
                zone: "UTC",
            },
            ClockRules {
                target: Duration::minutes(15),
                warn_percent: Some(50),
                recorded_breach: None,
            },
            false,
            t("12:00"),
        );
        assert_eq!(
            (v.state, v.elapsed_seconds, v.due_at),
            (ClockState::Met, 600, None)
        );
        assert_eq!(v.stopped_at, Some(t("09:10")));
    }

    fn open_response(now: &str, warn: Option<i64>, breach: Option<&str>) -> ClockView {
        let h = History {
            logged_at: Some(t("09:00")),
            ..Default::default()
        };
        view(
            ClockKind::Response,
            &h,
            CalendarInfo {
                calendar: &Calendar::AlwaysOn,
                name: "24×7",
                zone: "UTC",
            },
            ClockRules {
                target: Duration::minutes(60),
                warn_percent: warn,
                recorded_breach: breach.map(t),
            },
            false,
            t(now),
        )
    }

    #[test]
    fn a_clock_past_its_first_warning_threshold_is_in_warning() {
        assert_eq!(
            open_response("09:29", Some(50), None).state,
            ClockState::Running
        );
        assert_eq!(
            open_response("09:30", Some(50), None).state,
            ClockState::Warning
        );
        assert_eq!(
            open_response("09:50", Some(90), None).state,
            ClockState::Running
        );
        assert_eq!(
            open_response("09:50", None, None).state,
            ClockState::Running
        );
        assert_eq!(
            open_response("10:00", Some(50), None).state,
            ClockState::Breached
        );
    }

    #[test]
    fn a_recorded_breach_wins_over_a_longer_target() {
        let v = open_response("09:10", Some(50), Some("09:01"));
        assert_eq!(v.state, ClockState::Breached);
        assert_eq!(v.due_at, Some(t("09:01")));
        assert!(v.remaining_seconds <= 0 && v.percent_used >= 100, "{v:?}");
    }
}
