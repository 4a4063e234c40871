//! A lease on a row of work (an import, a job): the server that claims it writes its name (`worker`) and
//! reports every batch (`heartbeat_at`); a row whose worker stopped reporting for the lease's seconds is
//! claimed by the next server that looks — this one after a restart, or another on the same Postgres.
//!
//! The claim is optimistic (the row's `version` read with it must still hold), so of two servers
//! claiming at once one wins. Each batch of the work renews the lease in its own transaction, by the
//! worker's name: a worker that lost its lease finds no row to renew, and its batch is rolled back
//! ([`changed_one`]'s Conflict) instead of being done twice.

use crate::db::{now, Db, Tx};
use crate::error::AppError;

/// The lease of one table of work.
pub struct Lease {
    /// The table: its rows have `id`, `version`, `worker` and `heartbeat_at`.
    pub table: &'static str,
    /// The SQL condition (ours, never input) of the rows that have work to do.
    pub claimable: &'static str,
    /// A worker silent this long loses its rows.
    pub seconds: i64,
}

impl Lease {
    /// Takes one row with work for `worker`: unclaimed, or one whose worker stopped reporting (or its
    /// own). `only` claims that row or none. Returns the claimed row's id.
    pub async fn claim(&self, db: &Db, worker: &str, only: Option<i64>) -> Result<Option<i64>, AppError> {
        let stale = crate::clock::stamp(chrono::Utc::now() - chrono::Duration::seconds(self.seconds));
        let which = if only.is_some() { "id = $3" } else { "id > $3" };
        let sql = format!(
            "SELECT id, version FROM {} WHERE {} AND (worker IS NULL OR heartbeat_at IS NULL OR heartbeat_at < $1 OR worker = $2) \
             AND {which} ORDER BY id LIMIT 1",
            self.table, self.claimable
        );
        let row = sqlx::query_as::<_, (i64, i64)>(&sql).bind(&stale).bind(worker).bind(only.unwrap_or(0)).fetch_optional(&db.pool).await?;
        let Some((id, version)) = row else { return Ok(None) };
        let n = sqlx::query(&format!(
            "UPDATE {} SET worker = $1, heartbeat_at = $2, version = version + 1 WHERE id = $3 AND version = $4",
            self.table
        ))
        .bind(worker)
        .bind(now())
        .bind(id)
        .bind(version)
        .execute(&db.pool)
        .await?
        .rows_affected();
        Ok((n == 1).then_some(id))
    }

    /// Renews `worker`'s lease on row `id` inside a batch's transaction; `Conflict` when another worker
    /// has taken the row over (the batch must then be rolled back).
    pub async fn renew(&self, tx: &mut Tx, id: i64, worker: &str) -> Result<(), AppError> {
        let n = sqlx::query(&format!("UPDATE {} SET heartbeat_at = $1 WHERE id = $2 AND worker = $3", self.table))
            .bind(now())
            .bind(id)
            .bind(worker)
            .execute(&mut **tx)
            .await?
            .rows_affected();
        crate::db::write::changed_one(n)
    }
}
