//! Background jobs: long work with a progress bar — a bulk action on thousands of records, and the
//! marketing features' work on a list's members — done by whichever Veza server claims it, so a job
//! outlives the request that started it and the server that ran it.
//!
//! A job is a row of `jobs`: its kind, the creator (it runs with the creator's rights, read again at
//! every claim), its payload (JSON, read by its kind) and its progress. A server's runner
//! (`services::job_runner`) claims a queued job, or one whose server stopped reporting, with a lease
//! ([`lease`], shared with imports), then runs it batch by batch. **Each batch is one transaction**: the
//! kind's changes to at most [`BATCH`] records, together with the job's progress (`done`, `failed`, the
//! problems) and its resume cursor `after_id` (the last record id processed) and the lease's renewal.
//! A crash loses at most the batch in flight, which is rolled back whole and done again from the cursor
//! by the next server; a server that lost its lease (or a cancelled job) finds no job row to update at
//! the end of its batch, and the batch is rolled back instead of being done twice.
//!
//! # Adding a kind of job
//!
//! 1. A variant of [`JobKind`] with its code.
//! 2. An arm in `services::job_runner::run_batch` (the runner, a module of its own so that the kinds use
//!    this one without a cycle) calling the kind's batch function, which in the transaction it is given
//!    does the records with ids above `after` (at most `limit` of them, in id order) and returns a
//!    [`Batch`]: the last id it did, whether more may follow, the counts and each failed record with why
//!    (each record in a savepoint, so one refusal does not undo the others — see `services::bulk`).
//!
//! Then [`enqueue`] it (its payload as JSON and the number of records for the bar) and show its
//! progress with `components::job::JobProgress`.

pub mod lease;

use super::Actor;
use crate::api::jobs::{ItemProblem, JobStatus, JobView};
use crate::db::{now, Db, Tx};
use crate::domain::validate::field;
use crate::domain::Role;
use crate::error::{AppError, Problem};
use serde::{Deserialize, Serialize};
use sqlx::Row;

/// Records per batch (and per transaction): short enough that SQLite's write lock is not held long and a
/// batch ends well within the lease.
pub const BATCH: usize = 200;
/// A job whose server has not reported for this long is taken over by another.
pub const LEASE_SECONDS: i64 = 20;
/// Failed records kept with their reasons; further ones are only counted.
pub const MAX_PROBLEMS: usize = 100;
/// A job claimed this many times (its servers crashed or were stopped in it) fails instead of being
/// claimed again.
pub const MAX_ATTEMPTS: i64 = 5;

pub(crate) const LEASE: lease::Lease = lease::Lease { table: "jobs", claimable: "status IN ('queued', 'running')", seconds: LEASE_SECONDS };

/// What a job does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum JobKind {
    /// A bulk action on a list's selection (`services::bulk`).
    Bulk,
    /// A quick campaign's distribution: an activity per member (`services::quick_campaigns`).
    QuickCampaign,
}

impl JobKind {
    pub const ALL: [JobKind; 2] = [JobKind::Bulk, JobKind::QuickCampaign];

    pub fn code(self) -> &'static str {
        match self {
            JobKind::Bulk => "bulk",
            JobKind::QuickCampaign => "quick_campaign",
        }
    }

    pub fn parse(s: &str) -> Option<JobKind> {
        JobKind::ALL.into_iter().find(|k| k.code() == s)
    }
}

/// What one batch of a job did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Batch {
    /// The last record id it reached (the next batch continues after it); `None` when there was nothing.
    pub last_id: Option<i64>,
    /// Whether records may follow `last_id`.
    pub more: bool,
    pub done: i64,
    pub failed: i64,
    /// Of `done`, the records that needed nothing (already in the list they were added to).
    pub already: i64,
    pub problems: Vec<ItemProblem>,
}

/// The summary kept in `jobs.result`: the first problems, and how many more there were.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Summary {
    pub problems: Vec<ItemProblem>,
    pub left_out: i64,
    /// The batches' `already`, summed.
    pub already: i64,
}

impl Summary {
    /// Adds a batch's problems, keeping at most [`MAX_PROBLEMS`].
    pub fn add(&mut self, problems: Vec<ItemProblem>) {
        for p in problems {
            if self.problems.len() < MAX_PROBLEMS {
                self.problems.push(p);
            } else {
                self.left_out += 1;
            }
        }
    }
}

/// Queues a job of `kind` started by `actor` inside the caller's transaction; `total` is how many
/// records it is expected to do (for the progress bar). Returns its id.
pub async fn enqueue(tx: &mut Tx, actor: &Actor, kind: JobKind, payload: &str, total: i64) -> Result<i64, AppError> {
    let id: i64 = sqlx::query(
        "INSERT INTO jobs (kind, status, created_by, total, payload, created_at) VALUES ($1, 'queued', $2, $3, $4, $5) RETURNING id",
    )
    .bind(kind.code())
    .bind(actor.id)
    .bind(total)
    .bind(payload)
    .bind(now())
    .fetch_one(&mut **tx)
    .await?
    .try_get("id")?;
    Ok(id)
}

/// Claims one job for `worker` (a queued one, or one whose server stopped reporting) and marks it
/// running. `only` claims that job or none.
pub async fn claim(db: &Db, worker: &str, only: Option<i64>) -> Result<Option<i64>, AppError> {
    let Some(id) = LEASE.claim(db, worker, only).await? else { return Ok(None) };
    sqlx::query(
        "UPDATE jobs SET status = 'running', started_at = COALESCE(started_at, $1), attempts = attempts + 1 WHERE id = $2 AND worker = $3",
    )
    .bind(now())
    .bind(id)
    .bind(worker)
    .execute(&db.pool)
    .await?;
    Ok(Some(id))
}

#[derive(sqlx::FromRow)]
pub(crate) struct JobDb {
    pub(crate) id: i64,
    pub(crate) kind: String,
    pub(crate) status: String,
    pub(crate) created_by: i64,
    pub(crate) total: i64,
    pub(crate) done: i64,
    pub(crate) failed: i64,
    pub(crate) payload: String,
    pub(crate) after_id: i64,
    pub(crate) result: String,
    pub(crate) error: Option<String>,
    pub(crate) worker: Option<String>,
    pub(crate) attempts: i64,
}

pub(crate) const SELECT: &str =
    "SELECT id, kind, status, created_by, total, done, failed, payload, after_id, result, error, worker, attempts FROM jobs WHERE id = $1";

/// A job as its creator or an administrator sees it; anyone else: NotFound.
pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<JobView, AppError> {
    let job = sqlx::query_as::<_, JobDb>(SELECT).bind(id).fetch_optional(&db.pool).await?.ok_or(AppError::NotFound)?;
    if job.created_by != actor.id && actor.role != Role::Admin {
        return Err(AppError::NotFound);
    }
    let summary: Summary = serde_json::from_str(&job.result).unwrap_or_default();
    Ok(JobView {
        id: job.id,
        kind: job.kind,
        status: JobStatus::parse(&job.status).unwrap_or(JobStatus::Failed),
        total: job.total,
        done: job.done,
        failed: job.failed,
        problems: summary.problems,
        problems_left_out: summary.left_out,
        already: summary.already,
        error: job.error.as_deref().map(|e| serde_json::from_str(e).unwrap_or(AppError::Internal)),
    })
}

/// Cancels a queued or running job (its creator or an administrator): a running job stops at the end
/// of its batch in flight, which is rolled back; what earlier batches did stays. A finished job is
/// refused.
pub async fn cancel(db: &Db, actor: &Actor, id: i64) -> Result<(), AppError> {
    get(db, actor, id).await?;
    let n = sqlx::query(
        "UPDATE jobs SET status = 'cancelled', finished_at = $1, worker = NULL, heartbeat_at = NULL, version = version + 1 \
         WHERE id = $2 AND status IN ('queued', 'running')",
    )
    .bind(now())
    .bind(id)
    .execute(&db.pool)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(field("job", Problem::WrongState));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_keeps_the_first_problems_and_counts_the_rest() {
        let mut s = Summary::default();
        let problem = |id| ItemProblem { id, label: format!("#{id}"), error: AppError::Conflict };
        s.add((1..=60).map(problem).collect());
        s.add((61..=130).map(problem).collect());
        assert_eq!((s.problems.len(), s.left_out), (MAX_PROBLEMS, 30));
        assert_eq!(s.problems.last().map(|p| p.id), Some(MAX_PROBLEMS as i64));
        let back: Summary = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(back, s);
    }

    #[test]
    fn kinds_round_trip() {
        for k in JobKind::ALL {
            assert_eq!(JobKind::parse(k.code()), Some(k));
        }
    }
}
