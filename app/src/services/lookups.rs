//! Choices for forms and filter bars: the users a record may be assigned to, teams, regions, stages.

use super::Actor;
use crate::db::Db;
use crate::domain::{Choice, Lookups, Role};
use crate::error::AppError;

pub async fn load(db: &Db, actor: &Actor) -> Result<Lookups, AppError> {
    // Non-admins may only assign within their team (or to themselves).
    let users = if actor.role == Role::Admin {
        sqlx::query_as::<_, (i64, String)>("SELECT id, name FROM users WHERE active = 1 ORDER BY name").fetch_all(&db.pool).await?
    } else {
        sqlx::query_as::<_, (i64, String)>("SELECT id, name FROM users WHERE active = 1 AND (id = $1 OR team_id = $2) ORDER BY name")
            .bind(actor.id)
            .bind(actor.team_id.unwrap_or(-1))
            .fetch_all(&db.pool)
            .await?
    };
    let teams = sqlx::query_as::<_, (i64, String)>("SELECT id, name FROM teams ORDER BY name").fetch_all(&db.pool).await?;
    let regions = sqlx::query_as::<_, (String,)>("SELECT DISTINCT region FROM accounts WHERE region IS NOT NULL ORDER BY region LIMIT 200")
        .fetch_all(&db.pool)
        .await?;
    Ok(Lookups {
        users: users.into_iter().map(|(id, label)| Choice { id, label }).collect(),
        teams: teams.into_iter().map(|(id, label)| Choice { id, label }).collect(),
        regions: regions.into_iter().map(|(r,)| r).collect(),
        stages: super::stages::list(db).await?,
    })
}
