//! The command boundary: what stands between the window and the core on every call.
//!
//! - [`Arg`] reads a command's argument and refuses one that does not fit its type with a typed
//!   `invalid_input` error naming the field, instead of Tauri's plain-string message.
//! - [`guard`] runs the core call under `catch_unwind`: a panic (a bug) becomes an `internal`
//!   error the window shows, instead of aborting the whole process. The core's transaction is
//!   rolled back when the panic unwinds through it, so nothing is half-written.
//! - [`AppState::run`](crate::state::AppState::run) runs the guarded call on a blocking thread,
//!   off the window's main thread, so a long save never freezes the window.

use crate::state::ApiError;
use incident_desk::ErrorPayload;
use serde::de::DeserializeOwned;
use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};
use tauri::ipc::{CommandArg, CommandItem, InvokeBody, InvokeError};
use tauri::Runtime;

// A release build with `panic = "abort"` would make the guard below useless: every panic would
// end the app. Refuse to build it.
#[cfg(panic = "abort")]
compile_error!(
    "Incident Desk needs panic = \"unwind\": the command boundary turns a panic into an error"
);

/// Code of an unexpected fault (a panic) caught at the command boundary.
pub const INTERNAL: &str = "internal";
/// Code of a command argument that does not fit the command's input type.
pub const INVALID_INPUT: &str = "invalid_input";

/// Runs `f`, turning a panic inside it into an `internal` error.
///
/// `AssertUnwindSafe` is sound here: the only shared state `f` can touch is the desk, whose
/// write transaction rolls back when a panic unwinds through it, and whose connection lock
/// recovers from poisoning.
pub fn guard<T, E: Into<ApiError>>(f: impl FnOnce() -> Result<T, E>) -> Result<T, ApiError> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result.map_err(Into::into),
        Err(payload) => Err(internal(&panic_text(payload.as_ref()))),
    }
}

/// Runs `f` under [`guard`] on a blocking thread, never the window's main thread (nor an async
/// worker), so a long call does not freeze the window.
pub async fn off_main<T, E, F>(f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    E: Into<ApiError>,
    F: FnOnce() -> Result<T, E> + Send + 'static,
{
    tauri::async_runtime::spawn_blocking(move || guard(f))
        .await
        .unwrap_or_else(|e| Err(internal(&e.to_string())))
}

/// The `internal` error for a fault described by `detail` (kept in the message for a report).
pub fn internal(detail: &str) -> ApiError {
    ApiError(ErrorPayload {
        code: INTERNAL.into(),
        message: format!(
            "Internal error: nothing was saved. Incident Desk hit an unexpected fault; please \
             report it with this text: {detail}"
        ),
        field: None,
        problems: Vec::new(),
    })
}

/// The message a panic was raised with.
pub fn panic_text(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".into()
    }
}

/// A command argument read from the window's JSON. Use it as `input: Arg<SomeInput>`; it
/// dereferences to the input.
#[derive(Debug)]
pub struct Arg<T>(pub T);

impl<T> std::ops::Deref for Arg<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<'de, T: DeserializeOwned, R: Runtime> CommandArg<'de, R> for Arg<T> {
    fn from_command(item: CommandItem<'de, R>) -> Result<Self, InvokeError> {
        let value = match item.message.payload() {
            InvokeBody::Json(v) => v.get(item.key),
            InvokeBody::Raw(_) => None,
        };
        let Some(value) = value else {
            return Err(missing_argument(item.name, item.key).into());
        };
        parse(item.name, value).map(Arg).map_err(Into::into)
    }
}

/// Reads `value` as `T`, or says which field does not fit and why.
pub fn parse<T: DeserializeOwned>(command: &str, value: &serde_json::Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.inner().to_string();
        invalid_input(command, &path, &inner)
    })
}

fn missing_argument(command: &str, key: &str) -> ApiError {
    ApiError(ErrorPayload {
        code: INVALID_INPUT.into(),
        message: format!("The request to {command} has no `{key}`; nothing was saved."),
        field: Some(key.into()),
        problems: Vec::new(),
    })
}

/// `path` is serde's path to the value that failed ("." for the whole input, "changes.title",
/// "week[2]"); `inner` is serde's reason.
fn invalid_input(command: &str, path: &str, inner: &str) -> ApiError {
    // serde names a missing field in its message and points the path at its parent.
    let missing = inner
        .strip_prefix("missing field `")
        .and_then(|rest| rest.strip_suffix('`'));
    let full = match (path, missing) {
        (".", Some(m)) => m.to_string(),
        (p, Some(m)) => format!("{p}.{m}"),
        (p, None) => p.to_string(),
    };
    let message = if missing.is_some() {
        format!("`{full}` is required but was not sent; nothing was saved.")
    } else if full == "." {
        format!("The input of {command} could not be read ({inner}); nothing was saved.")
    } else {
        format!("`{full}` is not valid: {inner}; nothing was saved.")
    };
    ApiError(ErrorPayload {
        code: INVALID_INPUT.into(),
        message,
        field: innermost_key(&full),
        problems: Vec::new(),
    })
}

/// The last key of a path, the one a form names its field by: "changes.title" → "title",
/// "calendar.week[2]" → "week", "." → none.
fn innermost_key(path: &str) -> Option<String> {
    path.split('.')
        .rev()
        .map(|seg| seg.split('[').next().unwrap_or(""))
        .find(|k| !k.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[allow(dead_code)]
    #[derive(Debug, Deserialize)]
    struct Changes {
        title: Option<String>,
        impact: Option<Level>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Level {
        High,
    }

    #[allow(dead_code)]
    #[derive(Debug, Deserialize)]
    struct Update {
        id: i64,
        expected_version: i64,
        changes: Changes,
        week: Vec<Option<Vec<String>>>,
    }

    fn err(v: serde_json::Value) -> ErrorPayload {
        parse::<Update>("update_incident", &v)
            .expect_err("refused")
            .0
    }

    #[test]
    fn a_wrong_type_names_the_field_and_the_expected_type() {
        let e = err(
            serde_json::json!({"id": 1, "expected_version": "three", "changes": {}, "week": []}),
        );
        assert_eq!(e.code, "invalid_input");
        assert_eq!(e.field.as_deref(), Some("expected_version"));
        assert!(
            e.message.starts_with("`expected_version` is not valid"),
            "{e:?}"
        );
        assert!(e.message.contains("expected i64"), "{e:?}");
    }

    #[test]
    fn a_nested_field_is_named_by_its_path_and_its_own_key() {
        let e = err(serde_json::json!({"id": 1, "expected_version": 3,
            "changes": {"impact": "huge"}, "week": []}));
        assert_eq!(e.field.as_deref(), Some("impact"));
        assert!(e.message.contains("`changes.impact`"), "{e:?}");
        assert!(e.message.contains("unknown variant"), "{e:?}");
        let e = err(serde_json::json!({"id": 1, "expected_version": 3,
            "changes": {}, "week": [null, [1]]}));
        assert_eq!(e.field.as_deref(), Some("week"));
        assert!(e.message.contains("`week[1][0]`"), "{e:?}");
    }

    #[test]
    fn a_missing_field_is_named_as_required() {
        let e = err(serde_json::json!({"id": 1, "changes": {}, "week": []}));
        assert_eq!(e.field.as_deref(), Some("expected_version"));
        assert_eq!(
            e.message,
            "`expected_version` is required but was not sent; nothing was saved."
        );
    }

    #[test]
    fn an_input_of_the_wrong_shape_says_which_command_could_not_read_it() {
        let e = err(serde_json::json!("just a string"));
        assert_eq!(e.code, "invalid_input");
        assert_eq!(e.field, None);
        assert!(
            e.message
                .starts_with("The input of update_incident could not be read"),
            "{e:?}"
        );
    }

    #[test]
    fn a_panic_becomes_an_internal_error_with_its_text() {
        let r: Result<(), ApiError> =
            guard(|| -> incident_desk::Result<()> { panic!("index out of bounds: 7") });
        let e = r.expect_err("a panic is an error").0;
        assert_eq!(e.code, "internal");
        assert!(
            e.message.starts_with("Internal error: nothing was saved."),
            "{e:?}"
        );
        assert!(e.message.contains("index out of bounds: 7"), "{e:?}");
        let n = 7;
        let r: Result<(), ApiError> =
            guard(|| -> incident_desk::Result<()> { panic!("formatted {n}") });
        assert!(r.expect_err("panic").0.message.contains("formatted 7"));
    }

    #[test]
    fn a_core_error_passes_the_guard_unchanged() {
        let r: Result<(), ApiError> = guard(|| Err(incident_desk::Error::NotFound("gone".into())));
        let e = r.expect_err("error").0;
        assert_eq!((e.code.as_str(), e.message.as_str()), ("not_found", "gone"));
        assert_eq!(guard(|| Ok::<_, ApiError>(5)).ok(), Some(5));
    }

    #[test]
    fn a_validation_error_reaches_the_window_with_every_problem() {
        let mut p = incident_desk::Problems::new();
        p.add("title", "Title is required");
        p.add("impact", "Impact must be one of: …");
        let r: Result<(), ApiError> = guard(|| p.finish());
        let json = serde_json::to_value(r.expect_err("error")).expect("json");
        assert_eq!(json["code"], "validation");
        assert_eq!(json["field"], "title");
        assert_eq!(json["message"], "Title is required");
        assert_eq!(json["problems"][1]["field"], "impact");
        assert_eq!(json["problems"].as_array().map(Vec::len), Some(2));
    }
}
