//! SQLite storage: one file, safe pragmas, numbered migrations, and the transaction discipline
//! every write goes through.
//!
//! Writes run inside `BEGIN IMMEDIATE … COMMIT` so a second desk on the same file waits for the
//! lock instead of failing half-way; any error rolls the whole change back.

pub mod catalog;
pub mod events;
pub mod incidents;
pub mod major;
pub mod migrations;
pub mod review;
pub mod sla;

use crate::{Error, Result};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The database: one connection, shared behind a lock (a desktop app has one writer).
pub struct Db {
    conn: Mutex<Connection>,
    path: Option<PathBuf>,
}

impl Db {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Db> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| {
                Error::Storage(format!(
                    "cannot create the data folder {}: {e}",
                    dir.display()
                ))
            })?;
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| Error::Storage(format!("cannot open {}: {e}", path.display())))?;
        Self::prepare(conn, Some(path.to_path_buf()))
    }

    /// A private in-memory database, for tests.
    pub fn in_memory() -> Result<Db> {
        Self::prepare(Connection::open_in_memory()?, None)
    }

    fn prepare(mut conn: Connection, path: Option<PathBuf>) -> Result<Db> {
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // WAL lets readers continue while a write commits; FULL makes every commit durable.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.set_prepared_statement_cache_capacity(64);
        // rusqlite clears a cached statement's bindings when it is returned to the cache, and
        // without the planner stability guarantee SQLite then re-plans every statement whose
        // plan looked at a bound value, on every use (docs/benchmarks.md measured 35 µs → 2 µs
        // for reading one incident).
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
            true,
        )?;
        migrations::migrate(&mut conn, path.as_deref())?;
        Ok(Db {
            conn: Mutex::new(conn),
            path,
        })
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave a transaction open (rusqlite rolls back
        // on drop), so the connection is still usable.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction; commits on Ok, rolls back on Err.
    pub fn write<T>(&self, f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// Runs `f` on a consistent read snapshot.
    pub fn read<T>(&self, f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Deferred)?;
        f(&tx)
    }
}

/// The one timestamp format stored: UTC with milliseconds, so text order is time order.
///
/// Written field by field rather than through `format("%Y-%m-%dT…")`, which parses its pattern
/// on every call: a create stores about twenty timestamps (docs/benchmarks.md).
pub(crate) fn ts(t: &chrono::DateTime<chrono::Utc>) -> String {
    use chrono::{Datelike, Timelike};
    use std::fmt::Write;
    let mut s = String::with_capacity(24);
    // Years outside 0..=9999 cannot be typed into any form; `{:04}` still keeps them readable.
    let _ = write!(
        s,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        // A leap second (nanosecond ≥ 1e9) is stored as the last millisecond of its minute.
        (t.nanosecond() / 1_000_000).min(999)
    );
    s
}

pub(crate) fn parse_ts(s: &str) -> Result<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|e| Error::Storage(format!("stored time {s:?} is not valid: {e}")))
}

pub(crate) fn parse_opt_ts(s: Option<String>) -> Result<Option<chrono::DateTime<chrono::Utc>>> {
    s.as_deref().map(parse_ts).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    #[test]
    fn stored_timestamps_match_the_rfc3339_pattern_and_read_back() {
        let mut t = Utc.with_ymd_and_hms(1999, 12, 31, 23, 59, 58).unwrap();
        // Steps of 7.000123 s cover every millisecond digit, truncation and day/year rollover.
        for _ in 0..5000 {
            let expected = t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
            assert_eq!(ts(&t), expected);
            let back = parse_ts(&ts(&t)).unwrap();
            assert_eq!(back.timestamp_millis(), t.timestamp_millis());
            t += chrono::Duration::nanoseconds(7_000_123_457);
        }
        let late = Utc.with_ymd_and_hms(2026, 3, 2, 9, 5, 7).unwrap()
            + chrono::Duration::microseconds(999_999);
        assert_eq!(ts(&late), "2026-03-02T09:05:07.999Z");
    }
}
