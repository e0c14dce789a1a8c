//! Commands of the desk itself and of Settings.

use crate::state::{ApiError, AppState};
use incident_desk::desk::*;
use incident_desk::domain::model::*;
use incident_desk::domain::priority::PriorityMatrix;
use serde::Deserialize;
use tauri::State;

type Reply<T> = Result<T, ApiError>;

#[tauri::command]
pub fn desk_info(app: State<'_, AppState>) -> Reply<DeskInfo> {
    Ok(app.desk()?.info()?)
}

#[tauri::command]
pub fn reference_data(app: State<'_, AppState>) -> Reply<ReferenceData> {
    Ok(app.desk()?.reference_data()?)
}

#[tauri::command]
pub fn load_demo_data(app: State<'_, AppState>) -> Reply<DeskInfo> {
    Ok(app.desk()?.load_demo_data()?)
}

#[derive(Debug, Deserialize)]
pub struct OperatorInput {
    pub person_id: i64,
}

#[tauri::command]
pub fn set_operator(app: State<'_, AppState>, input: OperatorInput) -> Reply<Person> {
    Ok(app.desk()?.set_operator(input.person_id)?)
}

#[tauri::command]
pub fn save_service(app: State<'_, AppState>, input: ServiceInput) -> Reply<Service> {
    Ok(app.desk()?.save_service(&input)?)
}

#[tauri::command]
pub fn save_team(app: State<'_, AppState>, input: TeamInput) -> Reply<Team> {
    Ok(app.desk()?.save_team(&input)?)
}

#[tauri::command]
pub fn save_person(app: State<'_, AppState>, input: PersonInput) -> Reply<Person> {
    Ok(app.desk()?.save_person(&input)?)
}

#[tauri::command]
pub fn save_category(app: State<'_, AppState>, input: CategoryInput) -> Reply<Category> {
    Ok(app.desk()?.save_category(&input)?)
}

/// The entry a delete command names.
#[derive(Debug, Deserialize)]
pub struct EntryId {
    pub id: i64,
}

#[tauri::command]
pub fn delete_service(app: State<'_, AppState>, input: EntryId) -> Reply<String> {
    Ok(app.desk()?.delete_service(input.id)?)
}

#[tauri::command]
pub fn delete_team(app: State<'_, AppState>, input: EntryId) -> Reply<String> {
    Ok(app.desk()?.delete_team(input.id)?)
}

#[tauri::command]
pub fn delete_person(app: State<'_, AppState>, input: EntryId) -> Reply<String> {
    Ok(app.desk()?.delete_person(input.id)?)
}

#[tauri::command]
pub fn delete_category(app: State<'_, AppState>, input: EntryId) -> Reply<String> {
    Ok(app.desk()?.delete_category(input.id)?)
}

#[tauri::command]
pub fn save_priority_matrix(
    app: State<'_, AppState>,
    input: PriorityMatrix,
) -> Reply<PriorityMatrix> {
    Ok(app.desk()?.save_priority_matrix(&input)?)
}

#[derive(Debug, Deserialize)]
pub struct PreviewInput {
    pub impact: String,
    pub urgency: String,
}

#[tauri::command]
pub fn preview_priority(app: State<'_, AppState>, input: PreviewInput) -> Reply<PriorityPreview> {
    Ok(app
        .desk()?
        .preview_priority(&input.impact, &input.urgency)?)
}

#[tauri::command]
pub fn verify_history(
    app: State<'_, AppState>,
) -> Reply<incident_desk::store::events::HistoryCheck> {
    Ok(app.desk()?.verify_history()?)
}
