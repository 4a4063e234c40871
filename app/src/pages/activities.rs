//! One activity's page: every field editable (versioned, so a stale save is a conflict that keeps what
//! was typed), completing it with a follow-up or cancelling it, and its change history.

use crate::api::accounts::get_lookups;
use crate::api::activities::{get_activity, SaveActivity};
use crate::components::context::{t, use_lang};
use crate::components::fields::{SelectField, TextField};
use crate::components::history::{history_resource, HistoryPanel, RecordTabs};
use crate::components::timeline::CompleteDialog;
use crate::components::toast::use_toasts;
use crate::components::{ErrorBanner, Loading, RecordError};
use crate::domain::{Activity, ActivityKind, ActivityStatus, Lookups, Priority, TimelineItem, TimelineKind};
use crate::i18n::labels::{activity_label, activity_status_label, priority_label};
use crate::i18n::{format_local, M};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn ActivityPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let query = use_query_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse::<i64>().ok()).unwrap_or(0)));
    let on_history = Memo::new(move |_| query.with(|q| q.get("tab").as_deref() == Some("history")));
    let history_rows = history_resource("activity", id, on_history);
    let reload = RwSignal::new(0u32);
    let activity = Resource::new(move || (id.get(), reload.get()), |(id, _)| get_activity(id));
    let lookups = Resource::new(|| (), |_| get_lookups());
    let toasts = use_toasts();
    let completing = RwSignal::new(false);
    let on_saved = Callback::new(move |_| {
        toasts.push(lang.t(M::Saved), false);
        completing.set(false);
        reload.update(|n| *n += 1);
    });
    view! {
        <Transition fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                let lk = lookups.await.unwrap_or_default();
                let history_rows = history_rows.await;
                match activity.await {
                    Err(e) => view! { <RecordError error=e/> }
                    .into_any(),
                    Ok(a) => {
                        let id = a.id;
                        let history = on_history.get();
                        let (crumb_href, crumb_label) = (a.regarding_kind.href(a.regarding_id), a.regarding_label.clone());
                        let (kind, status, when, owner, subject) = (a.kind, a.status, a.starts_at.clone(), a.owner_name.clone(), a.subject.clone());
                        let open = a.status == ActivityStatus::Open;
                        // The completion dialog works on a timeline item; this is the activity as one.
                        let item = TimelineItem {
                            key: format!("a{id}"),
                            kind: TimelineKind::Activity(a.kind, a.status),
                            at: a.starts_at.clone(),
                            title: a.subject.clone(),
                            detail: None,
                            body_html: None,
                            actor: None,
                            link: None,
                            activity: Some((a.id, a.version)),
                            reason: None,
                            file: None,
                        };
                        view! {
                            <Title text=subject.clone()/>
                            <div class="page-head">
                                <div>
                                    <p class="crumbs">
                                        <A href=crumb_href>{crumb_label}</A>
                                    </p>
                                    <h1>{subject}</h1>
                                    <p class="summary">
                                        <span class="badge">{lang.t(activity_label(kind))}</span>
                                        " "
                                        <span class="badge">{lang.t(activity_status_label(status))}</span>
                                        " " {format_local(lang, &when)} " · " {owner}
                                    </p>
                                </div>
                                <div class="head-actions">
                                    {open.then(|| view! { <button class="btn btn-primary" on:click=move |_| completing.set(true)>{t(M::Complete)}</button> })}
                                </div>
                            </div>
                            {move || completing.get().then(|| view! { <CompleteDialog item=item.clone() on_done=on_saved on_cancel=Callback::new(move |_| completing.set(false))/> })}
                            <RecordTabs base=format!("/activities/{id}") history=history/>
                            {if history {
                                view! { <HistoryPanel rows=history_rows/> }.into_any()
                            } else {
                                view! { <div class="card"><ActivityForm activity=a lookups=lk on_saved=on_saved/></div> }.into_any()
                            }}
                        }
                        .into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn ActivityForm(activity: Activity, lookups: Lookups, on_saved: Callback<()>) -> impl IntoView {
    let lang = use_lang();
    let action = ServerAction::<SaveActivity>::new();
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    Effect::new(move || {
        if let Some(Ok(_)) = action.value().get() {
            on_saved.run(());
        }
    });
    let a = activity;
    let kinds: Vec<(String, String)> =
        ActivityKind::ALL.iter().map(|k| (k.code().to_string(), lang.t(activity_label(*k)).to_string())).collect();
    let priorities: Vec<(String, String)> =
        Priority::ALL.iter().map(|p| (p.code().to_string(), lang.t(priority_label(*p)).to_string())).collect();
    let directions = vec![("out".to_string(), lang.t(M::DirOut).to_string()), ("in".to_string(), lang.t(M::DirIn).to_string())];
    let owners: Vec<(String, String)> = lookups.users.iter().map(|u| (u.id.to_string(), u.label.clone())).collect();
    let s = |o: &Option<String>| o.clone().unwrap_or_default();
    const FIELDS: &[&str] =
        &["kind", "subject", "starts_at", "ends_at", "priority", "direction", "outcome", "location", "description", "owner_id"];
    view! {
        <ActionForm action=action attr:class="form-grid" attr:novalidate=true>
            <ErrorBanner error=error fields=FIELDS/>
            <input type="hidden" name="input[id]" value=a.id.to_string()/>
            <input type="hidden" name="input[version]" value=a.version.to_string()/>
            <input type="hidden" name="input[regarding_kind]" value=a.regarding_kind.code()/>
            <input type="hidden" name="input[regarding_id]" value=a.regarding_id.to_string()/>
            {a.attendees.iter().map(|p| match (p.contact_id, p.user_id) {
                (Some(c), _) => view! { <input type="hidden" name="input[attendee_contacts][]" value=c.to_string()/> }.into_any(),
                (_, Some(u)) => view! { <input type="hidden" name="input[attendee_users][]" value=u.to_string()/> }.into_any(),
                _ => ().into_any(),
            }).collect_view()}
            <SelectField label=M::Kind key="kind" options=kinds selected=a.kind.code() error=error required=true/>
            <TextField label=M::Subject key="subject" value=a.subject.clone() error=error required=true/>
            <TextField label=M::StartsAt key="starts_at" value=a.starts_at.clone() kind="datetime-local" error=error required=true/>
            <TextField label=M::EndsAt key="ends_at" value=s(&a.ends_at) kind="datetime-local" error=error/>
            <SelectField label=M::Priority key="priority" options=priorities selected=a.priority.code() error=error/>
            <SelectField label=M::Direction key="direction" options=directions selected=a.direction.map(|d| d.code()).unwrap_or("") error=error empty=M::NoneChoice/>
            <TextField label=M::Outcome key="outcome" value=s(&a.outcome) error=error/>
            <TextField label=M::Location key="location" value=s(&a.location) error=error/>
            <SelectField label=M::Owner key="owner_id" options=owners selected=a.owner_id.to_string() error=error required=true/>
            {(!a.attendees.is_empty()).then(|| view! {
                <div class="field field-wide">
                    <span class="muted">{lang.t(M::AttendeeContacts)} " / " {lang.t(M::AttendeeUsers)} ": "</span>
                    {a.attendees.iter().map(|p| p.name.clone()).collect::<Vec<_>>().join(", ")}
                </div>
            })}
            <div class="field field-wide">
                <label for="f-description">{lang.t(M::Description)}</label>
                <textarea id="f-description" name="input[description]" rows="4" prop:value=s(&a.description)>{s(&a.description)}</textarea>
            </div>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { lang.t(M::Saving) } else { lang.t(M::Save) }}
                </button>
            </div>
        </ActionForm>
    }
}
