//! Server functions of marketing lists (`/marketing/lists`) and of a record's "Marketing lists" panel.
//! A member file arrives as a plain multipart upload (the server's `marketing` routes), and the
//! members' export is a plain download; everything else is here.

use crate::domain::marketing::{
    MarketingListInput, MarketingListRow, MarketingListView, MemberChange, MemberRow, MembersQuery, RecordLists,
};
use crate::domain::{AuditEntry, ListQuery, Page};
use crate::error::AppError;
use leptos::prelude::*;

#[server]
pub async fn list_marketing_lists(query: ListQuery) -> Result<Page<MarketingListRow>, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::marketing::list(&db, &actor, &query).await
}

#[server]
pub async fn get_marketing_list(id: i64) -> Result<MarketingListView, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::marketing::view(&db, &actor, id).await
}

/// Creates a list (no id) or saves its details; returns its id.
#[server]
pub async fn save_marketing_list(input: MarketingListInput) -> Result<i64, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    if input.id.trim().is_empty() {
        crate::services::marketing::create(&db, &actor, &input).await
    } else {
        crate::services::marketing::update(&db, &actor, &input).await?;
        crate::services::parse_id("id", &input.id)
    }
}

#[server]
pub async fn delete_marketing_list(id: i64, version: i64) -> Result<(), AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::marketing::delete(&db, &actor, id, version).await
}

/// Locks or unlocks a list; returns its new version.
#[server]
pub async fn lock_marketing_list(id: i64, version: i64, #[server(default)] locked: bool) -> Result<i64, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::marketing::set_locked(&db, &actor, id, version, locked).await
}

/// Copies a list into a new static one; returns the new list's id.
#[server]
pub async fn copy_marketing_list(id: i64) -> Result<i64, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::marketing::copy_to_static(&db, &actor, id, ctx::request_lang()).await
}

#[server]
pub async fn list_marketing_members(id: i64, query: MembersQuery) -> Result<Page<MemberRow>, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    let list = crate::services::marketing::get(&db, &actor, id).await?;
    crate::services::marketing::members::page(&db, &actor, &list, &query).await
}

/// Adds (or with `remove`, removes) the records pasted as ids or record links.
#[server]
pub async fn change_members_by_links(list_id: i64, refs: String, #[server(default)] remove: bool) -> Result<MemberChange, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::marketing::members::change_by_refs(&db, &actor, list_id, &refs, remove).await
}

/// Adds records by id (a record page's panel, a selection).
#[server]
pub async fn add_list_members(list_id: i64, #[server(default)] ids: Vec<i64>) -> Result<MemberChange, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::marketing::members::add(&db, &actor, list_id, &ids).await
}

/// Removes records by id (the members table's buttons, a record page's panel).
#[server]
pub async fn remove_list_members(list_id: i64, #[server(default)] ids: Vec<i64>) -> Result<MemberChange, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::marketing::members::remove(&db, &actor, list_id, &ids).await
}

/// The static lists a record is in and those it may join.
#[server]
pub async fn record_marketing_lists(kind: String, id: i64) -> Result<RecordLists, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    let kind = crate::domain::marketing::MemberKind::parse(&kind).ok_or(AppError::NotFound)?;
    crate::services::marketing::members::of_record(&db, &actor, kind, id).await
}

#[server]
pub async fn marketing_list_history(id: i64) -> Result<Vec<AuditEntry>, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::marketing::history(&db, &actor, id).await
}
