//! Commands of major incidents, stakeholder communication and post-incident reviews.

use super::dialogs;
use crate::boundary::{off_main, Arg};
use crate::state::{ApiError, AppState};
use incident_desk::desk::IncidentDetail;
use incident_desk::desk::{CommunicationSettings, MajorView};
use incident_desk::domain::major::{
    Audience, CorrectionInput, DeclareInput, Draft, MajorCriteria, Template, UpdateInput,
};
use incident_desk::domain::report::PaperSize;
use incident_desk::domain::review::{ActionInput, ReviewEdit, ReviewView};
use serde::Deserialize;
use std::path::PathBuf;
use tauri::State;

type Reply<T> = Result<T, ApiError>;

#[derive(Debug, Deserialize)]
pub struct IdInput {
    pub id: i64,
}

#[tauri::command]
pub async fn declare_major(
    app: State<'_, AppState>,
    input: Arg<DeclareInput>,
) -> Reply<IncidentDetail> {
    app.run(move |d| d.declare_major(&input)).await
}

#[tauri::command]
pub async fn major_view(app: State<'_, AppState>, input: Arg<IdInput>) -> Reply<MajorView> {
    app.run(move |d| d.major_view(input.id)).await
}

#[tauri::command]
pub async fn communication_settings(app: State<'_, AppState>) -> Reply<CommunicationSettings> {
    app.run(|d| d.communication_settings()).await
}

#[derive(Debug, Deserialize)]
pub struct AudienceInput {
    #[serde(default)]
    pub create: bool,
    pub audience: Audience,
}

#[tauri::command]
pub async fn save_audience(
    app: State<'_, AppState>,
    input: Arg<AudienceInput>,
) -> Reply<CommunicationSettings> {
    app.run(move |d| d.save_audience(&input.audience, input.create))
        .await
}

#[derive(Debug, Deserialize)]
pub struct TemplateInput {
    #[serde(default)]
    pub create: bool,
    pub template: Template,
}

#[tauri::command]
pub async fn save_template(
    app: State<'_, AppState>,
    input: Arg<TemplateInput>,
) -> Reply<CommunicationSettings> {
    app.run(move |d| d.save_template(&input.template, input.create))
        .await
}

#[tauri::command]
pub async fn save_major_criteria(
    app: State<'_, AppState>,
    input: Arg<MajorCriteria>,
) -> Reply<CommunicationSettings> {
    app.run(move |d| d.save_major_criteria(&input)).await
}

#[derive(Debug, Deserialize)]
pub struct DraftInput {
    pub id: i64,
    pub template_id: i64,
    pub audience_id: i64,
}

#[tauri::command]
pub async fn draft_update(app: State<'_, AppState>, input: Arg<DraftInput>) -> Reply<Draft> {
    app.run(move |d| d.draft_update(input.id, input.template_id, input.audience_id))
        .await
}

#[tauri::command]
pub async fn send_update(
    app: State<'_, AppState>,
    input: Arg<UpdateInput>,
) -> Reply<IncidentDetail> {
    app.run(move |d| d.send_update(&input)).await
}

#[tauri::command]
pub async fn correct_milestone(
    app: State<'_, AppState>,
    input: Arg<CorrectionInput>,
) -> Reply<IncidentDetail> {
    app.run(move |d| d.correct_milestone(&input)).await
}

#[tauri::command]
pub async fn create_review(app: State<'_, AppState>, input: Arg<IdInput>) -> Reply<ReviewView> {
    app.run(move |d| d.create_review(input.id)).await
}

#[tauri::command]
pub async fn get_review(app: State<'_, AppState>, input: Arg<IdInput>) -> Reply<ReviewView> {
    app.run(move |d| d.review(input.id)).await
}

#[tauri::command]
pub async fn edit_review(app: State<'_, AppState>, input: Arg<ReviewEdit>) -> Reply<ReviewView> {
    app.run(move |d| d.edit_review(&input)).await
}

#[tauri::command]
pub async fn save_review_action(
    app: State<'_, AppState>,
    input: Arg<ActionInput>,
) -> Reply<ReviewView> {
    app.run(move |d| d.save_review_action(&input)).await
}

#[derive(Debug, Deserialize)]
pub struct FinaliseInput {
    pub id: i64,
    pub expected_version: i64,
}

#[tauri::command]
pub async fn finalise_review(
    app: State<'_, AppState>,
    input: Arg<FinaliseInput>,
) -> Reply<ReviewView> {
    app.run(move |d| d.finalise_review(input.id, input.expected_version))
        .await
}

#[derive(Debug, Deserialize)]
pub struct ExportInput {
    pub id: i64,
    /// "a4" (default) or "letter".
    #[serde(default)]
    pub paper: String,
}

#[derive(Debug, serde::Serialize)]
pub struct Exported {
    pub path: String,
}

/// Asks where to save (native save dialog) and writes the review's PDF there from Rust.
/// `INCIDENT_DESK_EXPORT_DIR` skips the dialog and saves into that folder, for unattended use
/// (scripts, the end-to-end tests). Returns null when the user cancels.
#[tauri::command]
pub async fn export_review_pdf<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    input: Arg<ExportInput>,
) -> Reply<Option<Exported>> {
    let paper = paper_size(&input.paper)?;
    let name = format!(
        "{}-post-incident-review.pdf",
        incident_desk::store::incidents::number_for(input.id)
    );
    let Some(path) = off_main(move || save_path(&app, &name)).await? else {
        return Ok(None);
    };
    state
        .run(move |d| {
            d.export_review_pdf(input.id, paper, &path).map(|()| {
                Some(Exported {
                    path: path.display().to_string(),
                })
            })
        })
        .await
}

fn paper_size(paper: &str) -> Result<PaperSize, ApiError> {
    match paper {
        "letter" => Ok(PaperSize::Letter),
        "" | "a4" => Ok(PaperSize::A4),
        other => Err(incident_desk::Error::validation(
            "paper",
            format!("Paper must be a4 or letter (got {other:?})"),
        )
        .into()),
    }
}

/// Where to write the PDF: the export folder, else the native save dialog (blocks until the
/// user answers; run it off the main thread). None when the user cancels.
fn save_path<R: tauri::Runtime>(
    app: &tauri::AppHandle<R>,
    name: &str,
) -> Result<Option<PathBuf>, ApiError> {
    if let Some(dir) = dialogs::env_path("INCIDENT_DESK_EXPORT_DIR") {
        return Ok(Some(dir.join(name)));
    }
    let dialog = dialogs::file_dialog(app)?
        .add_filter("PDF document", &["pdf"])
        .set_file_name(name);
    dialogs::answer(dialogs::in_documents(app, dialog).blocking_save_file())
}

#[derive(Debug, Deserialize)]
pub struct OrganisationInput {
    pub name: String,
}

#[tauri::command]
pub async fn set_organisation(
    app: State<'_, AppState>,
    input: Arg<OrganisationInput>,
) -> Reply<String> {
    app.run(move |d| d.set_organisation(&input.name)).await
}
