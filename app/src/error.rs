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
    /// A password on every guessing list (or too few different characters).
    CommonPassword,
    /// A new password the same as the one it replaces.
    SameAsBefore,
    /// A value that must match a stored one and does not (the current password).
    Incorrect,
    /// The user reached the hour's limit of this many e-mails or exports.
    RateLimited(i64),
    /// So many passwords are being checked at once that this one would wait too long: try again.
    Busy,
    WrongCredentials,
    TooManyAttempts(i64),
    /// The user signs in with a second factor: a code must follow the password.
    SecondFactorNeeded,
    /// A code or password that does not match the stored one, with the tries left when they
    /// are limited.
    Mismatch(Option<i64>),
    /// A right code whose time step was already used: each code works once.
    CodeUsed,
    /// The sign-in waiting for a code ended (too slow, or too many wrong codes): start again.
    ChallengeExpired,
    /// The user's role requires two-factor sign-in: only an administrator can turn it off.
    RequiredForRole,
    /// A deletion would orphan records: how many depend on it.
    InUse(i64),
    /// Records whose PIB or MB differ are different companies: never merged.
    DifferentCompanies,
    CannotChangeSelf,
    /// A file over the size limit (in MB).
    FileTooLarge(i64),
    /// A file whose type is not accepted (or whose content does not match its name).
    FileTypeNotAllowed,
    /// A spreadsheet that unpacks to more than this many MB.
    UnpacksTooLarge(i64),
    /// A spreadsheet whose sheet spans more than this many columns.
    TooManyColumns(i64),
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
    /// A record in the trash needs this one (named), which was deleted since: restore that first.
    RestoreNeeds(String),
    /// A record in the trash cannot come back: a record created since has its number.
    IdTaken,
    /// A merge cannot be undone: the surviving record was edited after it.
    EditedSince,
    /// A locked marketing list: its members cannot change until it is unlocked.
    Locked,
    /// A dynamic marketing list's members follow its query; they are not added or removed by hand.
    DynamicMembers,
    /// A file without a column of e-mail addresses, PIBs or ids to find records by.
    NoKeyColumn,
    /// A value that should be yes or no (a checkbox, an import's "da"/"ne" column) and is neither.
    NotYesNo,
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
    /// The server could not read the request: arguments of the wrong type, malformed or too large.
    #[error("bad request")]
    BadRequest,
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        // On the server these are a request it could not read (a hand-made or truncated body); in the
        // browser, an answer it could not read.
        #[cfg(feature = "ssr")]
        if let ServerFnErrorErr::Args(_) | ServerFnErrorErr::Deserialization(_) | ServerFnErrorErr::MissingArg(_) = value {
            tracing::debug!(error = %value, "server function request refused");
            return AppError::BadRequest;
        }
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

/// The unique keys of the schema and the form field each belongs to: (table, columns, field). A
/// write that breaks one answers that field's "already exists", whichever database noticed it and
/// however two requests raced for the key; no service checks uniqueness with a read before it writes.
#[cfg(feature = "ssr")]
const UNIQUE_KEYS: &[(&str, &[&str], &str)] = &[
    ("users", &["email"], "email"),
    ("teams", &["name"], "name"),
    ("products", &["code"], "code"),
    ("picklist_values", &["list", "code"], "label_en"),
    ("import_mappings", &["entity", "name"], "save_as"),
    ("duplicate_rules", &["entity", "field"], "field"),
];

/// The field of the unique key a database error names: Postgres names the constraint
/// (`users_email_key`), SQLite the columns (`UNIQUE constraint failed: users.email`).
#[cfg(feature = "ssr")]
fn unique_key_field(constraint: Option<&str>, message: &str) -> Option<&'static str> {
    UNIQUE_KEYS.iter().find_map(|(table, columns, field)| {
        let pg = format!("{table}_{}_key", columns.join("_"));
        let sqlite = columns.iter().map(|c| format!("{table}.{c}")).collect::<Vec<_>>().join(", ");
        let named = constraint == Some(pg.as_str()) || message.contains(&pg) || message.ends_with(&format!("failed: {sqlite}"));
        named.then_some(*field)
    })
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        if let Some(db) = e.as_database_error().filter(|d| d.is_unique_violation()) {
            if let Some(field) = unique_key_field(db.constraint(), db.message()) {
                return AppError::Validation { field: field.into(), problem: Problem::AlreadyExists };
            }
        }
        match e {
            sqlx::Error::RowNotFound => AppError::NotFound,
            other => {
                tracing::error!(error = %other, "database error");
                AppError::Internal
            }
        }
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::unique_key_field;

    #[test]
    fn unique_keys_are_named_the_same_on_both_databases() {
        assert_eq!(unique_key_field(Some("users_email_key"), "duplicate key value violates unique constraint"), Some("email"));
        assert_eq!(unique_key_field(None, "UNIQUE constraint failed: users.email"), Some("email"));
        assert_eq!(unique_key_field(None, "UNIQUE constraint failed: picklist_values.list, picklist_values.code"), Some("label_en"));
        assert_eq!(unique_key_field(Some("picklist_values_list_code_key"), ""), Some("label_en"));
        assert_eq!(unique_key_field(None, "UNIQUE constraint failed: teams.name"), Some("name"));
        assert_eq!(unique_key_field(None, "UNIQUE constraint failed: calendar_feeds.token_hash"), None);
        assert_eq!(unique_key_field(Some("activity_attendees_user"), ""), None);
    }
}
