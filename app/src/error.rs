//! The one error type of Veza. It crosses the wire as JSON; the UI names it in the user's language.
//! Internal details (SQL, I/O) are logged on the server and never serialized.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// What is wrong with one field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Problem {
    Required,
    TooLong(i64),
    InvalidEmail,
    InvalidPhone,
    InvalidUrl,
    InvalidDate,
    InvalidNumber,
    InvalidPib,
    InvalidMb,
    InvalidChoice,
    OutOfRange(i64, i64),
    AlreadyExists,
    PasswordTooShort(i64),
    WrongCredentials,
    TooManyAttempts(i64),
    /// A deletion would orphan records: how many depend on it.
    InUse(i64),
    CannotChangeSelf,
    /// A file over the size limit (in MB).
    FileTooLarge(i64),
    /// A file whose type is not accepted (or whose content does not match its name).
    FileTypeNotAllowed,
    /// The mail server refused or could not be reached.
    SendFailed,
    /// Sending e-mail needs an SMTP server that is not configured.
    NotConfigured,
    /// A won or lost stage is reached by closing the opportunity (with its outcome), not by a move.
    UseClose,
    /// The opportunity is closed: reopen it first.
    Closed,
    /// A date that cannot lie in the future (an actual close date).
    InFuture,
    /// Not allowed with the chosen loss reason (a winner of a deal that ended without decision).
    NotWithReason,
    /// The value follows the opportunity's lines (currency and amount are fixed by them).
    FixedByLines,
    /// An uploaded file without any rows.
    EmptyFile,
    /// A reference by name, code or e-mail (an account, an owner) that matches nothing the user may use.
    NotFoundByName,
    /// Not possible at this step (an import being analysed, already imported or undone).
    WrongState,
    /// An import cannot be undone: so many of its records were changed or gained related records since.
    ChangedSince(i64),
    /// The record looks like these existing ones; saved only once the user confirms.
    PossibleDuplicate(Vec<crate::domain::dedup::DuplicateHint>),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("invalid {field}: {problem:?}")]
    Validation { field: String, problem: Problem },
    /// Someone saved the record after the user loaded it.
    #[error("conflict: the record was changed by someone else")]
    Conflict,
    #[error("not signed in")]
    Unauthorized,
    #[error("forbidden")]
    Forbidden,
    #[error("internal error")]
    Internal,
    /// The request did not reach the server or its answer could not be read.
    #[error("network: {0}")]
    Network(String),
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Network(value.to_string())
    }
}

impl AppError {
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Validation { field, .. } => Some(field),
            _ => None,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::RowNotFound => AppError::NotFound,
            other => {
                tracing::error!(error = %other, "database error");
                AppError::Internal
            }
        }
    }
}
