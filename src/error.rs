//! The one error vocabulary of Incident Desk.
//!
//! Every refusal a user can meet is one of these variants, each with a stable `code` the UI can
//! switch on and a message written for a person. A validation error also names the field, so the
//! form can show the message next to it.

use serde::Serialize;

/// Errors of the core. Messages are complete sentences meant to be shown as they are.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input that breaks a rule; nothing was written.
    #[error("{message}")]
    Validation { field: String, message: String },
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
            Error::Validation { .. } => "validation",
            Error::NotFound(_) => "not_found",
            Error::Conflict(_) => "conflict",
            Error::InvalidTransition(_) => "invalid_transition",
            Error::InUse(_) => "in_use",
            Error::IncompatibleDatabase(_) => "incompatible_database",
            Error::Storage(_) => "storage",
        }
    }

    /// The input field the error is about, when there is one.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Validation { field, .. } => Some(field),
            _ => None,
        }
    }

    /// The `{code, message, field?}` shape the UI receives.
    pub fn to_payload(&self) -> ErrorPayload {
        ErrorPayload {
            code: self.code().to_string(),
            message: self.to_string(),
            field: self.field().map(str::to_string),
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::Storage(e.to_string())
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Storage(format!("stored JSON could not be read: {e}"))
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Storage(e.to_string())
    }
}

/// What crosses to the UI for any error.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct ErrorPayload {
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}
