//! The 360° timeline panel of a record page, with quick entry ("Log a call", "Schedule a visit", "New
//! task", "Log an email", "Add a note") and completing an activity with its follow-up in one dialog.
//! Its filters and paging live in the URL (`tl`, `tl_from`, `tl_to`, `tl_cursor`), so they work and
//! can be shared without JavaScript.

use super::context::{t, use_lang};
use super::fields::{SelectField, TextField};
use super::toast::use_toasts;
use crate::api::activities::{get_timeline, AddNote, CancelActivity, CompleteActivity, SaveActivity, SendEmail};
use crate::components::ErrorBanner;
use crate::domain::{
    ActivityKind, ActivityStatus, Choice, RegardingKind, TimelineFilter, TimelineItem, TimelineKind, TimelinePage, TimelineQuery,
};
use crate::error::AppError;
use crate::i18n::labels::{activity_label, activity_status_label, error_text};
use crate::i18n::{format_local, Lang, M};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// What the quick-entry panel is composing.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Composer {
    Activity(ActivityKind, bool),
    Note,
    File,
    Email,
}

/// "2.4 MB", "830 KB" (decimal comma in Serbian).
fn file_size(lang: Lang, bytes: i64) -> String {
    let (v, unit) = if bytes >= 1024 * 1024 { (bytes as f64 / (1024.0 * 1024.0), "MB") } else { ((bytes as f64 / 1024.0).max(0.1), "KB") };
    let text = format!("{v:.1}");
    format!("{} {unit}", if lang == Lang::Sr { text.replace('.', ",") } else { text })
}

fn filter_label(f: TimelineFilter) -> M {
    match f {
        TimelineFilter::All => M::FilterAll,
        TimelineFilter::Activities => M::Activities,
        TimelineFilter::Notes => M::FilterNotes,
        TimelineFilter::Documents => M::FilterDocuments,
        TimelineFilter::Deals => M::Opportunities,
        TimelineFilter::Leads => M::Leads,
    }
}

/// "2026-11-27T14:30" plus `days` at the same time (date arithmetic on the text the server sent).
fn shift_days(local: &str, days: i64) -> String {
    match chrono::NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M") {
        Ok(t) => (t + chrono::Duration::days(days)).format("%Y-%m-%dT%H:%M").to_string(),
        Err(_) => local.to_string(),
    }
}

/// The URL's timeline filters for the record `kind`/`id`.
fn query_from(q: &leptos_router::params::ParamsMap, kind: RegardingKind, id: i64) -> TimelineQuery {
    TimelineQuery {
        kind: kind.code().to_string(),
        id,
        filter: q.get("tl").unwrap_or_default(),
        from: q.get("tl_from").unwrap_or_default(),
        to: q.get("tl_to").unwrap_or_default(),
        cursor: q.get("tl_cursor").unwrap_or_default(),
    }
}

/// The timeline page of the record a page shows, following the URL's filters and `reload`. Pages
/// create it beside their other resources and await it in their one `Suspense` (a resource created
/// inside a nested suspense is fetched again on hydration, and its content rendered twice).
pub fn timeline_resource(kind: RegardingKind, id: Memo<i64>, reload: RwSignal<u32>) -> Resource<Result<TimelinePage, AppError>> {
    let query = use_query_map();
    Resource::new(move || (query.with(|q| query_from(q, kind, id.get())), reload.get()), |(q, _)| get_timeline(q))
}

/// The timeline of `kind`/`id` as loaded by [`timeline_resource`]; adding or completing something
/// bumps `reload`. `contacts` and `users` are who can attend a meeting.
#[component]
pub fn RecordTimeline(
    kind: RegardingKind,
    id: i64,
    page: Result<TimelinePage, AppError>,
    reload: RwSignal<u32>,
    #[prop(optional)] contacts: Vec<Choice>,
    #[prop(optional)] users: Vec<Choice>,
    /// On a contact's page: offer "Send an email" to their address (`email_to`, if they have one).
    #[prop(optional)]
    send_email: bool,
    #[prop(default = None)] email_to: Option<String>,
) -> impl IntoView {
    let lang = use_lang();
    let tq = use_query_map().with_untracked(|q| query_from(q, kind, id));
    let can_send = page.as_ref().map(|p| p.can_send_email).unwrap_or(false);
    let composer = RwSignal::new(None::<Composer>);
    let completing = RwSignal::new(None::<TimelineItem>);
    let refresh = Callback::new(move |_: ()| {
        composer.set(None);
        completing.set(None);
        reload.update(|n| *n += 1);
    });
    let base = kind.href(id);
    let mut quick = vec![
        (M::LogCall, Composer::Activity(ActivityKind::Call, true)),
        (M::ScheduleVisit, Composer::Activity(ActivityKind::Meeting, false)),
        (M::NewTask, Composer::Activity(ActivityKind::Task, false)),
        (M::LogEmail, Composer::Activity(ActivityKind::Email, true)),
        (M::AddNote, Composer::Note),
        (M::AttachFile, Composer::File),
    ];
    if send_email {
        quick.insert(0, (M::SendEmail, Composer::Email));
    }
    let now = page.as_ref().map(|p| p.now.clone()).unwrap_or_default();
    view! {
        <section class="card timeline" aria-labelledby="timeline-title">
            <div class="timeline-head">
                <h2 id="timeline-title">{t(M::Timeline)}</h2>
                <div class="quick-entry" role="group" aria-label=lang.t(M::Activities)>
                    {quick
                        .into_iter()
                        .map(|(label, c)| {
                            view! {
                                <button
                                    type="button"
                                    class="btn btn-sm"
                                    aria-pressed=move || (composer.get() == Some(c)).to_string()
                                    on:click=move |_| composer.set(if composer.get_untracked() == Some(c) { None } else { Some(c) })
                                >
                                    {lang.t(label)}
                                </button>
                            }
                        })
                        .collect_view()}
                </div>
            </div>
            <UploadResult/>
            <TimelineFilters base=base.clone() q=tq.clone()/>
            {move || {
                let now = now.clone();
                match composer.get() {
                    Some(Composer::Activity(k, done)) => view! {
                        <ActivityComposer kind=k done=done regarding=(kind, id) now=now contacts=contacts.clone() users=users.clone() on_done=refresh on_cancel=Callback::new(move |_| composer.set(None))/>
                    }
                    .into_any(),
                    Some(Composer::Note) => view! { <NoteComposer regarding=(kind, id) on_done=refresh on_cancel=Callback::new(move |_| composer.set(None))/> }.into_any(),
                    Some(Composer::File) => view! { <FileComposer regarding=(kind, id)/> }.into_any(),
                    Some(Composer::Email) if can_send => view! {
                        <EmailComposer contact_id=id email_to=email_to.clone() on_done=refresh on_cancel=Callback::new(move |_| composer.set(None))/>
                    }
                    .into_any(),
                    Some(Composer::Email) => view! {
                        <div class="composer" role="region" aria-label=lang.t(M::SendEmail)>
                            <p>{lang.t(M::SmtpMissing)}</p>
                        </div>
                    }
                    .into_any(),
                    None => ().into_any(),
                }
            }}
            {move || completing.get().map(|item| view! { <CompleteDialog item=item on_done=refresh on_cancel=Callback::new(move |_| completing.set(None))/> })}
            <TimelineItems page=page base=base q=tq completing=completing/>
        </section>
    }
}

#[component]
fn TimelineFilters(base: String, q: TimelineQuery) -> impl IntoView {
    let lang = use_lang();
    view! {
        <form method="GET" action=base class="filters timeline-filters" role="search">
            <select name="tl" aria-label=lang.t(M::Filter)>
                {TimelineFilter::ALL
                    .iter()
                    .map(|f| view! { <option value=f.code() selected=q.filter == f.code()>{lang.t(filter_label(*f))}</option> })
                    .collect_view()}
            </select>
            <label class="inline">
                <span>{lang.t(M::From)}</span>
                <input type="date" name="tl_from" value=q.from.clone()/>
            </label>
            <label class="inline">
                <span>{lang.t(M::To)}</span>
                <input type="date" name="tl_to" value=q.to.clone()/>
            </label>
            <button type="submit" class="btn btn-sm">{lang.t(M::Filter)}</button>
        </form>
    }
}

fn item_title(lang: Lang, item: &TimelineItem) -> String {
    match item.kind {
        TimelineKind::Activity(k, _) => lang.t(activity_label(k)).to_string(),
        TimelineKind::Note => lang.t(M::TlNote).to_string(),
        TimelineKind::Document => lang.t(M::TlDocument).to_string(),
        TimelineKind::Opened => lang.t(M::TlOpened).to_string(),
        TimelineKind::StageChanged => lang.t(M::TlStage).to_string(),
        TimelineKind::Won => lang.t(M::TlWon).to_string(),
        TimelineKind::Lost => lang.t(M::TlLost).to_string(),
        TimelineKind::Qualified => lang.t(M::TlQualified).to_string(),
        TimelineKind::Disqualified => lang.t(M::TlDisqualified).to_string(),
    }
}

fn item_class(kind: TimelineKind) -> &'static str {
    match kind {
        TimelineKind::Activity(_, ActivityStatus::Open) => "tl-item tl-activity tl-open",
        TimelineKind::Activity(_, ActivityStatus::Cancelled) => "tl-item tl-activity tl-cancelled",
        TimelineKind::Activity(..) => "tl-item tl-activity",
        TimelineKind::Note => "tl-item tl-note",
        TimelineKind::Document => "tl-item tl-document",
        TimelineKind::Won => "tl-item tl-won",
        TimelineKind::Lost | TimelineKind::Disqualified => "tl-item tl-lost",
        _ => "tl-item tl-deal",
    }
}

#[component]
fn TimelineItems(
    page: Result<TimelinePage, AppError>,
    base: String,
    q: TimelineQuery,
    completing: RwSignal<Option<TimelineItem>>,
) -> impl IntoView {
    let lang = use_lang();
    let page = match page {
        Err(e) => return view! { <p class="banner banner-error">{error_text(lang, &e)}</p> }.into_any(),
        Ok(p) => p,
    };
    if page.items.is_empty() {
        return view! { <p class="muted">{t(M::NoTimeline)}</p> }.into_any();
    }
    let href = move |cursor: &str| {
        let mut parts = Vec::new();
        for (k, v) in [("tl", &q.filter), ("tl_from", &q.from), ("tl_to", &q.to)] {
            if !v.is_empty() {
                parts.push(format!("{k}={}", crate::domain::text::urlencode(v)));
            }
        }
        if !cursor.is_empty() {
            parts.push(format!("tl_cursor={}", crate::domain::text::urlencode(cursor)));
        }
        if parts.is_empty() {
            base.clone()
        } else {
            format!("{base}?{}", parts.join("&"))
        }
    };
    let first = (!q.cursor.is_empty()).then(|| href(""));
    let older = page.next_cursor.as_deref().map(&href);
    view! {
        <ol class="tl-list">
            {page
                .items
                .into_iter()
                .map(|item| {
                    let title = item_title(lang, &item);
                    let open = matches!(item.kind, TimelineKind::Activity(_, ActivityStatus::Open));
                    let status = match item.kind {
                        TimelineKind::Activity(_, s) if s != ActivityStatus::Open => Some(lang.t(activity_status_label(s))),
                        _ => None,
                    };
                    let reason = item.reason.as_ref().map(|(en, sr)| if lang == Lang::En { en.clone() } else { sr.clone() });
                    let for_dialog = item.clone();
                    view! {
                        <li class=item_class(item.kind) data-key=item.key.clone()>
                            <div class="tl-meta">
                                <span class="tl-kind">{title}</span>
                                <time datetime=item.at.clone()>{format_local(lang, &item.at)}</time>
                                {item.actor.clone().map(|a| view! { <span class="muted">{a}</span> })}
                                {status.map(|s| view! { <span class="badge">{s}</span> })}
                            </div>
                            <div class="tl-body">
                                {match item.kind {
                                    TimelineKind::Note => view! { <div class="md" inner_html=item.body_html.clone().unwrap_or_default()></div> }.into_any(),
                                    TimelineKind::Document => {
                                        let (doc, size) = item.file.unwrap_or_default();
                                        view! {
                                            <p>
                                                <a href=format!("/files/{doc}") download=item.title.clone() rel="noopener">{item.title.clone()}</a>
                                                <span class="muted">" · " {file_size(lang, size)}</span>
                                            </p>
                                        }
                                        .into_any()
                                    }
                                    TimelineKind::StageChanged | TimelineKind::Won | TimelineKind::Lost => view! {
                                        <p>{item.detail.clone().map(|from| format!("{from} → ")).unwrap_or_default()}<strong>{item.title.clone()}</strong></p>
                                    }
                                    .into_any(),
                                    _ => view! {
                                        <p>
                                            {match item.activity {
                                                Some((aid, _)) => view! { <a href=format!("/activities/{aid}")><strong>{item.title.clone()}</strong></a> }.into_any(),
                                                None => view! { <strong>{item.title.clone()}</strong> }.into_any(),
                                            }}
                                        </p>
                                        {reason.map(|r| view! { <p>{lang.t(M::Reason)}": "{r}</p> })}
                                        {item.detail.clone().map(|d| view! { <p class="tl-detail">{d}</p> })}
                                    }
                                    .into_any(),
                                }}
                                {item.link.clone().map(|(href, label)| view! { <p class="muted">{lang.t(M::Regarding)}" "<a href=href>{label}</a></p> })}
                            </div>
                            {open.then(|| view! {
                                <div class="tl-actions">
                                    <button type="button" class="btn btn-sm" on:click=move |_| completing.set(Some(for_dialog.clone()))>{lang.t(M::Complete)}</button>
                                </div>
                            })}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
        <nav class="pager" aria-label=lang.t(M::Pagination)>
            {first.map(|h| view! { <a class="btn btn-ghost" href=h>{t(M::FirstPage)}</a> })}
            {older.map(|h| view! { <a class="btn" href=h rel="next">{t(M::LoadMore)}</a> })}
        </nav>
    }
    .into_any()
}

/// The quick-entry form for an activity of `kind` about `regarding`. `done` logs something that
/// already happened (a call, an email) as completed.
#[component]
fn ActivityComposer(
    kind: ActivityKind,
    done: bool,
    regarding: (RegardingKind, i64),
    now: String,
    contacts: Vec<Choice>,
    users: Vec<Choice>,
    on_done: Callback<()>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let lang = use_lang();
    let toasts = use_toasts();
    let action = ServerAction::<SaveActivity>::new();
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    Effect::new(move || {
        if let Some(Ok(_)) = action.value().get() {
            toasts.push(lang.t(M::Saved), false);
            on_done.run(());
        }
    });
    // A visit or task is planned for tomorrow at the same time by default; a logged call is now.
    let starts = if done { now.clone() } else { shift_days(&now, 1) };
    let kinds: Vec<(String, String)> =
        ActivityKind::ALL.iter().map(|k| (k.code().to_string(), lang.t(activity_label(*k)).to_string())).collect();
    const FIELDS: &[&str] = &[
        "kind",
        "subject",
        "starts_at",
        "ends_at",
        "priority",
        "direction",
        "outcome",
        "location",
        "description",
        "attendee_contacts",
        "attendee_users",
    ];
    let is_meeting = kind == ActivityKind::Meeting;
    let is_call = kind == ActivityKind::Call;
    view! {
        <div class="composer" role="region" aria-label=lang.t(activity_label(kind)) on:keydown=move |ev| if ev.key() == "Escape" { on_cancel.run(()) }>
            <ActionForm action=action attr:class="form-grid" attr:novalidate=true>
                <ErrorBanner error=error fields=FIELDS/>
                <input type="hidden" name="input[regarding_kind]" value=regarding.0.code()/>
                <input type="hidden" name="input[regarding_id]" value=regarding.1.to_string()/>
                <SelectField label=M::Kind key="kind" options=kinds selected=kind.code() error=error required=true form="act-"/>
                <TextField label=M::Subject key="subject" value="" error=error required=true form="act-"/>
                <TextField label=M::StartsAt key="starts_at" value=starts kind="datetime-local" error=error required=true form="act-"/>
                {is_meeting.then(|| view! {
                    <TextField label=M::EndsAt key="ends_at" value="" kind="datetime-local" error=error form="act-"/>
                    <TextField label=M::Location key="location" value="" error=error form="act-"/>
                })}
                {is_call.then(|| {
                    let dirs = vec![("out".to_string(), lang.t(M::DirOut).to_string()), ("in".to_string(), lang.t(M::DirIn).to_string())];
                    view! { <SelectField label=M::Direction key="direction" options=dirs selected="out" error=error form="act-"/> }
                })}
                <label class="check field-wide">
                    <input type="checkbox" name="input[completed]" value="on" checked=done/>
                    {lang.t(M::AlreadyDone)}
                </label>
                <TextField label=M::Outcome key="outcome" value="" error=error form="act-"/>
                <SelectField
                    label=M::Priority
                    key="priority"
                    options=crate::domain::Priority::ALL.iter().map(|p| (p.code().to_string(), lang.t(crate::i18n::labels::priority_label(*p)).to_string())).collect()
                    selected="normal"
                    error=error
                    form="act-"
                />
                {(is_meeting && !(contacts.is_empty() && users.is_empty())).then(|| view! {
                    <fieldset class="field field-wide checks">
                        <legend>{lang.t(M::AttendeeContacts)}" / "{lang.t(M::AttendeeUsers)}</legend>
                        {contacts.iter().map(|c| view! {
                            <label class="check"><input type="checkbox" name="input[attendee_contacts][]" value=c.id.to_string()/>{c.label.clone()}</label>
                        }).collect_view()}
                        {users.iter().map(|u| view! {
                            <label class="check"><input type="checkbox" name="input[attendee_users][]" value=u.id.to_string()/>{u.label.clone()}</label>
                        }).collect_view()}
                    </fieldset>
                })}
                <div class="field field-wide">
                    <label for="act-description">{lang.t(M::Description)}</label>
                    <textarea id="act-description" name="input[description]" rows="3"></textarea>
                </div>
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>
                        {move || if action.pending().get() { lang.t(M::Saving) } else { lang.t(M::Save) }}
                    </button>
                    <button type="button" class="btn btn-ghost" on:click=move |_| on_cancel.run(())>{lang.t(M::Close)}</button>
                </div>
            </ActionForm>
        </div>
    }
}

#[component]
fn NoteComposer(regarding: (RegardingKind, i64), on_done: Callback<()>, on_cancel: Callback<()>) -> impl IntoView {
    let lang = use_lang();
    let toasts = use_toasts();
    let action = ServerAction::<AddNote>::new();
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    Effect::new(move || {
        if let Some(Ok(_)) = action.value().get() {
            toasts.push(lang.t(M::Saved), false);
            on_done.run(());
        }
    });
    let err_text = move || match error.get() {
        Some(AppError::Validation { field, problem }) if field == "body" => {
            Some(crate::i18n::labels::field_message(lang, &field, &problem))
        }
        _ => None,
    };
    view! {
        <div class="composer" role="region" aria-label=lang.t(M::AddNote) on:keydown=move |ev| if ev.key() == "Escape" { on_cancel.run(()) }>
            <ActionForm action=action attr:class="form-grid" attr:novalidate=true>
                <ErrorBanner error=error fields=&["body"]/>
                <input type="hidden" name="input[regarding_kind]" value=regarding.0.code()/>
                <input type="hidden" name="input[regarding_id]" value=regarding.1.to_string()/>
                <div class="field field-wide" class:has-error=move || err_text().is_some()>
                    <label for="note-body">{lang.t(M::NoteBody)}</label>
                    <textarea id="note-body" name="input[body]" rows="4" aria-describedby="note-body-err"></textarea>
                    <small class="error" id="note-body-err" role="alert">{err_text}</small>
                </div>
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>{lang.t(M::Save)}</button>
                    <button type="button" class="btn btn-ghost" on:click=move |_| on_cancel.run(())>{lang.t(M::Close)}</button>
                </div>
            </ActionForm>
        </div>
    }
}

/// Completing an open activity: its outcome and, when ticked, the follow-up to schedule.
#[component]
pub fn CompleteDialog(item: TimelineItem, on_done: Callback<()>, on_cancel: Callback<()>) -> impl IntoView {
    let lang = use_lang();
    let toasts = use_toasts();
    let action = ServerAction::<CompleteActivity>::new();
    let cancel = ServerAction::<CancelActivity>::new();
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()).or_else(|| cancel.value().get().and_then(|r| r.err())));
    Effect::new(move || {
        if let Some(Ok(_)) = action.value().get() {
            toasts.push(lang.t(M::Saved), false);
            on_done.run(());
        }
    });
    Effect::new(move || {
        if let Some(Ok(_)) = cancel.value().get() {
            on_done.run(());
        }
    });
    let follow = RwSignal::new(false);
    let (id, version) = item.activity.unwrap_or_default();
    let kind = match item.kind {
        TimelineKind::Activity(k, _) => k,
        _ => ActivityKind::Task,
    };
    let kinds: Vec<(String, String)> =
        ActivityKind::ALL.iter().map(|k| (k.code().to_string(), lang.t(activity_label(*k)).to_string())).collect();
    let follow_when = shift_days(&item.at, 7);
    const FIELDS: &[&str] = &["outcome", "follow_kind", "follow_subject", "follow_starts_at"];
    view! {
        <div class="composer" role="dialog" aria-modal="false" aria-labelledby="complete-title" on:keydown=move |ev| if ev.key() == "Escape" { on_cancel.run(()) }>
            <h3 id="complete-title">{lang.t(M::CompleteTitle)}": "{item.title.clone()}</h3>
            <ActionForm action=action attr:class="form-grid" attr:novalidate=true>
                <ErrorBanner error=error fields=FIELDS/>
                <input type="hidden" name="input[id]" value=id.to_string()/>
                <input type="hidden" name="input[version]" value=version.to_string()/>
                <TextField label=M::Outcome key="outcome" value="" error=error form="done-"/>
                <label class="check field-wide">
                    <input type="checkbox" name="input[follow_up]" value="on" on:change=move |ev| follow.set(event_target_checked(&ev))/>
                    {lang.t(M::ScheduleFollowUp)}
                </label>
                <Show when=move || follow.get()>
                    <SelectField label=M::FollowUpKind key="follow_kind" options=kinds.clone() selected=kind.code() error=error form="done-"/>
                    <TextField label=M::FollowUpSubject key="follow_subject" value=item.title.clone() error=error form="done-"/>
                    <TextField label=M::FollowUpWhen key="follow_starts_at" value=follow_when.clone() kind="datetime-local" error=error form="done-"/>
                </Show>
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>{lang.t(M::Complete)}</button>
                    <button type="button" class="btn btn-danger" on:click=move |_| { cancel.dispatch(CancelActivity { id, version }); }>{lang.t(M::CancelActivity)}</button>
                    <button type="button" class="btn btn-ghost" on:click=move |_| on_cancel.run(())>{lang.t(M::Close)}</button>
                </div>
            </ActionForm>
        </div>
    }
}

/// Attaching a file: a plain multipart form posted to the server's `/files` route, which answers with
/// a redirect back here carrying the result (`?upload=ok` or `?upload_error=…`). Works without JavaScript.
#[component]
fn FileComposer(regarding: (RegardingKind, i64)) -> impl IntoView {
    let lang = use_lang();
    view! {
        <div class="composer" role="region" aria-label=lang.t(M::AttachFile)>
            <form method="post" action="/files" enctype="multipart/form-data" class="form-grid">
                <input type="hidden" name="regarding_kind" value=regarding.0.code()/>
                <input type="hidden" name="regarding_id" value=regarding.1.to_string()/>
                <input type="hidden" name="return_to" value=regarding.0.href(regarding.1)/>
                <div class="field field-wide">
                    <label for="upload-file">{lang.t(M::File)}</label>
                    <input id="upload-file" type="file" name="file" required=true/>
                    <small class="hint">{lang.t(M::FileHint)}</small>
                </div>
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary">{lang.t(M::Upload)}</button>
                </div>
            </form>
        </div>
    }
}

/// The outcome of an upload, read from the URL the server redirected to.
#[component]
fn UploadResult() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    move || {
        query.with(|q| {
            if q.get("upload").as_deref() == Some("ok") {
                return Some(view! { <p class="banner banner-ok" role="status">{lang.t(M::Uploaded)}</p> }.into_any());
            }
            let problem = match q.get("upload_error").as_deref()? {
                "too_large" => crate::error::Problem::FileTooLarge((crate::domain::MAX_UPLOAD_BYTES / (1024 * 1024)) as i64),
                "type" => crate::error::Problem::FileTypeNotAllowed,
                "required" => crate::error::Problem::Required,
                _ => return Some(view! { <p class="banner banner-error" role="alert">{lang.t(M::Internal)}</p> }.into_any()),
            };
            Some(
                view! { <p class="banner banner-error" role="alert">{crate::i18n::labels::field_message(lang, "file", &problem)}</p> }
                    .into_any(),
            )
        })
    }
}

/// Writing an e-mail to a contact; sent through the configured SMTP server and logged on the timeline.
#[component]
fn EmailComposer(contact_id: i64, email_to: Option<String>, on_done: Callback<()>, on_cancel: Callback<()>) -> impl IntoView {
    let lang = use_lang();
    let toasts = use_toasts();
    let action = ServerAction::<SendEmail>::new();
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    Effect::new(move || {
        if let Some(Ok(_)) = action.value().get() {
            toasts.push(lang.t(M::EmailSent), false);
            on_done.run(());
        }
    });
    let body_err = move || match error.get() {
        Some(AppError::Validation { field, problem }) if field == "body" => {
            Some(crate::i18n::labels::field_message(lang, &field, &problem))
        }
        _ => None,
    };
    view! {
        <div class="composer" role="region" aria-label=lang.t(M::SendEmail) on:keydown=move |ev| if ev.key() == "Escape" { on_cancel.run(()) }>
            <ActionForm action=action attr:class="form-grid" attr:novalidate=true>
                <ErrorBanner error=error fields=&["subject", "body"]/>
                <input type="hidden" name="input[contact_id]" value=contact_id.to_string()/>
                <div class="field field-wide">
                    <span class="muted">{lang.t(M::Recipient)}": "</span>
                    <strong>{email_to.clone().unwrap_or_else(|| "—".into())}</strong>
                </div>
                <TextField label=M::Subject key="subject" value="" error=error required=true form="mail-"/>
                <div class="field field-wide" class:has-error=move || body_err().is_some()>
                    <label for="mail-body">{lang.t(M::Message)}</label>
                    <textarea id="mail-body" name="input[body]" rows="6" aria-describedby="mail-body-err"></textarea>
                    <small class="error" id="mail-body-err" role="alert">{body_err}</small>
                </div>
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>
                        {move || if action.pending().get() { lang.t(M::Sending) } else { lang.t(M::Send) }}
                    </button>
                    <button type="button" class="btn btn-ghost" on:click=move |_| on_cancel.run(())>{lang.t(M::Close)}</button>
                </div>
            </ActionForm>
        </div>
    }
}
