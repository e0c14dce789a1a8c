//! Commands of the database file: backups, automatic-backup settings and restore.
//!
//! The folder of "Back up now…" and the file of "Restore from backup…" come from the native
//! dialogs (opened off the main thread); `INCIDENT_DESK_BACKUP_DIR` and
//! `INCIDENT_DESK_RESTORE_FILE` skip them, for unattended use and the end-to-end tests.
//!
//! A restore goes through [`AppState::reopen_with`]: the desk is closed, the backup is put in
//! place while no connection is open, and the desk is opened again (with its own scheduler and
//! backup handle). It also works when the desk could not be opened at all (a damaged file), so
//! the window's start screen can offer it: `recovery_backups` lists the backups found in
//! `<data dir>/backups` without a desk.

use super::dialogs;
use crate::boundary::{off_main, Arg};
use crate::state::{ApiError, AppState};
use incident_desk::backups::{BackupInfo, BackupStatus, RestoreOutcome, RestorePreview};
use incident_desk::store::backup::{BackupSettings, Progress};
use incident_desk::Clock;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use tauri::{AppHandle, Emitter, Manager, Runtime, State};

type Reply<T> = Result<T, ApiError>;

/// The app event that carries the progress of "Back up now" to the window.
pub const PROGRESS_EVENT: &str = "backup-progress";

#[tauri::command]
pub async fn backup_status(app: State<'_, AppState>) -> Reply<BackupStatus> {
    app.run(|d| d.backup_status()).await
}

#[tauri::command]
pub async fn list_backups(app: State<'_, AppState>) -> Reply<Vec<BackupInfo>> {
    app.run(|d| d.backups()).await
}

/// Asks for a folder (native folder picker) and backs the desk up into it, emitting
/// `backup-progress` {pages_done, pages_total} as it goes. Null when the user cancels.
#[tauri::command]
pub async fn back_up_now<R: Runtime>(
    handle: AppHandle<R>,
    app: State<'_, AppState>,
) -> Reply<Option<BackupInfo>> {
    let picker = handle.clone();
    let Some(folder) = off_main(move || pick_folder(&picker)).await? else {
        return Ok(None);
    };
    app.run(move |d| {
        d.back_up_now(&folder, &mut |p: Progress| {
            let _ = handle.emit(PROGRESS_EVENT, p);
        })
        .map(Some)
    })
    .await
}

#[tauri::command]
pub async fn save_backup_settings(
    app: State<'_, AppState>,
    input: Arg<BackupSettings>,
) -> Reply<BackupStatus> {
    let status = app.run(move |d| d.save_backup_settings(&input)).await?;
    app.wake_backups();
    Ok(status)
}

#[derive(Debug, Default, Deserialize)]
pub struct PreviewInput {
    /// A backup file (from the list); none asks with the native file picker.
    #[serde(default)]
    pub path: Option<String>,
}

/// What a backup holds, checked from the file (read-only): the file named, or the one the user
/// picks. Null when the user cancels. Needs no open desk.
#[tauri::command]
pub async fn preview_restore<R: Runtime>(
    handle: AppHandle<R>,
    input: Arg<PreviewInput>,
) -> Reply<Option<RestorePreview>> {
    let given = input.path.clone().filter(|p| !p.is_empty());
    off_main(move || {
        let path = match given {
            Some(p) => PathBuf::from(p),
            None => match pick_backup_file(&handle)? {
                Some(p) => p,
                None => return Ok(None),
            },
        };
        Ok::<_, ApiError>(Some(incident_desk::backups::preview_restore(&path)))
    })
    .await
}

#[derive(Debug, Deserialize)]
pub struct RestoreInput {
    pub path: String,
}

/// Puts the backup in place of the database: the desk is closed, the current file is renamed
/// aside (never deleted), the backup is copied in, and the desk opens again on it. Works when
/// no desk could be opened too. The outcome says where the previous file was kept.
#[tauri::command]
pub async fn restore_backup<R: Runtime>(
    handle: AppHandle<R>,
    input: Arg<RestoreInput>,
) -> Reply<RestoreOutcome> {
    let backup = PathBuf::from(&input.path);
    off_main(move || {
        let Some(state) = handle.try_state::<AppState>() else {
            return Err(crate::boundary::internal("the desk state is not set up"));
        };
        let database = state.database_path();
        let mut outcome = None;
        state.reopen_with(|_| {
            let now = incident_desk::SystemClock.now();
            outcome = Some(incident_desk::backups::restore_database(
                &database, &backup, now,
            )?);
            Ok(())
        })?;
        outcome.ok_or_else(|| crate::boundary::internal("the restore did not report back"))
    })
    .await
}

/// The backups found beside the database, for a start screen without a desk.
#[derive(Debug, Serialize)]
pub struct Recovery {
    pub database: String,
    pub folder: String,
    pub backups: Vec<BackupInfo>,
}

/// Lists `<data dir>/backups` from the backups' manifests; needs no open desk.
#[tauri::command]
pub async fn recovery_backups(app: State<'_, AppState>) -> Reply<Recovery> {
    let database = app.database_path();
    let folder = incident_desk::store::backup::backups_folder(&database);
    off_main(move || {
        incident_desk::backups::backups_in(&folder).map(|backups| Recovery {
            database: database.display().to_string(),
            folder: folder.display().to_string(),
            backups,
        })
    })
    .await
}

/// The folder for "Back up now": `INCIDENT_DESK_BACKUP_DIR`, else the native folder picker
/// (blocks until the user answers; run it off the main thread). None when cancelled.
fn pick_folder<R: Runtime>(app: &AppHandle<R>) -> Result<Option<PathBuf>, ApiError> {
    if let Some(dir) = dialogs::env_path("INCIDENT_DESK_BACKUP_DIR") {
        return Ok(Some(dir));
    }
    let dialog = dialogs::file_dialog(app)?.set_title("Back up Incident Desk into this folder");
    dialogs::answer(dialogs::in_documents(app, dialog).blocking_pick_folder())
}

/// The backup file for "Restore from backup": `INCIDENT_DESK_RESTORE_FILE`, else the native
/// file picker, starting in the automatic backups folder. None when cancelled.
fn pick_backup_file<R: Runtime>(app: &AppHandle<R>) -> Result<Option<PathBuf>, ApiError> {
    if let Some(file) = dialogs::env_path("INCIDENT_DESK_RESTORE_FILE") {
        return Ok(Some(file));
    }
    let mut dialog = dialogs::file_dialog(app)?
        .set_title("Restore Incident Desk from this backup")
        .add_filter("Incident Desk backup", &["sqlite3"]);
    if let Some(state) = app.try_state::<AppState>() {
        let folder = incident_desk::store::backup::backups_folder(&state.database_path());
        if folder.is_dir() {
            dialog = dialog.set_directory(folder);
        }
    }
    dialogs::answer(dialog.blocking_pick_file())
}
