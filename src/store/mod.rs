//! SQLite storage: one file, safe pragmas, numbered migrations, and the transaction discipline
//! every write goes through.
//!
//! Writes run inside `BEGIN IMMEDIATE … COMMIT` so a second desk on the same file waits for the
//! lock instead of failing half-way; any error rolls the whole change back.

pub mod backup;
pub mod catalog;
pub mod events;
pub mod file_check;
pub mod incidents;
pub mod major;
pub mod migrations;
pub mod review;
pub mod sla;

use crate::{Error, Result};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// How [`Db::open_with`] checks the file before using it.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// A file larger than this that was closed cleanly last time (and needs no migration) is
    /// quick-checked in the background instead of before `open` returns; until the check has
    /// cleared it, a write that changes anything waits for it, and is refused if it fails.
    /// docs/backups.md has the figures behind the default.
    pub background_check_above: u64,
    /// Take a verified backup into `backups/` beside the file before migrating a file that
    /// holds data.
    pub backup_before_migration: bool,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            background_check_above: 64 * 1024 * 1024,
            backup_before_migration: true,
        }
    }
}

/// What [`Db::open`] found and did, for the desk's status and for tests.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OpenReport {
    /// The file existed with content (false for a new database or in memory).
    pub existed: bool,
    /// The previous session did not close the file (its in-use marker was still there).
    pub unclean_shutdown: bool,
    /// The application id was written now (a new file, or one from before the id).
    pub identified_now: bool,
    /// How long the quick check before opening took; None when it runs in the background or
    /// there was nothing to check.
    pub quick_check_ms: Option<u64>,
    pub quick_check_in_background: bool,
    /// The schema version found, when a migration ran.
    pub migrated_from: Option<i64>,
    /// The verified backup taken before that migration.
    pub pre_migration_backup: Option<String>,
}

/// The database: one connection, shared behind a lock (a desktop app has one writer).
pub struct Db {
    /// None once closed.
    conn: Mutex<Option<Connection>>,
    path: Option<PathBuf>,
    gate: Arc<Gate>,
    report: OpenReport,
}

/// Whether the integrity check has cleared the file for writing.
#[derive(Debug, Clone)]
enum GateState {
    Cleared,
    Pending,
    /// The check failed: (damaged?, message).
    Failed(bool, String),
}

pub(crate) struct Gate {
    state: Mutex<GateState>,
    cond: Condvar,
    interrupt: Mutex<Option<rusqlite::InterruptHandle>>,
}

impl Gate {
    fn new(state: GateState) -> Arc<Gate> {
        Arc::new(Gate {
            state: Mutex::new(state),
            cond: Condvar::new(),
            interrupt: Mutex::new(None),
        })
    }

    fn failure(state: &GateState) -> Option<Error> {
        match state {
            GateState::Failed(true, m) => Some(Error::DamagedDatabase(m.clone())),
            GateState::Failed(false, m) => Some(Error::Storage(m.clone())),
            _ => None,
        }
    }

    /// Refuses at once when the check has failed.
    fn refuse_if_failed(&self) -> Result<()> {
        let st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        Gate::failure(&st).map_or(Ok(()), Err)
    }

    /// Waits for the check; Ok once it cleared the file.
    fn wait_cleared(&self) -> Result<()> {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        while matches!(*st, GateState::Pending) {
            st = self.cond.wait(st).unwrap_or_else(|p| p.into_inner());
        }
        Gate::failure(&st).map_or(Ok(()), Err)
    }

    fn finish(&self, outcome: Result<Duration>) {
        let next = match outcome {
            Ok(_) => GateState::Cleared,
            Err(Error::DamagedDatabase(m)) => GateState::Failed(true, m),
            Err(e) => GateState::Failed(
                false,
                format!("The background integrity check of the database could not run ({e}); nothing is written until Incident Desk is restarted"),
            ),
        };
        *self.state.lock().unwrap_or_else(|p| p.into_inner()) = next;
        self.cond.notify_all();
        *self.interrupt.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    fn interrupt(&self) {
        if let Some(h) = self
            .interrupt
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
        {
            h.interrupt();
        }
    }

    fn cleared(&self) -> bool {
        matches!(
            *self.state.lock().unwrap_or_else(|p| p.into_inner()),
            GateState::Cleared
        )
    }

    fn pending(&self) -> bool {
        matches!(
            *self.state.lock().unwrap_or_else(|p| p.into_inner()),
            GateState::Pending
        )
    }
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(suffix);
    PathBuf::from(s)
}

/// The marker file that says the database is open; a clean close removes it, so finding it at
/// open means the last session ended without closing (a crash, a kill, a power cut).
pub fn in_use_marker(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(".in-use");
    PathBuf::from(s)
}

impl Db {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Db> {
        Self::open_with(path, &OpenOptions::default())
    }

    /// Opens the file after checking it is an Incident Desk database and whole; nothing is
    /// written into a file that fails either check.
    pub fn open_with(path: &Path, opts: &OpenOptions) -> Result<Db> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| match e.kind() {
                std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => {
                    file_check::read_only_folder(path)
                }
                _ => Error::Storage(format!(
                    "cannot create the data folder {}: {e}",
                    dir.display()
                )),
            })?;
        }
        file_check::refuse_non_database(path)?;
        let sidecars = [sibling(path, "-wal"), sibling(path, "-shm")];
        let had = sidecars.clone().map(|p| p.exists());
        let out = Self::open_checked(path, opts);
        if out.is_err() {
            // A refused file is left as it was found: the empty log and index SQLite made
            // beside it while looking go again (a log that was there already stays).
            let is_index = [false, true];
            for ((p, had), is_index) in sidecars.iter().zip(had).zip(is_index) {
                let empty_log =
                    is_index || std::fs::metadata(p).map(|m| m.len() == 0).unwrap_or(false);
                if !had && empty_log {
                    let _ = std::fs::remove_file(p);
                }
            }
        }
        out
    }

    fn open_checked(path: &Path, opts: &OpenOptions) -> Result<Db> {
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        let existed = size > 0;
        let marker = in_use_marker(path);
        let mut report = OpenReport {
            existed,
            unclean_shutdown: existed && marker.exists(),
            ..Default::default()
        };
        let named = |e: rusqlite::Error| file_check::at_open(e.into(), path);
        let mut conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::CannotOpen) => file_check::cannot_open(path),
            _ => named(e),
        })?;
        conn.busy_timeout(Duration::from_secs(5)).map_err(named)?;
        // Closing a connection normally folds the write-ahead log into the file. A file that is
        // refused (or not yet cleared) must not be written into that way either: a log left by
        // a crash stays beside it, untouched. `close` turns this back on once the file is clear.
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
            true,
        )
        .map_err(named)?;

        // Only reads until the file is known to be ours, of a version we understand, and whole.
        let identity = file_check::identify(&conn, path)?;
        let version =
            migrations::current_version(&conn).map_err(|e| file_check::at_open(e, path))?;
        migrations::refuse_newer(version, Some(path))?;
        if conn.is_readonly(rusqlite::MAIN_DB).map_err(named)? {
            return Err(file_check::read_only_file(path));
        }
        let writes_now = identity.needs_id() || version < migrations::latest();
        let background = existed
            && !report.unclean_shutdown
            && !writes_now
            && size > opts.background_check_above;
        if existed && !background {
            let took = file_check::quick_check(&conn, path)?;
            report.quick_check_ms = Some(u64::try_from(took.as_millis()).unwrap_or(u64::MAX));
        }
        report.quick_check_in_background = background;

        // From here on the file may be written: mark it in use first, so that a session that
        // dies before closing it (even during the migrations below) is noticed at the next open.
        if let Err(e) = std::fs::write(&marker, std::process::id().to_string()) {
            eprintln!(
                "Incident Desk: cannot write {} ({e}); an unclean shutdown will not be noticed",
                marker.display()
            );
        }
        Self::set_pragmas(&conn).map_err(|e| file_check::at_open(e, path))?;
        if identity.needs_id() {
            conn.pragma_update(None, "application_id", file_check::APPLICATION_ID)
                .map_err(named)?;
            report.identified_now = true;
        }
        let pending_record = if existed
            && version >= 1
            && version < migrations::latest()
            && opts.backup_before_migration
            && backup::has_data(&conn).map_err(|e| file_check::at_open(e, path))?
        {
            Some(backup::before_migration(&conn, path, version)?)
        } else {
            None
        };
        if version < migrations::latest() && existed {
            report.migrated_from = Some(version);
        }
        migrations::migrate(&mut conn, Some(path)).map_err(|e| file_check::at_open(e, path))?;
        if let Some(rec) = pending_record {
            report.pre_migration_backup = Some(rec.path.clone());
            backup::insert_record(&conn, &rec)?;
        }
        let gate = Gate::new(if background {
            GateState::Pending
        } else {
            GateState::Cleared
        });
        if background {
            Self::check_in_background(path.to_path_buf(), gate.clone());
        }
        Ok(Db {
            conn: Mutex::new(Some(conn)),
            path: Some(path.to_path_buf()),
            gate,
            report,
        })
    }

    /// Runs the quick check on a read-only connection of its own; writes wait for its verdict.
    fn check_in_background(path: PathBuf, gate: Arc<Gate>) {
        let g = gate.clone();
        let p = path.clone();
        let work = move || {
            let outcome = (|| {
                let c = Connection::open_with_flags(
                    &p,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                c.busy_timeout(Duration::from_secs(5))?;
                *g.interrupt.lock().unwrap_or_else(|e| e.into_inner()) =
                    Some(c.get_interrupt_handle());
                file_check::quick_check(&c, &p)
            })();
            g.finish(outcome);
        };
        if let Err(e) = std::thread::Builder::new()
            .name("quick-check".into())
            .spawn(work)
        {
            gate.finish(Err(Error::Storage(format!("cannot start the check: {e}"))));
        }
    }

    /// A private in-memory database, for tests.
    pub fn in_memory() -> Result<Db> {
        let mut conn = Connection::open_in_memory()?;
        conn.busy_timeout(Duration::from_secs(5))?;
        Self::set_pragmas(&conn)?;
        conn.pragma_update(None, "application_id", file_check::APPLICATION_ID)?;
        migrations::migrate(&mut conn, None)?;
        Ok(Db {
            conn: Mutex::new(Some(conn)),
            path: None,
            gate: Gate::new(GateState::Cleared),
            report: OpenReport::default(),
        })
    }

    fn set_pragmas(conn: &Connection) -> Result<()> {
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
        Ok(())
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// What opening the file found and did.
    pub fn open_report(&self) -> &OpenReport {
        &self.report
    }

    /// Whether the background integrity check is still running.
    pub fn check_pending(&self) -> bool {
        self.gate.pending()
    }

    /// Waits for the background integrity check (if any); Ok when the file is cleared.
    pub fn wait_for_check(&self) -> Result<()> {
        self.gate.wait_cleared()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Connection>> {
        // A panic while holding the lock cannot leave a transaction open (rusqlite rolls back
        // on drop), so the connection is still usable.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn closed(&self) -> Error {
        Error::Storage(match &self.path {
            Some(p) => format!(
                "The database {} was closed; open Incident Desk again to continue",
                p.display()
            ),
            None => "The database was closed".into(),
        })
    }

    /// Names the file in errors a person can act on.
    pub(crate) fn explain(&self, e: Error) -> Error {
        match &self.path {
            Some(p) => file_check::name_the_file(e, p),
            None => e,
        }
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction; commits on Ok, rolls back on Err.
    ///
    /// While the background integrity check is still running, a transaction that changed
    /// something waits for its verdict before committing (and is rolled back if the file is
    /// damaged): nothing is written into a file that has not been cleared.
    pub fn write<T>(&self, f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut guard = self.lock();
        let conn = guard.as_mut().ok_or_else(|| self.closed())?;
        self.gate.refuse_if_failed()?;
        let before = conn.total_changes();
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| self.explain(e.into()))?;
        let out = f(&tx).map_err(|e| self.explain(e))?;
        if tx.total_changes() != before {
            self.gate.wait_cleared()?;
        }
        tx.commit().map_err(|e| self.explain(e.into()))?;
        Ok(out)
    }

    /// Runs `f` on a consistent read snapshot.
    pub fn read<T>(&self, f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut guard = self.lock();
        let conn = guard.as_mut().ok_or_else(|| self.closed())?;
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Deferred)
            .map_err(|e| self.explain(e.into()))?;
        f(&tx).map_err(|e| self.explain(e))
    }

    /// Runs `f` on a read snapshot of a connection of its own (read-only; a file database), so a
    /// long read never holds the desk's one connection: the history check at start reads every
    /// event, which on a large desk took seconds during which the list, every command and the
    /// first page after start waited (docs/benchmarks-window.md). An in-memory database has
    /// no second connection and uses the shared one.
    pub fn read_apart<T>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        let Some(path) = &self.path else {
            return self.read(f);
        };
        let mut conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| self.explain(e.into()))?;
        conn.busy_timeout(Duration::from_secs(5))
            .map_err(|e| self.explain(e.into()))?;
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Deferred)
            .map_err(|e| self.explain(e.into()))?;
        f(&tx).map_err(|e| self.explain(e))
    }

    /// Copies everything committed in the write-ahead log into the database file and empties
    /// the log (`wal_checkpoint(TRUNCATE)`). Returns false when a reader kept part of the log
    /// from being copied (it is copied next time).
    pub fn checkpoint(&self) -> Result<bool> {
        let guard = self.lock();
        let conn = guard.as_ref().ok_or_else(|| self.closed())?;
        if !self.gate.cleared() {
            return Ok(false);
        }
        checkpoint(conn).map_err(|e| self.explain(e))
    }

    /// Checkpoints and closes the connection, leaving one complete file (no `-wal` to go with
    /// it), and removes the in-use marker. Later calls on this `Db` are refused; closing twice
    /// is fine.
    pub fn close(&self) -> Result<()> {
        self.gate.interrupt();
        let mut guard = self.lock();
        let Some(conn) = guard.take() else {
            return Ok(());
        };
        // A file the integrity check has not cleared (or failed) is left exactly as it is,
        // its log included, and keeps its in-use marker so the next open checks it first.
        let complete = if self.gate.cleared() {
            checkpoint(&conn).and_then(|done| {
                // Now the log is empty, let SQLite's own close remove it and its index.
                conn.set_db_config(
                    rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
                    false,
                )?;
                Ok(done)
            })
        } else {
            Ok(false)
        };
        if let Err((_conn, e)) = conn.close() {
            return Err(self.explain(e.into()));
        }
        let complete = complete.map_err(|e| self.explain(e))?;
        if let (Some(p), true) = (&self.path, complete) {
            let _ = std::fs::remove_file(in_use_marker(p));
        }
        Ok(())
    }
}

fn checkpoint(conn: &Connection) -> Result<bool> {
    // (busy, log frames, checkpointed frames); busy = 1 when it could not finish.
    let (busy, _log, _done): (i64, i64, i64) =
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
    Ok(busy == 0)
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Err(e) = self.close() {
            eprintln!("Incident Desk: closing the database cleanly failed: {e}");
        }
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

/// Lower-case hex of a digest. Written by hand: `format!` per byte made hashing the history
/// (verification, backups) measurably slower (docs/backups.md).
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
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

/// Lowers the calling thread's CPU priority (on Linux its nice value, which is per thread, to
/// 10; elsewhere nothing). For the work that reads the whole history or a whole copy in the
/// background after a start (the history check, backups and their verification): on a machine
/// with two cores it otherwise takes the CPU the first lists of the window need. Only the
/// thread's share of a busy CPU changes; on an idle machine it runs as fast as before.
pub fn lower_this_threads_priority() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: gettid and setpriority take plain integers and touch no memory of ours; a
        // refusal (e.g. by a sandbox) leaves the priority as it was, which is harmless.
        unsafe {
            let tid = libc::syscall(libc::SYS_gettid);
            if let Ok(tid) = libc::id_t::try_from(tid) {
                libc::setpriority(libc::PRIO_PROCESS, tid, 10);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn hex_is_the_same_as_formatting_each_byte() {
        let bytes: Vec<u8> = (0..=255).collect();
        let expected: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(super::hex(&bytes), expected);
    }

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

    #[cfg(target_os = "linux")]
    #[test]
    fn only_the_calling_thread_gets_the_lower_priority() {
        let own = || unsafe {
            let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
            libc::getpriority(libc::PRIO_PROCESS, tid)
        };
        let before = own();
        let lowered = std::thread::spawn(move || {
            super::lower_this_threads_priority();
            own()
        })
        .join()
        .unwrap();
        // Under an already lower priority (a niced test run) an unprivileged raise is refused.
        assert!(
            lowered == 10 || (before > 10 && lowered == before),
            "the background thread runs at nice 10 (was {before}, got {lowered})"
        );
        assert_eq!(own(), before, "the calling test thread is untouched");
    }
}
