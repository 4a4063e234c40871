//! Server function of the global search.

use crate::domain::SearchHit;
use crate::error::AppError;
use leptos::prelude::*;

#[server]
pub async fn global_search(q: String) -> Result<Vec<SearchHit>, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::search::global(&db, &actor, &q).await
}
