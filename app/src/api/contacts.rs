//! Server functions for contacts.

use crate::domain::{Choice, Contact, ContactInput, ContactRow, ListQuery, Page};
use crate::error::AppError;
use leptos::prelude::*;

#[server]
pub async fn list_contacts(query: ListQuery) -> Result<Page<ContactRow>, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::contacts::list(&db, &actor, &query).await
}

#[server]
pub async fn get_contact(id: i64) -> Result<Contact, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::contacts::get(&db, &actor, id).await
}

#[server]
pub async fn save_contact(input: ContactInput) -> Result<i64, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::duplicates::check_contact(&db, &actor, &input).await?;
    if input.id.trim().is_empty() {
        crate::services::contacts::create(&db, &actor, &input).await
    } else {
        crate::services::contacts::update(&db, &actor, &input).await?;
        crate::services::parse_id("id", &input.id)
    }
}

#[server]
pub async fn delete_contact(id: i64, version: i64) -> Result<(), AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::contacts::delete(&db, &actor, id, version).await
}

#[server]
pub async fn contact_choices(account_id: i64) -> Result<Vec<Choice>, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::contacts::choices_for_account(&db, &actor, account_id).await
}
