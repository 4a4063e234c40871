//! The runner of background jobs (`services::jobs`): claims a job, runs it batch by batch to its end,
//! and ends it as failed when a batch fails. The one place that knows every kind of job
//! ([`run_batch`]): adding a kind is a variant of `jobs::JobKind` and an arm here.
//!
//! Each batch is one transaction: the kind's changes, the job's progress and cursor, and the renewal of
//! the lease, guarded by the job still being this worker's and running — so a server that lost its
//! lease, or a cancelled job, leaves nothing of its batch behind.

use super::email::Mailer;
use super::jobs::{claim, Batch, JobDb, JobKind, Summary, BATCH, MAX_ATTEMPTS, SELECT};
use super::Actor;
use crate::db::{now, Db, Tx};
use crate::domain::validate::field;
use crate::error::{AppError, Problem};
use sqlx::Row;

/// The batch of job kind `kind` after record `after` — the one place that knows every kind (a module
/// of its own, so the kinds may use `services::jobs` without a cycle).
async fn run_batch(tx: &mut Tx, kind: JobKind, actor: &Actor, payload: &str, after: i64) -> Result<Batch, AppError> {
    match kind {
        JobKind::Bulk => super::bulk::job_batch(tx, actor, payload, after, BATCH).await,
        JobKind::QuickCampaign => super::quick_campaigns::job_batch(tx, actor, payload, after, BATCH).await,
    }
}

/// What a kind of job does after a batch's transaction, outside it: the messages an e-mail campaign's
/// batch queued go to the mail server (`quick_campaigns::mail`) — never while holding the write lock.
async fn after_batch(
    db: &Db,
    mailer: Option<&Mailer>,
    kind: JobKind,
    actor: &Actor,
    payload: &str,
    id: i64,
    worker: &str,
) -> Result<(), AppError> {
    match kind {
        JobKind::Bulk => Ok(()),
        JobKind::QuickCampaign => super::quick_campaigns::mail::send_queued(db, mailer, actor, payload, id, worker).await,
    }
}

/// Where a job stands after one of its batches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    More,
    Finished,
}

/// Runs one batch of job `id`, claimed by `worker`: the kind's changes, the progress, the cursor and the
/// lease in one transaction, then what the kind does outside it (sending e-mail through `mailer`).
/// `Conflict` when the job is no longer this worker's (taken over or cancelled): nothing of the batch
/// stays.
pub async fn step(db: &Db, mailer: Option<&Mailer>, id: i64, worker: &str) -> Result<Step, AppError> {
    let job = sqlx::query_as::<_, JobDb>(SELECT).bind(id).fetch_optional(&db.pool).await?.ok_or(AppError::NotFound)?;
    if job.status != "running" || job.worker.as_deref() != Some(worker) {
        return Err(AppError::Conflict);
    }
    let kind = JobKind::parse(&job.kind).ok_or(AppError::Internal)?;
    if job.attempts > MAX_ATTEMPTS {
        return Err(field("job", Problem::TooManyAttempts(MAX_ATTEMPTS)));
    }
    let actor = runs_as(db, job.created_by).await?;
    let mut tx = db.begin().await?;
    // The job as of this transaction: the previous batch may have been another worker's.
    let job = sqlx::query_as::<_, JobDb>(SELECT).bind(id).fetch_one(&mut *tx).await?;
    let batch = run_batch(&mut tx, kind, &actor, &job.payload, job.after_id).await?;
    let mut summary: Summary = serde_json::from_str(&job.result).unwrap_or_default();
    summary.add(batch.problems);
    summary.already += batch.already;
    let summary = serde_json::to_string(&summary).map_err(|_| AppError::Internal)?;
    let finished = !batch.more;
    let mut sql = crate::db::sql::Sql::new("UPDATE jobs SET done = done + ");
    sql.bind(batch.done).push(", failed = failed + ").bind(batch.failed);
    sql.push(", after_id = ").bind(batch.last_id.unwrap_or(job.after_id)).push(", result = ").bind(summary);
    if finished {
        sql.push(", status = 'done', worker = NULL, heartbeat_at = NULL, version = version + 1, finished_at = ").bind(now());
    } else {
        sql.push(", heartbeat_at = ").bind(now());
    }
    sql.push(" WHERE id = ").bind(id).push(" AND worker = ").bind(worker).push(" AND status = 'running'");
    crate::db::write::changed_one(sql.query().execute(&mut *tx).await?.rows_affected())?;
    tx.commit().await?;
    after_batch(db, mailer, kind, &actor, &job.payload, id, worker).await?;
    Ok(if finished { Step::Finished } else { Step::More })
}

/// The creator a job runs as, with their rights of now; a deactivated user's jobs stop.
async fn runs_as(db: &Db, user: i64) -> Result<Actor, AppError> {
    let active: i64 = sqlx::query("SELECT active FROM users WHERE id = $1")
        .bind(user)
        .fetch_optional(&db.pool)
        .await?
        .ok_or(AppError::NotFound)?
        .try_get("active")?;
    if active == 0 {
        return Err(field("job", Problem::WrongState));
    }
    super::auth::user_by_id(db, user).await
}

/// Runs claimed job `id` to its end, batch after batch. A failure ends the job as failed, with the
/// refusal kept for its creator (internal errors are logged and kept only as "internal").
pub async fn work(db: &Db, mailer: Option<&Mailer>, id: i64, worker: &str) -> Result<(), AppError> {
    loop {
        match step(db, mailer, id, worker).await {
            Ok(Step::More) => tokio::task::yield_now().await,
            Ok(Step::Finished) => return Ok(()),
            // Taken over by another server, or cancelled: this worker stops; nothing of the batch stayed.
            Err(AppError::Conflict) => return Ok(()),
            Err(e) => {
                tracing::error!(job = id, error = %e, "job failed");
                let kept = match &e {
                    AppError::Validation { .. } | AppError::NotFound => e.clone(),
                    _ => AppError::Internal,
                };
                let error = serde_json::to_string(&kept).map_err(|_| AppError::Internal)?;
                sqlx::query(
                    "UPDATE jobs SET status = 'failed', error = $1, finished_at = $2, worker = NULL, heartbeat_at = NULL, version = version + 1 \
                     WHERE id = $3 AND worker = $4 AND status = 'running'",
                )
                .bind(error)
                .bind(now())
                .bind(id)
                .bind(worker)
                .execute(&db.pool)
                .await?;
                return Err(e);
            }
        }
    }
}

/// Runs every job this server can claim, one after another (the background runner's step). Returns
/// how many it ran.
pub async fn run_pending(db: &Db, mailer: Option<&Mailer>, worker: &str) -> Result<usize, AppError> {
    let mut n = 0;
    while let Some(id) = claim(db, worker, None).await? {
        let _ = work(db, mailer, id, worker).await;
        n += 1;
    }
    Ok(n)
}
