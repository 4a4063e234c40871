//! Server functions for leads: list and board, the lead form, matches, qualification and
//! disqualification. Authorization and validation live in `services::leads`.

use crate::domain::{DisqualifyInput, Lead, LeadColumn, LeadInput, LeadMatches, LeadRow, ListQuery, Page, Qualified, QualifyInput};
use crate::error::AppError;
use leptos::prelude::*;

#[server]
pub async fn list_leads(query: ListQuery) -> Result<Page<LeadRow>, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::leads::list(&db, &actor, &query).await
}

#[server]
pub async fn lead_board(query: ListQuery) -> Result<Vec<LeadColumn>, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::leads::board(&db, &actor, &query).await
}

#[server]
pub async fn get_lead(id: i64) -> Result<Lead, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::leads::get(&db, &actor, id).await
}

/// Creates (empty id) or updates a lead; returns its id.
#[server]
pub async fn save_lead(input: LeadInput) -> Result<i64, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    if input.id.trim().is_empty() {
        crate::services::leads::create(&db, &actor, &input).await
    } else {
        crate::services::leads::update(&db, &actor, &input).await?;
        crate::services::parse_id("id", &input.id)
    }
}

#[server]
pub async fn delete_lead(id: i64, version: i64) -> Result<(), AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::leads::delete(&db, &actor, id, version).await
}

/// Moves an open lead to "new" or "contacted"; returns the new version.
#[server]
pub async fn set_lead_status(id: i64, version: i64, status: String) -> Result<i64, AppError> {
    use super::ctx;
    let status = crate::domain::LeadStatus::parse(&status)
        .ok_or_else(|| crate::domain::validate::field("status", crate::error::Problem::InvalidChoice))?;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::leads::set_status(&db, &actor, id, version, status).await
}

#[server]
pub async fn find_lead_matches(id: i64) -> Result<LeadMatches, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::leads::matches(&db, &actor, id).await
}

#[server]
pub async fn qualify_lead(input: QualifyInput) -> Result<Qualified, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::leads::qualify(&db, &actor, &input).await
}

#[server]
pub async fn disqualify_lead(input: DisqualifyInput) -> Result<i64, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::leads::disqualify(&db, &actor, &input).await
}
