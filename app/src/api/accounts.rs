//! Server functions for accounts.

use crate::domain::{Account, AccountInput, AccountRow, AuditEntry, Choice, ListQuery, Lookups, Page};
use crate::error::AppError;
use leptos::prelude::*;

#[server]
pub async fn list_accounts(query: ListQuery) -> Result<Page<AccountRow>, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::accounts::list(&db, &actor, &query).await
}

#[server]
pub async fn get_account(id: i64) -> Result<Account, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::accounts::get(&db, &actor, id).await
}

/// Creates (empty id) or updates an account; returns its id.
#[server]
pub async fn save_account(input: AccountInput) -> Result<i64, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::duplicates::check_account(&db, &actor, &input).await?;
    if input.id.trim().is_empty() {
        crate::services::accounts::create(&db, &actor, &input).await
    } else {
        crate::services::accounts::update(&db, &actor, &input).await?;
        crate::services::parse_id("id", &input.id)
    }
}

#[server]
pub async fn delete_account(id: i64, version: i64) -> Result<(), AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::accounts::delete(&db, &actor, id, version).await
}

#[server]
pub async fn account_choices(q: String) -> Result<Vec<Choice>, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::accounts::choices(&db, &actor, &q).await
}

/// The change history of an account, contact, opportunity, lead or activity the user may see.
#[server]
pub async fn get_history(entity: String, id: i64) -> Result<Vec<AuditEntry>, AppError> {
    use super::ctx;
    use crate::services::*;
    let (db, actor) = ctx::signed_in().await?;
    match entity.as_str() {
        "account" => accounts::get(&db, &actor, id).await.map(|_| ())?,
        "contact" => contacts::get(&db, &actor, id).await.map(|_| ())?,
        "opportunity" => opportunities::get(&db, &actor, id).await.map(|_| ())?,
        "lead" => leads::get(&db, &actor, id).await.map(|_| ())?,
        "activity" => activities::get(&db, &actor, id).await.map(|_| ())?,
        _ => return Err(AppError::NotFound),
    }
    audit::history(&db, &entity, id, None, 200).await
}

#[server]
pub async fn get_lookups() -> Result<Lookups, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::lookups::load(&db, &actor).await
}
