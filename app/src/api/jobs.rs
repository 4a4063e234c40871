//! Server functions of background jobs (`services::jobs`): a job's progress for its progress bar, and
//! cancelling it. Only the user who started a job, or an administrator, sees it.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum JobStatus {
    Queued,
    Running,
    Done,
    Failed,
    Cancelled,
}

impl JobStatus {
    pub const ALL: [JobStatus; 5] = [JobStatus::Queued, JobStatus::Running, JobStatus::Done, JobStatus::Failed, JobStatus::Cancelled];

    pub fn code(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Done => "done",
            JobStatus::Failed => "failed",
            JobStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<JobStatus> {
        JobStatus::ALL.into_iter().find(|x| x.code() == s)
    }

    /// Nothing more will happen to the job.
    pub fn finished(self) -> bool {
        matches!(self, JobStatus::Done | JobStatus::Failed | JobStatus::Cancelled)
    }
}

/// A record a job (or a bulk action run at once) could not do, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemProblem {
    pub id: i64,
    /// The record's name; empty when the user may not see it.
    pub label: String,
    pub error: AppError,
}

/// A job's progress and summary as its progress bar shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobView {
    /// 0 for a bulk action that ran at once, without a job.
    pub id: i64,
    pub kind: String,
    pub status: JobStatus,
    pub total: i64,
    pub done: i64,
    pub failed: i64,
    /// The first problems (at most `services::jobs::MAX_PROBLEMS`) …
    pub problems: Vec<ItemProblem>,
    /// … and how many more were counted but not kept.
    pub problems_left_out: i64,
    /// Of `done`, the records that needed nothing (already in the list they were added to).
    #[serde(default)]
    pub already: i64,
    /// Why the whole job failed: a refusal the user can act on, or `Internal`.
    pub error: Option<AppError>,
}

impl JobView {
    /// How far it got, 0–100 (100 once finished).
    pub fn percent(&self) -> i64 {
        if self.status == JobStatus::Done {
            return 100;
        }
        if self.total <= 0 {
            return 0;
        }
        ((self.done + self.failed) * 100 / self.total).clamp(0, 100)
    }
}

#[server]
pub async fn get_job(id: i64) -> Result<JobView, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::jobs::get(&db, &actor, id).await
}

/// Stops a job at its next batch; what its finished batches did stays done.
#[server]
pub async fn cancel_job(id: i64) -> Result<(), AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::jobs::cancel(&db, &actor, id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(status: JobStatus, total: i64, done: i64, failed: i64) -> JobView {
        JobView { id: 1, kind: "bulk".into(), status, total, done, failed, problems: vec![], problems_left_out: 0, already: 0, error: None }
    }

    #[test]
    fn percent_counts_done_and_failed_items() {
        assert_eq!(view(JobStatus::Running, 200, 50, 10).percent(), 30);
        assert_eq!(view(JobStatus::Queued, 0, 0, 0).percent(), 0);
        // Records that came to match after the job was started may take it past its total.
        assert_eq!(view(JobStatus::Running, 10, 12, 0).percent(), 100);
        assert_eq!(view(JobStatus::Done, 0, 0, 0).percent(), 100);
    }

    #[test]
    fn statuses_round_trip() {
        for s in JobStatus::ALL {
            assert_eq!(JobStatus::parse(s.code()), Some(s));
        }
        assert!(JobStatus::Cancelled.finished() && !JobStatus::Running.finished());
    }
}
