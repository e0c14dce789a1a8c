//! What the shell keeps for the window: the open desk, or why it could not be opened.
//!
//! A desk that fails to open (a database from a newer version, a folder that cannot be
//! written) must still give the window a readable message instead of a crash.

use incident_desk::{Desk, ErrorPayload, SystemClock};
use serde::Serialize;
use std::path::Path;
use std::sync::Arc;

pub struct AppState {
    pub desk: Result<Desk, ErrorPayload>,
}

impl AppState {
    pub fn open(data_dir: &Path) -> AppState {
        let desk = Desk::open_in(data_dir, Arc::new(SystemClock)).map_err(|e| {
            eprintln!("Incident Desk: {e}");
            e.to_payload()
        });
        AppState { desk }
    }

    pub fn desk(&self) -> Result<&Desk, ApiError> {
        self.desk.as_ref().map_err(|p| ApiError(p.clone()))
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
