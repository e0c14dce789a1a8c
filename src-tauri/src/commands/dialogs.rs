//! The native file dialogs the commands open (save a PDF, choose a backup folder, choose a
//! backup file): one place for the environment overrides the tests use, the refusal when the
//! dialog plugin is missing, the starting folder, and what a dialog's answer becomes.
//!
//! Every function here blocks until the person answers: call it through `off_main`.

use crate::state::ApiError;
use std::path::PathBuf;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_dialog::{DialogExt, FileDialogBuilder, FilePath};

/// A path from an environment variable that skips the dialog (unattended use, tests).
pub fn env_path(var: &str) -> Option<PathBuf> {
    std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// A file dialog, or a typed refusal when the shell was built without the dialog plugin (the
/// command layer's tests) instead of the plugin's panic.
pub fn file_dialog<R: Runtime>(app: &AppHandle<R>) -> Result<FileDialogBuilder<R>, ApiError> {
    if app.try_state::<tauri_plugin_dialog::Dialog<R>>().is_none() {
        return Err(ApiError(incident_desk::ErrorPayload {
            code: crate::state::UNAVAILABLE.into(),
            message: "The native file dialog is not available in this window; nothing was done."
                .into(),
            field: None,
            problems: Vec::new(),
        }));
    }
    Ok(app.dialog().file())
}

/// Starts `dialog` where people keep documents, not in the app's working folder.
pub fn in_documents<R: Runtime>(
    app: &AppHandle<R>,
    dialog: FileDialogBuilder<R>,
) -> FileDialogBuilder<R> {
    match app
        .path()
        .document_dir()
        .ok()
        .or_else(|| app.path().home_dir().ok())
    {
        Some(dir) => dialog.set_directory(dir),
        None => dialog,
    }
}

/// What a dialog's answer becomes: None when cancelled, the chosen path, or a refusal.
pub fn answer(chosen: Option<FilePath>) -> Result<Option<PathBuf>, ApiError> {
    match chosen.map(|p| p.into_path()) {
        None => Ok(None),
        Some(Ok(p)) => Ok(Some(p)),
        Some(Err(e)) => Err(incident_desk::Error::Storage(format!(
            "the chosen location cannot be used: {e}"
        ))
        .into()),
    }
}
