//! Commands of the incident lifecycle.

use crate::state::{ApiError, AppState};
use incident_desk::desk::*;
use incident_desk::domain::model::*;
use serde::Deserialize;
use tauri::State;

type Reply<T> = Result<T, ApiError>;

#[tauri::command]
pub fn log_incident(app: State<'_, AppState>, input: NewIncident) -> Reply<IncidentDetail> {
    Ok(app.desk()?.log(&input)?)
}

#[tauri::command]
pub fn list_incidents(app: State<'_, AppState>, input: IncidentQuery) -> Reply<IncidentPage> {
    Ok(app.desk()?.list(&input)?)
}

#[derive(Debug, Deserialize)]
pub struct IdInput {
    pub id: i64,
}

#[tauri::command]
pub fn get_incident(app: State<'_, AppState>, input: IdInput) -> Reply<IncidentDetail> {
    Ok(app.desk()?.get(input.id)?)
}

#[tauri::command]
pub fn update_incident(app: State<'_, AppState>, input: UpdateIncident) -> Reply<IncidentDetail> {
    Ok(app.desk()?.update(&input)?)
}

#[tauri::command]
pub fn assign_incident(app: State<'_, AppState>, input: AssignInput) -> Reply<IncidentDetail> {
    Ok(app.desk()?.assign(&input)?)
}

#[tauri::command]
pub fn acknowledge_incident(app: State<'_, AppState>, input: VersionedId) -> Reply<IncidentDetail> {
    Ok(app.desk()?.acknowledge(&input)?)
}

#[tauri::command]
pub fn add_note(app: State<'_, AppState>, input: NoteInput) -> Reply<IncidentDetail> {
    Ok(app.desk()?.add_note(&input)?)
}

#[tauri::command]
pub fn escalate_incident(app: State<'_, AppState>, input: EscalateInput) -> Reply<IncidentDetail> {
    Ok(app.desk()?.escalate(&input)?)
}

#[tauri::command]
pub fn record_workaround(
    app: State<'_, AppState>,
    input: WorkaroundInput,
) -> Reply<IncidentDetail> {
    Ok(app.desk()?.record_workaround(&input)?)
}

#[tauri::command]
pub fn resolve_incident(app: State<'_, AppState>, input: ResolveInput) -> Reply<IncidentDetail> {
    Ok(app.desk()?.resolve(&input)?)
}

#[tauri::command]
pub fn verify_resolution(app: State<'_, AppState>, input: VerifyInput) -> Reply<IncidentDetail> {
    Ok(app.desk()?.verify(&input)?)
}

#[tauri::command]
pub fn close_incident(app: State<'_, AppState>, input: CloseInput) -> Reply<IncidentDetail> {
    Ok(app.desk()?.close(&input)?)
}

#[tauri::command]
pub fn reopen_incident(app: State<'_, AppState>, input: ReopenInput) -> Reply<IncidentDetail> {
    Ok(app.desk()?.reopen(&input)?)
}
