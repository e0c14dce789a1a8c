//! The one error vocabulary of Incident Desk.
//!
//! Every refusal a user can meet is one of these variants, each with a stable `code` the UI can
//! switch on and a message written for a person. A validation error also names the field, so the
//! form can show the message next to it; a form with several bad fields gets every one of them
//! at once (`Error::Problems`), so the user fixes the form in one pass.

use serde::Serialize;

/// Errors of the core. Messages are complete sentences meant to be shown as they are.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input that breaks a rule; nothing was written.
    #[error("{message}")]
    Validation { field: String, message: String },
    /// Input that breaks several rules at once: every invalid field with its message, in form
    /// order (never empty; built by [`Problems::finish`]). Reads as its first problem.
    #[error("{}", first_message(.0))]
    Problems(Vec<Problem>),
    /// The record asked for does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The record changed since the caller read it (optimistic concurrency).
    #[error("{0}")]
    Conflict(String),
    /// The lifecycle does not allow this action in the incident's current state.
    #[error("{0}")]
    InvalidTransition(String),
    /// A settings entry cannot be deleted while incidents, history or other settings refer to it.
    #[error("{0}")]
    InUse(String),
    /// The database file was written by a newer Incident Desk.
    #[error("{0}")]
    IncompatibleDatabase(String),
    /// The database file failed its integrity check (or SQLite found it corrupt): it is not
    /// written into; restoring a backup is the way out.
    #[error("{0}")]
    DamagedDatabase(String),
    /// The file is another application's SQLite database: it is refused and left untouched.
    #[error("{0}")]
    ForeignDatabase(String),
    /// The file is not a SQLite database at all (or its header is destroyed).
    #[error("{0}")]
    NotADatabase(String),
    /// The database file or its folder cannot be written.
    #[error("{0}")]
    ReadOnly(String),
    /// The disk holding the database (or a backup) is full; nothing was saved.
    #[error("{0}")]
    DiskFull(String),
    /// SQLite or the file system failed.
    #[error("Storage error: {0}")]
    Storage(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A validation error for `field`.
    pub fn validation(field: &str, message: impl Into<String>) -> Self {
        Error::Validation {
            field: field.to_string(),
            message: message.into(),
        }
    }

    /// The stable code the UI and tests switch on.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Validation { .. } | Error::Problems(_) => "validation",
            Error::NotFound(_) => "not_found",
            Error::Conflict(_) => "conflict",
            Error::InvalidTransition(_) => "invalid_transition",
            Error::InUse(_) => "in_use",
            Error::IncompatibleDatabase(_) => "incompatible_database",
            Error::DamagedDatabase(_) => "damaged_database",
            Error::ForeignDatabase(_) => "foreign_database",
            Error::NotADatabase(_) => "not_a_database",
            Error::ReadOnly(_) => "read_only",
            Error::DiskFull(_) => "disk_full",
            Error::Storage(_) => "storage",
        }
    }

    /// The input field the error is about, when there is one.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Validation { field, .. } => Some(field),
            Error::Problems(p) => p.first().map(|p| p.field.as_str()),
            _ => None,
        }
    }

    /// Every field problem of a validation error (one for a single-field refusal); empty for
    /// any other error.
    pub fn problems(&self) -> Vec<Problem> {
        match self {
            Error::Validation { field, message } => vec![Problem {
                field: field.clone(),
                message: message.clone(),
            }],
            Error::Problems(p) => p.clone(),
            _ => Vec::new(),
        }
    }

    /// The `{code, message, field?, problems?}` shape the UI receives: `field` and `message`
    /// are the first problem, `problems` lists every one (validation errors only).
    pub fn to_payload(&self) -> ErrorPayload {
        ErrorPayload {
            code: self.code().to_string(),
            message: self.to_string(),
            field: self.field().map(str::to_string),
            problems: self.problems(),
        }
    }
}

fn first_message(p: &[Problem]) -> &str {
    p.first()
        .map(|p| p.message.as_str())
        .unwrap_or("The input is not valid")
}

/// One invalid field of a form and what is wrong with it.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Problem {
    pub field: String,
    pub message: String,
}

/// Collects the validation problems of a whole form, so a refusal names every invalid field
/// rather than the first one. Any other error (storage, not found) still stops at once.
#[derive(Debug, Default)]
pub struct Problems(Vec<Problem>);

impl Problems {
    pub fn new() -> Self {
        Problems::default()
    }

    /// The value of `r`, or None after noting its validation problems; other errors pass on.
    pub fn take<T>(&mut self, r: Result<T>) -> Result<Option<T>> {
        match r {
            Ok(v) => Ok(Some(v)),
            Err(e @ (Error::Validation { .. } | Error::Problems(_))) => {
                for p in e.problems() {
                    // One message per field: a later check of the same field adds nothing new.
                    if !self.0.iter().any(|x| x.field == p.field) {
                        self.0.push(p);
                    }
                }
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Notes a problem found outside a `Result`.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        let _ = self.take::<()>(Err(Error::validation(field, message)));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Ok when nothing was noted; otherwise the refusal listing every problem.
    pub fn finish(self) -> Result<()> {
        let mut p = self.0;
        match p.len() {
            0 => Ok(()),
            1 => {
                let Problem { field, message } = p.remove(0);
                Err(Error::Validation { field, message })
            }
            _ => Err(Error::Problems(p)),
        }
    }
}

impl From<rusqlite::Error> for Error {
    /// Failures a person can act on get their own code; the store layer, which knows the file,
    /// rewords them to name it (`store::file_check::name_the_file`). Everything else is
    /// `storage`.
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode as C;
        match e.sqlite_error_code() {
            Some(C::DiskFull) => Error::DiskFull(
                "The disk holding the database is full: nothing was saved; free space and try again"
                    .into(),
            ),
            Some(C::ReadOnly) => Error::ReadOnly(
                "The database cannot be written (the file or its folder is read-only): nothing was saved"
                    .into(),
            ),
            Some(C::DatabaseCorrupt) => Error::DamagedDatabase(
                "The database file is damaged: restore it from a backup".into(),
            ),
            Some(C::NotADatabase) => Error::NotADatabase(
                "The database file is not an Incident Desk database".into(),
            ),
            _ => Error::Storage(e.to_string()),
        }
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Storage(format!("stored JSON could not be read: {e}"))
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        match e.kind() {
            std::io::ErrorKind::StorageFull => {
                Error::DiskFull(format!("The disk is full: nothing was saved ({e})"))
            }
            std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => {
                Error::ReadOnly(format!("A file or folder cannot be written ({e})"))
            }
            _ => Error::Storage(e.to_string()),
        }
    }
}

/// What crosses to the UI for any error.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct ErrorPayload {
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every invalid field of the input, first one first (validation errors only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Problem>,
}
