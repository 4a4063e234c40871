//! Server functions for administration: users, teams, pipeline stages. Every one checks the admin role
//! inside the service.

use crate::domain::{Stage, Team, UserView};
use crate::error::AppError;
use leptos::prelude::*;

#[server]
pub async fn list_users() -> Result<Vec<UserView>, AppError> {
    use super::ctx;
    crate::services::auth::list_users(&ctx::db()?, &ctx::actor().await?).await
}

#[server]
pub async fn invite_user(email: String, name: String, role: String, team_id: String, password: String) -> Result<i64, AppError> {
    use super::ctx;
    let team_id = crate::services::parse_opt_id("team_id", &team_id)?;
    let new = crate::services::auth::NewUser { email, name, role, team_id, password };
    crate::services::auth::create_user(&ctx::db()?, Some(&ctx::actor().await?), new).await
}

#[server]
pub async fn update_user(id: i64, version: i64, role: String, team_id: String, active: String) -> Result<(), AppError> {
    use super::ctx;
    let team_id = crate::services::parse_opt_id("team_id", &team_id)?;
    crate::services::auth::update_user(&ctx::db()?, &ctx::actor().await?, id, version, &role, team_id, active == "true").await
}

#[server]
pub async fn list_teams() -> Result<Vec<Team>, AppError> {
    use super::ctx;
    ctx::actor().await?;
    crate::services::auth::list_teams(&ctx::db()?).await
}

#[server]
pub async fn create_team(name: String) -> Result<i64, AppError> {
    use super::ctx;
    crate::services::auth::create_team(&ctx::db()?, &ctx::actor().await?, &name).await
}

#[server]
pub async fn list_stages() -> Result<Vec<Stage>, AppError> {
    use super::ctx;
    ctx::actor().await?;
    crate::services::stages::list_all(&ctx::db()?).await
}

#[server]
pub async fn save_stage(id: String, version: String, name: String, probability: String, kind: String, active: String) -> Result<i64, AppError> {
    use super::ctx;
    let input = crate::services::stages::StageInput {
        id: crate::services::parse_opt_id("id", &id)?,
        version: version.trim().parse().unwrap_or(0),
        name,
        probability,
        kind,
        active: active != "false",
    };
    crate::services::stages::save(&ctx::db()?, &ctx::actor().await?, input).await
}

#[server]
pub async fn reorder_stage(id: i64, up: bool) -> Result<(), AppError> {
    use super::ctx;
    crate::services::stages::reorder(&ctx::db()?, &ctx::actor().await?, id, up).await
}
