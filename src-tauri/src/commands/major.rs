//! Commands of major incidents, stakeholder communication and post-incident reviews.

use crate::state::{ApiError, AppState};
use incident_desk::desk::IncidentDetail;
use incident_desk::desk::{CommunicationSettings, MajorView};
use incident_desk::domain::major::{
    Audience, CorrectionInput, DeclareInput, Draft, MajorCriteria, Template, UpdateInput,
};
use incident_desk::domain::review::{ActionInput, ReviewEdit, ReviewView};
use serde::Deserialize;
use tauri::State;

type Reply<T> = Result<T, ApiError>;

#[derive(Debug, Deserialize)]
pub struct IdInput {
    pub id: i64,
}

#[tauri::command]
pub fn declare_major(app: State<'_, AppState>, input: DeclareInput) -> Reply<IncidentDetail> {
    Ok(app.desk()?.declare_major(&input)?)
}

#[tauri::command]
pub fn major_view(app: State<'_, AppState>, input: IdInput) -> Reply<MajorView> {
    Ok(app.desk()?.major_view(input.id)?)
}

#[tauri::command]
pub fn communication_settings(app: State<'_, AppState>) -> Reply<CommunicationSettings> {
    Ok(app.desk()?.communication_settings()?)
}

#[derive(Debug, Deserialize)]
pub struct AudienceInput {
    #[serde(default)]
    pub create: bool,
    pub audience: Audience,
}

#[tauri::command]
pub fn save_audience(
    app: State<'_, AppState>,
    input: AudienceInput,
) -> Reply<CommunicationSettings> {
    Ok(app.desk()?.save_audience(&input.audience, input.create)?)
}

#[derive(Debug, Deserialize)]
pub struct TemplateInput {
    #[serde(default)]
    pub create: bool,
    pub template: Template,
}

#[tauri::command]
pub fn save_template(
    app: State<'_, AppState>,
    input: TemplateInput,
) -> Reply<CommunicationSettings> {
    Ok(app.desk()?.save_template(&input.template, input.create)?)
}

#[tauri::command]
pub fn save_major_criteria(
    app: State<'_, AppState>,
    input: MajorCriteria,
) -> Reply<CommunicationSettings> {
    Ok(app.desk()?.save_major_criteria(&input)?)
}

#[derive(Debug, Deserialize)]
pub struct DraftInput {
    pub id: i64,
    pub template_id: i64,
    pub audience_id: i64,
}

#[tauri::command]
pub fn draft_update(app: State<'_, AppState>, input: DraftInput) -> Reply<Draft> {
    Ok(app
        .desk()?
        .draft_update(input.id, input.template_id, input.audience_id)?)
}

#[tauri::command]
pub fn send_update(app: State<'_, AppState>, input: UpdateInput) -> Reply<IncidentDetail> {
    Ok(app.desk()?.send_update(&input)?)
}

#[tauri::command]
pub fn correct_milestone(
    app: State<'_, AppState>,
    input: CorrectionInput,
) -> Reply<IncidentDetail> {
    Ok(app.desk()?.correct_milestone(&input)?)
}

#[tauri::command]
pub fn create_review(app: State<'_, AppState>, input: IdInput) -> Reply<ReviewView> {
    Ok(app.desk()?.create_review(input.id)?)
}

#[tauri::command]
pub fn get_review(app: State<'_, AppState>, input: IdInput) -> Reply<ReviewView> {
    Ok(app.desk()?.review(input.id)?)
}

#[tauri::command]
pub fn edit_review(app: State<'_, AppState>, input: ReviewEdit) -> Reply<ReviewView> {
    Ok(app.desk()?.edit_review(&input)?)
}

#[tauri::command]
pub fn save_review_action(app: State<'_, AppState>, input: ActionInput) -> Reply<ReviewView> {
    Ok(app.desk()?.save_review_action(&input)?)
}

#[derive(Debug, Deserialize)]
pub struct FinaliseInput {
    pub id: i64,
    pub expected_version: i64,
}

#[tauri::command]
pub fn finalise_review(app: State<'_, AppState>, input: FinaliseInput) -> Reply<ReviewView> {
    Ok(app
        .desk()?
        .finalise_review(input.id, input.expected_version)?)
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
    input: ExportInput,
) -> Reply<Option<Exported>> {
    use tauri_plugin_dialog::DialogExt;
    let desk = state.desk()?;
    let paper = match input.paper.as_str() {
        "letter" => incident_desk::domain::report::PaperSize::Letter,
        "" | "a4" => incident_desk::domain::report::PaperSize::A4,
        other => {
            return Err(incident_desk::Error::validation(
                "paper",
                format!("Paper must be a4 or letter (got {other:?})"),
            )
            .into())
        }
    };
    let name = format!(
        "{}-post-incident-review.pdf",
        incident_desk::store::incidents::number_for(input.id)
    );
    let path = match std::env::var_os("INCIDENT_DESK_EXPORT_DIR").filter(|v| !v.is_empty()) {
        Some(dir) => std::path::PathBuf::from(dir).join(&name),
        None => {
            use tauri::Manager;
            let mut dialog = app
                .dialog()
                .file()
                .add_filter("PDF document", &["pdf"])
                .set_file_name(&name);
            // Start where people keep documents, not in the app's working folder.
            if let Some(dir) = app
                .path()
                .document_dir()
                .ok()
                .or_else(|| app.path().home_dir().ok())
            {
                dialog = dialog.set_directory(dir);
            }
            let picked = dialog.blocking_save_file();
            match picked.map(|p| p.into_path()) {
                None => return Ok(None),
                Some(Ok(p)) => p,
                Some(Err(e)) => {
                    return Err(incident_desk::Error::Storage(format!(
                        "the chosen location cannot be used: {e}"
                    ))
                    .into())
                }
            }
        }
    };
    desk.export_review_pdf(input.id, paper, &path)?;
    Ok(Some(Exported {
        path: path.display().to_string(),
    }))
}

#[derive(Debug, Deserialize)]
pub struct OrganisationInput {
    pub name: String,
}

#[tauri::command]
pub fn set_organisation(app: State<'_, AppState>, input: OrganisationInput) -> Reply<String> {
    Ok(app.desk()?.set_organisation(&input.name)?)
}
