//! Numbered schema migrations.
//!
//! The schema version lives in `PRAGMA user_version`. Each migration runs in its own
//! transaction together with the version bump, so a failure leaves the previous version
//! intact. Shipped migrations are never edited: a change is a new, higher-numbered entry. A file
//! written by a newer Incident Desk is refused rather than guessed at.

use crate::{Error, Result};
use rusqlite::{Connection, OptionalExtension};
use std::path::Path;

/// Index 0 is migration 1.
pub const MIGRATIONS: &[&str] = &[
    include_str!("sql/0001_foundation.sql"),
    include_str!("sql/0002_sla.sql"),
    include_str!("sql/0003_history_chain.sql"),
    include_str!("sql/0004_major_incidents.sql"),
    include_str!("sql/0005_review_snapshot.sql"),
    include_str!("sql/0006_incidents_checks.sql"),
    include_str!("sql/0007_sla_next.sql"),
    include_str!("sql/0008_backups.sql"),
    include_str!("sql/0009_state_seal.sql"),
    include_str!("sql/0010_review_sign_off.sql"),
    include_str!("sql/0011_list_sort_indexes.sql"),
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
///
/// Foreign-key enforcement is off while they run (SQLite's table-rebuild procedure needs it:
/// dropping the old table would otherwise count every history row as orphaned) and each
/// migration proves with `foreign_key_check` that every reference still holds before it commits.
/// The connection's previous setting is restored whatever happens.
fn apply(conn: &mut Connection, from: i64, to: i64) -> Result<()> {
    if from >= to {
        return Ok(());
    }
    let enforced: bool = conn.pragma_query_value(None, "foreign_keys", |r| r.get(0))?;
    conn.pragma_update(None, "foreign_keys", false)?;
    let out = apply_each(conn, from, to);
    conn.pragma_update(None, "foreign_keys", enforced)?;
    out
}

fn apply_each(conn: &mut Connection, from: i64, to: i64) -> Result<()> {
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
        // (table, rowid — none for WITHOUT ROWID tables, parent table)
        let broken: Option<(String, Option<i64>, String)> = tx
            .query_row("PRAGMA foreign_key_check", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?;
        if let Some((table, row, parent)) = broken {
            let row = row.map(|r| format!("row {r} of ")).unwrap_or_default();
            return Err(Error::Storage(format!(
                "migration {version} failed: {row}{table} refers to a missing {parent} row"
            )));
        }
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
    }
    Ok(())
}

/// Brings the schema to `latest()`, or refuses a database from a newer binary.
pub fn migrate(conn: &mut Connection, path: Option<&Path>) -> Result<()> {
    let found = current_version(conn)?;
    refuse_newer(found, path)?;
    apply(conn, found, latest())
}

/// Refuses a schema version from a newer binary, before anything is written.
pub fn refuse_newer(found: i64, path: Option<&Path>) -> Result<()> {
    if found > latest() {
        let place = path
            .map(|p| format!(" at {}", p.display()))
            .unwrap_or_default();
        return Err(Error::IncompatibleDatabase(format!(
            "The database{place} was written by a newer version of Incident Desk (schema {found}; this version understands up to {}). Install the newer version, or start with another data folder (--data-dir).",
            latest()
        )));
    }
    Ok(())
}
