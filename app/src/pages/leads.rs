//! Leads: the list (filters in the URL) and the board by status, the new-lead form, and the lead page
//! with its form, timeline, qualification (with possible existing matches) and disqualification.

use crate::api::accounts::get_lookups;
use crate::api::leads::{
    delete_lead, find_lead_matches, get_lead, lead_board, list_leads, set_lead_status, DisqualifyLead, QualifyLead, SaveLead,
};
use crate::components::bulk::{BulkBar, BulkResult, BulkState, PageCheckbox, RowCheckbox};
use crate::components::context::confirm;
use crate::components::context::{t, use_lang};
use crate::components::fields::{SelectField, TextArea, TextField};
use crate::components::history::{history_resource, HistoryPanel, RecordTabs};
use crate::components::list::{choice_options, list_query, ExportLinks, Pager, SortSelect};
use crate::components::marketing_lists::{marketing_lists_resource, MarketingListsPanel, PreferenceBadges, PreferenceFields};
use crate::components::privacy::PersonalDataPanel;
use crate::components::timeline::{timeline_resource, RecordTimeline};
use crate::components::toast::use_toasts;
use crate::components::{ErrorBanner, Loading, RecordError};
use crate::domain::bulk::BulkList;
use crate::domain::imports::ImportEntity;
use crate::domain::marketing::MemberKind;
use crate::domain::money::Currency;
use crate::domain::{
    Lead, LeadColumn, LeadMatches, LeadRating, LeadRow, LeadStatus, ListQuery, Lookups, MatchReason, RegardingKind, StageKind,
};
use crate::i18n::labels::{error_text, lead_status_label, rating_label};
use crate::i18n::{format_date, format_money, Lang, M};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

fn source_label(lk: &Lookups, lang: Lang, id: Option<i64>) -> String {
    id.and_then(|id| lk.picklists.sources.iter().find(|s| s.id == id)).map(|s| s.label(lang).to_string()).unwrap_or_default()
}

/// An amount as the form shows it; empty for zero.
fn amount_text(minor: i64) -> String {
    if minor > 0 {
        crate::domain::money::minor_to_input(minor)
    } else {
        String::new()
    }
}

fn rating_badge(lang: Lang, r: LeadRating) -> impl IntoView {
    view! { <span class=format!("badge rating-{}", r.code())>{lang.t(rating_label(r))}</span> }
}

#[component]
pub fn LeadsPage() -> impl IntoView {
    let lang = use_lang();
    let query = list_query();
    let qm = use_query_map();
    let board_view = Memo::new(move |_| qm.with(|q| q.get("view").as_deref() == Some("board")));
    let lookups = Resource::new(|| (), |_| get_lookups());
    let bulk = BulkState::new(query);
    // One resource per view, each loading only when its view is shown.
    let page = Resource::new(
        move || (query.get(), board_view.get(), bulk.changed.get()),
        |(q, board, _)| async move {
            if board {
                Ok(None)
            } else {
                list_leads(q).await.map(Some)
            }
        },
    );
    let board = Resource::new(
        move || (query.get(), board_view.get()),
        |(q, board)| async move {
            if board {
                lead_board(q).await.map(Some)
            } else {
                Ok(None)
            }
        },
    );
    view! {
        <Title text=t(M::Leads)/>
        <div class="page-head">
            <h1>{t(M::Leads)}</h1>
            <div class="head-actions">
                <nav class="segmented" aria-label=lang.t(M::ViewList)>
                    <a href="/leads" aria-current=move || (!board_view.get()).then_some("page")>{t(M::ViewList)}</a>
                    <a href="/leads?view=board" aria-current=move || board_view.get().then_some("page")>{t(M::ViewBoard)}</a>
                </nav>
                <crate::components::views::ViewPicker entity=crate::domain::find::Entity::Lead/>
                <crate::components::list::ImportLink entity=ImportEntity::Lead/>
                <A href="/leads/new" attr:class="btn btn-primary">{t(M::NewLead)}</A>
            </div>
        </div>
        <BulkResult state=bulk/>
        <Transition fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                let q = query.get();
                let lk = lookups.await.unwrap_or_default();
                let is_board = board_view.get();
                let body = if is_board {
                    match board.await {
                        Ok(Some(cols)) => view! { <LeadBoard columns=cols lk=lk.clone()/> }.into_any(),
                        Ok(None) => ().into_any(),
                        Err(e) => view! { <p class="banner banner-error">{error_text(lang, &e)}</p> }.into_any(),
                    }
                } else {
                    match page.await {
                        Ok(Some(p)) if p.rows.is_empty() => view! { <p class="empty">{t(M::NoResults)}</p> }.into_any(),
                        Ok(Some(p)) => {
                            let shown = p.rows.len();
                            let picks: Vec<(i64, i64)> = p.rows.iter().map(|r| (r.id, r.version)).collect();
                            view! {
                                <BulkBar state=bulk list=BulkList::Leads query=q.clone() total=p.total total_cap=p.total_cap page=picks users=lk.users.clone()/>
                                <LeadTable rows=p.rows lk=lk.clone() bulk=bulk/>
                                <ExportLinks list="leads" query=q.clone()/>
                                <Pager path="/leads" query=q.clone() next=p.next_cursor total=p.total total_cap=p.total_cap shown=shown/>
                            }
                            .into_any()
                        }
                        Ok(None) => ().into_any(),
                        Err(e) => view! { <p class="banner banner-error">{error_text(lang, &e)}</p> }.into_any(),
                    }
                };
                view! {
                    <LeadFilters q=q lk=lk board=is_board/>
                    {body}
                }
            })}
        </Transition>
    }
}

#[component]
fn LeadFilters(q: ListQuery, lk: Lookups, board: bool) -> impl IntoView {
    let lang = use_lang();
    let ages = [("7", M::Age7), ("30", M::Age30), ("90", M::Age90), ("o30", M::AgeOlder30), ("o90", M::AgeOlder90)];
    view! {
        <Form method="GET" action="/leads" attr:class="filters" attr:role="search">
            {board.then(|| view! { <input type="hidden" name="view" value="board"/> })}
            <input type="search" name="q" value=q.q.clone() placeholder=lang.t(M::SearchPlaceholder) aria-label=lang.t(M::Search)/>
            {(!board).then(|| view! {
                <select name="status" aria-label=lang.t(M::Status)>
                    <option value="">{lang.t(M::AnyStatus)}</option>
                    {LeadStatus::ALL.iter().map(|s| view! { <option value=s.code() selected=q.status == s.code()>{lang.t(lead_status_label(*s))}</option> }).collect_view()}
                </select>
            })}
            <select name="rating" aria-label=lang.t(M::Rating)>
                <option value="">{lang.t(M::AnyRating)}</option>
                {LeadRating::ALL.iter().map(|r| view! { <option value=r.code() selected=q.rating == r.code()>{lang.t(rating_label(*r))}</option> }).collect_view()}
            </select>
            <select name="source" aria-label=lang.t(M::Source)>
                <option value="">{lang.t(M::AnySource)}</option>
                {lk.picklists.sources.iter().map(|s| {
                    let v = s.id.to_string();
                    let sel = v == q.source;
                    view! { <option value=v selected=sel>{s.label(lang).to_string()}</option> }
                }).collect_view()}
            </select>
            <select name="owner" aria-label=lang.t(M::Owner)>
                <option value="">{lang.t(M::AnyOwner)}</option>
                {choice_options(&lk.users, &q.owner)}
            </select>
            <select name="age" aria-label=lang.t(M::AnyAge)>
                <option value="">{lang.t(M::AnyAge)}</option>
                {ages.iter().map(|(v, m)| view! { <option value=*v selected=q.age == *v>{lang.t(*m)}</option> }).collect_view()}
            </select>
            {(!board).then(|| view! { <SortSelect options=vec![("created", M::CreatedOn), ("name", M::SortName), ("estimated", M::SortAmount)] query=q.clone()/> })}
            <button type="submit" class="btn">{lang.t(M::Filter)}</button>
            <a class="btn btn-ghost" href=if board { "/leads?view=board" } else { "/leads" }>{lang.t(M::ClearFilters)}</a>
        </Form>
    }
}

#[component]
fn LeadTable(rows: Vec<LeadRow>, lk: Lookups, bulk: BulkState) -> impl IntoView {
    let lang = use_lang();
    let picks: Vec<(i64, i64)> = rows.iter().map(|r| (r.id, r.version)).collect();
    view! {
        <div class="table-wrap">
            <table class="table">
                <thead>
                    <tr>
                        <th class="bulk-col"><PageCheckbox state=bulk page=picks.clone()/></th>
                        <th>{t(M::Name)}</th>
                        <th>{t(M::Rating)}</th>
                        <th>{t(M::Status)}</th>
                        <th class="hide-sm">{t(M::Source)}</th>
                        <th class="hide-sm num">{t(M::EstimatedValue)}</th>
                        <th class="hide-sm">{t(M::Owner)}</th>
                        <th class="hide-sm">{t(M::CreatedOn)}</th>
                    </tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|r| view! {
                            <tr>
                                <td class="bulk-col"><RowCheckbox state=bulk id=r.id version=r.version label=r.name.clone() page=picks.clone()/></td>
                                <td>
                                    <A href=format!("/leads/{}", r.id)>{r.name.clone()}</A>" "<PreferenceBadges preferences=r.preferences/>
                                    <div class="muted small">{r.email.clone()}</div>
                                </td>
                                <td>{rating_badge(lang, r.rating)}</td>
                                <td>{lang.t(lead_status_label(r.status))}</td>
                                <td class="hide-sm">{source_label(&lk, lang, r.source_id)}</td>
                                <td class="hide-sm num">{(r.estimated_minor > 0).then(|| format_money(lang, r.estimated_minor, r.currency.code()))}</td>
                                <td class="hide-sm">{r.owner_name.clone()}</td>
                                <td class="hide-sm">{format_date(lang, &r.created_at)}</td>
                            </tr>
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// Leads by status. Cards move between "new" and "contacted" by drag and drop or the status menu;
/// dropping on "qualified" or "disqualified" opens that step on the lead's page.
#[component]
fn LeadBoard(columns: Vec<LeadColumn>, lk: Lookups) -> impl IntoView {
    let lang = use_lang();
    let toasts = use_toasts();
    let navigate = use_navigate();
    let cols = RwSignal::new(columns);
    let dragging = RwSignal::new(None::<i64>);
    let over = RwSignal::new(None::<LeadStatus>);
    let lk = StoredValue::new(lk);
    let do_move = StoredValue::new(move |id: i64, to: LeadStatus| {
        if to.is_closed() {
            let step = if to == LeadStatus::Qualified { "qualify" } else { "disqualify" };
            navigate(&format!("/leads/{id}?step={step}"), Default::default());
            return;
        }
        let snapshot = cols.get_untracked();
        let Some(row) = snapshot.iter().flat_map(|c| c.rows.iter()).find(|r| r.id == id).cloned() else { return };
        if row.status == to || row.status.is_closed() {
            return;
        }
        cols.update(|cs| {
            for c in cs.iter_mut() {
                if let Some(p) = c.rows.iter().position(|r| r.id == id) {
                    c.rows.remove(p);
                    c.count -= 1;
                }
            }
            if let Some(c) = cs.iter_mut().find(|c| c.status == to) {
                let mut moved = row.clone();
                moved.status = to;
                c.rows.insert(0, moved);
                c.count += 1;
            }
        });
        leptos::task::spawn_local(async move {
            // The board shows no versions: read the current one, then move with it (a concurrent edit in
            // between is still caught by the version check).
            let result = match get_lead(id).await {
                Ok(l) => set_lead_status(id, l.version, to.code().to_string()).await,
                Err(e) => Err(e),
            };
            match result {
                Ok(_) => toasts.push(format!("{}: {}", row.name, lang.t(lead_status_label(to))), false),
                Err(e) => {
                    cols.set(snapshot);
                    toasts.push(error_text(lang, &e), true);
                }
            }
        });
    });
    view! {
        <p class="muted board-hint">{t(M::BoardHint)}</p>
        <div class="board lead-board" role="list">
            {move || {
                cols.get()
                    .into_iter()
                    .map(|col| {
                        let status = col.status;
                        view! {
                            <section
                                class="column"
                                role="listitem"
                                aria-label=lang.t(lead_status_label(status))
                                data-status=status.code()
                                class:drop-target=move || over.get() == Some(status)
                                on:dragover=move |ev| {
                                    ev.prevent_default();
                                    over.set(Some(status));
                                }
                                on:dragleave=move |_| over.set(None)
                                on:drop=move |ev| {
                                    ev.prevent_default();
                                    over.set(None);
                                    if let Some(id) = dragging.get_untracked() {
                                        dragging.set(None);
                                        do_move.with_value(|f| f(id, status));
                                    }
                                }
                            >
                                <header class="column-head">
                                    <h2>{lang.t(lead_status_label(status))} <span class="count">{col.count}</span></h2>
                                </header>
                                <div class="cards">
                                    {col.rows.into_iter().map(|r| {
                                        let id = r.id;
                                        let closed = r.status.is_closed();
                                        let source = lk.with_value(|lk| source_label(lk, lang, r.source_id));
                                        view! {
                                            <article class="opp-card" data-id=id tabindex="0" draggable=(!closed).then_some("true") aria-label=r.name.clone()
                                                on:dragstart=move |ev| {
                                                    if let Some(dt) = ev.data_transfer() {
                                                        let _ = dt.set_data("text/plain", &id.to_string());
                                                    }
                                                    dragging.set(Some(id));
                                                }
                                                on:dragend=move |_| dragging.set(None)
                                            >
                                                <a class="opp-name" href=format!("/leads/{id}") draggable="false">{r.name.clone()}</a>
                                                <div class="opp-meta">
                                                    {rating_badge(lang, r.rating)}
                                                    <span class="muted">{source}</span>
                                                </div>
                                                <div class="opp-foot">
                                                    <span class="muted">{r.owner_name.clone()}</span>
                                                    {(!closed).then(|| view! {
                                                        <select class="move-select" aria-label=format!("{} {}", lang.t(M::MoveToStatus), r.name)
                                                            on:change=move |ev| {
                                                                if let Some(to) = LeadStatus::parse(&event_target_value(&ev)) {
                                                                    do_move.with_value(|f| f(id, to));
                                                                }
                                                            }
                                                        >
                                                            <option value="" selected=true>{lang.t(M::MoveToStatus)}</option>
                                                            {LeadStatus::ALL.iter().filter(|s| **s != status).map(|s| view! { <option value=s.code()>{lang.t(lead_status_label(*s))}</option> }).collect_view()}
                                                        </select>
                                                    })}
                                                </div>
                                            </article>
                                        }
                                    }).collect_view()}
                                </div>
                            </section>
                        }
                    })
                    .collect_view()
            }}
        </div>
    }
}

#[component]
pub fn LeadForm(lead: Option<Lead>, lookups: Lookups, #[prop(into)] on_saved: Callback<i64>) -> impl IntoView {
    let lang = use_lang();
    let me = crate::components::context::session_user();
    let action = ServerAction::<SaveLead>::new();
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    Effect::new(move || {
        if let Some(Ok(id)) = action.value().get() {
            on_saved.run(id);
        }
    });
    let is_new = lead.is_none();
    let closed = lead.as_ref().is_some_and(|l| l.status.is_closed());
    let l = lead.unwrap_or(Lead {
        id: 0,
        company: None,
        first_name: None,
        last_name: None,
        title: None,
        email: None,
        phone: None,
        city: None,
        region: None,
        pib: None,
        source_id: None,
        rating: LeadRating::Warm,
        status: LeadStatus::New,
        estimated_minor: 0,
        currency: Currency::RSD,
        notes: None,
        disqualify_reason_id: None,
        disqualify_note: None,
        account: None,
        contact: None,
        opportunity: None,
        closed_at: None,
        preferences: Default::default(),
        owner_id: me.map(|m| m.id).unwrap_or(0),
        owner_name: String::new(),
        created_at: String::new(),
        version: 0,
    });
    let sources: Vec<(String, String)> = lookups
        .picklists
        .sources
        .iter()
        .filter(|s| s.active || Some(s.id) == l.source_id)
        .map(|s| (s.id.to_string(), s.label(lang).to_string()))
        .collect();
    let ratings: Vec<(String, String)> =
        LeadRating::ALL.iter().map(|r| (r.code().to_string(), lang.t(rating_label(*r)).to_string())).collect();
    let statuses: Vec<(String, String)> = LeadStatus::ALL
        .iter()
        .filter(|s| !s.is_closed() || **s == l.status)
        .map(|s| (s.code().to_string(), lang.t(lead_status_label(*s)).to_string()))
        .collect();
    let currencies: Vec<(String, String)> = Currency::ALL.iter().map(|c| (c.code().to_string(), c.code().to_string())).collect();
    let owners: Vec<(String, String)> = lookups.users.iter().map(|u| (u.id.to_string(), u.label.clone())).collect();
    let s = |o: &Option<String>| o.clone().unwrap_or_default();
    const FIELDS: &[&str] = &[
        "company",
        "first_name",
        "last_name",
        "title",
        "email",
        "phone",
        "city",
        "region",
        "pib",
        "source_id",
        "rating",
        "status",
        "estimated",
        "currency",
        "notes",
        "owner_id",
        "do_not_email",
        "do_not_call",
        "do_not_mail",
    ];
    view! {
        <ActionForm action=action attr:class="form-grid" attr:novalidate=true>
            <ErrorBanner error=error fields=FIELDS/>
            <input type="hidden" name="input[id]" value=if is_new { String::new() } else { l.id.to_string() }/>
            <input type="hidden" name="input[version]" value=l.version.to_string()/>
            <TextField label=M::Company key="company" value=s(&l.company) error=error/>
            <SelectField label=M::Rating key="rating" options=ratings selected=l.rating.code() error=error required=true/>
            <TextField label=M::FirstName key="first_name" value=s(&l.first_name) error=error/>
            <TextField label=M::LastName key="last_name" value=s(&l.last_name) error=error/>
            <TextField label=M::JobTitle key="title" value=s(&l.title) error=error/>
            <SelectField label=M::Source key="source_id" options=sources selected=l.source_id.map(|v| v.to_string()).unwrap_or_default() error=error empty=M::NoneChoice/>
            <TextField label=M::Email key="email" value=s(&l.email) error=error kind="email"/>
            <TextField label=M::Phone key="phone" value=s(&l.phone) error=error kind="tel"/>
            <TextField label=M::City key="city" value=s(&l.city) error=error/>
            <TextField label=M::Region key="region" value=s(&l.region) error=error/>
            <TextField label=M::Pib key="pib" value=s(&l.pib) error=error/>
            {(!closed).then(|| view! { <SelectField label=M::Status key="status" options=statuses.clone() selected=l.status.code() error=error required=true/> })}
            <TextField label=M::EstimatedValue key="estimated" value=amount_text(l.estimated_minor) error=error/>
            <SelectField label=M::Currency key="currency" options=currencies selected=l.currency.code() error=error required=true/>
            <SelectField label=M::Owner key="owner_id" options=owners selected=l.owner_id.to_string() error=error required=true/>
            <TextArea label=M::Notes key="notes" value=s(&l.notes) error=error/>
            <PreferenceFields preferences=l.preferences error=error/>
            {(!closed).then(|| view! {
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>
                        {move || if action.pending().get() { t(M::Saving) } else { t(M::Save) }}
                    </button>
                </div>
            })}
        </ActionForm>
    }
}

#[component]
pub fn NewLeadPage() -> impl IntoView {
    let lookups = Resource::new(|| (), |_| get_lookups());
    let navigate = use_navigate();
    let on_saved = Callback::new(move |id: i64| navigate(&format!("/leads/{id}"), Default::default()));
    view! {
        <Title text=t(M::NewLead)/>
        <div class="page-head"><h1>{t(M::NewLead)}</h1></div>
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                let lk = lookups.await.unwrap_or_default();
                view! { <div class="card"><LeadForm lead=None lookups=lk on_saved=on_saved/></div> }
            })}
        </Suspense>
    }
}

#[component]
pub fn LeadPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let query = use_query_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse::<i64>().ok()).unwrap_or(0)));
    let tab = Memo::new(move |_| query.with(|q| q.get("tab").unwrap_or_default()));
    let on_history = Memo::new(move |_| tab.get() == "history");
    let step = Memo::new(move |_| query.with(|q| q.get("step").unwrap_or_default()));
    let history_rows = history_resource("lead", id, on_history);
    let lists_data = marketing_lists_resource(MemberKind::Lead, id);
    let tl_reload = RwSignal::new(0u32);
    let timeline = timeline_resource(RegardingKind::Lead, id, tl_reload);
    let reload = RwSignal::new(0u32);
    let lead = Resource::new(move || (id.get(), reload.get()), |(id, _)| get_lead(id));
    let lookups = Resource::new(|| (), |_| get_lookups());
    let toasts = use_toasts();
    let navigate = use_navigate();
    let on_saved = Callback::new(move |_| {
        toasts.push(lang.t(M::Saved), false);
        reload.update(|n| *n += 1);
    });
    view! {
        <Transition fallback=|| view! { <Loading/> }>
            {move || {
                let navigate = navigate.clone();
                Suspend::new(async move {
                    let lk = lookups.await.unwrap_or_default();
                    let history_rows = history_rows.await;
                    let timeline_page = timeline.await;
                    match lead.await {
                        Err(e) => view! { <RecordError error=e/> }
                        .into_any(),
                        Ok(l) => {
                            let (id, version) = (l.id, l.version);
                            let title = l.display_name();
                            let on_delete = move |_| {
                                let navigate = navigate.clone();
                                if confirm(lang.t(M::ConfirmTrash)) {
                                    leptos::task::spawn_local(async move {
                                        match delete_lead(id, version).await {
                                            Ok(()) => {
                                                toasts.push(crate::components::history::moved_to_trash(lang).await, false);
                                                navigate("/leads", Default::default())
                                            }
                                            Err(e) => toasts.push(error_text(lang, &e), true),
                                        }
                                    });
                                }
                            };
                            let history = on_history.get();
                            let open = !l.status.is_closed();
                            // Opened from the board (?step=qualify): set in the browser only, so the server and the
                            // hydrating browser render the same page first.
                            let panel = RwSignal::new(String::new());
                            if open {
                                Effect::new(move || panel.set(step.get_untracked()));
                            }
                            let users = lk.users.clone();
                            let (l2, lk2) = (l.clone(), lk.clone());
                            view! {
                                <Title text=title.clone()/>
                                <div class="page-head">
                                    <div>
                                        <p class="crumbs"><A href="/leads">{t(M::Leads)}</A></p>
                                        <h1>{title} " " {rating_badge(lang, l.rating)} " " <PreferenceBadges preferences=l.preferences/></h1>
                                        <p class="muted">{lang.t(lead_status_label(l.status))} " · " {l.owner_name.clone()}</p>
                                    </div>
                                    <div class="head-actions">
                                        {open.then(|| view! {
                                            <button class="btn btn-primary" on:click=move |_| panel.set("qualify".into())>{t(M::Qualify)}</button>
                                            <button class="btn" on:click=move |_| panel.set("disqualify".into())>{t(M::Disqualify)}</button>
                                        })}
                                        {(l.status != LeadStatus::Qualified).then(|| view! { <button class="btn btn-danger" on:click=on_delete.clone()>{t(M::Delete)}</button> })}
                                    </div>
                                </div>
                                <LeadOutcome lead=l.clone() lk=lk.clone()/>
                                {move || match panel.get().as_str() {
                                    "qualify" => view! { <QualifyPanel lead=l2.clone() lk=lk2.clone() on_close=Callback::new(move |_| panel.set(String::new()))/> }.into_any(),
                                    "disqualify" => view! { <DisqualifyPanel lead=l2.clone() lk=lk2.clone() on_done=Callback::new(move |_| { panel.set(String::new()); reload.update(|n| *n += 1); }) on_close=Callback::new(move |_| panel.set(String::new()))/> }.into_any(),
                                    _ => ().into_any(),
                                }}
                                <RecordTabs base=format!("/leads/{id}") history=history/>
                                {if history {
                                    view! { <HistoryPanel rows=history_rows/> }.into_any()
                                } else {
                                    view! {
                                        <div class="detail-grid">
                                            <div class="card"><LeadForm lead=Some(l.clone()) lookups=lk.clone() on_saved=on_saved/></div>
                                            <RecordTimeline kind=RegardingKind::Lead id=id page=timeline_page.clone() reload=tl_reload users=users/>
                                        </div>
                                        <MarketingListsPanel kind=MemberKind::Lead id=id data=lists_data/>
                                        <PersonalDataPanel kind=RegardingKind::Lead id=id version=version on_erased=move |_| { reload.update(|n| *n += 1); tl_reload.update(|n| *n += 1); }/>
                                    }
                                    .into_any()
                                }}
                            }
                            .into_any()
                        }
                    }
                })
            }}
        </Transition>
    }
}

/// What a closed lead became (links) or why it was disqualified.
#[component]
fn LeadOutcome(lead: Lead, lk: Lookups) -> impl IntoView {
    let lang = use_lang();
    match lead.status {
        LeadStatus::Qualified => {
            let links: Vec<(String, String)> = [
                lead.account.map(|a| (format!("/accounts/{}", a.id), a.label)),
                lead.contact.map(|c| (format!("/contacts/{}", c.id), c.label)),
                lead.opportunity.map(|o| (format!("/opportunities/{}", o.id), o.label)),
            ]
            .into_iter()
            .flatten()
            .collect();
            view! {
                <div class="banner banner-ok" role="status">
                    {lang.t(M::LeadClosedQualified)} " "
                    {links.into_iter().enumerate().map(|(i, (href, label))| view! { {(i > 0).then_some(" · ")}<A href=href>{label}</A> }).collect_view()}
                </div>
            }
            .into_any()
        }
        LeadStatus::Disqualified => {
            let reason = lead
                .disqualify_reason_id
                .and_then(|r| lk.picklists.disqualify_reasons.iter().find(|v| v.id == r))
                .map(|v| v.label(lang).to_string())
                .unwrap_or_default();
            view! {
                <div class="banner" role="status">
                    {lang.t(M::LeadClosedDisqualified)} " " <strong>{reason}</strong>
                    {lead.disqualify_note.map(|n| view! { " — " {n} })}
                </div>
            }
            .into_any()
        }
        _ => ().into_any(),
    }
}

fn reason_text(lang: Lang, r: MatchReason) -> &'static str {
    lang.t(match r {
        MatchReason::Email => M::MatchEmail,
        MatchReason::Phone => M::MatchPhone,
        MatchReason::Pib => M::MatchPib,
        MatchReason::Name => M::MatchName,
    })
}

/// Qualification: existing matches first (link instead of duplicating), then what to create.
#[component]
fn QualifyPanel(lead: Lead, lk: Lookups, on_close: Callback<()>) -> impl IntoView {
    let lang = use_lang();
    let navigate = use_navigate();
    let lead_id = lead.id;
    let matches = Resource::new(move || lead_id, find_lead_matches);
    let action = ServerAction::<QualifyLead>::new();
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    Effect::new(move || {
        if let Some(Ok(q)) = action.value().get() {
            let to = match q.opportunity_id {
                Some(o) => format!("/opportunities/{o}"),
                None => format!("/accounts/{}", q.account_id),
            };
            navigate(&to, Default::default());
        }
    });
    let with_opp = RwSignal::new(true);
    let stages: Vec<(String, String)> =
        lk.stages.iter().filter(|s| s.kind == StageKind::Open && s.active).map(|s| (s.id.to_string(), s.name.clone())).collect();
    let first_stage = stages.first().map(|s| s.0.clone()).unwrap_or_default();
    let has_person = lead.last_name.is_some();
    const FIELDS: &[&str] = &["account_id", "contact_id", "opportunity_name", "amount", "currency", "close_date", "stage_id"];
    view! {
        <section class="card composer" role="dialog" aria-labelledby="qualify-title" on:keydown=move |ev| if ev.key() == "Escape" { on_close.run(()) }>
            <h2 id="qualify-title">{t(M::QualifyTitle)}</h2>
            <ActionForm action=action attr:class="form-grid" attr:novalidate=true>
                <ErrorBanner error=error fields=FIELDS/>
                <input type="hidden" name="input[lead_id]" value=lead.id.to_string()/>
                <input type="hidden" name="input[version]" value=lead.version.to_string()/>
                <Suspense fallback=|| view! { <Loading/> }>
                    {move || Suspend::new(async move {
                        let m: LeadMatches = matches.await.unwrap_or_default();
                        let none = m.accounts.is_empty() && m.contacts.is_empty();
                        view! {
                            <div class="field-wide">
                                <p class=if none { "muted" } else { "banner banner-warn" }>{if none { t(M::NoMatches) } else { t(M::PossibleMatches) }}</p>
                            </div>
                            <fieldset class="field field-wide checks">
                                <legend>{t(M::Account)}</legend>
                                {m.accounts.iter().enumerate().map(|(i, a)| view! {
                                    <label class="check">
                                        <input type="radio" name="input[account_id]" value=a.id.to_string() checked=i == 0/>
                                        <a href=format!("/accounts/{}", a.id) target="_blank">{a.label.clone()}</a>
                                        <span class="muted">{a.detail.clone().map(|d| format!(" · {d}")).unwrap_or_default()} " (" {a.reasons.iter().map(|r| reason_text(lang, *r)).collect::<Vec<_>>().join(", ")} ")"</span>
                                    </label>
                                }).collect_view()}
                                <label class="check">
                                    <input type="radio" name="input[account_id]" value="" checked=m.accounts.is_empty()/>
                                    {t(M::CreateNewAccount)}
                                </label>
                            </fieldset>
                            <fieldset class="field field-wide checks">
                                <legend>{t(M::PrimaryContact)}</legend>
                                {m.contacts.iter().enumerate().map(|(i, c)| view! {
                                    <label class="check">
                                        <input type="radio" name="input[contact_id]" value=c.id.to_string() checked=i == 0/>
                                        <a href=format!("/contacts/{}", c.id) target="_blank">{c.label.clone()}</a>
                                        <span class="muted">{c.detail.clone().map(|d| format!(" · {d}")).unwrap_or_default()} " (" {c.reasons.iter().map(|r| reason_text(lang, *r)).collect::<Vec<_>>().join(", ")} ")"</span>
                                    </label>
                                }).collect_view()}
                                {has_person.then(|| view! {
                                    <label class="check">
                                        <input type="radio" name="input[contact_id]" value="" checked=m.contacts.is_empty()/>
                                        {t(M::CreateNewContact)}
                                    </label>
                                })}
                                <label class="check">
                                    <input type="radio" name="input[contact_id]" value="none" checked=!has_person && m.contacts.is_empty()/>
                                    {t(M::NoContact)}
                                </label>
                            </fieldset>
                        }
                    })}
                </Suspense>
                <label class="check field-wide">
                    <input type="checkbox" name="input[create_opportunity]" value="on" checked=true on:change=move |ev| with_opp.set(event_target_checked(&ev))/>
                    {t(M::CreateOpportunity)}
                </label>
                <Show when=move || with_opp.get()>
                    <TextField label=M::OpportunityName key="opportunity_name" value=lead.display_name() error=error form="q-"/>
                    <SelectField label=M::Stage key="stage_id" options=stages.clone() selected=first_stage.clone() error=error form="q-"/>
                    <TextField label=M::Amount key="amount" value=amount_text(lead.estimated_minor) error=error form="q-"/>
                    <SelectField label=M::Currency key="currency" options=Currency::ALL.iter().map(|c| (c.code().to_string(), c.code().to_string())).collect() selected=lead.currency.code() error=error form="q-"/>
                    <TextField label=M::CloseDate key="close_date" value="" kind="date" error=error form="q-"/>
                </Show>
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>{t(M::Qualify)}</button>
                    <button type="button" class="btn btn-ghost" on:click=move |_| on_close.run(())>{t(M::Close)}</button>
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
fn DisqualifyPanel(lead: Lead, lk: Lookups, on_done: Callback<()>, on_close: Callback<()>) -> impl IntoView {
    let lang = use_lang();
    let action = ServerAction::<DisqualifyLead>::new();
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    Effect::new(move || {
        if let Some(Ok(_)) = action.value().get() {
            on_done.run(());
        }
    });
    let reasons: Vec<(String, String)> =
        lk.picklists.disqualify_reasons.iter().filter(|r| r.active).map(|r| (r.id.to_string(), r.label(lang).to_string())).collect();
    view! {
        <section class="card composer" role="dialog" aria-labelledby="disqualify-title" on:keydown=move |ev| if ev.key() == "Escape" { on_close.run(()) }>
            <h2 id="disqualify-title">{t(M::Disqualify)}</h2>
            <ActionForm action=action attr:class="form-grid" attr:novalidate=true>
                <ErrorBanner error=error fields=&["reason_id", "note"]/>
                <input type="hidden" name="input[lead_id]" value=lead.id.to_string()/>
                <input type="hidden" name="input[version]" value=lead.version.to_string()/>
                <SelectField label=M::Reason key="reason_id" options=reasons selected="" error=error empty=M::NoneChoice required=true form="dq-"/>
                <TextField label=M::Note key="note" value="" error=error form="dq-"/>
                <div class="form-actions">
                    <button type="submit" class="btn btn-danger" disabled=move || action.pending().get()>{t(M::Disqualify)}</button>
                    <button type="button" class="btn btn-ghost" on:click=move |_| on_close.run(())>{t(M::Close)}</button>
                </div>
            </ActionForm>
        </section>
    }
}
