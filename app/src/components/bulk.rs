//! Bulk actions on a list page: a box per row and one for the page, the "select all N matching" banner,
//! and the bar of actions on the selection (assign an owner, add to a marketing list, delete, export). Small selections are done
//! at once and summed up here; larger ones run as a job whose progress bar replaces the summary.
//!
//! A page keeps a [`BulkState`] (outside its list's `Transition`, so the ticks, the job and the summary
//! outlive a reload of the rows) and reloads its rows when `changed` moves. A marketing list's members
//! use the same state, boxes and banner with a bar of their own (`member_bulk`). The boxes and the bar need
//! JavaScript; without it they are hidden (`body:not([data-hydrated])` in the stylesheet), and the list
//! still reads and exports as before.

use super::context::{confirm, t, use_lang};
use super::job::{JobProgress, JobSummary};
use super::list::href_with_cursor;
use super::toast::use_toasts;
use crate::api::bulk::{bulk_list_choices, run_bulk, BulkOutcome};
use crate::api::jobs::JobView;
use crate::domain::bulk::{BulkList, PageSelection, PageTick, SelectionInput};
use crate::domain::{Choice, ListQuery};
use crate::error::AppError;
use crate::i18n::labels::error_text;
use crate::i18n::{format_int, Lang, M};
use leptos::prelude::*;

/// A list page's bulk state: the ticks, the job running, the last summary, and a counter the page's
/// rows reload on.
#[derive(Clone, Copy)]
pub struct BulkState {
    pub selection: RwSignal<PageSelection>,
    pub job: RwSignal<Option<i64>>,
    pub summary: RwSignal<Option<JobView>>,
    pub changed: RwSignal<u32>,
    error: RwSignal<Option<AppError>>,
    busy: RwSignal<bool>,
}

impl BulkState {
    /// A new state that forgets its ticks when the list's filters change (a next page keeps them).
    pub fn new(query: Memo<ListQuery>) -> BulkState {
        BulkState::watching(Memo::new(move |_| ListQuery { cursor: String::new(), ..query.get() }))
    }

    /// A new state that forgets its ticks when `filters` change (without the page's cursor).
    pub fn watching<T: Clone + PartialEq + Send + Sync + 'static>(filters: Memo<T>) -> BulkState {
        let s = BulkState {
            selection: RwSignal::new(PageSelection::default()),
            job: RwSignal::new(None),
            summary: RwSignal::new(None),
            changed: RwSignal::new(0),
            error: RwSignal::new(None),
            busy: RwSignal::new(false),
        };
        Effect::new(move |seen: Option<()>| {
            filters.track();
            if seen.is_some() {
                s.selection.update(PageSelection::clear);
                s.error.set(None);
            }
        });
        s
    }

    /// Whether an action is under way (its buttons wait).
    pub fn busy(self) -> Signal<bool> {
        self.busy.into()
    }

    /// Shows a refusal found before asking the server (a choice not made).
    pub fn refuse(self, e: AppError) {
        self.error.set(Some(e));
    }

    /// Sends `action` on `input`: a summary when it was done at once, a job's progress bar when it runs
    /// in the background, a refusal above the list; the ticks go once it is accepted.
    pub fn launch(
        self,
        lang: Lang,
        toasts: super::toast::Toasts,
        input: SelectionInput,
        action: &'static str,
        owner_id: String,
        list_id: String,
    ) {
        let state = self;
        state.busy.set(true);
        state.error.set(None);
        leptos::task::spawn_local(async move {
            let result = run_bulk(input, action.to_string(), owner_id, list_id).await;
            state.busy.set(false);
            match result {
                Ok(BulkOutcome::Done(v)) => {
                    toasts.push(lang.t(M::BulkFinished), v.failed > 0);
                    state.job.set(None);
                    state.summary.set(Some(v));
                    state.selection.update(PageSelection::clear);
                    state.changed.update(|n| *n += 1);
                }
                Ok(BulkOutcome::Started(id)) => {
                    toasts.push(lang.t(M::BulkStarted), false);
                    state.summary.set(None);
                    state.job.set(Some(id));
                    state.selection.update(PageSelection::clear);
                }
                Err(e) => state.error.set(Some(e)),
            }
        });
    }
}

/// The header box: ticks or unticks every row of the page (shows "some" when some are ticked).
#[component]
pub fn PageCheckbox(state: BulkState, page: Vec<(i64, i64)>) -> impl IntoView {
    let lang = use_lang();
    let rows = StoredValue::new(page);
    let tick = move || rows.with_value(|p| state.selection.with(|s| s.page_tick(p)));
    view! {
        <input
            type="checkbox"
            class="bulk-check"
            aria-label=lang.t(M::BulkSelectPage)
            prop:checked=move || tick() == PageTick::All
            prop:indeterminate=move || tick() == PageTick::Some
            on:change=move |_| rows.with_value(|p| state.selection.update(|s| s.toggle_page(p)))
        />
    }
}

/// A row's box.
#[component]
pub fn RowCheckbox(state: BulkState, id: i64, version: i64, label: String, page: Vec<(i64, i64)>) -> impl IntoView {
    let lang = use_lang();
    let rows = StoredValue::new(page);
    view! {
        <input
            type="checkbox"
            class="bulk-check"
            aria-label=format!("{} {label}", lang.t(M::BulkSelectRow))
            prop:checked=move || state.selection.with(|s| s.is_picked(id))
            on:change=move |_| rows.with_value(|p| state.selection.update(|s| s.toggle(id, version, p)))
        />
    }
}

/// The bar above a list while something is ticked: how many, "select all N matching", and the actions.
#[component]
pub fn BulkBar(
    state: BulkState,
    list: BulkList,
    query: ListQuery,
    /// The list's count and its cap (`Page::total`, `Page::total_cap`).
    total: i64,
    total_cap: i64,
    page: Vec<(i64, i64)>,
    /// Who an owner can be (the lookups' users).
    users: Vec<Choice>,
) -> impl IntoView {
    let lang = use_lang();
    let toasts = use_toasts();
    let owner = RwSignal::new(String::new());
    let target_list = RwSignal::new(String::new());
    // The marketing lists to add to, asked each time the bar opens (lists hold no opportunities).
    let open = Memo::new(move |_| !state.selection.with(PageSelection::is_empty));
    let lists = LocalResource::new(move || {
        let ask = open.get() && list.member_kind().is_some();
        async move {
            if ask {
                bulk_list_choices(list.code().to_string()).await.unwrap_or_default()
            } else {
                Vec::new()
            }
        }
    });
    let rows = StoredValue::new(page);
    let query = StoredValue::new(query);
    let total_text = if total > total_cap { format!("{}+", format_int(lang, total_cap)) } else { format_int(lang, total) };
    let total_text = StoredValue::new(total_text);
    let count_text =
        move || state.selection.with(|s| if s.all_matching { total_text.get_value() } else { format_int(lang, s.count(total)) });
    let run = move |action: &'static str| {
        let input = query.with_value(|q| state.selection.with_untracked(|s| s.to_input(list, q)));
        state.launch(lang, toasts, input, action, owner.get_untracked(), target_list.get_untracked());
    };
    let on_assign = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if owner.get_untracked().is_empty() {
            state.error.set(Some(crate::domain::validate::field("owner_id", crate::error::Problem::Required)));
            return;
        }
        run("assign");
    };
    let on_add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if target_list.get_untracked().is_empty() {
            state.error.set(Some(crate::domain::validate::field("list_id", crate::error::Problem::Required)));
            return;
        }
        run("list");
    };
    let list_form = move || {
        let choices = lists.get().unwrap_or_default();
        (!choices.is_empty()).then(|| {
            view! {
                <form class="bulk-assign bulk-add-list" on:submit=on_add>
                    <select aria-label=lang.t(M::BulkAddToListChoose) on:change=move |ev| target_list.set(event_target_value(&ev)) prop:value=move || target_list.get()>
                        <option value="">{lang.t(M::BulkChooseList)}</option>
                        {choices.into_iter().map(|c| view! { <option value=c.id.to_string()>{c.name}</option> }).collect_view()}
                    </select>
                    <button type="submit" class="btn" disabled=move || state.busy.get()>{t(M::BulkAddToList)}</button>
                </form>
            }
        })
    };
    let on_delete = move |_| {
        if confirm(lang.t(M::BulkConfirmDelete)) {
            run("delete");
        }
    };
    let export = move |ext: &str| {
        let q = query.with_value(|q| state.selection.with(|s| s.export_query(q)));
        href_with_cursor(&format!("/export/{}.{ext}", list.code()), &q, "")
    };
    let bar_id = format!("bulk-{}", list.code());
    view! {
        <Show when=move || !state.selection.with(PageSelection::is_empty)>
            <div class="bulk-bar" role="region" aria-label=lang.t(M::BulkActions) id=bar_id.clone()>
                <p class="bulk-count"><strong>{count_text}</strong> " " {t(M::BulkSelected)}</p>
                <form class="bulk-assign" on:submit=on_assign>
                    <select aria-label=lang.t(M::BulkAssignTo) on:change=move |ev| owner.set(event_target_value(&ev)) prop:value=move || owner.get()>
                        <option value="">{lang.t(M::BulkChooseOwner)}</option>
                        {users.iter().map(|u| view! { <option value=u.id.to_string()>{u.label.clone()}</option> }).collect_view()}
                    </select>
                    <button type="submit" class="btn" disabled=move || state.busy.get()>{t(M::BulkAssign)}</button>
                </form>
                {list_form}
                <button type="button" class="btn btn-danger" disabled=move || state.busy.get() on:click=on_delete>{t(M::BulkDelete)}</button>
                <a class="btn btn-ghost" href=move || export("csv") rel="external" download="">{t(M::BulkExportCsv)}</a>
                <a class="btn btn-ghost" href=move || export("xlsx") rel="external" download="">{t(M::BulkExportXlsx)}</a>
                <button type="button" class="btn btn-ghost" on:click=move |_| state.selection.update(PageSelection::clear)>{t(M::BulkClear)}</button>
            </div>
            <SelectAllBanner state=state total_text=total_text.get_value() total=total page=rows.get_value()/>
        </Show>
        <BulkError state=state/>
    }
}

/// Under a bar: "All 50 on this page are selected. Select all 1,234 matching the filters" once the
/// page is ticked whole (and the list holds more), or "Selected: every record matching…" after.
#[component]
pub fn SelectAllBanner(state: BulkState, total_text: String, total: i64, page: Vec<(i64, i64)>) -> impl IntoView {
    let lang = use_lang();
    let rows = StoredValue::new(page);
    let total_text = StoredValue::new(total_text);
    move || {
        let (all_matching, page_all) = state.selection.with(|s| (s.all_matching, rows.with_value(|p| s.page_tick(p)) == PageTick::All));
        let more_than_page = rows.with_value(|p| total > p.len() as i64);
        if all_matching {
            Some(view! {
                <p class="bulk-banner" role="status">
                    {t(M::BulkAllMatchingSelected)} " " <strong>{total_text.get_value()}</strong> ". "
                    <button type="button" class="link-button" on:click=move |_| state.selection.update(PageSelection::clear)>{t(M::BulkClear)}</button>
                </p>
            }.into_any())
        } else if page_all && more_than_page {
            let n = rows.with_value(|p| p.len() as i64);
            Some(view! {
                <p class="bulk-banner" role="status">
                    {format!("{} {} {}. ", lang.t(M::BulkPageSelectedA), format_int(lang, n), lang.t(M::BulkPageSelectedB))}
                    <button type="button" class="link-button" on:click=move |_| state.selection.update(PageSelection::select_all_matching)>
                        {format!("{} {} {}", lang.t(M::BulkSelectAll), total_text.get_value(), lang.t(M::BulkMatching))}
                    </button>
                </p>
            }.into_any())
        } else {
            None
        }
    }
}

/// A refusal of the last action, above the list.
#[component]
pub fn BulkError(state: BulkState) -> impl IntoView {
    let lang = use_lang();
    move || state.error.get().map(|e| view! { <p class="banner banner-error" role="alert">{error_text(lang, &e)}</p> })
}

/// The running job's progress bar, or the summary of the last bulk action done at once.
#[component]
pub fn BulkResult(state: BulkState) -> impl IntoView {
    let lang = use_lang();
    let toasts = use_toasts();
    move || {
        if let Some(id) = state.job.get() {
            let on_finished = move |v: JobView| {
                toasts.push(lang.t(M::BulkFinished), v.failed > 0 || v.error.is_some());
                state.changed.update(|n| *n += 1);
            };
            Some(
                view! { <JobProgress id=id title=M::BulkJobTitle on_finished=on_finished on_close=move |_| state.job.set(None)/> }
                    .into_any(),
            )
        } else {
            state.summary.get().map(|v| {
                view! {
                    <section class="card job" aria-labelledby="bulk-summary-title">
                        <div class="job-head">
                            <h2 id="bulk-summary-title">{t(M::BulkJobTitle)}</h2>
                            <button type="button" class="btn btn-ghost btn-small" on:click=move |_| state.summary.set(None)>{t(M::Close)}</button>
                        </div>
                        <JobSummary view=v/>
                    </section>
                }
                .into_any()
            })
        }
    }
}
