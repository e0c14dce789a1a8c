//! The documented bounds of everything a user sets or types, and the checked time arithmetic
//! that stays within them.
//!
//! No input may crash the app (DESIGN.md, principle 11): every number has a range checked in
//! validation, every text a maximum length, and date arithmetic on a user-set number is checked
//! (a value saved by an older version that is out of range gives no deadline instead of a
//! panic). docs/commands.md ("Limits") lists these values; keep the two in step.

use crate::{Error, Result};
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

/// Ten years in minutes (365-day years): the longest SLA target, escalation threshold,
/// reminder interval, revenue-outage threshold or expected response time.
pub const MAX_MINUTES: i64 = 10 * 365 * 24 * 60;

/// The most users a threshold, a service or an incident may count.
pub const MAX_USERS: i64 = 10_000_000;

/// Free text: descriptions, notes, resolution/verification/closure notes, reasons, review
/// texts, message bodies.
pub const MAX_TEXT: usize = 100_000;

/// An incident's title.
pub const MAX_TITLE: usize = 200;

/// Names: of people, teams, services, categories, calendars, audiences, templates, rules,
/// pause reasons, holidays, risk categories, the organisation; reporter names.
pub const MAX_NAME: usize = 100;

/// One-line texts: contacts, e-mail, phone, recipients, subjects, crisis bridge, problem
/// reference, time zones.
pub const MAX_LINE: usize = 1_000;

/// Search text of the incident list.
pub const MAX_SEARCH_CHARS: usize = 500;

/// Words of a search; each is matched as a prefix, so more make the search slow, not better.
pub const MAX_SEARCH_TERMS: usize = 32;

/// Entries of a short list a user edits: pause reasons, risk categories, roles, warnings.
pub const MAX_LIST: usize = 100;

/// Alerts marked read in one call (the notification centre shows 200).
pub const MAX_ALERT_IDS: usize = 1_000;

/// Holidays of one calendar (about 100 years of national holidays).
pub const MAX_HOLIDAYS: usize = 2_000;

/// The years a user-entered date (holiday, action due date) may fall in.
pub const MIN_YEAR: i32 = 1900;
pub const MAX_YEAR: i32 = 2999;

/// "5,256,000": an integer with thousands separators, for messages.
pub fn fmt_int(n: i64) -> String {
    let s = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// How a message quotes what a user typed: in quotes, cut to 60 characters, so a huge input
/// never becomes a huge message.
pub fn shown(value: &str) -> String {
    const SHOWN: usize = 60;
    match value.char_indices().nth(SHOWN) {
        None => format!("{value:?}"),
        Some((i, _)) => format!("{:?}…", &value[..i]),
    }
}

/// Refuses `value` (the text of `field`, shown as `label`) when longer than `max` characters.
pub fn check_len(value: &str, field: &str, label: &str, max: usize) -> Result<()> {
    // A character is at least one byte: most texts are decided without counting.
    if value.len() <= max {
        return Ok(());
    }
    let n = value.chars().count();
    if n > max {
        return Err(Error::validation(
            field,
            format!(
                "{label} must be at most {} characters (got {})",
                fmt_int(max as i64),
                fmt_int(n as i64)
            ),
        ));
    }
    Ok(())
}

/// The trimmed text, refused when longer than `max` characters (empty is allowed).
pub fn text(value: &str, field: &str, label: &str, max: usize) -> Result<String> {
    let v = value.trim();
    check_len(v, field, label, max)?;
    Ok(v.to_string())
}

/// The trimmed text, refused when empty or longer than `max` characters.
pub fn required(value: &str, field: &str, label: &str, max: usize) -> Result<String> {
    let v = text(value, field, label, max)?;
    if v.is_empty() {
        return Err(Error::validation(field, format!("{label} is required")));
    }
    Ok(v)
}

/// Refuses a list of more than `max` entries.
pub fn check_count<T>(items: &[T], field: &str, label: &str, max: usize) -> Result<()> {
    if items.len() > max {
        return Err(Error::validation(
            field,
            format!(
                "{label}: at most {} entries (got {})",
                fmt_int(max as i64),
                fmt_int(items.len() as i64)
            ),
        ));
    }
    Ok(())
}

/// Refuses a count outside `min..=max`, e.g. "Users affected must be between 0 and 10,000,000".
pub fn check_range(value: i64, field: &str, label: &str, min: i64, max: i64) -> Result<()> {
    if !(min..=max).contains(&value) {
        return Err(Error::validation(
            field,
            format!(
                "{label} must be between {} and {} (got {})",
                fmt_int(min),
                fmt_int(max),
                fmt_int(value)
            ),
        ));
    }
    Ok(())
}

/// Refuses minutes outside `min..=MAX_MINUTES`: "… must be between 1 and 5,256,000 minutes
/// (10 years)".
pub fn check_minutes(value: i64, field: &str, label: &str, min: i64) -> Result<()> {
    if !(min..=MAX_MINUTES).contains(&value) {
        return Err(Error::validation(
            field,
            format!(
                "{label} must be between {} and {} minutes (10 years) (got {})",
                fmt_int(min),
                fmt_int(MAX_MINUTES),
                fmt_int(value)
            ),
        ));
    }
    Ok(())
}

/// Refuses a date outside the years `MIN_YEAR..=MAX_YEAR`.
pub fn check_date(day: NaiveDate, field: &str, label: &str) -> Result<()> {
    use chrono::Datelike;
    if !(MIN_YEAR..=MAX_YEAR).contains(&day.year()) {
        return Err(Error::validation(
            field,
            format!(
                "{label} must be a date between the years {MIN_YEAR} and {MAX_YEAR} (got {day})"
            ),
        ));
    }
    Ok(())
}

/// `minutes` as a duration, or None when it does not fit one.
pub fn minutes(minutes: i64) -> Option<TimeDelta> {
    TimeDelta::try_minutes(minutes)
}

/// `t` plus `minutes`, or None when either the duration or the instant would overflow.
pub fn plus_minutes(t: DateTime<Utc>, minutes: i64) -> Option<DateTime<Utc>> {
    TimeDelta::try_minutes(minutes).and_then(|d| t.checked_add_signed(d))
}

/// Whether a user-entered instant lies in the future: later than a minute after `now` (the
/// minute is slack for the clocks of different machines; later than that is a typo).
pub fn is_future(at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    plus_minutes(now, 1).is_some_and(|limit| at > limit)
}

/// The instant if a deadline may be set at it: the database keeps instants of the years
/// 0 to 9999 (four digits), so one beyond is not set (only a value saved by an older version
/// without limits leads that far).
pub fn storable(t: DateTime<Utc>) -> Option<DateTime<Utc>> {
    use chrono::Datelike;
    (0..=9999).contains(&t.year()).then_some(t)
}

/// `percent` % of `d` (to the second), computed without overflow; None when the result does
/// not fit a duration.
pub fn percent_of(d: TimeDelta, percent: i64) -> Option<TimeDelta> {
    let s = i128::from(d.num_seconds()) * i128::from(percent) / 100;
    i64::try_from(s).ok().and_then(TimeDelta::try_seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_years_is_five_million_two_hundred_fifty_six_thousand_minutes() {
        assert_eq!(MAX_MINUTES, 5_256_000);
        assert_eq!(fmt_int(MAX_MINUTES), "5,256,000");
        assert_eq!(fmt_int(i64::MIN), "-9,223,372,036,854,775,808");
    }

    #[test]
    fn a_text_one_character_too_long_is_refused_with_its_field_named() {
        let err = required(&"é".repeat(MAX_NAME + 1), "name", "Name", MAX_NAME).unwrap_err();
        assert_eq!(err.field(), Some("name"));
        assert!(err.to_string().contains("at most 100 characters"), "{err}");
        assert_eq!(
            required(&"é".repeat(MAX_NAME), "name", "Name", MAX_NAME).unwrap(),
            "é".repeat(MAX_NAME)
        );
    }

    #[test]
    fn an_instant_after_the_year_9999_cannot_be_a_deadline() {
        let t = DateTime::parse_from_rfc3339("9999-12-31T23:59:59Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(storable(t), Some(t));
        assert_eq!(plus_minutes(t, 1).and_then(storable), None);
    }

    #[test]
    fn arithmetic_on_extreme_minutes_gives_none_instead_of_panicking() {
        let t = DateTime::<Utc>::MAX_UTC;
        assert_eq!(plus_minutes(t, 1), None);
        assert_eq!(plus_minutes(t, i64::MAX), None);
        assert_eq!(minutes(i64::MIN), None);
        assert_eq!(percent_of(TimeDelta::MAX, i64::MAX), None);
        assert_eq!(
            percent_of(TimeDelta::minutes(100), 75),
            Some(TimeDelta::minutes(75))
        );
    }
}
