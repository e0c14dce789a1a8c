//! What the shell keeps for the window: the open desk and its SLA scheduler, or why the desk
//! could not be opened.
//!
//! A desk that fails to open (a database from a newer version, a folder that cannot be
//! written) must still give the window a readable message instead of a crash.

use incident_desk::notify::Notifier;
use incident_desk::scheduler::SchedulerHandle;
use incident_desk::{Desk, ErrorPayload, SystemClock};
use serde::Serialize;
use std::path::Path;
use std::sync::Arc;

pub struct AppState {
    pub desk: Result<Arc<Desk>, ErrorPayload>,
    /// Owned here so it lives as long as the app; stopped when the state is dropped.
    pub scheduler: Option<SchedulerHandle>,
}

impl AppState {
    /// Opens the desk in `data_dir` without a scheduler (tests of the command layer).
    pub fn open(data_dir: &Path) -> AppState {
        let desk = Desk::open_in(data_dir, Arc::new(SystemClock))
            .map(Arc::new)
            .map_err(|e| {
                eprintln!("Incident Desk: {e}");
                e.to_payload()
            });
        AppState {
            desk,
            scheduler: None,
        }
    }

    /// Starts the SLA scheduler on the open desk; it re-arms on every change.
    pub fn start_scheduler(&mut self, notifier: Arc<dyn Notifier>) {
        let Ok(desk) = &self.desk else { return };
        match SchedulerHandle::start(desk.clone(), notifier) {
            Ok(handle) => {
                let rearm = handle.rearmer();
                desk.on_change(move |_| rearm.rearm());
                self.scheduler = Some(handle);
            }
            Err(e) => eprintln!("Incident Desk: the SLA scheduler could not start: {e}"),
        }
    }

    pub fn desk(&self) -> Result<&Desk, ApiError> {
        self.desk.as_deref().map_err(|p| ApiError(p.clone()))
    }
}

/// The `{code, message, field?}` every command rejects with.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct ApiError(pub ErrorPayload);

impl From<incident_desk::Error> for ApiError {
    fn from(e: incident_desk::Error) -> Self {
        ApiError(e.to_payload())
    }
}
