//! Server functions of the reports (forecast, sales history) and goals.

use crate::domain::reports::{Adoption, Dashboard, GoalInput, GoalsPage, Health, MetricInput, Report, ReportQuery};
use crate::error::AppError;
use leptos::prelude::*;

#[server]
pub async fn get_forecast(query: ReportQuery) -> Result<Report, AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    crate::services::reports::forecast(&db, &actor, &query).await
}

#[server]
pub async fn get_sales(query: ReportQuery) -> Result<Report, AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    crate::services::reports::sales(&db, &actor, &query).await
}

#[server]
pub async fn get_goals(on: String, who: String) -> Result<GoalsPage, AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    let mut page = crate::services::goals::page(&db, &actor, &on).await?;
    page.narrow_to(&who);
    Ok(page)
}

#[server]
pub async fn save_goal(input: GoalInput) -> Result<i64, AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    crate::services::goals::save_goal(&db, &actor, &input).await
}

#[server]
pub async fn delete_goal(id: i64, version: i64) -> Result<(), AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    crate::services::goals::delete_goal(&db, &actor, id, version).await
}

#[server]
pub async fn save_goal_metric(input: MetricInput) -> Result<i64, AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    crate::services::goals::save_metric(&db, &actor, &input).await
}

#[server]
pub async fn get_adoption(query: ReportQuery) -> Result<Adoption, AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    crate::services::reports::adoption::adoption(&db, &actor, &query).await
}

#[server]
pub async fn get_health(query: ReportQuery) -> Result<Health, AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    crate::services::reports::health::health(&db, &actor, &query).await
}

#[server]
pub async fn get_dashboard() -> Result<Dashboard, AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    crate::services::reports::dashboard::dashboard(&db, &actor).await
}
