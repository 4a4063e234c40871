//! Choices for forms and filter bars: the users a record may be assigned to, teams, regions, stages.

use super::Actor;
use crate::db::Db;
use crate::domain::{Choice, Lookups, Role};
use crate::error::AppError;

pub async fn load(db: &Db, actor: &Actor) -> Result<Lookups, AppError> {
    // Five small queries on one connection: each trip through the pool costs a hand-over to SQLite's
    // worker thread and a ping when the connection goes back (W8 in docs/performance.md).
    let mut conn = db.pool.acquire().await?;
    // Non-admins may only assign within their team (or to themselves).
    let users = if actor.role == Role::Admin {
        sqlx::query_as::<_, (i64, String)>("SELECT id, name FROM users WHERE active = 1 ORDER BY name").fetch_all(&mut *conn).await?
    } else {
        sqlx::query_as::<_, (i64, String)>("SELECT id, name FROM users WHERE active = 1 AND (id = $1 OR team_id = $2) ORDER BY name")
            .bind(actor.id)
            .bind(actor.team_id.unwrap_or(-1))
            .fetch_all(&mut *conn)
            .await?
    };
    let teams = sqlx::query_as::<_, (i64, String)>("SELECT id, name FROM teams ORDER BY name").fetch_all(&mut *conn).await?;
    let regions = regions_on(&mut conn, db.backend).await?;
    Ok(Lookups {
        users: users.into_iter().map(|(id, label)| Choice { id, label }).collect(),
        teams: teams.into_iter().map(|(id, label)| Choice { id, label }).collect(),
        regions,
        stages: super::stages::list_on(&mut conn).await?,
        picklists: super::picklists::load_on(&mut conn).await?,
    })
}

/// The distinct regions of the accounts (at most 200), in order.
pub async fn regions(db: &Db) -> Result<Vec<String>, AppError> {
    regions_on(&mut *db.pool.acquire().await?, db.backend).await
}

async fn regions_on(conn: &mut sqlx::AnyConnection, backend: crate::db::Backend) -> Result<Vec<String>, AppError> {
    // The distinct regions. SQLite answers DISTINCT by skipping through the region index; Postgres
    // reads all 200,000 entries (12 ms on every list page and the board), so there a "loose index
    // scan" seeks the index once per region instead (0.2 ms).
    let sql = match backend {
        crate::db::Backend::Sqlite => "SELECT DISTINCT region FROM accounts WHERE region IS NOT NULL ORDER BY region LIMIT 200",
        crate::db::Backend::Postgres => {
            "WITH RECURSIVE r(region, n) AS ( \
               SELECT MIN(region), 1 FROM accounts WHERE region IS NOT NULL \
               UNION ALL \
               SELECT (SELECT MIN(a.region) FROM accounts a WHERE a.region > r.region), n + 1 FROM r WHERE r.region IS NOT NULL AND n < 200 \
             ) SELECT region FROM r WHERE region IS NOT NULL ORDER BY region"
        }
    };
    let rows = sqlx::query_as::<_, (String,)>(sql).fetch_all(conn).await?;
    Ok(rows.into_iter().map(|(r,)| r).collect())
}
