//! Quick campaigns: the list (`/marketing/quick-campaigns`), the form starting one from a marketing list
//! or an advanced-find result (`…/new?list=ID` or `…/new?query=…`), and a campaign's page — its
//! distribution's progress bar, who was reached and who was skipped and why, and how far each assignee
//! got, as a chart. The list and the campaign's page read without JavaScript.

use crate::api::accounts::get_lookups;
use crate::api::quick_campaigns::{
    get_quick_campaign, list_quick_campaigns, preview_campaign_email, preview_quick_campaign, quick_campaign_members, start_quick_campaign,
};
use crate::components::context::{t, use_lang};
use crate::components::job::JobProgress;
use crate::components::{Loading, RecordError};
use crate::domain::quick_campaign::{AssignRule, QuickCampaignInput, QuickCampaignView, SkipReason, MERGE_FIELDS};
use crate::domain::text::urlencode;
use crate::domain::{ActivityKind, Priority};
use crate::error::AppError;
use crate::i18n::labels::{activity_label, error_text, priority_label};
use crate::i18n::{format_int, format_local, Lang, M};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

/// The activity kinds a quick campaign creates (e-mail: sends).
const KINDS: [ActivityKind; 6] =
    [ActivityKind::Call, ActivityKind::Email, ActivityKind::Meeting, ActivityKind::Task, ActivityKind::Letter, ActivityKind::Fax];

fn kind_text(lang: Lang, code: &str) -> String {
    ActivityKind::parse(code).map(|k| lang.t(activity_label(k)).to_string()).unwrap_or_else(|| code.to_string())
}

fn status_text(lang: Lang, status: &str) -> &'static str {
    lang.t(match status {
        "running" => M::QcRunning,
        "done" => M::QcDone,
        "cancelled" => M::QcCancelled,
        _ => M::QcFailed,
    })
}

fn reason_text(lang: Lang, code: &str) -> &'static str {
    lang.t(match SkipReason::parse(code) {
        Some(SkipReason::DoNotCall) => M::QcDoNotCall,
        Some(SkipReason::DoNotEmail) => M::QcDoNotEmail,
        Some(SkipReason::DoNotMail) => M::QcDoNotMail,
        Some(SkipReason::NoEmail) => M::QcNoEmail,
        Some(SkipReason::Inactive) => M::QcInactive,
        Some(SkipReason::Disqualified) => M::QcDisqualified,
        Some(SkipReason::Rejected) => M::QcRejected,
        Some(SkipReason::Unknown) => M::QcUnknown,
        Some(SkipReason::SendFailed) | None => M::QcSendFailed,
    })
}

fn member_path(kind: &str, id: i64) -> String {
    match kind {
        "account" => format!("/accounts/{id}"),
        "lead" => format!("/leads/{id}"),
        _ => format!("/contacts/{id}"),
    }
}

#[component]
pub fn QuickCampaignsPage() -> impl IntoView {
    let lang = use_lang();
    let qm = use_query_map();
    let before = Memo::new(move |_| qm.with(|m| m.get("before").and_then(|b| b.parse::<i64>().ok()).unwrap_or(0)));
    let rows = Resource::new(move || before.get(), list_quick_campaigns);
    view! {
        <Title text=t(M::QuickCampaigns)/>
        <div class="page-head">
            <h1>{t(M::QuickCampaigns)}</h1>
        </div>
        <p class="muted">{t(M::QcIntro)}</p>
        <Transition fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match rows.await {
                    Err(e) => view! { <p class="banner banner-error" role="alert">{error_text(lang, &e)}</p> }.into_any(),
                    Ok(rows) if rows.is_empty() => view! { <p class="empty">{t(M::QcNone)}</p> }.into_any(),
                    Ok(rows) => {
                        let next = (rows.len() as i64 >= crate::domain::COUNT_CAP.min(50)).then(|| rows.last().map(|r| format!("?before={}", r.id))).flatten();
                        view! {
                            <div class="table-wrap">
                                <table class="table" id="quick-campaigns">
                                    <thead><tr>
                                        <th>{t(M::Name)}</th><th>{t(M::QcActivity)}</th><th>{t(M::Status)}</th>
                                        <th class="num">{t(M::QcCreated)}</th><th class="num">{t(M::QcSkipped)}</th>
                                        <th class="hide-sm">{t(M::QcStartedBy)}</th><th class="hide-sm">{t(M::Created)}</th>
                                    </tr></thead>
                                    <tbody>
                                        {rows.into_iter().map(|r| view! {
                                            <tr>
                                                <td><A href=format!("/marketing/quick-campaigns/{}", r.id)>{r.name}</A></td>
                                                <td>{kind_text(lang, &r.activity_kind)}</td>
                                                <td><span class="badge">{status_text(lang, &r.status)}</span></td>
                                                <td class="num">{format_int(lang, r.created_count)}</td>
                                                <td class="num">{format_int(lang, r.skipped_count)}</td>
                                                <td class="hide-sm">{r.started_by}</td>
                                                <td class="hide-sm">{format_local(lang, &r.created_at)}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            {next.map(|h| view! { <nav class="pager"><a class="btn" href=h rel="next">{t(M::Next)}</a></nav> })}
                        }
                        .into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// Starting a quick campaign: the members (a list or a query, from the address), the activity, its
/// assignees. Shows how many members it reaches before anything is created.
#[component]
pub fn NewQuickCampaignPage() -> impl IntoView {
    let lang = use_lang();
    let qm = use_query_map();
    let list_id = qm.with_untracked(|m| m.get("list").unwrap_or_default());
    let query = qm.with_untracked(|m| m.get("query").unwrap_or_default());
    let (l2, q2) = (list_id.clone(), query.clone());
    let preview = Resource::new(|| (), move |_| preview_quick_campaign(l2.clone(), q2.clone()));
    let lookups = Resource::new(|| (), |_| get_lookups());
    view! {
        <Title text=t(M::QcNew)/>
        <div class="page-head"><h1>{t(M::QcNew)}</h1></div>
        <Suspense fallback=|| view! { <Loading/> }>
            {move || {
                let (list_id, query) = (list_id.clone(), query.clone());
                Suspend::new(async move {
                    let lk = lookups.await.unwrap_or_default();
                    match preview.await {
                        Err(e) => view! { <p class="banner banner-error" role="alert">{error_text(lang, &e)}</p> }.into_any(),
                        Ok(p) => view! { <QuickCampaignForm list_id=list_id query=query preview=p lk=lk/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn QuickCampaignForm(
    list_id: String,
    query: String,
    preview: crate::domain::quick_campaign::QuickPreview,
    lk: crate::domain::Lookups,
) -> impl IntoView {
    let lang = use_lang();
    let navigate = use_navigate();
    let kind = RwSignal::new(ActivityKind::Call.code().to_string());
    let name = RwSignal::new(String::new());
    let subject = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let email_body = RwSignal::new(String::new());
    let mail_preview = RwSignal::new(None::<Result<(String, String), AppError>>);
    let is_email = move || kind.get() == ActivityKind::Email.code();
    let accounts_only = preview.member_kind == "account";
    let due = RwSignal::new(String::new());
    let priority = RwSignal::new(Priority::Normal.code().to_string());
    let rule = RwSignal::new(AssignRule::Owner.code().to_string());
    let team = RwSignal::new(String::new());
    let chosen = RwSignal::new(Vec::<i64>::new());
    let error = RwSignal::new(None::<AppError>);
    let pending = RwSignal::new(false);
    let members_word = match preview.member_kind.as_str() {
        "account" => M::Accounts,
        "lead" => M::Leads,
        _ => M::Contacts,
    };
    let (list_for_submit, query_for_submit) = (list_id.clone(), query.clone());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        error.set(None);
        let input = QuickCampaignInput {
            list_id: list_for_submit.clone(),
            query: query_for_submit.clone(),
            name: name.get_untracked(),
            activity_kind: kind.get_untracked(),
            subject: subject.get_untracked(),
            description: description.get_untracked(),
            due: due.get_untracked(),
            priority: priority.get_untracked(),
            assign_rule: rule.get_untracked(),
            assignees: if team.get_untracked().is_empty() {
                chosen.get_untracked().iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",")
            } else {
                String::new()
            },
            team_id: if rule.get_untracked() == "round_robin" { team.get_untracked() } else { String::new() },
            email_body: email_body.get_untracked(),
            ..Default::default()
        };
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match start_quick_campaign(input).await {
                Ok(id) => navigate(&format!("/marketing/quick-campaigns/{id}"), Default::default()),
                Err(e) => {
                    error.set(Some(e));
                    pending.set(false);
                }
            }
        });
    };
    let field_error = move |f: &'static str| {
        move || {
            error
                .get()
                .filter(|e| e.field() == Some(f))
                .map(|e| view! { <span class="field-error" role="alert">{error_text(lang, &e)}</span> })
        }
    };
    let (list_for_preview, query_for_preview) = (list_id.clone(), query.clone());
    let show_preview = move |_| {
        let (l, q) = (list_for_preview.clone(), query_for_preview.clone());
        let (s, b) = (subject.get_untracked(), email_body.get_untracked());
        leptos::task::spawn_local(async move { mail_preview.set(Some(preview_campaign_email(l, q, s, b).await)) });
    };
    let users = StoredValue::new(lk.users.clone());
    let teams = StoredValue::new(lk.teams.clone());
    let source_href =
        if !list_id.is_empty() { format!("/marketing/lists/{list_id}") } else { format!("/find?query={}", urlencode(&query)) };
    let source_name = if preview.source_name.is_empty() { lang.t(M::FindTitle).to_string() } else { preview.source_name.clone() };
    view! {
        <p class="qc-reach" id="qc-reach">
            {lang.t(M::QcReaches)}" "<strong>{format_int(lang, preview.members)}</strong>" "{lang.t(members_word).to_lowercase()}" · "
            <a href=source_href>{source_name}</a>
        </p>
        <form class="card stack qc-form" on:submit=submit novalidate>
            <div class="field">
                <label for="qc-kind">{lang.t(M::QcActivity)}</label>
                <select id="qc-kind" aria-describedby="qc-kind-note" on:change=move |ev| kind.set(event_target_value(&ev))>
                    {KINDS.iter().map(|k| {
                        let disabled = *k == ActivityKind::Email && accounts_only;
                        view! { <option value=k.code() selected=*k == ActivityKind::Call disabled=disabled>{lang.t(activity_label(*k))}</option> }
                    }).collect_view()}
                </select>
                {accounts_only.then(|| view! { <span class="hint" id="qc-kind-note">{lang.t(M::QcEmailForPeople)}</span> })}
                {field_error("activity_kind")}
            </div>
            <Show when=is_email>
                <p class="hint" id="qc-email-note">{lang.t(M::QcEmailNote)}</p>
            </Show>
            <div class="field">
                <label for="qc-subject">{move || lang.t(if is_email() { M::QcEmailSubject } else { M::Subject })}</label>
                <input id="qc-subject" type="text" maxlength="200" required prop:value=move || subject.get() on:input=move |ev| subject.set(event_target_value(&ev))/>
                {field_error("subject")}
                {field_error("email_subject")}
            </div>
            <Show when=is_email>
                <div class="field">
                    <label for="qc-email-body">{lang.t(M::QcEmailBody)}</label>
                    <textarea id="qc-email-body" rows="10" maxlength="50000" prop:value=move || email_body.get() on:input=move |ev| email_body.set(event_target_value(&ev))></textarea>
                    {field_error("email_body")}
                    <div class="merge-fields" role="group" aria-label=lang.t(M::QcMergeFields)>
                        <span class="hint">{lang.t(M::QcMergeFields)}" "</span>
                        {MERGE_FIELDS.iter().map(|f| view! {
                            <button type="button" class="btn btn-ghost btn-small" on:click=move |_| email_body.update(|b| b.push_str(f))>{*f}</button>
                        }).collect_view()}
                    </div>
                </div>
                <div class="field">
                    <button type="button" class="btn" id="qc-preview-mail" on:click=show_preview.clone()>{lang.t(M::QcPreviewMail)}</button>
                    {move || mail_preview.get().map(|p| match p {
                        Ok((s, b)) => view! { <div class="card mail-preview" id="qc-mail-preview"><strong>{s}</strong><pre>{b}</pre></div> }.into_any(),
                        Err(e) => view! { <p class="banner banner-error" role="alert">{error_text(lang, &e)}</p> }.into_any(),
                    })}
                </div>
            </Show>
            <Show when=move || !is_email()>
                <div class="field">
                    <label for="qc-description">{lang.t(M::Description)}</label>
                    <textarea id="qc-description" rows="3" prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev))></textarea>
                    {field_error("description")}
                </div>
                <div class="field">
                    <label for="qc-due">{lang.t(M::QcDue)}</label>
                    <input id="qc-due" type="datetime-local" prop:value=move || due.get() on:input=move |ev| due.set(event_target_value(&ev))/>
                    {field_error("due")}
                </div>
                <div class="field">
                    <label for="qc-priority">{lang.t(M::Priority)}</label>
                    <select id="qc-priority" prop:value=move || priority.get() on:change=move |ev| priority.set(event_target_value(&ev))>
                        {Priority::ALL.iter().map(|p| view! { <option value=p.code() selected=*p == Priority::Normal>{lang.t(priority_label(*p))}</option> }).collect_view()}
                    </select>
                </div>
            </Show>
            <fieldset class="field">
                <legend>{move || lang.t(if is_email() { M::QcSendFrom } else { M::QcAssignTo })}</legend>
                {[(AssignRule::Owner, M::QcAssignOwner), (AssignRule::Me, M::QcAssignMe), (AssignRule::RoundRobin, M::QcAssignRoundRobin)]
                    .into_iter()
                    .map(|(r, label)| view! {
                        <label class="check">
                            <input type="radio" name="qc-rule" value=r.code() checked=r == AssignRule::Owner on:change=move |_| rule.set(r.code().to_string())/>
                            {lang.t(label)}
                        </label>
                    })
                    .collect_view()}
                {field_error("assign_rule")}
            </fieldset>
            <Show when=move || rule.get() == "round_robin">
                <div class="field">
                    <label for="qc-team">{lang.t(M::QcTeam)}</label>
                    <select id="qc-team" on:change=move |ev| team.set(event_target_value(&ev))>
                        <option value="">{lang.t(M::QcChosenUsers)}</option>
                        {move || teams.with_value(|ts| ts.iter().map(|tm| view! { <option value=tm.id.to_string()>{tm.label.clone()}</option> }).collect_view())}
                    </select>
                    {field_error("team_id")}
                </div>
                <Show when=move || team.get().is_empty()>
                    <fieldset class="field check-group" id="qc-users">
                        <legend>{lang.t(M::QcUsers)}</legend>
                        {move || users.with_value(|us| us.iter().map(|u| {
                            let id = u.id;
                            view! {
                                <label class="check">
                                    <input type="checkbox" value=id.to_string() prop:checked=move || chosen.with(|c| c.contains(&id)) on:change=move |_| chosen.update(|c| if c.contains(&id) { c.retain(|x| *x != id) } else { c.push(id) })/>
                                    {u.label.clone()}
                                </label>
                            }
                        }).collect_view())}
                        {field_error("assignees")}
                    </fieldset>
                </Show>
            </Show>
            <div class="field">
                <label for="qc-name">{lang.t(M::QcName)}</label>
                <input id="qc-name" type="text" maxlength="120" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                {field_error("name")}
            </div>
            {move || error.get().filter(|e| e.field().is_none_or(|f| !["subject", "description", "due", "assign_rule", "team_id", "assignees", "name", "activity_kind", "email_subject", "email_body"].contains(&f)))
                .map(|e| view! { <div class="banner banner-error" role="alert">{error_text(lang, &e)}</div> })}
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" disabled=move || pending.get()>{lang.t(M::QcStart)}</button>
            </div>
        </form>
    }
}

#[component]
pub fn QuickCampaignPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let qm = use_query_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|i| i.parse::<i64>().ok()).unwrap_or(0)));
    let outcome = Memo::new(move |_| qm.with(|m| m.get("outcome").unwrap_or_default()));
    let after = Memo::new(move |_| qm.with(|m| m.get("after").and_then(|a| a.parse::<i64>().ok()).unwrap_or(0)));
    let refresh = RwSignal::new(0u32);
    let campaign = Resource::new(move || (id.get(), refresh.get()), |(id, _)| get_quick_campaign(id));
    let members =
        Resource::new(move || (id.get(), outcome.get(), after.get(), refresh.get()), |(id, o, a, _)| quick_campaign_members(id, o, a));
    let closed = RwSignal::new(false);
    view! {
        <Transition fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match campaign.await {
                    Err(e) => view! { <RecordError error=e/> }.into_any(),
                    Ok(c) => {
                        let job = (c.status == "running" && !closed.get_untracked()).then_some(c.job_id).flatten();
                        let title = if c.activity_kind == "email" { M::QcSendingMail } else { M::QcDistributing };
                        view! {
                            <Title text=c.name.clone()/>
                            <CampaignHead c=c.clone()/>
                            {job.map(|j| view! {
                                <JobProgress id=j title=title on_finished=move |_| refresh.update(|n| *n += 1) on_close=move |_| closed.set(true)/>
                            })}
                            <CampaignFigures c=c.clone()/>
                        }
                        .into_any()
                    }
                }
            })}
        </Transition>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let page = members.await;
                let c = campaign.await.ok();
                match (page, c) {
                    (Ok(p), Some(c)) => view! { <MembersTable c=c rows=p.rows next=p.next_cursor outcome=outcome.get_untracked()/> }.into_any(),
                    (Err(e), _) => view! { <p class="banner banner-error" role="alert">{error_text(lang, &e)}</p> }.into_any(),
                    _ => ().into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn CampaignHead(c: QuickCampaignView) -> impl IntoView {
    let lang = use_lang();
    let source = match (&c.list_id, &c.query) {
        (Some(id), _) => Some((format!("/marketing/lists/{id}"), c.list_name.clone().unwrap_or_else(|| format!("#{id}")))),
        (None, Some(q)) => Some((format!("/find?query={}", urlencode(q)), lang.t(M::FindTitle).to_string())),
        _ => None,
    };
    let letters = (c.activity_kind == "letter").then(|| format!("/export/quick-campaigns/{}/letters", c.id));
    view! {
        <div class="page-head">
            <h1>{c.name.clone()}</h1>
            <span class="badge" id="qc-status">{status_text(lang, &c.status)}</span>
        </div>
        <p class="muted">
            {kind_text(lang, &c.activity_kind)}" · “"{c.subject.clone()}"” · "{lang.t(M::QcDue)}" "{format_local(lang, &c.due_at)}" · "
            {lang.t(M::QcStartedBy)}" "{c.started_by.clone()}" "{format_local(lang, &c.created_at)}
            {source.map(|(href, name)| view! { " · "{lang.t(M::QcMembersFrom)}" "<a href=href>{name}</a> })}
        </p>
        {c.description.clone().map(|d| view! { <p class="qc-description">{d}</p> })}
        {letters.map(|base| view! {
            <p class="export-links" id="qc-letters">
                <span class="muted">{lang.t(M::QcLetters)}" "</span>
                <a href=format!("{base}.pdf") rel="external" download="" class="btn btn-ghost">{lang.t(M::QcLettersPdf)}</a>
                <a href=format!("{base}.zip") rel="external" download="" class="btn btn-ghost">{lang.t(M::QcLettersZip)}</a>
                <span class="muted">" · "{lang.t(M::QcMailMerge)}" "</span>
                <a href=format!("{base}.csv") rel="external" download="" class="btn btn-ghost">{lang.t(M::ExportCsv)}</a>
                <a href=format!("{base}.xlsx") rel="external" download="" class="btn btn-ghost">{lang.t(M::ExportXlsx)}</a>
            </p>
        })}
    }
}

/// The campaign's figures: reached and skipped (with why), and each assignee's done and open
/// activities as a bar.
#[component]
fn CampaignFigures(c: QuickCampaignView) -> impl IntoView {
    let lang = use_lang();
    let max = c.progress.iter().map(|p| p.open + p.completed + p.cancelled).max().unwrap_or(0).max(1);
    let email = c.activity_kind == "email";
    view! {
        <div class="kpis">
            <div class="kpi"><span class="kpi-label">{lang.t(M::QcMembers)}</span><span class="kpi-value" id="qc-total">{format_int(lang, c.total)}</span></div>
            <div class="kpi"><span class="kpi-label">{lang.t(if email { M::QcSent } else { M::QcCreated })}</span><span class="kpi-value" id="qc-created">{format_int(lang, c.created_count)}</span></div>
            <div class="kpi"><span class="kpi-label">{lang.t(if email { M::QcNotSent } else { M::QcSkipped })}</span><span class="kpi-value" id="qc-skipped">{format_int(lang, c.skipped_count)}</span></div>
            {email.then(|| view! {
                <div class="kpi"><span class="kpi-label">{lang.t(M::QcUnsubscribed)}</span><span class="kpi-value" id="qc-unsubscribed">{format_int(lang, c.unsubscribed)}</span></div>
            })}
        </div>
        {(!c.skipped.is_empty()).then(|| view! {
            <section class="card">
                <h2>{lang.t(M::QcSkippedWhy)}</h2>
                <ul class="qc-reasons">
                    {c.skipped.iter().map(|(r, n)| view! { <li>{reason_text(lang, r)}": "<strong>{format_int(lang, *n)}</strong></li> }).collect_view()}
                </ul>
            </section>
        })}
        {(!c.progress.is_empty()).then(|| view! {
            <section class="card" aria-labelledby="qc-progress-title">
                <h2 id="qc-progress-title">{lang.t(M::QcProgress)}</h2>
                <table class="table qc-progress" id="qc-progress">
                    <thead><tr><th>{lang.t(M::QcAssignee)}</th><th class="num">{lang.t(M::ActCompleted)}</th><th class="num">{lang.t(M::ActOpen)}</th><th class="hide-sm">" "</th></tr></thead>
                    <tbody>
                        {c.progress.iter().map(|p| {
                            let all = p.open + p.completed + p.cancelled;
                            let done_w = format!("width: {}%", p.completed * 100 / max);
                            let open_w = format!("width: {}%", p.open * 100 / max);
                            let label = format!("{}: {} / {}", p.name, p.completed, all);
                            view! {
                                <tr>
                                    <td>{p.name.clone()}</td>
                                    <td class="num">{format_int(lang, p.completed)}</td>
                                    <td class="num">{format_int(lang, p.open)}</td>
                                    <td class="hide-sm qc-bar-cell">
                                        <div class="qc-bar" role="img" aria-label=label>
                                            <span class="qc-bar-done" style=done_w></span>
                                            <span class="qc-bar-open" style=open_w></span>
                                        </div>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </section>
        })}
    }
}

#[component]
fn MembersTable(
    c: QuickCampaignView,
    rows: Vec<crate::domain::quick_campaign::QuickMemberRow>,
    next: Option<String>,
    outcome: String,
) -> impl IntoView {
    let lang = use_lang();
    let base = format!("/marketing/quick-campaigns/{}", c.id);
    let filters: &[(&str, M)] = if c.activity_kind == "email" {
        &[("", M::QcAll), ("sent", M::QcSentOne), ("failed", M::QcFailedOne), ("skipped", M::QcSkipped)]
    } else {
        &[("", M::QcAll), ("created", M::QcCreated), ("skipped", M::QcSkipped)]
    };
    let next = next.map(|n| if outcome.is_empty() { format!("{base}?after={n}") } else { format!("{base}?outcome={outcome}&after={n}") });
    let kind = c.member_kind.clone();
    view! {
        <section class="card" aria-labelledby="qc-members-title">
            <h2 id="qc-members-title">{lang.t(M::QcMembers)}</h2>
            <nav class="filters" aria-label=lang.t(M::Filter)>
                {filters.iter().copied().map(|(o, label)| {
                    let href = if o.is_empty() { base.clone() } else { format!("{base}?outcome={o}") };
                    let current = o == outcome;
                    view! { <a class=if current { "btn btn-small" } else { "btn btn-ghost btn-small" } href=href aria-current=current.then_some("page")>{lang.t(label)}</a> }
                }).collect_view()}
            </nav>
            {if rows.is_empty() {
                view! { <p class="empty">{lang.t(M::NoResults)}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="table" id="qc-members">
                            <thead><tr><th>{lang.t(M::Name)}</th><th>{lang.t(M::Outcome)}</th><th>{lang.t(M::QcAssignee)}</th></tr></thead>
                            <tbody>
                                {rows.into_iter().map(|r| {
                                    let mut outcome = match (r.outcome.as_str(), &r.reason) {
                                        ("created", _) => lang.t(M::QcCreatedOne).to_string(),
                                        ("sent", _) => lang.t(M::QcSentOne).to_string(),
                                        ("queued" | "sending", _) => lang.t(M::QcQueued).to_string(),
                                        ("failed", Some(reason)) => format!("{} · {}", lang.t(M::QcFailedOne), reason_text(lang, reason)),
                                        (_, Some(reason)) => format!("{} · {}", lang.t(M::QcSkippedOne), reason_text(lang, reason)),
                                        (o, None) => o.to_string(),
                                    };
                                    if let Some(d) = &r.detail {
                                        outcome.push_str(&format!(" ({d})"));
                                    }
                                    if r.unsubscribed {
                                        outcome.push_str(&format!(" · {}", lang.t(M::QcUnsubscribed)));
                                    }
                                    view! {
                                        <tr>
                                            <td><A href=member_path(&kind, r.member_id)>{r.name}</A></td>
                                            <td>{match r.activity_id {
                                                Some(a) => view! { <A href=format!("/activities/{a}")>{outcome}</A> }.into_any(),
                                                None => view! { <span>{outcome}</span> }.into_any(),
                                            }}</td>
                                            <td>{r.assignee.unwrap_or_default()}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                .into_any()
            }}
            {next.map(|h| view! { <nav class="pager"><a class="btn" href=h rel="next">{lang.t(M::Next)}</a></nav> })}
        </section>
    }
}
