//! The container of a server's copy of the choice lists, held by [`Db`](super::Db). What goes in it,
//! and when it is read again, is decided by `services::choices`.

use crate::domain::{Choice, Picklists, Stage};
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
    pub(crate) fn current(&self, version: i64) -> Option<Arc<Choices>> {
        let held = self.0.read().unwrap_or_else(|e| e.into_inner());
        held.as_ref().filter(|c| c.version == version).cloned()
    }

    /// Keeps `fresh` unless a request already stored a newer version.
    pub(crate) fn store(&self, fresh: &Arc<Choices>) {
        let mut held = self.0.write().unwrap_or_else(|e| e.into_inner());
        if held.as_ref().is_none_or(|c| c.version < fresh.version) {
            *held = Some(fresh.clone());
        }
    }
}
