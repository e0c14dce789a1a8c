//! The Tauri commands: each parses its input, calls one core function and maps the error.
//!
//! Every command is `async` and runs its core call through [`AppState::run`]: on a blocking
//! thread, off the window's main thread, under the panic guard of [`crate::boundary`]. Inputs
//! are read through [`crate::boundary::Arg`], which refuses a malformed one with
//! `invalid_input`.
//!
//! [`AppState::run`]: crate::state::AppState::run

mod backups;
mod dialogs;
mod incidents;
mod major;
mod settings;
mod sla;

use tauri::{Builder, Runtime};

/// Registers every command the window may call.
pub fn register<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    builder.invoke_handler(tauri::generate_handler![
        settings::desk_info,
        settings::reopen_desk,
        settings::reference_data,
        settings::load_demo_data,
        settings::set_operator,
        settings::save_service,
        settings::save_team,
        settings::save_person,
        settings::save_category,
        settings::delete_service,
        settings::delete_team,
        settings::delete_person,
        settings::delete_category,
        settings::save_priority_matrix,
        settings::preview_priority,
        settings::verify_history,
        incidents::log_incident,
        incidents::list_incidents,
        incidents::get_incident,
        incidents::update_incident,
        incidents::assign_incident,
        incidents::acknowledge_incident,
        incidents::add_note,
        incidents::escalate_incident,
        incidents::record_workaround,
        incidents::resolve_incident,
        incidents::verify_resolution,
        incidents::close_incident,
        incidents::reopen_incident,
        sla::pause_incident,
        sla::resume_incident,
        sla::sla_settings,
        sla::save_sla_policy,
        sla::save_calendar,
        sla::import_holidays,
        sla::save_escalation_rule,
        sla::save_reminders,
        sla::list_alerts,
        sla::mark_alerts_read,
        major::declare_major,
        major::major_view,
        major::communication_settings,
        major::save_audience,
        major::save_template,
        major::save_major_criteria,
        major::draft_update,
        major::send_update,
        major::correct_milestone,
        major::create_review,
        major::get_review,
        major::edit_review,
        major::save_review_action,
        major::finalise_review,
        major::export_review_pdf,
        major::set_organisation,
        backups::backup_status,
        backups::list_backups,
        backups::back_up_now,
        backups::save_backup_settings,
        backups::preview_restore,
        backups::restore_backup,
        backups::recovery_backups,
    ])
}

#[cfg(test)]
mod backup_tests;
#[cfg(test)]
mod hardening_tests;
#[cfg(test)]
mod tests;
