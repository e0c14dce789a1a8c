//! Commands of the desk itself and of Settings.

use crate::boundary::{off_main, Arg};
use crate::state::{ApiError, AppState};
use incident_desk::desk::*;
use incident_desk::domain::model::*;
use incident_desk::domain::priority::PriorityMatrix;
use serde::Deserialize;
use tauri::{AppHandle, Manager, Runtime, State};

type Reply<T> = Result<T, ApiError>;

#[tauri::command]
pub async fn desk_info(app: State<'_, AppState>) -> Reply<DeskInfo> {
    app.run(|d| d.info()).await
}

/// Closes the database and opens it again (after a failure to open was fixed, e.g. the
/// folder made writable), without restarting the app.
#[tauri::command]
pub async fn reopen_desk<R: Runtime>(
    handle: AppHandle<R>,
    app: State<'_, AppState>,
) -> Reply<DeskInfo> {
    off_main(move || match handle.try_state::<AppState>() {
        Some(state) => state.reopen(),
        None => Err(crate::boundary::internal("the desk state is not set up")),
    })
    .await?;
    app.run(|d| d.info()).await
}

#[tauri::command]
pub async fn reference_data(app: State<'_, AppState>) -> Reply<ReferenceData> {
    app.run(|d| d.reference_data()).await
}

#[tauri::command]
pub async fn load_demo_data(app: State<'_, AppState>) -> Reply<DeskInfo> {
    app.run(|d| d.load_demo_data()).await
}

#[derive(Debug, Deserialize)]
pub struct OperatorInput {
    pub person_id: i64,
}

#[tauri::command]
pub async fn set_operator(app: State<'_, AppState>, input: Arg<OperatorInput>) -> Reply<Person> {
    app.run(move |d| d.set_operator(input.person_id)).await
}

#[tauri::command]
pub async fn save_service(app: State<'_, AppState>, input: Arg<ServiceInput>) -> Reply<Service> {
    app.run(move |d| d.save_service(&input)).await
}

#[tauri::command]
pub async fn save_team(app: State<'_, AppState>, input: Arg<TeamInput>) -> Reply<Team> {
    app.run(move |d| d.save_team(&input)).await
}

#[tauri::command]
pub async fn save_person(app: State<'_, AppState>, input: Arg<PersonInput>) -> Reply<Person> {
    app.run(move |d| d.save_person(&input)).await
}

#[tauri::command]
pub async fn save_category(app: State<'_, AppState>, input: Arg<CategoryInput>) -> Reply<Category> {
    app.run(move |d| d.save_category(&input)).await
}

/// The entry a delete command names.
#[derive(Debug, Deserialize)]
pub struct EntryId {
    pub id: i64,
}

#[tauri::command]
pub async fn delete_service(app: State<'_, AppState>, input: Arg<EntryId>) -> Reply<String> {
    app.run(move |d| d.delete_service(input.id)).await
}

#[tauri::command]
pub async fn delete_team(app: State<'_, AppState>, input: Arg<EntryId>) -> Reply<String> {
    app.run(move |d| d.delete_team(input.id)).await
}

#[tauri::command]
pub async fn delete_person(app: State<'_, AppState>, input: Arg<EntryId>) -> Reply<String> {
    app.run(move |d| d.delete_person(input.id)).await
}

#[tauri::command]
pub async fn delete_category(app: State<'_, AppState>, input: Arg<EntryId>) -> Reply<String> {
    app.run(move |d| d.delete_category(input.id)).await
}

#[tauri::command]
pub async fn save_priority_matrix(
    app: State<'_, AppState>,
    input: Arg<PriorityMatrix>,
) -> Reply<PriorityMatrix> {
    app.run(move |d| d.save_priority_matrix(&input)).await
}

#[derive(Debug, Deserialize)]
pub struct PreviewInput {
    pub impact: String,
    pub urgency: String,
}

#[tauri::command]
pub async fn preview_priority(
    app: State<'_, AppState>,
    input: Arg<PreviewInput>,
) -> Reply<PriorityPreview> {
    app.run(move |d| d.preview_priority(&input.impact, &input.urgency))
        .await
}

#[tauri::command]
pub async fn verify_history(
    app: State<'_, AppState>,
) -> Reply<incident_desk::store::events::HistoryCheck> {
    app.run(|d| d.verify_history()).await
}
