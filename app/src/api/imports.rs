//! Server functions of the import pages: mapping, analysis, review of duplicates, start, progress and
//! undo. (The file itself is uploaded by a plain multipart form; see the server's `transfer` module.)

use crate::domain::imports::{ImportOptions, ImportPageData, ImportSummary};
use crate::error::AppError;
use leptos::prelude::*;

#[server]
pub async fn list_imports() -> Result<Vec<ImportSummary>, AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    crate::services::imports::list(&db, &actor).await
}

/// The import page at its current step.
#[server]
pub async fn import_page(id: i64) -> Result<ImportPageData, AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    crate::services::imports::page(&db, &actor, id).await
}

#[server]
pub async fn apply_saved_mapping(id: i64, mapping_id: i64) -> Result<(), AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    crate::services::imports::apply_saved(&db, &actor, id, mapping_id).await
}

/// Sets the columns' fields and the normalization switches, and starts the analysis.
#[server]
pub async fn analyse_import(id: i64, version: i64, mapping: Vec<String>, options: ImportOptions, save_as: String) -> Result<(), AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    crate::services::imports::analyse(&db, &actor, id, version, mapping, options, &save_as).await
}

/// What to do with one duplicate group; `policies` are "field:keep", "field:overwrite" or "field:fill".
#[server]
pub async fn decide_group(id: i64, group: i64, decision: String, #[server(default)] policies: Vec<String>) -> Result<(), AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    let decision = crate::domain::imports::Decision::parse(&decision)
        .ok_or_else(|| crate::domain::validate::field("decision", crate::error::Problem::InvalidChoice))?;
    let policies = policies
        .iter()
        .filter_map(|x| x.split_once(':'))
        .filter_map(|(f, p)| crate::domain::imports::FieldPolicy::parse(p).map(|p| (f.to_string(), p)))
        .collect();
    crate::services::imports::decide(&db, &actor, id, group, decision, policies).await
}

/// Whether a group is the record a similar name suggested (joined) or a record of its own.
#[server]
pub async fn join_suggestion(id: i64, group: i64, joined: bool) -> Result<(), AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    crate::services::imports::join(&db, &actor, id, group, joined).await
}

#[server]
pub async fn start_import(id: i64, version: i64) -> Result<(), AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    crate::services::imports::start(&db, &actor, id, version).await
}

#[server]
pub async fn undo_import(id: i64) -> Result<(), AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    crate::services::imports::undo(&db, &actor, id).await
}
