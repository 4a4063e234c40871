//! Server functions for competitor intelligence and the win/loss and profitability analyses.

use crate::domain::{
    AnalysisQuery, CompetitorPage, CompetitorProductInput, CompetitorSummary, CrossSell, MarketShareInput, Observation, ObservationChoices,
    ObservationInput, ProfileInput, Profitability, WinLoss,
};
use crate::error::AppError;
use leptos::prelude::*;

#[server]
pub async fn list_competitors() -> Result<Vec<CompetitorSummary>, AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    crate::services::competitors::list(&db, &actor).await
}

#[server]
pub async fn get_competitor(id: i64) -> Result<CompetitorPage, AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    crate::services::competitors::page(&db, &actor, id).await
}

#[server]
pub async fn save_competitor_profile(input: ProfileInput) -> Result<i64, AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    crate::services::competitors::save_profile(&db, &actor, &input).await
}

#[server]
pub async fn add_market_share(input: MarketShareInput) -> Result<i64, AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    crate::services::competitors::add_market_share(&db, &actor, &input).await
}

#[server]
pub async fn delete_market_share(competitor_id: i64, share_id: i64) -> Result<(), AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    crate::services::competitors::delete_market_share(&db, &actor, competitor_id, share_id).await
}

#[server]
pub async fn save_competitor_product(input: CompetitorProductInput) -> Result<i64, AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    crate::services::competitors::save_product(&db, &actor, &input).await
}

#[server]
pub async fn record_observation(input: ObservationInput) -> Result<i64, AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    crate::services::competitors::record_observation(&db, &actor, &input).await
}

#[server]
pub async fn delete_observation(id: i64) -> Result<(), AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    crate::services::competitors::delete_observation(&db, &actor, id).await
}

#[server]
pub async fn get_observation_choices() -> Result<ObservationChoices, AppError> {
    let (db, _actor) = super::ctx::signed_in().await?;
    crate::services::competitors::observation_choices(&db).await
}

/// The competition panel of an account page: observations made there and cross-sell hints.
#[server]
pub async fn get_account_competition(account_id: i64) -> Result<(Vec<Observation>, Vec<CrossSell>), AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    crate::services::competitors::account_panel(&db, &actor, account_id).await
}

#[server]
pub async fn get_win_loss(query: AnalysisQuery) -> Result<WinLoss, AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    crate::services::analysis::win_loss(&db, &actor, &query).await
}

#[server]
pub async fn get_profitability(query: AnalysisQuery) -> Result<Profitability, AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    crate::services::analysis::profitability(&db, &actor, &query).await
}
