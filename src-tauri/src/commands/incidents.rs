//! Commands of the incident lifecycle.

use crate::boundary::Arg;
use crate::state::{ApiError, AppState};
use incident_desk::desk::*;
use incident_desk::domain::model::*;
use serde::Deserialize;
use tauri::State;

type Reply<T> = Result<T, ApiError>;

#[tauri::command]
pub async fn log_incident(
    app: State<'_, AppState>,
    input: Arg<NewIncident>,
) -> Reply<IncidentDetail> {
    app.run(move |d| d.log(&input)).await
}

#[tauri::command]
pub async fn list_incidents(
    app: State<'_, AppState>,
    input: Arg<IncidentQuery>,
) -> Reply<IncidentPage> {
    app.run(move |d| d.list(&input)).await
}

#[derive(Debug, Deserialize)]
pub struct IdInput {
    pub id: i64,
}

#[tauri::command]
pub async fn get_incident(app: State<'_, AppState>, input: Arg<IdInput>) -> Reply<IncidentDetail> {
    app.run(move |d| d.get(input.id)).await
}

#[tauri::command]
pub async fn update_incident(
    app: State<'_, AppState>,
    input: Arg<UpdateIncident>,
) -> Reply<IncidentDetail> {
    app.run(move |d| d.update(&input)).await
}

#[tauri::command]
pub async fn assign_incident(
    app: State<'_, AppState>,
    input: Arg<AssignInput>,
) -> Reply<IncidentDetail> {
    app.run(move |d| d.assign(&input)).await
}

#[tauri::command]
pub async fn acknowledge_incident(
    app: State<'_, AppState>,
    input: Arg<VersionedId>,
) -> Reply<IncidentDetail> {
    app.run(move |d| d.acknowledge(&input)).await
}

#[tauri::command]
pub async fn add_note(app: State<'_, AppState>, input: Arg<NoteInput>) -> Reply<IncidentDetail> {
    app.run(move |d| d.add_note(&input)).await
}

#[tauri::command]
pub async fn escalate_incident(
    app: State<'_, AppState>,
    input: Arg<EscalateInput>,
) -> Reply<IncidentDetail> {
    app.run(move |d| d.escalate(&input)).await
}

#[tauri::command]
pub async fn record_workaround(
    app: State<'_, AppState>,
    input: Arg<WorkaroundInput>,
) -> Reply<IncidentDetail> {
    app.run(move |d| d.record_workaround(&input)).await
}

#[tauri::command]
pub async fn resolve_incident(
    app: State<'_, AppState>,
    input: Arg<ResolveInput>,
) -> Reply<IncidentDetail> {
    app.run(move |d| d.resolve(&input)).await
}

#[tauri::command]
pub async fn verify_resolution(
    app: State<'_, AppState>,
    input: Arg<VerifyInput>,
) -> Reply<IncidentDetail> {
    app.run(move |d| d.verify(&input)).await
}

#[tauri::command]
pub async fn close_incident(
    app: State<'_, AppState>,
    input: Arg<CloseInput>,
) -> Reply<IncidentDetail> {
    app.run(move |d| d.close(&input)).await
}

#[tauri::command]
pub async fn reopen_incident(
    app: State<'_, AppState>,
    input: Arg<ReopenInput>,
) -> Reply<IncidentDetail> {
    app.run(move |d| d.reopen(&input)).await
}
