//! Server functions for the pipeline board.

use crate::domain::{Board, BoardQuery, Card};
use crate::error::AppError;
use leptos::prelude::*;

#[server]
pub async fn get_board(query: BoardQuery) -> Result<Board, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::opportunities::board::board(&db, &actor, &query).await
}

/// The next cards of one column ("load more").
#[server]
pub async fn load_column(stage_id: i64, query: BoardQuery, cursor: String) -> Result<(Vec<Card>, Option<String>), AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::opportunities::board::cards(&db, &actor, stage_id, &query, &cursor).await
}

#[server]
pub async fn move_opportunity(id: i64, stage_id: i64, version: i64) -> Result<Card, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::opportunities::board::move_opportunity(&db, &actor, id, stage_id, version).await
}
