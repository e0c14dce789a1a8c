//! Backups and restore, as the desk offers them: back up now (to a folder the user chooses,
//! with progress), automatic backups with retention (the [`BackupHandle`] takes them while the
//! app runs), the last good backup and a warning when it is old, the list of backups with what
//! each holds, and restore. Closing the desk's file cleanly (`close_database`) lives here too.
//!
//! The SQLite work (the online backup API, verification, manifests, putting a backup in place)
//! is in `store::backup`; this module decides when, where and what to keep.
//!
//! Copying `incident-desk.sqlite3` by hand while the app runs is not a backup: committed data
//! may still be in `incident-desk.sqlite3-wal`. Every backup here goes through SQLite.

use crate::desk::Desk;
use crate::store::backup::{self as store, BackupRecord, BackupSettings, Contents, Progress};
use crate::store::backup::{Manifest, Verification};
use crate::{Error, Result};
use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

/// After this long without a good backup, the desk warns.
pub const WARN_AFTER_HOURS: i64 = 48;

/// A backup as the UI lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupInfo {
    #[serde(flatten)]
    pub record: BackupRecord,
    /// The file is still there (retention or a person may have removed it).
    pub present: bool,
}

impl BackupInfo {
    fn of(record: BackupRecord) -> BackupInfo {
        let present = record.removed_at.is_none() && Path::new(&record.path).is_file();
        BackupInfo { record, present }
    }
}

/// Everything the backup panel shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupStatus {
    /// Where automatic backups go (`backups` beside the database); None in memory.
    pub folder: Option<String>,
    pub settings: BackupSettings,
    /// The newest backup that verified and is still there.
    pub last_good: Option<BackupInfo>,
    /// Set when there is no good backup, or the last one is older than two days.
    pub warning: Option<String>,
    /// When the next automatic backup is due (in the past: at the next chance).
    pub next_automatic_at: Option<DateTime<Utc>>,
    /// The integrity check of a large file is still running in the background.
    pub check_pending: bool,
}

/// What a backup holds, before restoring it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestorePreview {
    pub backup: String,
    /// From its manifest, when it has one.
    pub manifest: Option<Manifest>,
    /// Checked now, from the file itself.
    pub verification: Verification,
    /// The file's last event hash is the one its manifest recorded.
    pub matches_manifest: bool,
    /// Only a backup whose integrity check passes can be restored.
    pub restorable: bool,
}

/// What a restore did. The caller reopens the desk on `database`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestoreOutcome {
    pub database: String,
    pub restored_from: String,
    /// Where the file that was in place went (renamed, never deleted).
    pub previous_file_kept_at: Option<String>,
    pub contents: Contents,
    pub verification: Verification,
}

impl Desk {
    /// Checkpoints and closes the database file: afterwards the `.sqlite3` file alone holds
    /// everything (no `-wal` beside it) and the in-use marker is gone. Every later call on this
    /// desk is refused. Dropping the desk does the same.
    pub fn close_database(&self) -> Result<()> {
        self.db().close()
    }

    /// Moves committed changes from the write-ahead log into the database file (the
    /// `BackupHandle` does this every few minutes). False when a reader held part of it back.
    pub fn checkpoint(&self) -> Result<bool> {
        self.db().checkpoint()
    }

    /// Where automatic backups go; None for an in-memory desk.
    pub fn backups_folder(&self) -> Option<PathBuf> {
        self.db().path().map(store::backups_folder)
    }

    pub fn backup_settings(&self) -> Result<BackupSettings> {
        self.db().read(|tx| store::settings(tx))
    }

    /// Saves the automatic-backup settings; each number has a bound, refused with its field.
    pub fn save_backup_settings(&self, s: &BackupSettings) -> Result<BackupStatus> {
        let bound = |field: &str, v: i64, lo: i64, hi: i64, what: &str| {
            if v < lo || v > hi {
                Err(Error::validation(
                    field,
                    format!("{what} must be between {lo} and {hi} (got {v})"),
                ))
            } else {
                Ok(())
            }
        };
        bound(
            "interval_hours",
            s.interval_hours,
            1,
            168,
            "Hours between automatic backups",
        )?;
        bound("keep_daily", s.keep_daily, 1, 90, "Daily backups kept")?;
        bound("keep_weekly", s.keep_weekly, 0, 52, "Weekly backups kept")?;
        self.db().write(|tx| store::save_settings(tx, s))?;
        self.backup_status()
    }

    /// Every recorded backup, newest first, with whether its file is still there.
    pub fn backups(&self) -> Result<Vec<BackupInfo>> {
        Ok(self
            .db()
            .read(|tx| store::records(tx))?
            .into_iter()
            .map(BackupInfo::of)
            .collect())
    }

    /// The newest backup that verified and whose file is still there.
    pub fn last_good_backup(&self) -> Result<Option<BackupInfo>> {
        Ok(self
            .backups()?
            .into_iter()
            .find(|b| b.present && b.record.verified_ok))
    }

    pub fn backup_status(&self) -> Result<BackupStatus> {
        let settings = self.backup_settings()?;
        let last_good = self.last_good_backup()?;
        let now = self.clock().now();
        let warning = match &last_good {
            None => Some(
                "There is no verified backup of this database yet: back it up now.".to_string(),
            ),
            Some(b) => {
                let age = now.signed_duration_since(b.record.taken_at);
                if age.num_hours() >= WARN_AFTER_HOURS {
                    Some(format!(
                        "The last good backup is {} days old (taken {}): back up now.",
                        age.num_days(),
                        b.record.taken_at.format("%Y-%m-%d %H:%M UTC")
                    ))
                } else {
                    None
                }
            }
        };
        Ok(BackupStatus {
            folder: self.backups_folder().map(|p| p.display().to_string()),
            settings,
            last_good,
            warning,
            next_automatic_at: self.next_automatic_backup()?,
            check_pending: self.db().check_pending(),
        })
    }

    /// When the next automatic backup is due: the interval after the last automatic one, or
    /// now when there is none. None when automatic backups are off or the desk has no file.
    pub fn next_automatic_backup(&self) -> Result<Option<DateTime<Utc>>> {
        if self.db().path().is_none() {
            return Ok(None);
        }
        let s = self.backup_settings()?;
        if !s.enabled {
            return Ok(None);
        }
        let last = self
            .db()
            .read(|tx| store::records(tx))?
            .into_iter()
            .find(|r| r.kind == "automatic")
            .map(|r| r.taken_at);
        let now = self.clock().now();
        Ok(Some(match last {
            None => now,
            Some(t) => chrono::TimeDelta::try_hours(s.interval_hours)
                .and_then(|d| t.checked_add_signed(d))
                .unwrap_or(now),
        }))
    }

    /// "Back up now" into `folder` (created if missing), reporting pages done/total as it goes;
    /// the copy is verified and gets its manifest. Writes continue meanwhile.
    pub fn back_up_now(
        &self,
        folder: &Path,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<BackupInfo> {
        self.take_backup(folder, "manual", progress)
    }

    /// Takes an automatic backup into the backups folder, then applies retention.
    pub fn back_up_automatic(&self) -> Result<BackupInfo> {
        let folder = self.backups_folder().ok_or_else(|| {
            Error::validation("backup", "An in-memory desk has no file to back up")
        })?;
        let info = self.take_backup(&folder, "automatic", &mut |_| {})?;
        self.apply_retention()?;
        Ok(info)
    }

    fn take_backup(
        &self,
        folder: &Path,
        kind: &str,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<BackupInfo> {
        if folder.as_os_str().is_empty() {
            return Err(Error::validation(
                "folder",
                "Choose a folder for the backup",
            ));
        }
        std::fs::create_dir_all(folder).map_err(|e| store::io_error(e, folder))?;
        if !crate::store::file_check::writable_dir(folder) {
            return Err(Error::ReadOnly(format!(
                "The folder {} is read-only: the backup was not written. Choose a folder you can write.",
                folder.display()
            )));
        }
        let size = self
            .db()
            .path()
            .and_then(|p| std::fs::metadata(p).ok())
            .map(|m| m.len())
            .unwrap_or(0);
        store::ensure_free_space(
            folder,
            size.saturating_add(size / 10).saturating_add(1024 * 1024),
            "the backup",
        )?;
        store::remove_leftovers(folder);
        let now = self.clock().now();
        let tag = if kind == "manual" { "backup" } else { "auto" };
        let dest = store::free_name(folder, now, tag);
        let bytes = self.db().back_up_to(&dest, progress)?;
        let (mut rec, _) = store::describe(&dest, kind, now, bytes)?;
        match self.db().write(|tx| store::insert_record(tx, &rec)) {
            Ok(id) => rec.id = id,
            // The backup exists and has its manifest even when the record cannot be written
            // (a database that refuses writes is when a backup matters most).
            Err(e) => eprintln!("Incident Desk: the backup was taken but not recorded: {e}"),
        }
        Ok(BackupInfo::of(rec))
    }

    /// Removes automatic backups retention no longer keeps (the newest of each of the last
    /// `keep_daily` days, and of each of the last `keep_weekly` weeks, counting verified backups
    /// only; unverified automatic backups go once a newer good one exists). Only files inside the
    /// backups folder that were recorded as automatic are ever removed. Returns what was removed.
    pub fn apply_retention(&self) -> Result<Vec<BackupInfo>> {
        let Some(folder) = self.backups_folder() else {
            return Ok(Vec::new());
        };
        let s = self.backup_settings()?;
        let records = self.db().read(|tx| store::records(tx))?;
        let auto: Vec<&BackupRecord> = records
            .iter()
            .filter(|r| r.kind == "automatic" && r.removed_at.is_none())
            .collect();
        let good: Vec<(i64, DateTime<Utc>)> = auto
            .iter()
            .filter(|r| r.verified_ok)
            .map(|r| (r.id, r.taken_at))
            .collect();
        let keep = retained(
            &good,
            usize::try_from(s.keep_daily).unwrap_or(1).max(1),
            usize::try_from(s.keep_weekly).unwrap_or(0),
        );
        let newest_good = good.iter().map(|g| g.1).max();
        let now = self.clock().now();
        let mut removed = Vec::new();
        for r in auto {
            let drop_it = if r.verified_ok {
                !keep.contains(&r.id)
            } else {
                newest_good.is_some_and(|t| t > r.taken_at)
            };
            if !drop_it || Path::new(&r.path).parent() != Some(folder.as_path()) {
                continue;
            }
            for p in [
                PathBuf::from(&r.path),
                store::manifest_path(Path::new(&r.path)),
            ] {
                if let Err(e) = std::fs::remove_file(&p) {
                    if e.kind() != std::io::ErrorKind::NotFound {
                        eprintln!("Incident Desk: could not remove {}: {e}", p.display());
                    }
                }
            }
            self.db().write(|tx| store::mark_removed(tx, r.id, &now))?;
            let mut gone = r.clone();
            gone.removed_at = Some(now);
            removed.push(BackupInfo::of(gone));
        }
        Ok(removed)
    }

    /// What the backup holds and whether it can be restored; nothing is changed.
    pub fn preview_restore(&self, backup: &Path) -> Result<RestorePreview> {
        Ok(preview_restore(backup))
    }

    /// Restores `backup` in place of this desk's file: verifies it, closes this desk, keeps the
    /// current file aside (renamed with a timestamp, never deleted) and copies the backup in
    /// through the backup API. The desk is closed afterwards: the caller opens a new one on
    /// `RestoreOutcome::database`.
    pub fn restore_from_backup(&self, backup: &Path) -> Result<RestoreOutcome> {
        let path = self
            .db()
            .path()
            .ok_or_else(|| Error::validation("backup", "An in-memory desk has no file to restore"))?
            .to_path_buf();
        if same_file(&path, backup) {
            return Err(Error::validation(
                "backup",
                format!(
                    "{} is the database itself, not a backup of it: choose a backup file",
                    backup.display()
                ),
            ));
        }
        let preview = preview_restore(backup);
        if !preview.restorable {
            return Err(Error::DamagedDatabase(format!(
                "The backup {} cannot be restored: {}. Choose another backup; nothing was changed.",
                backup.display(),
                preview.verification.summary
            )));
        }
        let now = self.clock().now();
        self.close_database()?;
        restore_database(&path, backup, now)
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// Keeps the newest of each of the last `daily` days that have a backup, and of each of the
/// last `weekly` ISO weeks. Input: (id, taken_at).
pub fn retained(backups: &[(i64, DateTime<Utc>)], daily: usize, weekly: usize) -> BTreeSet<i64> {
    let mut sorted = backups.to_vec();
    sorted.sort_by(|a, b| b.1.cmp(&a.1).then(b.0.cmp(&a.0)));
    let mut keep = BTreeSet::new();
    let mut days = Vec::new();
    let mut weeks = Vec::new();
    for (id, t) in sorted {
        let day = t.date_naive();
        if !days.contains(&day) && days.len() < daily {
            days.push(day);
            keep.insert(id);
        }
        let week = (t.iso_week().year(), t.iso_week().week());
        if !weeks.contains(&week) && weeks.len() < weekly {
            weeks.push(week);
            keep.insert(id);
        }
    }
    keep
}

/// What `backup` holds, checked from the file (read-only) and its manifest.
pub fn preview_restore(backup: &Path) -> RestorePreview {
    let verification = store::verify_file(backup);
    let manifest = store::read_manifest(backup).ok();
    let matches_manifest = match (&manifest, &verification.contents) {
        (Some(m), Some(c)) => {
            m.chain_head == c.last_event_hash && m.incident_count == c.incident_count
        }
        _ => false,
    };
    RestorePreview {
        backup: backup.display().to_string(),
        restorable: verification.integrity_ok && verification.contents.is_some(),
        manifest,
        verification,
        matches_manifest,
    }
}

/// Restores `backup` in place of the database file `db_path`, which no desk may have open (for
/// a file that could not be opened at all, e.g. a damaged one). The current file is renamed to
/// `<name>.before-restore-<time>.sqlite3` beside it, never deleted.
pub fn restore_database(
    db_path: &Path,
    backup: &Path,
    now: DateTime<Utc>,
) -> Result<RestoreOutcome> {
    let stem = db_path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "incident-desk".into());
    let folder = db_path.parent().unwrap_or(Path::new("."));
    let mut aside = folder.join(format!(
        "{stem}.before-restore-{}.sqlite3",
        now.format("%Y%m%d-%H%M%SZ")
    ));
    let mut n = 2u32;
    while aside.exists() {
        aside = folder.join(format!(
            "{stem}.before-restore-{}-{n}.sqlite3",
            now.format("%Y%m%d-%H%M%SZ")
        ));
        n = n.saturating_add(1);
    }
    if same_file(db_path, backup) {
        return Err(Error::validation(
            "backup",
            format!(
                "{} is the database itself, not a backup of it: choose a backup file",
                backup.display()
            ),
        ));
    }
    let had_file = db_path.exists();
    let verification = store::restore_file(backup, db_path, &aside)?;
    // The chain head kept beside the database belongs to the file set aside: it goes with it,
    // and the restored history starts its own (desk/seal.rs).
    let head = crate::desk::head_file(db_path);
    if head.exists() {
        let _ = std::fs::rename(&head, crate::desk::head_file(&aside));
    }
    Ok(RestoreOutcome {
        database: db_path.display().to_string(),
        restored_from: backup.display().to_string(),
        previous_file_kept_at: had_file.then(|| aside.display().to_string()),
        contents: verification.contents.clone().unwrap_or_default(),
        verification,
    })
}

/// The backups in `folder` as their manifests describe them, newest first: what a person can
/// choose from when the database itself cannot be opened.
pub fn backups_in(folder: &Path) -> Result<Vec<BackupInfo>> {
    let entries = match std::fs::read_dir(folder) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(store::io_error(e, folder)),
    };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let p = entry.path();
        if p.extension().and_then(|e| e.to_str()) != Some("sqlite3") {
            continue;
        }
        let Ok(m) = store::read_manifest(&p) else {
            continue;
        };
        out.push(BackupInfo::of(BackupRecord {
            id: 0,
            path: p.display().to_string(),
            kind: m.kind,
            taken_at: m.taken_at,
            size_bytes: m.size_bytes,
            contents: Contents {
                schema_version: m.schema_version,
                incident_count: m.incident_count,
                event_count: m.event_count,
                last_event_id: m.last_event_id,
                last_event_hash: m.chain_head,
            },
            verified_ok: m.verified_ok,
            verification: m.verification,
            verify_ms: 0,
            removed_at: None,
        }));
    }
    out.sort_by_key(|b| std::cmp::Reverse(b.record.taken_at));
    Ok(out)
}

// ---- the background handle ----

/// How often the handle checkpoints the write-ahead log into the database file.
pub const CHECKPOINT_EVERY: Duration = Duration::from_secs(5 * 60);
/// After a failed automatic backup, the next try.
pub const RETRY_AFTER: Duration = Duration::from_secs(60 * 60);

enum Command {
    /// Settings changed: recompute when the next backup is due.
    Wake,
    Stop,
}

/// Takes automatic backups (at start when the last is older than the interval, then every
/// interval) and checkpoints the database every few minutes, on a thread of its own. Owned by
/// the shell; `stop` (or drop) ends it and waits for it.
pub struct BackupHandle {
    tx: mpsc::Sender<Command>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl BackupHandle {
    pub fn start(desk: Arc<Desk>) -> std::io::Result<BackupHandle> {
        Self::start_with(desk, CHECKPOINT_EVERY)
    }

    /// `checkpoint_every`: for tests.
    pub fn start_with(
        desk: Arc<Desk>,
        checkpoint_every: Duration,
    ) -> std::io::Result<BackupHandle> {
        let (tx, rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("backups".into())
            .spawn(move || {
                crate::store::lower_this_threads_priority();
                run(&desk, &rx, checkpoint_every)
            })?;
        Ok(BackupHandle {
            tx,
            thread: Some(thread),
        })
    }

    /// Re-reads the settings (call after saving them).
    pub fn wake(&self) {
        let _ = self.tx.send(Command::Wake);
    }

    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        let _ = self.tx.send(Command::Stop);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for BackupHandle {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn run(desk: &Desk, rx: &mpsc::Receiver<Command>, checkpoint_every: Duration) {
    // A large file is checked in the background after open: no backup of it until it is clear.
    // (Stop is still obeyed meanwhile, so quitting does not wait for the check.)
    while desk.db().check_pending() {
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(Command::Stop) | Err(mpsc::RecvTimeoutError::Disconnected) => return,
            _ => {}
        }
    }
    if let Err(e) = desk.db().wait_for_check() {
        eprintln!("Incident Desk: no automatic backups: {e}");
        return;
    }
    let mut next_checkpoint = std::time::Instant::now() + checkpoint_every;
    let mut retry_at: Option<DateTime<Utc>> = None;
    loop {
        let due = match desk.next_automatic_backup() {
            Ok(d) => d,
            Err(e) => {
                eprintln!("Incident Desk: reading the backup settings failed: {e}");
                None
            }
        };
        let due = match (due, retry_at) {
            (Some(d), Some(r)) => Some(d.max(r)),
            (d, _) => d,
        };
        let now = desk.clock().now();
        if due.is_some_and(|d| d <= now) {
            match desk.back_up_automatic() {
                Ok(b) if b.record.verified_ok => retry_at = None,
                Ok(b) => {
                    eprintln!(
                        "Incident Desk: the automatic backup {} did not verify: {}",
                        b.record.path, b.record.verification
                    );
                    retry_at = now.checked_add_signed(chrono::TimeDelta::hours(1));
                }
                Err(e) => {
                    eprintln!("Incident Desk: the automatic backup failed: {e}");
                    retry_at = now.checked_add_signed(chrono::TimeDelta::hours(1));
                }
            }
            continue;
        }
        let until_checkpoint = next_checkpoint.saturating_duration_since(std::time::Instant::now());
        let until_backup = due
            .map(|d| (d - now).to_std().unwrap_or(Duration::ZERO))
            .unwrap_or(Duration::MAX);
        // The checkpoint wake-up also re-reads the wall clock, which a laptop's sleep stops.
        let wait = until_checkpoint.min(until_backup);
        match rx.recv_timeout(wait) {
            Ok(Command::Wake) => continue,
            Ok(Command::Stop) | Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
        if std::time::Instant::now() >= next_checkpoint {
            if let Err(e) = desk.checkpoint() {
                eprintln!("Incident Desk: checkpointing the database failed: {e}");
            }
            next_checkpoint = std::time::Instant::now() + checkpoint_every;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn retention_keeps_the_newest_of_each_day_and_week() {
        // Two a day for 40 days, ending Monday 2026-03-02.
        let mut list = Vec::new();
        let mut id = 0;
        let end = at("2026-03-02T21:00:00Z");
        for d in 0..40 {
            for h in [0, 12] {
                id += 1;
                list.push((
                    id,
                    end - chrono::Duration::days(d) - chrono::Duration::hours(h),
                ));
            }
        }
        let keep = retained(&list, 7, 4);
        let kept: Vec<String> = list
            .iter()
            .filter(|(i, _)| keep.contains(i))
            .map(|(_, t)| t.format("%Y-%m-%d %H").to_string())
            .collect();
        assert_eq!(
            kept,
            [
                "2026-03-02 21",
                "2026-03-01 21",
                "2026-02-28 21",
                "2026-02-27 21",
                "2026-02-26 21",
                "2026-02-25 21",
                "2026-02-24 21",
                "2026-02-22 21", // Sunday: newest of the week before
                "2026-02-15 21",
            ]
        );
    }
}
