//! Server functions of duplicate detection and merge.

use crate::domain::dedup::{DuplicateScan, MergeInput, MergeView};
use crate::error::AppError;
use leptos::prelude::*;

#[server]
pub async fn scan_duplicates(entity: String, key: String, after: String) -> Result<DuplicateScan, AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    crate::services::duplicates::scan(&db, &actor, &entity, &key, &after).await
}

/// The records to merge; `ids` as "12,15".
#[server]
pub async fn get_merge(entity: String, ids: String) -> Result<MergeView, AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    let ids: Vec<i64> = ids.split(',').filter_map(|s| s.trim().parse().ok()).collect();
    crate::services::duplicates::merge_view(&db, &actor, &entity, &ids).await
}

#[server]
pub async fn merge_records(input: MergeInput) -> Result<i64, AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    crate::services::duplicates::merge(&db, &actor, &input).await
}

/// An administrator changes one rule ("on" checkboxes arrive as present or absent).
#[server]
pub async fn save_duplicate_rule(
    id: i64,
    #[server(default)] fuzzy: String,
    threshold: String,
    #[server(default)] active: String,
) -> Result<(), AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    let threshold: i64 =
        threshold.trim().parse().map_err(|_| crate::domain::validate::field("threshold", crate::error::Problem::InvalidNumber))?;
    crate::services::duplicates::save_rule(&db, &actor, id, !fuzzy.is_empty(), threshold, !active.is_empty()).await
}
