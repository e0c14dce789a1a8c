//! Commands of the SLA engine: pausing clocks, SLA settings, the notification centre.

use crate::boundary::Arg;
use crate::state::{ApiError, AppState};
use incident_desk::desk::*;
use incident_desk::desk::{AlertCentre, SlaSettings};
use incident_desk::domain::model::*;
use incident_desk::domain::sla::config::{
    CalendarRecord, EscalationRule, ReminderSettings, SlaPolicy,
};
use serde::Deserialize;
use tauri::State;

type Reply<T> = Result<T, ApiError>;

#[tauri::command]
pub async fn pause_incident(
    app: State<'_, AppState>,
    input: Arg<PauseInput>,
) -> Reply<IncidentDetail> {
    app.run(move |d| d.pause(&input)).await
}

#[tauri::command]
pub async fn resume_incident(
    app: State<'_, AppState>,
    input: Arg<VersionedId>,
) -> Reply<IncidentDetail> {
    app.run(move |d| d.resume(&input)).await
}

#[tauri::command]
pub async fn sla_settings(app: State<'_, AppState>) -> Reply<SlaSettings> {
    app.run(|d| d.sla_settings()).await
}

#[tauri::command]
pub async fn save_sla_policy(
    app: State<'_, AppState>,
    input: Arg<SlaPolicy>,
) -> Reply<SlaSettings> {
    app.run(move |d| d.save_sla_policy(&input)).await
}

#[derive(Debug, Deserialize)]
pub struct CalendarInput {
    /// False updates the calendar with `calendar.id`.
    #[serde(default)]
    pub create: bool,
    pub calendar: CalendarRecord,
}

#[tauri::command]
pub async fn save_calendar(
    app: State<'_, AppState>,
    input: Arg<CalendarInput>,
) -> Reply<SlaSettings> {
    app.run(move |d| d.save_calendar(&input.calendar, input.create))
        .await
}

#[derive(Debug, Deserialize)]
pub struct HolidayImport {
    pub calendar_id: i64,
    pub text: String,
}

#[tauri::command]
pub async fn import_holidays(
    app: State<'_, AppState>,
    input: Arg<HolidayImport>,
) -> Reply<SlaSettings> {
    app.run(move |d| d.import_holidays(input.calendar_id, &input.text))
        .await
}

#[tauri::command]
pub async fn save_escalation_rule(
    app: State<'_, AppState>,
    input: Arg<EscalationRule>,
) -> Reply<SlaSettings> {
    app.run(move |d| d.save_escalation_rule(&input)).await
}

#[tauri::command]
pub async fn save_reminders(
    app: State<'_, AppState>,
    input: Arg<ReminderSettings>,
) -> Reply<SlaSettings> {
    app.run(move |d| d.save_reminders(&input)).await
}

#[tauri::command]
pub async fn list_alerts(app: State<'_, AppState>) -> Reply<AlertCentre> {
    app.run(|d| d.alerts(200)).await
}

#[derive(Debug, Deserialize)]
pub struct MarkRead {
    /// None marks every alert read.
    pub ids: Option<Vec<i64>>,
}

#[tauri::command]
pub async fn mark_alerts_read(
    app: State<'_, AppState>,
    input: Arg<MarkRead>,
) -> Reply<AlertCentre> {
    app.run(move |d| d.mark_alerts_read(input.ids.as_deref()))
        .await
}
