//! Server functions for administration: users, teams, pipeline stages. Every one checks the admin role
//! inside the service.

use crate::domain::{PicklistInput, Picklists, Role, Stage, Team, UserView};

/// What the administration page shows.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AdminData {
    pub users: Vec<UserView>,
    pub teams: Vec<Team>,
    pub stages: Vec<Stage>,
    pub picklists: Picklists,
    pub stale_days: i64,
    /// The roles that must sign in with two factors.
    pub two_factor_roles: Vec<Role>,
}
use crate::error::AppError;
use leptos::prelude::*;

#[server]
pub async fn invite_user(email: String, name: String, role: String, team_id: String, password: String) -> Result<i64, AppError> {
    use super::ctx;
    let team_id = crate::services::parse_opt_id("team_id", &team_id)?;
    let new = crate::services::auth::NewUser { email, name, role, team_id, password };
    let (db, actor) = ctx::signed_in().await?;
    crate::services::auth::create_user(&db, Some(&actor), new).await
}

#[server]
pub async fn update_user(
    id: i64,
    version: i64,
    role: String,
    team_id: String,
    active: String,
    #[server(default)] keep_records: Option<String>,
) -> Result<(), AppError> {
    use super::ctx;
    use crate::services::auth::RecordsOnMove;
    let team_id = crate::services::parse_opt_id("team_id", &team_id)?;
    let records = if keep_records.is_some() { RecordsOnMove::Keep } else { RecordsOnMove::Move };
    let (db, actor) = ctx::signed_in().await?;
    crate::services::auth::update_user(&db, &actor, id, version, &role, team_id, active == "true", records).await
}

#[server]
pub async fn create_team(name: String) -> Result<i64, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::auth::create_team(&db, &actor, &name).await
}

#[server]
pub async fn save_stage(
    id: String,
    version: String,
    name: String,
    probability: String,
    kind: String,
    active: String,
) -> Result<i64, AppError> {
    use super::ctx;
    let input = crate::services::stages::StageInput {
        id: crate::services::parse_opt_id("id", &id)?,
        version: version.trim().parse().unwrap_or(0),
        name,
        probability,
        kind,
        active: active != "false",
    };
    let (db, actor) = ctx::signed_in().await?;
    crate::services::stages::save(&db, &actor, input).await
}

#[server]
pub async fn reorder_stage(id: i64, up: bool) -> Result<(), AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::stages::reorder(&db, &actor, id, up).await
}

/// Everything the administration page shows, read in one request.
#[server]
pub async fn get_admin_data() -> Result<AdminData, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    let users = crate::services::auth::list_users(&db, &actor).await?;
    let teams = crate::services::auth::list_teams(&db).await?;
    let stages = crate::services::stages::list_all(&db).await?;
    let picklists = crate::services::picklists::load(&db).await?;
    let stale_days = crate::services::activities::stale_days(&db).await?;
    let two_factor_roles = crate::services::auth::two_factor::required_roles(&db).await?;
    Ok(AdminData { users, teams, stages, picklists, stale_days, two_factor_roles })
}

#[server]
pub async fn save_picklist_value(input: PicklistInput) -> Result<i64, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::picklists::save(&db, &actor, &input).await
}
