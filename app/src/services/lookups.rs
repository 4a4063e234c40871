//! Choices for forms and filter bars: the users a record may be assigned to, teams, regions, stages.

use super::Actor;
use crate::db::Db;
use crate::domain::{Choice, Lookups};
use crate::error::AppError;

pub async fn load(db: &Db, actor: &Actor) -> Result<Lookups, AppError> {
    // Two small queries on one connection: the choice lists' version (the lists themselves come from
    // this server's copy while it matches, see `choices`) and the regions, which follow the accounts.
    let mut conn = db.pool.acquire().await?;
    let choices = super::choices::get_on(db, &mut conn).await?;
    let regions = regions_on(&mut conn, db.backend).await?;
    drop(conn);
    // Non-admins may only assign within their team (or to themselves).
    let users = choices
        .users
        .iter()
        .filter(|(id, _, team)| super::visibility::can_assign(actor, *id, *team))
        .map(|(id, name, _)| Choice { id: *id, label: name.clone() })
        .collect();
    Ok(Lookups { users, teams: choices.teams.clone(), regions, stages: choices.stages.clone(), picklists: choices.picklists.clone() })
}

/// The distinct regions of the accounts (at most 200), in order.
pub async fn regions(db: &Db) -> Result<Vec<String>, AppError> {
    regions_on(&mut *db.pool.acquire().await?, db.backend).await
}

async fn regions_on(conn: &mut sqlx::AnyConnection, backend: crate::db::Backend) -> Result<Vec<String>, AppError> {
    // The distinct regions. SQLite answers DISTINCT by skipping through the region index; Postgres
    // reads every entry of it on every list page and the board, so there a "loose index scan" seeks
    // the index once per region instead (figures: docs/performance.md, change log).
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
