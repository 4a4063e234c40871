//! The choice lists that nearly every form and filter bar shows — the active users, the teams, the
//! pipeline's stages and the pick lists — change rarely (an admin edits them) and are read on almost
//! every page. Each server keeps a copy in memory and, before using it, reads one version row: triggers
//! on those four tables (migration 0012) raise `cache_versions.version` inside the writing transaction,
//! so a change made through any server, or by hand in SQL, is seen by the next request on every server.
//! A page pays one small query instead of four.

use crate::db::Db;
use crate::domain::{Choice, Picklists, Stage};
use crate::error::AppError;
use std::sync::{Arc, RwLock};

/// The choice lists as of one version of the database.
#[derive(Debug)]
pub struct Choices {
    pub version: i64,
    /// Active users by name: id, name, team.
    pub users: Vec<(i64, String, Option<i64>)>,
    pub teams: Vec<Choice>,
    /// Active stages in pipeline order.
    pub stages: Vec<Stage>,
    /// Every pick-list value, active or not.
    pub picklists: Picklists,
}

/// A server's copy (lives in [`Db`], so each database handle has its own).
#[derive(Clone, Default)]
pub struct Cache(Arc<RwLock<Option<Arc<Choices>>>>);

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let version = self.0.read().ok().and_then(|c| c.as_ref().map(|c| c.version));
        f.debug_struct("Cache").field("version", &version).finish()
    }
}

impl Cache {
    fn current(&self, version: i64) -> Option<Arc<Choices>> {
        let held = self.0.read().unwrap_or_else(|e| e.into_inner());
        held.as_ref().filter(|c| c.version == version).cloned()
    }

    /// Keeps `fresh` unless a request already stored a newer version.
    fn store(&self, fresh: &Arc<Choices>) {
        let mut held = self.0.write().unwrap_or_else(|e| e.into_inner());
        if held.as_ref().is_none_or(|c| c.version < fresh.version) {
            *held = Some(fresh.clone());
        }
    }
}

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
