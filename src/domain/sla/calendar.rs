//! Business calendars and deadline arithmetic: pure functions of instants and durations.
//!
//! A deadline "4 business hours after Friday 16:00" must land on Monday 11:00, skip a holiday,
//! and stay exact across daylight-saving changes. Working hours are local wall-clock times in an
//! IANA time zone; every computation walks the working intervals of each local day converted to
//! UTC, so DST shifts come out of the time-zone database, not out of guesses.

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Working hours of one weekday, local time; `end` after `start`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkingHours {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

/// When an SLA clock counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Calendar {
    /// Every minute counts (24×7).
    AlwaysOn,
    Business(BusinessCalendar),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessCalendar {
    pub time_zone: Tz,
    /// Monday first.
    pub week: [Option<WorkingHours>; 7],
    pub holidays: BTreeSet<NaiveDate>,
}

/// How far the arithmetic looks ahead for working time before giving up: ten years.
const MAX_DAYS: i64 = 3660;

impl BusinessCalendar {
    /// Mon–Fri 08:00–17:00 in `tz`, no holidays.
    pub fn office_hours(tz: Tz) -> BusinessCalendar {
        let day = Some(WorkingHours {
            start: NaiveTime::from_hms_opt(8, 0, 0).unwrap_or_default(),
            end: NaiveTime::from_hms_opt(17, 0, 0).unwrap_or_default(),
        });
        BusinessCalendar {
            time_zone: tz,
            week: [day, day, day, day, day, None, None],
            holidays: BTreeSet::new(),
        }
    }

    fn has_working_time(&self) -> bool {
        self.week.iter().flatten().any(|h| h.end > h.start)
    }

    /// A local wall-clock time as an instant. In a DST gap the wall time does not exist: the
    /// first instant after the gap is used. In an overlap, the earlier instant.
    fn instant(&self, date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
        let local = NaiveDateTime::new(date, time);
        match self.time_zone.from_local_datetime(&local) {
            LocalResult::Single(t) => t.with_timezone(&Utc),
            LocalResult::Ambiguous(a, _) => a.with_timezone(&Utc),
            LocalResult::None => {
                let mut probe = local;
                for _ in 0..180 {
                    let Some(next) = probe.checked_add_signed(Duration::minutes(1)) else {
                        break;
                    };
                    probe = next;
                    if let Some(t) = self.time_zone.from_local_datetime(&probe).earliest() {
                        return t.with_timezone(&Utc);
                    }
                }
                Utc.from_utc_datetime(&local)
            }
        }
    }

    /// The working interval of a local date, as UTC instants, if it is a working day.
    fn interval(&self, date: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        if self.holidays.contains(&date) {
            return None;
        }
        let hours = self.week[date.weekday().num_days_from_monday() as usize]?;
        if hours.end <= hours.start {
            return None;
        }
        Some((
            self.instant(date, hours.start),
            self.instant(date, hours.end),
        ))
    }

    fn local_date(&self, t: DateTime<Utc>) -> NaiveDate {
        t.with_timezone(&self.time_zone).date_naive()
    }
}

/// Why a deadline cannot be computed: the calendar has no working time for it within ten
/// years, or the deadline would lie beyond the last instant a date can hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no deadline can be set: the calendar has no working time for it in the next ten years")]
pub struct NoWorkingTime;

impl Calendar {
    /// The instant at which `duration` of counted time has passed after `start`.
    pub fn add(
        &self,
        start: DateTime<Utc>,
        duration: Duration,
    ) -> Result<DateTime<Utc>, NoWorkingTime> {
        let cal = match self {
            Calendar::AlwaysOn => return start.checked_add_signed(duration).ok_or(NoWorkingTime),
            Calendar::Business(c) => c,
        };
        if duration <= Duration::zero() {
            return Ok(start);
        }
        if !cal.has_working_time() {
            return Err(NoWorkingTime);
        }
        // More than the longest working day (plus an hour of daylight-saving change) on every
        // day looked at cannot be reached: say so at once instead of walking ten years of days
        // (a target near the ten-year limit on office hours is such a case).
        let longest = cal
            .week
            .iter()
            .flatten()
            .map(|h| h.end - h.start)
            .max()
            .unwrap_or_else(Duration::zero);
        let reachable = (longest + Duration::hours(1)).checked_mul(MAX_DAYS as i32 + 1);
        if reachable.is_some_and(|r| duration > r) {
            return Err(NoWorkingTime);
        }
        let mut left = duration;
        // Start a day early: a late-evening instant in UTC can belong to the next local day.
        let first = cal.local_date(start);
        let mut date = first.pred_opt().unwrap_or(first);
        for _ in 0..MAX_DAYS {
            if let Some((a, b)) = cal.interval(date) {
                let a = a.max(start);
                if a < b {
                    let available = b - a;
                    if left <= available {
                        return a.checked_add_signed(left).ok_or(NoWorkingTime);
                    }
                    left -= available;
                }
            }
            date = date.succ_opt().ok_or(NoWorkingTime)?;
        }
        Err(NoWorkingTime)
    }

    /// Counted time between `from` and `to` (zero if `to` is not after `from`).
    pub fn elapsed(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
        if to <= from {
            return Duration::zero();
        }
        let cal = match self {
            Calendar::AlwaysOn => return to - from,
            Calendar::Business(c) => c,
        };
        let mut total = Duration::zero();
        let (first, last) = (cal.local_date(from), cal.local_date(to));
        let mut date = first.pred_opt().unwrap_or(first);
        let last = last.succ_opt().unwrap_or(last);
        while date <= last {
            if let Some((a, b)) = cal.interval(date) {
                let a = a.max(from);
                let b = b.min(to);
                if a < b {
                    total += b - a;
                }
            }
            match date.succ_opt() {
                Some(next) => date = next,
                None => break,
            }
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::Rng;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn office(tz: Tz) -> Calendar {
        Calendar::Business(BusinessCalendar::office_hours(tz))
    }

    #[test]
    fn four_business_hours_from_friday_four_pm_is_monday_eleven() {
        let cal = office(chrono_tz::Europe::London);
        // 2026-03-06 is a Friday; London is on GMT then.
        let due = cal
            .add(utc("2026-03-06T16:00:00Z"), Duration::hours(4))
            .unwrap();
        assert_eq!(due, utc("2026-03-09T11:00:00Z"));
    }

    #[test]
    fn a_holiday_monday_moves_the_deadline_to_tuesday() {
        let mut c = BusinessCalendar::office_hours(chrono_tz::Europe::London);
        c.holidays
            .insert(NaiveDate::from_ymd_opt(2026, 3, 9).unwrap());
        let due = Calendar::Business(c)
            .add(utc("2026-03-06T16:00:00Z"), Duration::hours(4))
            .unwrap();
        assert_eq!(due, utc("2026-03-10T11:00:00Z"));
    }

    #[test]
    fn a_24x7_deadline_across_a_dst_change_is_exactly_the_real_duration() {
        // Europe/London springs forward at 01:00 UTC on 2026-03-29.
        let start = utc("2026-03-29T00:50:00Z");
        let due = Calendar::AlwaysOn
            .add(start, Duration::minutes(15))
            .unwrap();
        assert_eq!(due - start, Duration::minutes(15));
        assert_eq!(due, utc("2026-03-29T01:05:00Z"));
    }

    #[test]
    fn business_hours_follow_local_time_across_dst() {
        let cal = office(chrono_tz::Europe::London);
        // Friday 27 March 16:00 GMT; Monday 30 March is BST, so 08:00 local is 07:00 UTC.
        let due = cal
            .add(utc("2026-03-27T16:00:00Z"), Duration::hours(4))
            .unwrap();
        assert_eq!(due, utc("2026-03-30T10:00:00Z"));
    }

    #[test]
    fn time_outside_working_hours_does_not_count() {
        let cal = office(chrono_tz::Europe::London);
        let e = cal.elapsed(utc("2026-03-06T16:00:00Z"), utc("2026-03-09T09:00:00Z"));
        assert_eq!(e, Duration::hours(2));
    }

    #[test]
    fn a_target_beyond_ten_years_of_working_days_has_no_deadline() {
        let cal = office(chrono_tz::Europe::London);
        let start = utc("2026-03-06T16:00:00Z");
        assert_eq!(
            cal.add(start, Duration::minutes(5_256_000)),
            Err(NoWorkingTime)
        );
        assert_eq!(cal.add(start, Duration::MAX), Err(NoWorkingTime));
        assert_eq!(
            Calendar::AlwaysOn.add(start, Duration::MAX),
            Err(NoWorkingTime)
        );
        // Nine hours a day for a little under ten years is still reached.
        assert!(cal.add(start, Duration::hours(9 * 5 * 52 * 9)).is_ok());
    }

    #[test]
    fn a_calendar_without_working_hours_is_refused() {
        let mut c = BusinessCalendar::office_hours(chrono_tz::UTC);
        c.week = [None; 7];
        assert_eq!(
            Calendar::Business(c).add(utc("2026-03-06T16:00:00Z"), Duration::hours(1)),
            Err(NoWorkingTime)
        );
    }

    fn random_calendar(rng: &mut Rng) -> Calendar {
        let zones = [
            chrono_tz::Europe::London,
            chrono_tz::America::New_York,
            chrono_tz::Australia::Sydney,
            chrono_tz::Asia::Kolkata,
            chrono_tz::UTC,
        ];
        let mut c = BusinessCalendar::office_hours(*rng.pick(&zones));
        for d in 0..7 {
            if rng.chance(30) {
                c.week[d] = None;
            } else {
                let s = rng.below(12) as u32;
                let e = s + 1 + rng.below(12) as u32;
                c.week[d] = Some(WorkingHours {
                    start: NaiveTime::from_hms_opt(s, (rng.below(4) * 15) as u32, 0).unwrap(),
                    end: NaiveTime::from_hms_opt(e.min(23), 30, 0).unwrap(),
                });
            }
        }
        if c.week.iter().all(Option::is_none) {
            c.week[2] = BusinessCalendar::office_hours(chrono_tz::UTC).week[2];
        }
        for _ in 0..rng.below(20) {
            let day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
                + Duration::days(rng.below(500) as i64);
            c.holidays.insert(day);
        }
        Calendar::Business(c)
    }

    /// Property tests on 3,000 random calendars, starts and durations (DST seasons included).
    #[test]
    fn adding_then_measuring_gives_back_the_duration_and_deadlines_never_move_backwards() {
        let mut rng = Rng::new(7);
        for case in 0..3000 {
            let cal = if case % 5 == 0 {
                Calendar::AlwaysOn
            } else {
                random_calendar(&mut rng)
            };
            let start =
                utc("2026-01-01T00:00:00Z") + Duration::minutes(rng.below(60 * 24 * 400) as i64);
            let d = Duration::minutes(1 + rng.below(60 * 60) as i64);
            let due = cal.add(start, d).unwrap();
            assert!(due >= start);
            assert_eq!(
                cal.elapsed(start, due),
                d,
                "case {case}: {cal:?} from {start} + {d}"
            );
            let later = start + Duration::minutes(rng.below(60 * 24 * 3) as i64);
            assert!(
                cal.add(later, d).unwrap() >= due,
                "case {case}: later start, earlier deadline"
            );
            let longer = d + Duration::minutes(rng.below(600) as i64);
            assert!(cal.add(start, longer).unwrap() >= due);
        }
    }
}
