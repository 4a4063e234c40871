//! Server functions for opportunities.

use crate::domain::{ListQuery, Opportunity, OpportunityInput, OpportunityRow, Page};
use crate::error::AppError;
use leptos::prelude::*;

#[server]
pub async fn list_opportunities(query: ListQuery) -> Result<Page<OpportunityRow>, AppError> {
    use super::ctx;
    crate::services::opportunities::list(&ctx::db()?, &ctx::actor().await?, &query).await
}

#[server]
pub async fn get_opportunity(id: i64) -> Result<Opportunity, AppError> {
    use super::ctx;
    crate::services::opportunities::get(&ctx::db()?, &ctx::actor().await?, id).await
}

#[server]
pub async fn save_opportunity(input: OpportunityInput) -> Result<i64, AppError> {
    use super::ctx;
    let (db, actor) = (ctx::db()?, ctx::actor().await?);
    if input.id.trim().is_empty() {
        crate::services::opportunities::create(&db, &actor, &input).await
    } else {
        crate::services::opportunities::update(&db, &actor, &input).await?;
        crate::services::parse_id("id", &input.id)
    }
}

#[server]
pub async fn delete_opportunity(id: i64, version: i64) -> Result<(), AppError> {
    use super::ctx;
    crate::services::opportunities::delete(&ctx::db()?, &ctx::actor().await?, id, version).await
}
