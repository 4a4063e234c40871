//! Server functions of the trash (`/trash`) and of undoing a merge from a record's history.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A deleted record waiting in the trash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrashItem {
    pub id: i64,
    /// account, contact, lead or opportunity
    pub entity: String,
    pub record_id: i64,
    pub name: String,
    pub deleted_by: Option<String>,
    pub deleted_at: String,
    /// Whole days before the purge removes it (0: at the next purge).
    pub days_left: i64,
    /// Rows deleted with it (activities, notes, documents, lines …).
    pub with_it: i64,
}

/// A page of the trash, newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrashPage {
    pub items: Vec<TrashItem>,
    /// The id to continue before (keyset), when there are more.
    pub next: Option<i64>,
    /// The viewer may empty the trash, delete forever and set the retention.
    pub admin: bool,
    pub retention_days: i64,
}

/// A merge of the record that its viewer may still undo, by the history entry that recorded it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeUndo {
    pub audit_id: i64,
    pub trash_id: i64,
}

#[server]
pub async fn list_trash(#[server(default)] before: Option<i64>) -> Result<TrashPage, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::trash::list(&db, &actor, before).await
}

#[server]
pub async fn restore_trash(id: i64) -> Result<(), AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::trash::restore(&db, &actor, id).await
}

/// An administrator deletes one item of the trash for good.
#[server]
pub async fn purge_trash_item(id: i64) -> Result<(), AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::trash::purge_item(&db, &actor, id).await
}

/// An administrator empties the trash; returns how many records were deleted for good.
#[server]
pub async fn empty_trash() -> Result<i64, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::trash::empty(&db, &actor).await
}

#[server]
pub async fn set_trash_days(days: String) -> Result<(), AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::trash::set_retention_days(&db, &actor, &days).await
}

/// How many days a deleted record stays restorable (for the message after a delete).
#[server]
pub async fn trash_days() -> Result<i64, AppError> {
    use super::ctx;
    let (db, _) = ctx::signed_in().await?;
    crate::services::trash::retention_days(&db).await
}

/// Of the history entries `audit_ids` (merges shown on a record's history), those the viewer may undo.
#[server]
pub async fn merge_undos(#[server(default)] audit_ids: Vec<i64>) -> Result<Vec<MergeUndo>, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::trash::merge::undoable(&db, &actor, &audit_ids).await
}

#[server]
pub async fn undo_merge(trash_id: i64) -> Result<(), AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::trash::merge::undo(&db, &actor, trash_id).await
}
