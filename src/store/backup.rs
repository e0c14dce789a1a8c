//! Backups at the SQLite level: consistent copies through the online backup API (never a raw
//! copy of a live WAL database), their verification, their manifests, the record of each one,
//! and putting one back in place.
//!
//! A copy is written to `<name>.partial`, synced and renamed, so a backup file either is
//! complete or does not exist. The copy is switched to the rollback journal
//! (`journal_mode=DELETE`), so it is one self-contained file that opens read-only anywhere.
//! Each copy is verified after writing: opened read-only, `PRAGMA integrity_check`, its
//! application id, and the history's hash chain (`events::verify_history`, the same check as
//! "Verify history"). Beside each copy a manifest, `<name>.sqlite3.json`, says what it holds and
//! its chain head (the hash of its last event).

use super::{events, file_check, migrations, parse_opt_ts, parse_ts, ts, Db};
use crate::clock::{Clock, SystemClock};
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Pages copied per backup step (4 MiB at the default page size): one progress report each.
const PAGES_PER_STEP: i32 = 1024;

/// The folder automatic and pre-migration backups go to: `backups` beside the database.
pub fn backups_folder(db_path: &Path) -> PathBuf {
    match db_path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.join("backups"),
        _ => PathBuf::from("backups"),
    }
}

/// How far a backup or restore has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub pages_done: u64,
    pub pages_total: u64,
}

/// What a database file holds, read from the file itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contents {
    pub schema_version: i64,
    pub incident_count: i64,
    pub event_count: i64,
    pub last_event_id: Option<i64>,
    /// The hash of the last event: the head of the history's hash chain.
    pub last_event_hash: Option<String>,
}

/// What verifying a backup found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    /// integrity_check passed, the file is ours, and its history is intact.
    pub ok: bool,
    pub integrity_ok: bool,
    /// "ok", or the first problem in words.
    pub summary: String,
    pub history: Option<events::HistoryCheck>,
    pub contents: Option<Contents>,
    pub millis: u64,
}

/// One backup as recorded in the `backups` table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupRecord {
    /// 0 until stored.
    pub id: i64,
    pub path: String,
    /// "manual", "automatic" or "pre_migration".
    pub kind: String,
    pub taken_at: DateTime<Utc>,
    pub size_bytes: i64,
    #[serde(flatten)]
    pub contents: Contents,
    pub verified_ok: bool,
    pub verification: String,
    pub verify_ms: i64,
    /// When retention removed the file.
    pub removed_at: Option<DateTime<Utc>>,
}

/// The manifest written beside each backup file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// "incident-desk-backup/1".
    pub format: String,
    /// The backup file's name (the manifest sits beside it).
    pub file: String,
    pub kind: String,
    pub taken_at: DateTime<Utc>,
    pub size_bytes: i64,
    pub schema_version: i64,
    pub incident_count: i64,
    pub event_count: i64,
    pub last_event_id: Option<i64>,
    /// The hash of the last event in the backup: what a history seal is checked against.
    pub chain_head: Option<String>,
    pub verified_ok: bool,
    pub verification: String,
    /// The Incident Desk version that took it.
    pub app_version: String,
}

pub const MANIFEST_FORMAT: &str = "incident-desk-backup/1";

/// Where the manifest of `backup` lives: `<backup file name>.json` beside it.
pub fn manifest_path(backup: &Path) -> PathBuf {
    let mut s = backup.as_os_str().to_os_string();
    s.push(".json");
    PathBuf::from(s)
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(suffix);
    PathBuf::from(s)
}

impl Manifest {
    pub fn of(rec: &BackupRecord) -> Manifest {
        Manifest {
            format: MANIFEST_FORMAT.into(),
            file: Path::new(&rec.path)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            kind: rec.kind.clone(),
            taken_at: rec.taken_at,
            size_bytes: rec.size_bytes,
            schema_version: rec.contents.schema_version,
            incident_count: rec.contents.incident_count,
            event_count: rec.contents.event_count,
            last_event_id: rec.contents.last_event_id,
            chain_head: rec.contents.last_event_hash.clone(),
            verified_ok: rec.verified_ok,
            verification: rec.verification.clone(),
            app_version: env!("CARGO_PKG_VERSION").into(),
        }
    }
}

/// Writes the manifest beside `backup` (temporary file, then rename).
pub fn write_manifest(backup: &Path, m: &Manifest) -> Result<()> {
    let path = manifest_path(backup);
    let tmp = sibling(&path, ".partial");
    let text = serde_json::to_string_pretty(m)?;
    std::fs::write(&tmp, text).map_err(|e| io_error(e, &tmp))?;
    std::fs::rename(&tmp, &path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io_error(e, &path)
    })
}

pub fn read_manifest(backup: &Path) -> Result<Manifest> {
    let path = manifest_path(backup);
    let text = std::fs::read_to_string(&path).map_err(|e| io_error(e, &path))?;
    serde_json::from_str(&text).map_err(|e| {
        Error::Storage(format!(
            "The backup manifest {} cannot be read: {e}",
            path.display()
        ))
    })
}

/// An I/O error that names the file and says what to do when a person can act on it.
pub fn io_error(e: std::io::Error, path: &Path) -> Error {
    match e.kind() {
        std::io::ErrorKind::StorageFull => file_check::disk_full(path),
        std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => {
            Error::ReadOnly(format!(
                "{} cannot be written (the folder or file is read-only): nothing was saved there. Choose a folder you can write, or make this one writable.",
                path.display()
            ))
        }
        _ => Error::Storage(format!("{}: {e}", path.display())),
    }
}

/// Whether the file holds anything a person entered (so it is worth a backup before a
/// migration).
pub fn has_data(conn: &Connection) -> Result<bool> {
    let mut any = false;
    for table in ["incidents", "people", "services", "teams"] {
        let exists: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1)",
            [table],
            |r| r.get(0),
        )?;
        if exists {
            any |= conn.query_row(&format!("SELECT EXISTS (SELECT 1 FROM {table})"), [], |r| {
                r.get::<_, bool>(0)
            })?;
        }
    }
    Ok(any)
}

/// Free bytes for an unprivileged writer on the disk holding `dir`; None when unknown.
pub fn free_space(dir: &Path) -> Option<u64> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let c = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
        let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
        // SAFETY: `c` is a valid NUL-terminated path and `st` a properly sized out-parameter.
        let rc = unsafe { libc::statvfs(c.as_ptr(), &mut st) };
        if rc != 0 {
            return None;
        }
        (st.f_bavail as u64).checked_mul(st.f_frsize as u64)
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        None
    }
}

/// Refuses when the disk holding `dir` has less than `needed` bytes free (when it can tell).
pub fn ensure_free_space(dir: &Path, needed: u64, what: &str) -> Result<()> {
    if let Some(free) = free_space(dir) {
        if free < needed {
            return Err(Error::DiskFull(format!(
                "The disk holding {} has {} free but {what} needs about {}: nothing was written. Free space and try again.",
                dir.display(),
                human_bytes(free),
                human_bytes(needed)
            )));
        }
    }
    Ok(())
}

pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["bytes", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} bytes")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// Copies every page of `src` (its main database) into the new file `dest` through SQLite's
/// online backup API. `src` should hold a read transaction so the copy is one snapshot.
/// Written as `dest.partial`, synced, then renamed: `dest` is complete or absent.
fn copy_pages(src: &Connection, dest: &Path, progress: &mut dyn FnMut(Progress)) -> Result<u64> {
    if dest.exists() {
        return Err(Error::Conflict(format!(
            "{} already exists: a backup never overwrites a file",
            dest.display()
        )));
    }
    let part = sibling(dest, ".partial");
    let _ = std::fs::remove_file(&part);
    let out = (|| -> Result<u64> {
        let named = |e: rusqlite::Error| file_check::name_the_file(e.into(), &part);
        let mut out = Connection::open_with_flags(
            &part,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| match file_check::name_the_file(e.into(), &part) {
            Error::ReadOnly(_) => file_check::read_only_folder(&part),
            other => other,
        })?;
        {
            let b = Backup::new(src, &mut out).map_err(named)?;
            let mut waits = 0u32;
            loop {
                let step = b.step(PAGES_PER_STEP).map_err(named)?;
                let p = b.progress();
                let total = u64::try_from(p.pagecount).unwrap_or(0);
                let left = u64::try_from(p.remaining).unwrap_or(0);
                progress(Progress {
                    pages_done: total.saturating_sub(left),
                    pages_total: total,
                });
                match step {
                    StepResult::Done => break,
                    StepResult::More => waits = 0,
                    _ => {
                        waits = waits.saturating_add(1);
                        if waits > 1000 {
                            return Err(Error::Storage(
                                "The database stayed busy for 10 s during the backup; try again"
                                    .into(),
                            ));
                        }
                        std::thread::sleep(Duration::from_millis(10));
                    }
                }
            }
        }
        // One self-contained file: the copy carries the source's WAL flag until switched back.
        out.pragma_update(None, "journal_mode", "DELETE")
            .map_err(named)?;
        out.close().map_err(|(_, e)| named(e))?;
        let f = std::fs::File::open(&part).map_err(|e| io_error(e, &part))?;
        f.sync_all().map_err(|e| io_error(e, &part))?;
        let size = f.metadata().map_err(|e| io_error(e, &part))?.len();
        drop(f);
        std::fs::rename(&part, dest).map_err(|e| io_error(e, dest))?;
        sync_folder(dest);
        Ok(size)
    })();
    if out.is_err() {
        let _ = std::fs::remove_file(&part);
        let _ = std::fs::remove_file(sibling(&part, "-journal"));
    }
    out
}

/// Removes what an interrupted backup left in `folder`: our own `incident-desk-*.partial` files
/// (a backup is written under that name and renamed when complete, so these are never whole).
pub fn remove_leftovers(folder: &Path) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with("incident-desk-")
            && (name.ends_with(".sqlite3.partial") || name.ends_with(".sqlite3.partial-journal"))
        {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Makes a rename durable (the folder entry), where the platform allows it.
fn sync_folder(file: &Path) {
    #[cfg(unix)]
    if let Some(dir) = file.parent() {
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    #[cfg(not(unix))]
    let _ = file;
}

impl Db {
    /// Writes a consistent copy of the whole database to the new file `dest` (refused if it
    /// exists), reporting progress after each step. Writes on this desk go on meanwhile: the
    /// copy reads one snapshot through a connection of its own.
    pub fn back_up_to(&self, dest: &Path, progress: &mut dyn FnMut(Progress)) -> Result<u64> {
        match &self.path {
            Some(p) => {
                let src = Connection::open_with_flags(
                    p,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )
                .map_err(|e| self.explain(e.into()))?;
                src.busy_timeout(Duration::from_secs(5))?;
                // One read transaction for the whole copy: every step sees the same snapshot,
                // so concurrent commits neither restart nor tear it.
                src.execute_batch("BEGIN")?;
                src.query_row("SELECT COUNT(*) FROM sqlite_schema", [], |r| {
                    r.get::<_, i64>(0)
                })
                .map_err(|e| self.explain(e.into()))?;
                let out = copy_pages(&src, dest, progress);
                let _ = src.execute_batch("COMMIT");
                out
            }
            None => {
                let guard = self.lock();
                let conn = guard.as_ref().ok_or_else(|| self.closed())?;
                copy_pages(conn, dest, progress)
            }
        }
    }
}

/// What `conn`'s database holds.
pub fn contents(conn: &Connection) -> Result<Contents> {
    let schema_version = migrations::current_version(conn)?;
    let count = |table: &str| -> Result<i64> {
        let exists: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1)",
            [table],
            |r| r.get(0),
        )?;
        if !exists {
            return Ok(0);
        }
        Ok(conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))?)
    };
    let incident_count = count("incidents")?;
    let event_count = count("events")?;
    let last: Option<(i64, Option<String>)> = if schema_version >= 3 {
        conn.query_row(
            "SELECT id, hash FROM events ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
    } else if event_count > 0 {
        conn.query_row("SELECT MAX(id) FROM events", [], |r| {
            Ok(Some((r.get(0)?, None)))
        })?
    } else {
        None
    };
    Ok(Contents {
        schema_version,
        incident_count,
        event_count,
        last_event_id: last.as_ref().map(|l| l.0),
        last_event_hash: last.and_then(|l| l.1),
    })
}

/// Opens `path` read-only and checks it: integrity_check, our application id, the history's
/// hash chain. Never writes to it. An unreadable file is a failed verification, not an error.
pub fn verify_file(path: &Path) -> Verification {
    let start = Instant::now();
    let mut v = Verification {
        ok: false,
        integrity_ok: false,
        summary: String::new(),
        history: None,
        contents: None,
        millis: 0,
    };
    let outcome = (|| -> Result<()> {
        file_check::refuse_non_database(path)?;
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| file_check::name_the_file(e.into(), path))?;
        let id: i32 = conn
            .pragma_query_value(None, "application_id", |r| r.get(0))
            .map_err(|e| file_check::name_the_file(e.into(), path))?;
        if id != file_check::APPLICATION_ID {
            return Err(file_check::foreign(path, Some(id)));
        }
        match file_check::integrity_rows(&conn, "integrity_check") {
            Ok(None) => v.integrity_ok = true,
            Ok(Some((n, first))) => {
                v.summary = format!("integrity check failed ({n} problems, the first: {first})");
                return Ok(());
            }
            Err(e) => {
                v.summary = format!("integrity check failed: {e}");
                return Ok(());
            }
        }
        let c = contents(&conn)?;
        if c.schema_version >= 3 {
            let h = events::verify_history(&conn, &[])?;
            if !h.intact {
                v.summary = format!(
                    "history does not verify: {}",
                    h.problem.clone().unwrap_or_default()
                );
            }
            v.history = Some(h);
        }
        v.contents = Some(c);
        Ok(())
    })();
    if let Err(e) = outcome {
        v.summary = e.to_string();
    }
    v.ok = v.integrity_ok
        && v.contents.is_some()
        && v.history.as_ref().is_none_or(|h| h.intact)
        && v.summary.is_empty();
    if v.ok {
        v.summary = "ok".into();
    }
    v.millis = u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX);
    v
}

/// Verifies the backup just written to `dest`, writes its manifest and returns its record
/// (not yet stored) with the verification.
pub fn describe(
    dest: &Path,
    kind: &str,
    taken_at: DateTime<Utc>,
    size: u64,
) -> Result<(BackupRecord, Verification)> {
    let v = verify_file(dest);
    let rec = BackupRecord {
        id: 0,
        path: dest.display().to_string(),
        kind: kind.to_string(),
        taken_at,
        size_bytes: i64::try_from(size).unwrap_or(i64::MAX),
        contents: v.contents.clone().unwrap_or_default(),
        verified_ok: v.ok,
        verification: v.summary.clone(),
        verify_ms: i64::try_from(v.millis).unwrap_or(i64::MAX),
        removed_at: None,
    };
    write_manifest(dest, &Manifest::of(&rec))?;
    Ok((rec, v))
}

/// A file name for a backup taken at `at` that does not exist yet in `folder`.
pub fn free_name(folder: &Path, at: DateTime<Utc>, tag: &str) -> PathBuf {
    let stem = format!("incident-desk-{}-{tag}", at.format("%Y%m%d-%H%M%SZ"));
    let mut candidate = folder.join(format!("{stem}.sqlite3"));
    let mut n = 2u32;
    while candidate.exists() || manifest_path(&candidate).exists() {
        candidate = folder.join(format!("{stem}-{n}.sqlite3"));
        n = n.saturating_add(1);
    }
    candidate
}

/// The automatic backup before migrating a file that holds data: into `backups/` beside it,
/// after checking there is room for it and for the migration, and verified. Refused (and the
/// file left as it was) when any of that fails.
pub fn before_migration(conn: &Connection, path: &Path, from: i64) -> Result<BackupRecord> {
    let folder = backups_folder(path);
    std::fs::create_dir_all(&folder).map_err(|e| io_error(e, &folder))?;
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    // The copy, and as much again for a migration that rebuilds a table, plus a margin.
    let needed = size.saturating_mul(2).saturating_add(16 * 1024 * 1024);
    ensure_free_space(
        &folder,
        needed,
        "the backup taken before upgrading the database",
    )?;
    remove_leftovers(&folder);
    let now = SystemClock.now();
    let dest = free_name(
        &folder,
        now,
        &format!("before-schema-{}", migrations::latest()),
    );
    conn.execute_batch("BEGIN")?;
    let copied = copy_pages(conn, &dest, &mut |_| {});
    let _ = conn.execute_batch("COMMIT");
    let size = copied?;
    let (rec, v) = describe(&dest, "pre_migration", now, size)?;
    // The copy must be whole. A history that does not verify is recorded as such, but it is
    // the source's history, faithfully copied: no reason to keep the file from being upgraded.
    if !v.integrity_ok || v.contents.is_none() {
        return Err(Error::Storage(format!(
            "Incident Desk did not upgrade {} (schema {from} to {}): the backup it takes first, {}, did not verify ({}). The file was left as it was; check the disk and try again.",
            path.display(),
            migrations::latest(),
            dest.display(),
            rec.verification
        )));
    }
    Ok(rec)
}

// ---- the record of backups and their settings ----

pub fn insert_record(conn: &Connection, r: &BackupRecord) -> Result<i64> {
    conn.execute(
        "INSERT INTO backups (path, kind, taken_at, size_bytes, schema_version, incident_count,
           event_count, last_event_id, last_event_hash, verified_ok, verification, verify_ms, removed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        params![
            r.path,
            r.kind,
            ts(&r.taken_at),
            r.size_bytes,
            r.contents.schema_version,
            r.contents.incident_count,
            r.contents.event_count,
            r.contents.last_event_id,
            r.contents.last_event_hash,
            r.verified_ok,
            r.verification,
            r.verify_ms,
            r.removed_at.as_ref().map(ts),
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Every recorded backup, newest first.
pub fn records(conn: &Connection) -> Result<Vec<BackupRecord>> {
    let mut stmt = conn.prepare(
        "SELECT id, path, kind, taken_at, size_bytes, schema_version, incident_count, event_count,
                last_event_id, last_event_hash, verified_ok, verification, verify_ms, removed_at
         FROM backups ORDER BY taken_at DESC, id DESC",
    )?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(BackupRecord {
            id: r.get(0)?,
            path: r.get(1)?,
            kind: r.get(2)?,
            taken_at: parse_ts(&r.get::<_, String>(3)?)?,
            size_bytes: r.get(4)?,
            contents: Contents {
                schema_version: r.get(5)?,
                incident_count: r.get(6)?,
                event_count: r.get(7)?,
                last_event_id: r.get(8)?,
                last_event_hash: r.get(9)?,
            },
            verified_ok: r.get(10)?,
            verification: r.get(11)?,
            verify_ms: r.get(12)?,
            removed_at: parse_opt_ts(r.get(13)?)?,
        });
    }
    Ok(out)
}

pub fn mark_removed(conn: &Connection, id: i64, at: &DateTime<Utc>) -> Result<()> {
    conn.execute(
        "UPDATE backups SET removed_at = ?2 WHERE id = ?1",
        params![id, ts(at)],
    )?;
    Ok(())
}

/// How automatic backups are taken and kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupSettings {
    pub enabled: bool,
    /// Hours between automatic backups while the app runs (1–168).
    pub interval_hours: i64,
    /// Keep the newest automatic backup of each of the last N days that have one (1–90).
    pub keep_daily: i64,
    /// …and of each of the last M weeks (0–52).
    pub keep_weekly: i64,
}

impl Default for BackupSettings {
    fn default() -> Self {
        BackupSettings {
            enabled: true,
            interval_hours: 24,
            keep_daily: 7,
            keep_weekly: 4,
        }
    }
}

pub fn settings(conn: &Connection) -> Result<BackupSettings> {
    Ok(conn
        .query_row(
            "SELECT enabled, interval_hours, keep_daily, keep_weekly FROM backup_settings WHERE id = 1",
            [],
            |r| {
                Ok(BackupSettings {
                    enabled: r.get(0)?,
                    interval_hours: r.get(1)?,
                    keep_daily: r.get(2)?,
                    keep_weekly: r.get(3)?,
                })
            },
        )
        .optional()?
        .unwrap_or_default())
}

pub fn save_settings(conn: &Connection, s: &BackupSettings) -> Result<()> {
    conn.execute(
        "INSERT INTO backup_settings (id, enabled, interval_hours, keep_daily, keep_weekly)
         VALUES (1, ?1, ?2, ?3, ?4)
         ON CONFLICT (id) DO UPDATE SET enabled = excluded.enabled,
           interval_hours = excluded.interval_hours, keep_daily = excluded.keep_daily,
           keep_weekly = excluded.keep_weekly",
        params![s.enabled, s.interval_hours, s.keep_daily, s.keep_weekly],
    )?;
    Ok(())
}

// ---- restore ----

/// Puts the backup `backup` in place of the (closed) database `target`: the backup is verified
/// first, the current file (with any `-wal`/`-shm`) is renamed to `aside`, never deleted, and
/// the backup's pages are copied into a new `target` through the backup API. If the copy
/// fails, the current file is put back.
pub fn restore_file(backup: &Path, target: &Path, aside: &Path) -> Result<Verification> {
    let v = verify_file(backup);
    if !v.integrity_ok || v.contents.is_none() {
        return Err(Error::DamagedDatabase(format!(
            "The backup {} cannot be restored: {}. Choose another backup.",
            backup.display(),
            v.summary
        )));
    }
    let parts = ["", "-wal", "-shm"];
    let mut moved = Vec::new();
    for suffix in parts {
        let from = sibling(target, suffix);
        if from.exists() {
            let to = sibling(aside, suffix);
            if to.exists() {
                return Err(Error::Conflict(format!(
                    "{} already exists; nothing was changed",
                    to.display()
                )));
            }
            if let Err(e) = std::fs::rename(&from, &to) {
                put_back(&moved);
                return Err(io_error(e, &from));
            }
            moved.push((from, to));
        }
    }
    let copied = (|| -> Result<u64> {
        let src = Connection::open_with_flags(
            backup,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| file_check::name_the_file(e.into(), backup))?;
        src.execute_batch("BEGIN")?;
        src.query_row("SELECT COUNT(*) FROM sqlite_schema", [], |r| {
            r.get::<_, i64>(0)
        })?;
        let out = copy_pages(&src, target, &mut |_| {});
        let _ = src.execute_batch("COMMIT");
        out
    })();
    if let Err(e) = copied {
        put_back(&moved);
        return Err(e);
    }
    Ok(v)
}

fn put_back(moved: &[(PathBuf, PathBuf)]) {
    for (from, to) in moved.iter().rev() {
        if let Err(e) = std::fs::rename(to, from) {
            eprintln!(
                "Incident Desk: could not move {} back to {}: {e}",
                to.display(),
                from.display()
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(human_bytes(512), "512 bytes");
        assert_eq!(human_bytes(3 * 1024 * 1024 / 2), "1.5 MiB");
    }

    #[test]
    fn the_manifest_sits_beside_the_backup() {
        assert_eq!(
            manifest_path(Path::new("/b/incident-desk-x.sqlite3")),
            PathBuf::from("/b/incident-desk-x.sqlite3.json")
        );
    }
}
