//! Incident Desk desktop application: the Tauri shell around the core.
//!
//! It finds the data folder, opens the desk, forwards every command to one core call and tells
//! the window when data changed. No rule of the domain lives here.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]
// A panic inside a command aborts the app: nothing outside tests may unwrap, expect or panic.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod boundary;
mod commands;
mod state;

use incident_desk::notify::DesktopNotifier;
use state::AppState;
use std::path::PathBuf;
use std::sync::Arc;
use tauri::{Emitter, Manager};

/// Where the database lives: `--data-dir <path>` or `--data-dir=<path>`, then
/// `INCIDENT_DESK_DATA_DIR`, then the OS app-data folder.
fn data_dir_override(args: &[String]) -> Option<PathBuf> {
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--data-dir" {
            return it.next().map(PathBuf::from);
        }
        if let Some(v) = a.strip_prefix("--data-dir=") {
            return Some(PathBuf::from(v));
        }
    }
    std::env::var_os("INCIDENT_DESK_DATA_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let builder = tauri::Builder::default()
        // One app per machine writes the database; a second start focuses the first window.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            if let Some(w) = app.get_webview_window("main") {
                let _ = w.unminimize();
                let _ = w.set_focus();
            }
        }))
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .setup(move |app| {
            let dir = match data_dir_override(&args) {
                Some(d) => d,
                None => app.path().app_data_dir()?,
            };
            let state = AppState::open(&dir);
            let handle = app.handle().clone();
            state.on_change(move |change| {
                let _ = handle.emit(
                    "desk-changed",
                    serde_json::json!({ "incident_id": change.incident_id }),
                );
            });
            // A click on a notification brings the window up on that incident.
            let handle = app.handle().clone();
            let notifier = DesktopNotifier::new().on_click(move |incident_id| {
                if let Some(w) = handle.get_webview_window("main") {
                    let _ = w.unminimize();
                    let _ = w.set_focus();
                }
                let _ = handle.emit("open-incident", serde_json::json!({ "id": incident_id }));
            });
            state.start_scheduler(Arc::new(notifier));
            app.manage(state);
            #[cfg(unix)]
            quit_on_signal(app.handle());
            Ok(())
        });
    let app = match commands::register(builder).build(tauri::generate_context!()) {
        Ok(app) => app,
        Err(e) => {
            eprintln!("Incident Desk could not start: {e}");
            std::process::exit(1);
        }
    };
    app.run(|app, event| {
        if let tauri::RunEvent::Exit = event {
            // The one place the database is closed at exit (scheduler stopped first): after the
            // last window closed, or when the session asked the app to quit (see quit_on_signal).
            if let Some(state) = app.try_state::<AppState>() {
                state.close();
            }
        }
    });
}

/// SIGTERM (logout, shutdown, `kill`), SIGINT (Ctrl-C in a terminal) and SIGHUP (the terminal
/// closed) exit the app the normal way, so the desk is closed cleanly instead of the process
/// just ending with committed data still in the write-ahead log.
#[cfg(unix)]
fn quit_on_signal<R: tauri::Runtime>(app: &tauri::AppHandle<R>) {
    use tokio::signal::unix::{signal, SignalKind};
    for kind in [
        SignalKind::terminate(),
        SignalKind::interrupt(),
        SignalKind::hangup(),
    ] {
        let handle = app.clone();
        tauri::async_runtime::spawn(async move {
            match signal(kind) {
                Ok(mut received) => {
                    if received.recv().await.is_some() {
                        handle.exit(0);
                    }
                }
                Err(e) => eprintln!("Incident Desk: cannot listen for quit signals: {e}"),
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_data_dir_flag_wins_in_both_spellings() {
        assert_eq!(
            data_dir_override(&args(&["app", "--data-dir", "/tmp/x"])),
            Some(PathBuf::from("/tmp/x"))
        );
        assert_eq!(
            data_dir_override(&args(&["app", "--data-dir=/tmp/y"])),
            Some(PathBuf::from("/tmp/y"))
        );
    }
}
