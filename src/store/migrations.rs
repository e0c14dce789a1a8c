//! Numbered schema migrations.
//!
//! The schema version lives in `PRAGMA user_version`. Each migration runs in its own
//! transaction together with the version bump, so a failure leaves the previous version
//! intact. Shipped migrations are never edited: a change is a new, higher-numbered entry. A file
//! written by a newer Incident Desk is refused rather than guessed at.

use crate::{Error, Result};
use rusqlite::Connection;
use std::path::Path;

/// Index 0 is migration 1.
pub const MIGRATIONS: &[&str] = &[
    include_str!("sql/0001_foundation.sql"),
    include_str!("sql/0002_sla.sql"),
    include_str!("sql/0003_history_chain.sql"),
    include_str!("sql/0004_major_incidents.sql"),
    include_str!("sql/0005_review_snapshot.sql"),
];

/// Work a migration needs that SQL cannot do, run right after its SQL in the same
/// transaction. Like the SQL, never edited once shipped.
fn after(version: i64, tx: &rusqlite::Transaction<'_>) -> Result<()> {
    match version {
        3 => super::events::fill_missing_hashes(tx).map(|_| ()),
        _ => Ok(()),
    }
}

/// The schema version this binary writes.
pub fn latest() -> i64 {
    MIGRATIONS.len() as i64
}

pub fn current_version(conn: &Connection) -> Result<i64> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
}

/// Applies migrations up to `version` only: how an older binary left a database (tests).
pub fn migrate_to(conn: &mut Connection, version: i64) -> Result<()> {
    apply(conn, current_version(conn)?, version)
}

/// Runs migrations `from + 1 ..= to`, each in its own transaction with its version bump.
fn apply(conn: &mut Connection, from: i64, to: i64) -> Result<()> {
    for (i, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .take(to as usize)
        .skip(from as usize)
    {
        let version = i as i64 + 1;
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)
            .map_err(|e| Error::Storage(format!("migration {version} failed: {e}")))?;
        after(version, &tx)?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
    }
    Ok(())
}

/// Brings the schema to `latest()`, or refuses a database from a newer binary.
pub fn migrate(conn: &mut Connection, path: Option<&Path>) -> Result<()> {
    let found = current_version(conn)?;
    if found > latest() {
        let place = path
            .map(|p| format!(" at {}", p.display()))
            .unwrap_or_default();
        return Err(Error::IncompatibleDatabase(format!(
            "The database{place} was written by a newer version of Incident Desk (schema {found}; this version understands up to {}). Install the newer version, or start with another data folder (--data-dir).",
            latest()
        )));
    }
    apply(conn, found, latest())
}
