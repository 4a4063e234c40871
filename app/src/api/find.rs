//! Server functions of advanced find and saved views.

use crate::domain::find::{FindResult, SavedView, ViewInput};
use crate::error::AppError;
use leptos::prelude::*;

/// A page of a query's results (`query`: the query as its URL parameter; `cursor` from the previous
/// page).
#[server]
pub async fn run_find(query: String, cursor: String) -> Result<FindResult, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    let q = crate::domain::find::FindQuery::from_param(&query)?;
    crate::services::find::run(&db, &actor, &q, &cursor).await
}

/// The saved views the user may run, of one record kind (`entity` a code, or empty for all kinds).
#[server]
pub async fn list_views(entity: String) -> Result<Vec<SavedView>, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    let entity = crate::domain::find::Entity::parse(entity.trim());
    crate::services::find::views::list(&db, &actor, entity).await
}

#[server]
pub async fn get_view(id: i64) -> Result<SavedView, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::find::views::get(&db, &actor, id).await
}

/// Saves a new view or changes one; returns its id.
#[server]
pub async fn save_view(input: ViewInput) -> Result<i64, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::find::views::save(&db, &actor, &input).await
}

#[server]
pub async fn delete_view(id: i64, version: i64) -> Result<(), AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::find::views::delete(&db, &actor, id, version).await
}
