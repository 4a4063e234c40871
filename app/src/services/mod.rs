//! Server-side logic: plain async functions over a database handle or transaction, called by the server
//! functions in `api/` and directly by the integration tests. Authorization lives here too, so no
//! caller can skip it.

pub mod accounts;
pub mod activities;
pub mod analysis;
pub mod audit;
pub mod auth;
pub mod bulk;
pub mod choices;
pub mod competitors;
pub mod contacts;
pub mod currency;
pub mod demo;
pub mod documents;
pub mod duplicates;
pub mod email;
pub mod export;
pub mod find;
pub mod forecast;
pub mod goals;
pub mod guide;
pub mod ical;
pub mod imports;
pub mod job_runner;
pub mod jobs;
pub mod leads;
pub mod limits;
pub mod listing;
pub mod lookups;
pub mod marketing;
pub mod matching;
pub mod notes;
pub mod opportunities;
pub mod pdf;
pub mod picklists;
pub mod privacy;
pub mod products;
pub mod quick_campaigns;
pub mod reports;
pub mod search;
pub mod stages;
pub mod timeline;
pub mod trash;
pub mod visibility;

pub use crate::domain::SessionUser as Actor;

use crate::error::{AppError, Problem};

/// Parses an id sent as text by a form; empty or malformed is a validation error on `field`.
pub fn parse_id(field: &str, s: &str) -> Result<i64, AppError> {
    s.trim().parse().map_err(|_| crate::domain::validate::field(field, Problem::Required))
}

pub fn parse_opt_id(field: &str, s: &str) -> Result<Option<i64>, AppError> {
    if s.trim().is_empty() {
        Ok(None)
    } else {
        parse_id(field, s).map(Some)
    }
}
