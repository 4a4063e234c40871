//! `/marketing/lists/:id`: a marketing list — its figures (members, to reach, left out, contact
//! preferences), its details, its members with filters and export, and for an unlocked static list the
//! ways to add and remove members (pasted record links or ids, a file); lock, copy to a static list,
//! delete, and the list's history. Members are ticked one by one or "all N matching" (the record lists'
//! bulk pattern) to take them off the list, add them to another or export them. The members' filters
//! live in the URL, so the page reads without JavaScript and its forms work without it too.

use crate::api::accounts::get_lookups;
use crate::api::marketing::{
    delete_marketing_list, get_marketing_list, list_marketing_members, marketing_list_history, ChangeMembersByLinks, CopyMarketingList,
    LockMarketingList,
};
use crate::components::bulk::{BulkResult, BulkState, PageCheckbox, RowCheckbox};
use crate::components::context::{confirm, t, use_lang};
use crate::components::history::{HistoryPanel, RecordTabs};
use crate::components::marketing_list_form::{kind_label, type_label, ListForm, Preset};
use crate::components::member_bulk::MemberBulkBar;
use crate::components::toast::use_toasts;
use crate::components::{kpi, ErrorBanner, Loading, RecordError};
use crate::domain::find::FindQuery;
use crate::domain::marketing::{
    ListType, MarketingList, MarketingListView, MemberChange, MemberFlag, MemberKind, MemberRow, MembersQuery, MAX_FILE_ROWS,
};
use crate::domain::text::urlencode;
use crate::domain::{Lookups, Page};
use crate::error::{AppError, Problem};
use crate::i18n::labels::{error_text, field_message};
use crate::i18n::{format_date, format_int, format_money, Lang, M};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

/// Where the member file form posts (served by the server's `marketing` routes).
const UPLOAD_PATH: &str = "/marketing/members/upload";

#[component]
pub fn MarketingListPage() -> impl IntoView {
    let lang = use_lang();
    let toasts = use_toasts();
    let params = use_params_map();
    let qm = use_query_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse::<i64>().ok()).unwrap_or(0)));
    let history_tab = Memo::new(move |_| qm.with(|q| q.get("tab").unwrap_or_default() == "history"));
    let mq = Memo::new(move |_| {
        qm.with(|m| {
            let g = |k: &str| m.get(k).unwrap_or_default();
            MembersQuery { q: g("q"), flag: g("flag"), all: g("all"), cursor: g("cursor"), ..Default::default() }
        })
    });
    let reload = RwSignal::new(0u32);
    let lock = ServerAction::<LockMarketingList>::new();
    let links = ServerAction::<ChangeMembersByLinks>::new();
    let copy = ServerAction::<CopyMarketingList>::new();
    // Ticks are forgotten when the list or the members' filters change (not on the next page).
    let bulk = BulkState::watching(Memo::new(move |_| (id.get(), MembersQuery { cursor: String::new(), ..mq.get() })));
    let changes = move || (reload.get(), lock.version().get(), links.version().get(), bulk.changed.get());
    let list = Resource::new(move || (id.get(), changes()), |(id, _)| get_marketing_list(id));
    let members = Resource::new(move || (id.get(), mq.get(), changes()), |(id, q, _)| list_marketing_members(id, q));
    let history = Resource::new(
        move || (id.get(), history_tab.get(), changes()),
        |(id, wanted, _)| async move {
            if wanted {
                marketing_list_history(id).await
            } else {
                Ok(Vec::new())
            }
        },
    );
    let lookups = Resource::new(|| (), |_| get_lookups());
    Effect::new(move || match lock.value().get() {
        Some(Ok(_)) => toasts.push(
            lang.t(if lock.input().get_untracked().is_some_and(|i| i.locked) { M::MlLockedToast } else { M::MlUnlockedToast }),
            false,
        ),
        Some(Err(e)) => toasts.push(error_text(lang, &e), true),
        None => {}
    });
    let navigate = use_navigate();
    Effect::new(move || match copy.value().get() {
        Some(Ok(new_id)) => {
            toasts.push(lang.t(M::MlCopied), false);
            navigate(&format!("/marketing/lists/{new_id}"), Default::default());
        }
        Some(Err(e)) => toasts.push(error_text(lang, &e), true),
        None => {}
    });
    let on_saved = Callback::new(move |_| {
        toasts.push(lang.t(M::Saved), false);
        reload.update(|n| *n += 1);
    });
    view! {
        <Transition fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                let view = match list.await {
                    Err(e) => return view! { <RecordError error=e/> }.into_any(),
                    Ok(v) => v,
                };
                let lk = lookups.await.unwrap_or_default();
                let tab = history_tab.get();
                let body = if tab {
                    let rows = history.await;
                    view! { <HistoryPanel rows=rows/> }.into_any()
                } else {
                    view! { <ListBody view=view.clone() lookups=lk q=mq.get() links=links on_saved=on_saved/> }.into_any()
                };
                view! {
                    <ListHead list=view.list.clone() lock=lock copy=copy/>
                    <RecordTabs base=format!("/marketing/lists/{}", view.list.id) history=tab/>
                    {body}
                }
                .into_any()
            })}
        </Transition>
        // The job's progress outlives the members' reloads (which its end sets off), so it stays out
        // of their transition.
        <Show when=move || !history_tab.get()>
            <BulkResult state=bulk/>
            <Transition fallback=|| view! { <Loading/> }>
                {move || Suspend::new(async move {
                    match (list.await, members.await) {
                        (Ok(view), page) => view! { <MembersTable list=view.list page=page q=mq.get() bulk=bulk/> }.into_any(),
                        // The page above says why.
                        (Err(_), _) => ().into_any(),
                    }
                })}
            </Transition>
        </Show>
    }
}

/// Title, badges and the list's actions: lock or unlock, copy to a static list, delete.
#[component]
fn ListHead(list: MarketingList, lock: ServerAction<LockMarketingList>, copy: ServerAction<CopyMarketingList>) -> impl IntoView {
    let lang = use_lang();
    let toasts = use_toasts();
    let navigate = use_navigate();
    let (id, version, locked) = (list.id, list.version, list.locked);
    let on_delete = move |_| {
        let navigate = navigate.clone();
        if confirm(lang.t(M::MlConfirmDelete)) {
            leptos::task::spawn_local(async move {
                match delete_marketing_list(id, version).await {
                    Ok(()) => {
                        toasts.push(lang.t(M::Deleted), false);
                        navigate("/marketing/lists", Default::default());
                    }
                    Err(e) => toasts.push(error_text(lang, &e), true),
                }
            });
        }
    };
    view! {
        <Title text=list.name.clone()/>
        <div class="page-head">
            <div>
                <p class="crumbs"><A href="/marketing/lists">{t(M::MarketingLists)}</A></p>
                <h1>{list.name.clone()}</h1>
                <p class="muted">
                    <span class="badge">{t(kind_label(list.member_kind))}</span>" "
                    <span class="badge">{t(type_label(list.list_type))}</span>
                    {locked.then(|| view! { " " <span class="badge badge-muted" id="locked-badge">{t(M::MlLocked)}</span> })}
                    " · "{t(M::Owner)}": "{list.owner_name.clone()}
                </p>
            </div>
            <div class="head-actions">
                <A href=format!("/marketing/quick-campaigns/new?list={id}") attr:class="btn btn-primary" attr:id="list-quick-campaign">{t(M::QcQuickCampaign)}</A>
                <ActionForm action=lock attr:class="inline-form" attr:id="lock-form">
                    <input type="hidden" name="id" value=id.to_string()/>
                    <input type="hidden" name="version" value=version.to_string()/>
                    <input type="hidden" name="locked" value=(!locked).to_string()/>
                    <button type="submit" class="btn">{t(if locked { M::MlUnlock } else { M::MlLock })}</button>
                </ActionForm>
                <ActionForm action=copy attr:class="inline-form">
                    <input type="hidden" name="id" value=id.to_string()/>
                    <button type="submit" class="btn">{t(M::MlCopyToStatic)}</button>
                </ActionForm>
                {(!locked).then(|| view! { <button type="button" class="btn btn-danger" on:click=on_delete>{t(M::Delete)}</button> })}
            </div>
        </div>
    }
}

/// The details tab: figures, details form, and the members.
#[component]
fn ListBody(
    view: MarketingListView,
    lookups: Lookups,
    q: MembersQuery,
    links: ServerAction<ChangeMembersByLinks>,
    on_saved: Callback<i64>,
) -> impl IntoView {
    let lang = use_lang();
    let MarketingListView { list, summary: s } = view;
    let changeable = list.list_type == ListType::Static && !list.locked;
    let find_link = list
        .query
        .as_deref()
        .and_then(|q| serde_json::from_str::<FindQuery>(q).ok())
        .map(|fq| (format!("/find?query={}", urlencode(&fq.to_param())), fq.condition_count() as i64));
    let cost = (list.cost_minor != 0).then(|| format_money(lang, list.cost_minor, list.currency.code()));
    view! {
        <div class="kpis" id="member-figures">
            {kpi(M::MlMemberCount, format_int(lang, s.total), None, None)}
            {kpi(M::MlToReach, format_int(lang, s.to_reach()), None, None)}
            {(s.left_out > 0).then(|| kpi(M::MlLeftOut, format_int(lang, s.left_out), None, Some(format!("/marketing/lists/{}?all=1", list.id))))}
            {(list.member_kind != MemberKind::Account).then(|| view! {
                {kpi(M::MlDoNotEmail, format_int(lang, s.do_not_email), None, None)}
                {kpi(M::MlDoNotCall, format_int(lang, s.do_not_call), None, None)}
                {kpi(M::MlDoNotMail, format_int(lang, s.do_not_mail), None, None)}
            })}
            {cost.map(|c| kpi(M::MlCost, c, None, None))}
        </div>
        {list.locked.then(|| view! { <p class="banner banner-warning">{t(M::MlLockedNote)}</p> })}
        {(list.list_type == ListType::Dynamic).then(|| view! {
            <p class="banner">
                {t(M::MlDynamicNote)}
                {find_link.clone().map(|(href, n)| view! {
                    " "{t(M::MlConditions)}": "{format_int(lang, n)}" · "<a href=href>{t(M::MlOpenInFind)}</a>
                })}
            </p>
        })}
        <details class="card" open=false>
            <summary>{t(M::Details)}</summary>
            <ListForm list=Some(list.clone()) lookups=lookups preset=Preset::default() on_saved=on_saved/>
        </details>
        <h2 id="members">{t(M::MlMembers)}</h2>
        {changeable.then(|| view! { <AddMembers list_id=list.id links=links/> })}
        <MemberFilters list=list q=q/>
    }
}

/// "Added 2 · Already members 1 · Skipped 1" — the parts of a change that happened.
fn change_text(lang: Lang, c: &MemberChange) -> String {
    let mut parts = Vec::new();
    for (n, m) in [
        (c.added, M::MlAdded),
        (c.already, M::MlAlready),
        (c.removed, M::MlRemoved),
        (c.not_members, M::MlNotMembers),
        (c.skipped, M::MlSkipped),
    ] {
        if n > 0 {
            parts.push(format!("{}: {}", lang.t(m), format_int(lang, n)));
        }
    }
    if parts.is_empty() {
        parts.push(format!("{}: 0", lang.t(M::MlAdded)));
    }
    parts.join(" · ")
}

/// Adding or removing members by pasted links or ids, and by a file.
#[component]
fn AddMembers(list_id: i64, links: ServerAction<ChangeMembersByLinks>) -> impl IntoView {
    let lang = use_lang();
    let qm = use_query_map();
    let error = Signal::derive(move || links.value().get().and_then(|r| r.err()));
    let outcome = move || {
        links.value().get().and_then(|r| r.ok()).map(|c| {
            let invalid = (!c.invalid.is_empty()).then(|| format!(" · {}: {}", lang.t(M::MlInvalidRefs), c.invalid.join(", ")));
            view! { <p class="banner banner-ok" role="status" id="links-outcome">{change_text(lang, &c)}{invalid}</p> }
        })
    };
    // The file's outcome comes back in the URL (the upload is a plain form that redirects here).
    let file_outcome = move || {
        qm.with(|m| {
            let n = |k: &str| m.get(k).and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
            if let Some(code) = m.get("file_error") {
                let problem = match code.as_str() {
                    "too_large" => Problem::FileTooLarge((crate::domain::marketing::MAX_FILE_BYTES >> 20) as i64),
                    "type" => Problem::FileTypeNotAllowed,
                    "empty" => Problem::EmptyFile,
                    "no_key" => Problem::NoKeyColumn,
                    "required" => Problem::Required,
                    "too_many_rows" => Problem::OutOfRange(1, MAX_FILE_ROWS as i64),
                    "locked" => Problem::Locked,
                    "dynamic" => Problem::DynamicMembers,
                    _ => return Some(
                        view! { <p class="banner banner-error" role="alert" id="file-outcome">{error_text(lang, &AppError::Internal)}</p> }
                            .into_any(),
                    ),
                };
                let text = field_message(lang, "file", &problem);
                return Some(view! { <p class="banner banner-error" role="alert" id="file-outcome">{text}</p> }.into_any());
            }
            m.get("file")?;
            let c = MemberChange {
                added: n("added"),
                already: n("already"),
                removed: n("removed"),
                not_members: n("not_members"),
                skipped: n("skipped"),
                ..Default::default()
            };
            let unmatched = n("unmatched");
            let rows = m.get("rows").unwrap_or_default();
            let shown = rows.split(',').filter(|r| !r.is_empty()).count() as i64;
            let more = (unmatched > shown).then(|| format!(" {} {}", lang.t(M::MlAndMore), format_int(lang, unmatched - shown)));
            let unmatched_text = (unmatched > 0).then(|| {
                format!(
                    " · {} ({}): {}{}",
                    lang.t(M::MlUnmatchedRows),
                    format_int(lang, unmatched),
                    rows.replace(',', ", "),
                    more.unwrap_or_default()
                )
            });
            Some(
                view! { <p class="banner banner-ok" role="status" id="file-outcome">{change_text(lang, &c)}{unmatched_text}</p> }
                    .into_any(),
            )
        })
    };
    view! {
        <section class="card" id="add-members">
            <h3>{t(M::MlAddMembers)}</h3>
            <ActionForm action=links attr:class="form-grid" attr:id="links-form">
                <ErrorBanner error=error fields=&["refs"]/>
                <input type="hidden" name="list_id" value=list_id.to_string()/>
                <div class="field field-wide" class:has-error=move || error.get().is_some_and(|e| e.field() == Some("refs"))>
                    <label for="f-refs">{t(M::MlRefs)}</label>
                    <textarea id="f-refs" name="refs" rows="3"></textarea>
                    <small class="hint">{t(M::MlRefsHint)}</small>
                    <small class="error" role="alert">
                        {move || error.get().and_then(|e| match e {
                            AppError::Validation { field, problem } if field == "refs" => Some(field_message(lang, &field, &problem)),
                            _ => None,
                        })}
                    </small>
                </div>
                <div class="field">
                    <label for="f-links-mode">{t(M::MlMode)}</label>
                    <select id="f-links-mode" name="remove">
                        <option value="false">{t(M::Add)}</option>
                        <option value="true">{t(M::Remove)}</option>
                    </select>
                </div>
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary" disabled=move || links.pending().get()>{t(M::MlApply)}</button>
                </div>
            </ActionForm>
            {outcome}
            <h3>{t(M::MlFromFile)}</h3>
            <form method="POST" action=UPLOAD_PATH enctype="multipart/form-data" class="form-grid" id="file-form">
                <input type="hidden" name="list_id" value=list_id.to_string()/>
                <div class="field">
                    <label for="f-members-file">{t(M::File)}</label>
                    <input id="f-members-file" type="file" name="file" accept=".csv,.txt,.tsv,.xlsx" required/>
                </div>
                <div class="field">
                    <label for="f-file-mode">{t(M::MlMode)}</label>
                    <select id="f-file-mode" name="mode">
                        <option value="add">{t(M::MlFileAdd)}</option>
                        <option value="remove">{t(M::MlFileRemove)}</option>
                    </select>
                </div>
                <p class="muted small field-wide">{t(M::MlFileHint)}</p>
                <div class="form-actions"><button type="submit" class="btn">{t(M::MlUpload)}</button></div>
            </form>
            {file_outcome}
        </section>
    }
}

/// The members' filters (in the URL): text, a contact preference, and whether left-out members show;
/// with the export of what they select.
#[component]
fn MemberFilters(list: MarketingList, q: MembersQuery) -> impl IntoView {
    let lang = use_lang();
    let path = format!("/marketing/lists/{}", list.id);
    let (csv, xlsx) = ["csv", "xlsx"].map(|ext| q.href(&format!("/export/marketing-lists/{}/members.{ext}", list.id), "")).into();
    let people = list.member_kind != MemberKind::Account;
    let flag_label = |f: MemberFlag| match f {
        MemberFlag::DoNotEmail => M::MlDoNotEmail,
        MemberFlag::DoNotCall => M::MlDoNotCall,
        MemberFlag::DoNotMail => M::MlDoNotMail,
        MemberFlag::NoRestriction => M::MlNoRestriction,
    };
    view! {
        <Form method="GET" action=path.clone() attr:class="filters" attr:role="search" attr:id="member-filters">
            <input type="search" name="q" value=q.q.clone() placeholder=lang.t(M::SearchPlaceholder) aria-label=lang.t(M::Search)/>
            {people.then(|| view! {
                <select name="flag" aria-label=lang.t(M::MlFlags)>
                    <option value="">{lang.t(M::MlAnyPreference)}</option>
                    {MemberFlag::ALL.iter().map(|f| view! { <option value=f.code() selected=q.flag == f.code()>{lang.t(flag_label(*f))}</option> }).collect_view()}
                </select>
            })}
            {(list.member_kind != MemberKind::Contact).then(|| view! {
                <label class="inline check">
                    <input type="checkbox" name="all" value="1" checked=q.show_left_out()/>
                    {lang.t(M::MlShowLeftOut)}
                </label>
            })}
            <button type="submit" class="btn">{lang.t(M::Filter)}</button>
            <a class="btn btn-ghost" href=path>{lang.t(M::ClearFilters)}</a>
            <span class="export-links">
                <a href=csv rel="external" download="" class="btn btn-ghost">{t(M::ExportCsv)}</a>
                <a href=xlsx rel="external" download="" class="btn btn-ghost">{t(M::ExportXlsx)}</a>
            </span>
        </Form>
    }
}

/// The members, a page at a time, each with a box for the bar of actions on a selection.
#[component]
fn MembersTable(list: MarketingList, page: Result<Page<MemberRow>, AppError>, q: MembersQuery, bulk: BulkState) -> impl IntoView {
    let lang = use_lang();
    let p = match page {
        Err(e) => return view! { <p class="banner banner-error">{error_text(lang, &e)}</p> }.into_any(),
        Ok(p) if p.rows.is_empty() => return view! { <p class="empty">{t(M::MlNoMembers)}</p> }.into_any(),
        Ok(p) => p,
    };
    let kind = list.member_kind;
    let detail = match kind {
        MemberKind::Account => M::City,
        MemberKind::Contact => M::Account,
        MemberKind::Lead => M::Company,
    };
    let left_out = if kind == MemberKind::Account { M::MlInactive } else { M::LeadDisqualified };
    let path = format!("/marketing/lists/{}", list.id);
    let shown = p.rows.len();
    let first = (!q.cursor.is_empty()).then(|| q.href(&path, ""));
    let next = p.next_cursor.as_deref().map(|c| q.href(&path, c));
    let total = if p.total > p.total_cap { format!("{}+", format_int(lang, p.total_cap)) } else { format_int(lang, p.total) };
    let static_list = list.list_type == ListType::Static;
    let picks: Vec<(i64, i64)> = p.rows.iter().map(|r| (r.id, r.version)).collect();
    let rows = p
        .rows
        .into_iter()
        .map(|r| {
            let flags = [(r.do_not_email, M::MlDoNotEmail), (r.do_not_call, M::MlDoNotCall), (r.do_not_mail, M::MlDoNotMail)];
            view! {
                <tr data-member=r.id.to_string()>
                    <td class="bulk-col"><RowCheckbox state=bulk id=r.id version=r.version label=r.name.clone() page=picks.clone()/></td>
                    <td><a href=kind.path(r.id)>{r.name.clone()}</a></td>
                    <td>{r.detail.clone()}</td>
                    <td class="hide-sm">{r.email.clone()}</td>
                    <td class="hide-sm">{r.phone.clone()}</td>
                    <td class="hide-sm">{r.owner_name.clone()}</td>
                    <td>
                        {flags.into_iter().filter(|(on, _)| *on).map(|(_, m)| view! { <span class="badge badge-muted">{lang.t(m)}</span>" " }).collect_view()}
                        {r.left_out.then(|| view! { <span class="badge badge-lost">{lang.t(left_out)}</span> })}
                    </td>
                    {static_list.then(|| view! { <td class="hide-sm">{r.added_at.as_deref().map(|a| format_date(lang, a))}</td> })}
                </tr>
            }
        })
        .collect_view();
    let table = view! {
        <div class="table-wrap">
            <table class="table" id="members-table">
                <thead>
                    <tr>
                        <th class="bulk-col"><PageCheckbox state=bulk page=picks.clone()/></th>
                        <th>{t(M::Name)}</th>
                        <th>{t(detail)}</th>
                        <th class="hide-sm">{t(M::Email)}</th>
                        <th class="hide-sm">{t(M::Phone)}</th>
                        <th class="hide-sm">{t(M::Owner)}</th>
                        <th>{t(M::MlFlags)}</th>
                        {static_list.then(|| view! { <th class="hide-sm">{t(M::MlAddedOn)}</th> })}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    };
    let pager = view! {
        <nav class="pager" aria-label=lang.t(M::Pagination)>
            <span class="muted">{format!("{} {} · {} {}", format_int(lang, shown as i64), lang.t(M::CardsShown), total, lang.t(M::Results))}</span>
            {first.map(|h| view! { <a class="btn btn-ghost" href=h>{t(M::FirstPage)}</a> })}
            {next.map(|h| view! { <a class="btn" href=h rel="next">{t(M::Next)}</a> })}
        </nav>
    };
    view! {
        <MemberBulkBar state=bulk list=list query=q total=p.total total_cap=p.total_cap page=picks/>
        {table}
        {pager}
    }
    .into_any()
}
