//! What the shell keeps for the window: the open desk and its SLA scheduler, or why the desk
//! could not be opened.
//!
//! A desk that fails to open (a database from a newer version, a folder that cannot be
//! written) must still give the window a readable message instead of a crash.
//!
//! The desk is replaceable while the app runs ("Restore from backup…" swaps the database file
//! and reopens it): commands take a clone of the current `Arc<Desk>` for the length of one
//! call, and a swap waits until no call holds the old desk before it is closed.

use crate::boundary::{guard, off_main};
use incident_desk::backups::BackupHandle;
use incident_desk::notify::Notifier;
use incident_desk::scheduler::SchedulerHandle;
use incident_desk::{Change, Desk, ErrorPayload, SystemClock};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::{Duration, Instant};

/// A change listener that follows the desk across reopenings.
type Listener = Arc<dyn Fn(Change) + Send + Sync>;

/// Code of a command that arrived while the desk was being reopened or after it was closed.
pub const UNAVAILABLE: &str = "unavailable";

/// How long a reopen waits for the calls still running on the old desk (a policy save that
/// re-measures every open incident takes a few seconds on a large desk).
const SWAP_WAIT: Duration = Duration::from_secs(30);
/// How long closing at exit waits for them.
const EXIT_WAIT: Duration = Duration::from_secs(5);

pub struct AppState {
    data_dir: PathBuf,
    desk: RwLock<Result<Arc<Desk>, ErrorPayload>>,
    /// Owned here so it lives as long as the desk; stopped before the desk is swapped or closed.
    scheduler: Mutex<Option<SchedulerHandle>>,
    /// Automatic backups and periodic checkpoints of the open desk; started and stopped with
    /// the scheduler, so a reopened desk gets its own.
    backups: Mutex<Option<BackupHandle>>,
    notifier: Mutex<Option<Arc<dyn Notifier>>>,
    listeners: Mutex<Vec<Listener>>,
    /// One reopen or close at a time.
    swapping: Mutex<()>,
}

/// A poisoned lock only means a panic happened while it was held; the data behind these locks
/// (an `Arc`, a handle, a list) is never left half-changed, so it is still good.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn unavailable(message: &str) -> ErrorPayload {
    ErrorPayload {
        code: UNAVAILABLE.into(),
        message: message.into(),
        field: None,
        problems: Vec::new(),
    }
}

fn open_desk(data_dir: &Path) -> Result<Arc<Desk>, ErrorPayload> {
    Desk::open_in(data_dir, Arc::new(SystemClock))
        .map(Arc::new)
        .map_err(|e| {
            eprintln!("Incident Desk: {e}");
            e.to_payload()
        })
}

impl AppState {
    /// Opens the desk in `data_dir` without a scheduler (tests of the command layer).
    pub fn open(data_dir: &Path) -> AppState {
        AppState::with_desk(data_dir, open_desk(data_dir))
    }

    /// A state around a desk opened elsewhere (or the reason it could not be opened).
    pub fn with_desk(data_dir: &Path, desk: Result<Arc<Desk>, ErrorPayload>) -> AppState {
        AppState {
            data_dir: data_dir.to_path_buf(),
            desk: RwLock::new(desk),
            scheduler: Mutex::new(None),
            backups: Mutex::new(None),
            notifier: Mutex::new(None),
            listeners: Mutex::new(Vec::new()),
            swapping: Mutex::new(()),
        }
    }

    /// The database file in the data folder, open or not.
    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join(incident_desk::DATABASE_FILE)
    }

    /// Tells the backup handle the settings changed (it recomputes when the next one is due).
    pub fn wake_backups(&self) {
        if let Some(h) = lock(&self.backups).as_ref() {
            h.wake();
        }
    }

    /// The current desk, for one call. Commands use [`AppState::run`].
    pub fn desk(&self) -> Result<Arc<Desk>, ApiError> {
        self.desk
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .map_err(ApiError)
    }

    /// Runs one core call on a blocking thread (never the window's main thread), under the
    /// panic guard: a panic becomes an `internal` error and the app stays up.
    pub async fn run<T, E, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        E: Into<ApiError>,
        F: FnOnce(&Desk) -> Result<T, E> + Send + 'static,
    {
        let desk = self.desk()?;
        off_main(move || f(&desk)).await
    }

    /// Calls `f` after every committed change of this desk and of any desk that replaces it.
    pub fn on_change(&self, f: impl Fn(Change) + Send + Sync + 'static) {
        let f: Listener = Arc::new(f);
        let mut listeners = lock(&self.listeners);
        if let Ok(desk) = self.desk() {
            let g = f.clone();
            desk.on_change(move |c| g(c));
        }
        listeners.push(f);
    }

    /// Starts the SLA scheduler and the backup handle on the open desk (and on every desk that
    /// replaces it); the scheduler re-arms on every change.
    pub fn start_scheduler(&self, notifier: Arc<dyn Notifier>) {
        *lock(&self.notifier) = Some(notifier);
        if let Ok(desk) = self.desk() {
            self.start_scheduler_on(desk);
        }
    }

    fn start_scheduler_on(&self, desk: Arc<Desk>) {
        let Some(notifier) = lock(&self.notifier).clone() else {
            return;
        };
        check_history_in_background(desk.clone(), notifier.clone());
        match BackupHandle::start(desk.clone()) {
            Ok(handle) => {
                let previous = lock(&self.backups).replace(handle);
                if let Some(old) = previous {
                    old.stop();
                }
            }
            Err(e) => eprintln!("Incident Desk: automatic backups could not start: {e}"),
        }
        match SchedulerHandle::start(desk.clone(), notifier) {
            Ok(handle) => {
                let rearm = handle.rearmer();
                desk.on_change(move |_| rearm.rearm());
                let previous = lock(&self.scheduler).replace(handle);
                if let Some(old) = previous {
                    old.stop();
                }
            }
            Err(e) => eprintln!("Incident Desk: the SLA scheduler could not start: {e}"),
        }
    }

    /// Stops the scheduler and the backup handle (each lets go of its `Arc<Desk>`).
    fn stop_scheduler(&self) {
        let handle = lock(&self.scheduler).take();
        if let Some(h) = handle {
            h.stop();
        }
        let backups = lock(&self.backups).take();
        if let Some(h) = backups {
            h.stop();
        }
    }

    /// Puts `new` in place of the current desk: stops the scheduler, gives the new desk the
    /// change listeners, swaps, and restarts the scheduler on it. Returns the old desk, which
    /// calls already running may still hold; close it with [`AppState::reopen_with`] instead
    /// when its file is about to change.
    pub fn replace_desk(&self, new: Result<Arc<Desk>, ErrorPayload>) -> Option<Arc<Desk>> {
        self.stop_scheduler();
        let listeners = lock(&self.listeners);
        if let Ok(desk) = &new {
            for f in listeners.iter() {
                let f = f.clone();
                desk.on_change(move |c| f(c));
            }
        }
        let old = std::mem::replace(
            &mut *self.desk.write().unwrap_or_else(|p| p.into_inner()),
            new,
        );
        drop(listeners);
        if let Ok(desk) = self.desk() {
            self.start_scheduler_on(desk);
        }
        old.ok()
    }

    /// Closes the desk and opens the database in the data folder again.
    pub fn reopen(&self) -> Result<(), ApiError> {
        self.reopen_with(|_| Ok(()))
    }

    /// Closes the desk (after the calls still running on it finish), runs `between` on the
    /// data folder while no connection is open (e.g. put a restored backup in place), then
    /// opens the database again. Commands arriving meanwhile are refused with `unavailable`.
    /// Refused, with the desk left as it was, when a call keeps the old desk longer than 30 s.
    pub fn reopen_with(
        &self,
        between: impl FnOnce(&Path) -> Result<(), ApiError>,
    ) -> Result<(), ApiError> {
        let _one_at_a_time = lock(&self.swapping);
        let old = self.replace_desk(Err(unavailable(
            "The desk is being reopened; try again in a moment.",
        )));
        if let Some(old) = old {
            match wait_until_unused(old, SWAP_WAIT) {
                Ok(desk) => close_desk(desk),
                Err(still_used) => {
                    self.put_back(still_used);
                    return Err(ApiError(unavailable(
                        "The desk could not be reopened: a long operation is still running on \
                         it. Try again when it has finished.",
                    )));
                }
            }
        }
        let step = guard(|| between(&self.data_dir));
        self.replace_desk(open_desk(&self.data_dir));
        step?;
        self.desk().map(|_| ())
    }

    /// Reinstalls a desk that was taken out but not closed (it keeps its listeners).
    fn put_back(&self, desk: Arc<Desk>) {
        *self.desk.write().unwrap_or_else(|p| p.into_inner()) = Ok(desk.clone());
        self.start_scheduler_on(desk);
    }

    /// Stops the scheduler and closes the desk, for the app's exit. Later commands are refused
    /// with `unavailable`.
    pub fn close(&self) {
        let _one_at_a_time = lock(&self.swapping);
        let old = self.replace_desk(Err(unavailable("Incident Desk is closing.")));
        if let Some(old) = old {
            match wait_until_unused(old, EXIT_WAIT) {
                Ok(desk) => close_desk(desk),
                Err(_) => eprintln!(
                    "Incident Desk: a call was still running at exit; the database closes when \
                     it ends"
                ),
            }
        }
    }
}

/// The old desk once no call holds it any more, or back after `timeout`.
fn wait_until_unused(mut desk: Arc<Desk>, timeout: Duration) -> Result<Desk, Arc<Desk>> {
    let start = Instant::now();
    loop {
        match Arc::try_unwrap(desk) {
            Ok(d) => return Ok(d),
            Err(still) if start.elapsed() >= timeout => return Err(still),
            Err(still) => desk = still,
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Verifies the recorded history of a newly opened desk on a thread of its own (a large history
/// takes seconds and the window must not wait): the result goes to the notification centre,
/// and a history that was altered also raises a desktop notification.
fn check_history_in_background(desk: Arc<Desk>, notifier: Arc<dyn Notifier>) {
    let spawned = std::thread::Builder::new()
        .name("history-check".into())
        .spawn(move || {
            incident_desk::store::lower_this_threads_priority();
            match desk.startup_check() {
                Ok(check) if !check.intact || !check.triggers_restored.is_empty() => {
                    let n = incident_desk::notify::DesktopNotification {
                        title: "Incident Desk: the recorded history was altered".into(),
                        body: check
                            .problem
                            .or_else(|| check.problems.first().cloned())
                            .unwrap_or_default(),
                        incident_id: None,
                        urgent: true,
                    };
                    if let Err(e) = notifier.show(&n) {
                        eprintln!("Incident Desk: {e}");
                    }
                }
                Ok(_) => {}
                Err(e) => eprintln!("Incident Desk: the history check at start failed: {e}"),
            }
        });
    if let Err(e) = spawned {
        eprintln!("Incident Desk: the history check at start could not run: {e}");
    }
}

/// THE place a desk is closed (at exit and before a reopen): the core's clean close
/// checkpoints the write-ahead log into the file, closes the connection and removes the in-use
/// marker, so the `.sqlite3` file alone holds everything.
fn close_desk(desk: Desk) {
    if let Err(e) = desk.close_database() {
        eprintln!("Incident Desk: closing the database failed: {e}");
    }
    drop(desk);
}

/// The `{code, message, field?, problems?}` every command rejects with.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct ApiError(pub ErrorPayload);

impl From<incident_desk::Error> for ApiError {
    fn from(e: incident_desk::Error) -> Self {
        ApiError(e.to_payload())
    }
}

// The desk is shared across threads (commands run on blocking threads, the scheduler on its
// own); this does not compile if it or the state stops being Send + Sync.
const _: fn() = || {
    fn shared_across_threads<T: Send + Sync + 'static>() {}
    shared_across_threads::<Desk>();
    shared_across_threads::<Arc<Desk>>();
    shared_across_threads::<AppState>();
};
