//! Server functions for opportunities.

use crate::domain::{ListQuery, Opportunity, OpportunityInput, OpportunityRow, Page};
use crate::error::AppError;
use leptos::prelude::*;

#[server]
pub async fn list_opportunities(query: ListQuery) -> Result<Page<OpportunityRow>, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::opportunities::list(&db, &actor, &query).await
}

#[server]
pub async fn save_opportunity(input: OpportunityInput) -> Result<i64, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
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
    let (db, actor) = ctx::signed_in().await?;
    crate::services::opportunities::delete(&db, &actor, id, version).await
}

/// An opportunity with the contacts of its account (for the form's contact choice), in one request.
#[server]
pub async fn get_opportunity_with_contacts(id: i64) -> Result<(Opportunity, Vec<crate::domain::Choice>), AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    let o = crate::services::opportunities::get(&db, &actor, id).await?;
    let contacts = crate::services::contacts::choices_for_account(&db, &actor, o.account_id).await?;
    Ok((o, contacts))
}
