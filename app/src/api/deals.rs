//! Server functions for an opportunity's lines, its competitors, and closing or reopening it.

use crate::domain::{CloseInput, Deal, LineInput};
use crate::error::AppError;
use leptos::prelude::*;

#[server]
pub async fn get_deal(id: i64) -> Result<Deal, AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    crate::services::opportunities::deal::deal(&db, &actor, id).await
}

/// Adds or changes a line; returns the opportunity's new version.
#[server]
pub async fn save_line(input: LineInput) -> Result<i64, AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    crate::services::opportunities::lines::save_line(&db, &actor, &input).await
}

#[server]
pub async fn delete_line(opportunity_id: i64, version: i64, line_id: i64) -> Result<i64, AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    crate::services::opportunities::lines::delete_line(&db, &actor, opportunity_id, version, line_id).await
}

#[server]
pub async fn add_deal_competitor(opportunity_id: i64, competitor_id: i64) -> Result<(), AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    crate::services::opportunities::competitors::add_competitor(&db, &actor, opportunity_id, competitor_id).await
}

#[server]
pub async fn remove_deal_competitor(opportunity_id: i64, competitor_id: i64) -> Result<(), AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    crate::services::opportunities::competitors::remove_competitor(&db, &actor, opportunity_id, competitor_id).await
}

/// Closes an opportunity as won or lost; returns its new version.
#[server]
pub async fn close_opportunity(input: CloseInput) -> Result<i64, AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    crate::services::opportunities::closing::close(&db, &actor, &input).await
}

/// Reopens a closed opportunity into `stage_id` (managers and admins); returns its new version.
#[server]
pub async fn reopen_opportunity(id: i64, version: i64, stage_id: i64) -> Result<i64, AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    crate::services::opportunities::closing::reopen(&db, &actor, id, version, stage_id).await
}
