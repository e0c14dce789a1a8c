//! Commands of the SLA engine: pausing clocks, SLA settings, the notification centre.

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
pub fn pause_incident(app: State<'_, AppState>, input: PauseInput) -> Reply<IncidentDetail> {
    Ok(app.desk()?.pause(&input)?)
}

#[tauri::command]
pub fn resume_incident(app: State<'_, AppState>, input: VersionedId) -> Reply<IncidentDetail> {
    Ok(app.desk()?.resume(&input)?)
}

#[tauri::command]
pub fn sla_settings(app: State<'_, AppState>) -> Reply<SlaSettings> {
    Ok(app.desk()?.sla_settings()?)
}

#[tauri::command]
pub fn save_sla_policy(app: State<'_, AppState>, input: SlaPolicy) -> Reply<SlaSettings> {
    Ok(app.desk()?.save_sla_policy(&input)?)
}

#[derive(Debug, Deserialize)]
pub struct CalendarInput {
    /// False updates the calendar with `calendar.id`.
    #[serde(default)]
    pub create: bool,
    pub calendar: CalendarRecord,
}

#[tauri::command]
pub fn save_calendar(app: State<'_, AppState>, input: CalendarInput) -> Reply<SlaSettings> {
    Ok(app.desk()?.save_calendar(&input.calendar, input.create)?)
}

#[derive(Debug, Deserialize)]
pub struct HolidayImport {
    pub calendar_id: i64,
    pub text: String,
}

#[tauri::command]
pub fn import_holidays(app: State<'_, AppState>, input: HolidayImport) -> Reply<SlaSettings> {
    Ok(app
        .desk()?
        .import_holidays(input.calendar_id, &input.text)?)
}

#[tauri::command]
pub fn save_escalation_rule(app: State<'_, AppState>, input: EscalationRule) -> Reply<SlaSettings> {
    Ok(app.desk()?.save_escalation_rule(&input)?)
}

#[tauri::command]
pub fn save_reminders(app: State<'_, AppState>, input: ReminderSettings) -> Reply<SlaSettings> {
    Ok(app.desk()?.save_reminders(&input)?)
}

#[tauri::command]
pub fn list_alerts(app: State<'_, AppState>) -> Reply<AlertCentre> {
    Ok(app.desk()?.alerts(200)?)
}

#[derive(Debug, Deserialize)]
pub struct MarkRead {
    /// None marks every alert read.
    pub ids: Option<Vec<i64>>,
}

#[tauri::command]
pub fn mark_alerts_read(app: State<'_, AppState>, input: MarkRead) -> Reply<AlertCentre> {
    Ok(app.desk()?.mark_alerts_read(input.ids.as_deref())?)
}
