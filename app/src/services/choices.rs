//! The choice lists that nearly every form and filter bar shows — the active users, the teams, the
//! pipeline's stages and the pick lists — change rarely (an admin edits them) and are read on almost
//! every page. Each server keeps a copy in memory and, before using it, reads one version row: triggers
//! on those four tables (migration 0012) raise `cache_versions.version` inside the writing transaction,
//! so a change made through any server, or by hand in SQL, is seen by the next request on every server.
//! A page pays one small query instead of four.

pub use crate::db::choice_cache::Choices;
use crate::db::Db;
use crate::domain::Choice;
use crate::error::AppError;
use std::sync::Arc;

/// The choice lists, on a connection the caller holds: from this server's copy when the database's
/// version still matches, read again otherwise.
pub async fn get_on(db: &Db, conn: &mut sqlx::AnyConnection) -> Result<Arc<Choices>, AppError> {
    let (version,): (i64,) = sqlx::query_as("SELECT version FROM cache_versions WHERE name = 'choices'").fetch_one(&mut *conn).await?;
    if let Some(held) = db.choices.current(version) {
        return Ok(held);
    }
    // Read after the version: the lists are at least as new as the version they are stored under (a
    // change committed in between only makes the next request read them again).
    let users = sqlx::query_as::<_, (i64, String, Option<i64>)>("SELECT id, name, team_id FROM users WHERE active = 1 ORDER BY name, id")
        .fetch_all(&mut *conn)
        .await?;
    let teams = sqlx::query_as::<_, (i64, String)>("SELECT id, name FROM teams ORDER BY name, id").fetch_all(&mut *conn).await?;
    let fresh = Arc::new(Choices {
        version,
        users,
        teams: teams.into_iter().map(|(id, label)| Choice { id, label }).collect(),
        stages: super::stages::list_on(conn).await?,
        picklists: super::picklists::load_on(conn).await?,
    });
    db.choices.store(&fresh);
    Ok(fresh)
}
