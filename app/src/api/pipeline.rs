//! Server functions for the pipeline board.

use crate::domain::{Board, BoardQuery, Card};
use crate::error::AppError;
use leptos::prelude::*;

#[server]
pub async fn get_board(query: BoardQuery) -> Result<Board, AppError> {
    use super::ctx;
    crate::services::pipeline::board(&ctx::db()?, &ctx::actor().await?, &query).await
}

/// The next cards of one column ("load more").
#[server]
pub async fn load_column(stage_id: i64, query: BoardQuery, cursor: String) -> Result<(Vec<Card>, Option<String>), AppError> {
    use super::ctx;
    crate::services::pipeline::cards(&ctx::db()?, &ctx::actor().await?, stage_id, &query, &cursor).await
}

#[server]
pub async fn move_opportunity(id: i64, stage_id: i64, version: i64) -> Result<Card, AppError> {
    use super::ctx;
    crate::services::pipeline::move_opportunity(&ctx::db()?, &ctx::actor().await?, id, stage_id, version).await
}
