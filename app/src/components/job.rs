//! A background job's progress bar (`JobProgress`): it asks the server for the job every 700 ms until
//! the job is finished, then shows its summary (`JobSummary`) — how many records were done and which
//! were not, with why. A bulk action that ran at once shows the same summary.

use super::context::{t, use_lang};
use super::toast::use_toasts;
use crate::api::jobs::{cancel_job, get_job, JobStatus, JobView};
use crate::error::{AppError, Problem};
use crate::i18n::labels::{error_text, problem_text};
use crate::i18n::{format_int, Lang, M};
use leptos::prelude::*;

fn status_label(s: JobStatus) -> M {
    match s {
        JobStatus::Queued => M::JobQueued,
        JobStatus::Running => M::JobRunning,
        JobStatus::Done => M::JobDone,
        JobStatus::Failed => M::JobFailed,
        JobStatus::Cancelled => M::JobCancelled,
    }
}

/// Why one record was not done, in words: the refusal of its own edit or delete.
pub fn item_problem_text(lang: Lang, e: &AppError) -> String {
    match e {
        AppError::Conflict => lang.t(M::BulkChangedSince).into(),
        // A lead's form refuses the status of a closed lead the same way.
        AppError::Validation { field, problem: Problem::InvalidChoice } if field == "status" => lang.t(M::BulkLeadClosed).into(),
        AppError::Validation { problem, .. } => problem_text(lang, problem),
        e => error_text(lang, e),
    }
}

/// "40 % · 480 / 1,200 · 470 done · 10 not done": how far, and the counts.
fn counts(lang: Lang, v: &JobView) -> String {
    let mut s = format!("{} %", v.percent());
    if v.total > 0 {
        s.push_str(&format!(" · {} / {}", format_int(lang, v.done + v.failed), format_int(lang, v.total)));
    }
    s.push_str(&format!(" · {} {}", format_int(lang, v.done), lang.t(M::JobDoneCount)));
    if v.already > 0 {
        s.push_str(&format!(" ({} {})", format_int(lang, v.already), lang.t(M::JobAlreadyCount)));
    }
    if v.failed > 0 {
        s.push_str(&format!(" · {} {}", format_int(lang, v.failed), lang.t(M::JobFailedCount)));
    }
    s
}

/// What a finished job (or a bulk action run at once) did: the counts and each record not done.
#[component]
pub fn JobSummary(view: JobView) -> impl IntoView {
    let lang = use_lang();
    let whole =
        view.error.clone().map(|e| view! { <p class="banner banner-error" role="alert">{t(M::JobFailed)} ": " {error_text(lang, &e)}</p> });
    let problems = (!view.problems.is_empty()).then(|| {
        let more = view.problems_left_out;
        view! {
            <h3 class="job-problems-title">{t(M::JobProblems)}</h3>
            <ul class="job-problems">
                {view.problems.iter().map(|p| {
                    let who = if p.label.is_empty() { format!("#{}", p.id) } else { p.label.clone() };
                    view! { <li><strong>{who}</strong> ": " {item_problem_text(lang, &p.error)}</li> }
                }).collect_view()}
            </ul>
            {(more > 0).then(|| view! { <p class="muted">{format!("+ {} {}", format_int(lang, more), lang.t(M::JobMoreProblems))}</p> })}
        }
    });
    view! {
        <div class="job-summary">
            <p class="job-counts" data-status=view.status.code()>
                <span class="badge">{t(status_label(view.status))}</span>
                " " {counts(lang, &view)}
            </p>
            {whole}
            {problems}
        </div>
    }
}

/// The progress of job `id`, asked for every 700 ms until it is finished; then its summary.
/// `on_finished` runs once, when the job is seen finished; `on_close` hides it.
#[component]
pub fn JobProgress(
    id: i64,
    /// The heading of the card.
    title: M,
    #[prop(into)] on_finished: Callback<JobView>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let lang = use_lang();
    let toasts = use_toasts();
    let tick = RwSignal::new(0u32);
    let job = LocalResource::new(move || {
        tick.get();
        get_job(id)
    });
    let told = StoredValue::new(false);
    Effect::new(move || {
        if let Some(Ok(v)) = job.get() {
            if !v.status.finished() {
                set_timeout(move || tick.update(|t| *t += 1), std::time::Duration::from_millis(700));
            } else if !told.get_value() {
                told.set_value(true);
                on_finished.run(v);
            }
        }
    });
    let on_cancel = move |_| {
        leptos::task::spawn_local(async move {
            match cancel_job(id).await {
                Ok(()) => tick.update(|t| *t += 1),
                Err(e) => toasts.push(error_text(lang, &e), true),
            }
        });
    };
    let (heading, labelled_by) = (format!("job-{id}-title"), format!("job-{id}-title"));
    view! {
        <section class="card job" aria-labelledby=labelled_by data-job=id.to_string()>
            <div class="job-head">
                <h2 id=heading>{t(title)}</h2>
                <button type="button" class="btn btn-ghost btn-small" on:click=move |_| on_close.run(())>{t(M::Close)}</button>
            </div>
            {move || match job.get() {
                None => view! { <p class="muted">{t(M::JobQueued)}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="banner banner-error" role="alert">{error_text(lang, &e)}</p> }.into_any(),
                Some(Ok(v)) => {
                    let pct = v.percent();
                    let finished = v.status.finished();
                    view! {
                        <div
                            class="progress"
                            role="progressbar"
                            aria-label=lang.t(M::JobProgress)
                            aria-valuemin="0"
                            aria-valuemax="100"
                            aria-valuenow=pct.to_string()
                            aria-valuetext=counts(lang, &v)
                        >
                            <div class="progress-bar" style=format!("width: {pct}%")></div>
                        </div>
                        {if finished {
                            view! { <JobSummary view=v/> }.into_any()
                        } else {
                            view! {
                                <p class="muted" aria-live="polite">{t(status_label(v.status))} " · " {counts(lang, &v)}</p>
                                <button type="button" class="btn btn-small" on:click=on_cancel>{t(M::JobStop)}</button>
                            }.into_any()
                        }}
                    }.into_any()
                }
            }}
        </section>
    }
}
