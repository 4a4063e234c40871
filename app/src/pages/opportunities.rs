//! Opportunities: list, opportunity page (form and history) and the new-opportunity form.

use crate::api::accounts::get_lookups;
use crate::api::contacts::contact_choices;
use crate::api::deals::get_deal;
use crate::api::opportunities::{delete_opportunity, get_opportunity_with_contacts, list_opportunities, SaveOpportunity};
use crate::components::account_picker::preset_account;
use crate::components::account_picker::AccountPicker;
use crate::components::bulk::{BulkBar, BulkResult, BulkState, PageCheckbox, RowCheckbox};
use crate::components::context::confirm;
use crate::components::context::{t, use_lang};
use crate::components::deal::DealPanel;
use crate::components::fields::{SelectField, TextArea, TextField};
use crate::components::history::{history_resource, HistoryPanel, RecordTabs};
use crate::components::list::{choice_options, list_query, ExportLinks, OwnerTeamRegion, Pager, SortSelect};
use crate::components::timeline::{timeline_resource, RecordTimeline};
use crate::components::toast::use_toasts;
use crate::components::{ErrorBanner, Loading, RecordError};
use crate::domain::bulk::BulkList;
use crate::domain::imports::ImportEntity;
use crate::domain::money::{minor_to_input, Currency};
use crate::domain::reports::ForecastCategory;
use crate::domain::{Choice, ListQuery, Lookups, Opportunity, RegardingKind, StageKind};
use crate::i18n::labels::{error_text, forecast_category_label};
use crate::i18n::{format_date, format_money, M};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

#[component]
pub fn OpportunitiesPage() -> impl IntoView {
    let lang = use_lang();
    let query = list_query();
    let bulk = BulkState::new(query);
    let page = Resource::new(move || (query.get(), bulk.changed.get()), |(q, _)| list_opportunities(q));
    let lookups = Resource::new(|| (), |_| get_lookups());
    view! {
        <Title text=t(M::Opportunities)/>
        <div class="page-head">
            <h1>{t(M::Opportunities)}</h1>
            <div class="head-actions">
                <crate::components::views::ViewPicker entity=crate::domain::find::Entity::Opportunity/>
                <crate::components::list::ImportLink entity=ImportEntity::Opportunity/>
                <A href="/opportunities/new" attr:class="btn btn-primary">{t(M::NewOpportunity)}</A>
            </div>
        </div>
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                let q = query.get();
                let lk = lookups.await.unwrap_or_default();
                view! { <OpportunityFilters q=q lk=lk/> }
            })}
        </Suspense>
        <BulkResult state=bulk/>
        <Transition fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                let q = query.get();
                match page.await {
                    Err(e) => view! { <p class="banner banner-error">{error_text(lang, &e)}</p> }.into_any(),
                    Ok(p) if p.rows.is_empty() => view! { <p class="empty">{t(M::NoResults)}</p> }.into_any(),
                    Ok(p) => {
                        let shown = p.rows.len();
                        let picks: Vec<(i64, i64)> = p.rows.iter().map(|r| (r.id, r.version)).collect();
                        let users = lookups.await.map(|lk| lk.users).unwrap_or_default();
                        view! {
                            <BulkBar state=bulk list=BulkList::Opportunities query=q.clone() total=p.total total_cap=p.total_cap page=picks.clone() users=users/>
                            <div class="table-wrap">
                                <table class="table">
                                    <thead>
                                        <tr>
                                            <th class="bulk-col"><PageCheckbox state=bulk page=picks.clone()/></th>
                                            <th>{t(M::Name)}</th>
                                            <th>{t(M::Account)}</th>
                                            <th>{t(M::Stage)}</th>
                                            <th class="num">{t(M::Amount)}</th>
                                            <th class="hide-sm">{t(M::CloseDate)}</th>
                                            <th class="hide-sm num">"%"</th>
                                            <th class="hide-sm">{t(M::Owner)}</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {p
                                            .rows
                                            .into_iter()
                                            .map(|r| {
                                                let kind = match r.stage_kind {
                                                    StageKind::Won => "badge badge-won",
                                                    StageKind::Lost => "badge badge-lost",
                                                    StageKind::Open => "badge",
                                                };
                                                view! {
                                                    <tr>
                                                        <td class="bulk-col"><RowCheckbox state=bulk id=r.id version=r.version label=r.name.clone() page=picks.clone()/></td>
                                                        <td><A href=format!("/opportunities/{}", r.id)>{r.name}</A></td>
                                                        <td><A href=format!("/accounts/{}", r.account_id)>{r.account_name}</A></td>
                                                        <td><span class=kind>{r.stage_name}</span></td>
                                                        <td class="num">{format_money(lang, r.amount_minor, r.currency.code())}</td>
                                                        <td class="hide-sm">{format_date(lang, &r.close_date)}</td>
                                                        <td class="hide-sm num">{r.probability}</td>
                                                        <td class="hide-sm">{r.owner_name}</td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <ExportLinks list="opportunities" query=q.clone()/>
                            <Pager path="/opportunities" query=q next=p.next_cursor total=p.total total_cap=p.total_cap shown=shown/>
                        }
                        .into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn OpportunityFilters(q: ListQuery, lk: Lookups) -> impl IntoView {
    let lang = use_lang();
    let stages: Vec<Choice> = lk.stages.iter().map(|s| Choice { id: s.id, label: s.name.clone() }).collect();
    view! {
        <Form method="GET" action="/opportunities" attr:class="filters" attr:role="search">
            <input type="search" name="q" value=q.q.clone() placeholder=lang.t(M::Search) aria-label=lang.t(M::Search)/>
            <select name="stage" aria-label=lang.t(M::Stage)>
                <option value="">{lang.t(M::AnyStage)}</option>
                {choice_options(&stages, &q.stage)}
            </select>
            <OwnerTeamRegion lk=lk.clone() owner=q.owner.clone() team=q.team.clone() region=q.region.clone()/>
            <label class="inline">{lang.t(M::From)}<input type="date" name="from" value=q.from.clone()/></label>
            <label class="inline">{lang.t(M::To)}<input type="date" name="to" value=q.to.clone()/></label>
            {(!q.account.is_empty()).then(|| view! { <input type="hidden" name="account" value=q.account.clone()/> })}
            <select name="outcome" aria-label=lang.t(M::Outcome)>
                <option value="">{lang.t(M::AnyOutcome)}</option>
                <option value="open" selected=q.outcome == "open">{lang.t(M::OutcomeOpen)}</option>
                <option value="won" selected=q.outcome == "won">{lang.t(M::OutcomeWon)}</option>
                <option value="lost" selected=q.outcome == "lost">{lang.t(M::OutcomeLost)}</option>
            </select>
            {(!q.reason.is_empty()).then(|| view! { <input type="hidden" name="reason" value=q.reason.clone()/> })}
            {(!q.competitor.is_empty()).then(|| view! { <input type="hidden" name="competitor" value=q.competitor.clone()/> })}
            {[("family", &q.family), ("forecast", &q.forecast), ("category", &q.category), ("missing", &q.missing), ("created_from", &q.created_from), ("created_to", &q.created_to), ("reached", &q.reached)]
                .into_iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(name, v)| view! { <input type="hidden" name=name value=v.clone()/> })
                .collect_view()}
            <SortSelect options=vec![("close", M::SortCloseDate), ("name", M::SortName), ("amount", M::SortAmount), ("updated", M::SortUpdated)] query=q.clone()/>
            <button type="submit" class="btn">{lang.t(M::Filter)}</button>
            <a class="btn btn-ghost" href="/opportunities">{lang.t(M::ClearFilters)}</a>
        </Form>
    }
}

#[component]
pub fn OpportunityForm(
    opportunity: Option<Opportunity>,
    account: Option<Choice>,
    /// Contacts of the initially chosen account.
    contacts: Vec<Choice>,
    lookups: Lookups,
    #[prop(into)] on_saved: Callback<i64>,
    /// The value follows the opportunity's lines (amount and currency are fixed by them).
    #[prop(optional)]
    has_lines: bool,
) -> impl IntoView {
    let lang = use_lang();
    let me = crate::components::context::session_user();
    let action = ServerAction::<SaveOpportunity>::new();
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    Effect::new(move || {
        if let Some(Ok(id)) = action.value().get() {
            on_saved.run(id);
        }
    });
    let is_new = opportunity.is_none();
    let first_open = lookups.stages.iter().find(|s| s.kind == StageKind::Open).map(|s| s.id).unwrap_or(0);
    let o = opportunity.unwrap_or(Opportunity {
        id: 0,
        name: String::new(),
        account_id: account.as_ref().map(|a| a.id).unwrap_or(0),
        account_name: account.as_ref().map(|a| a.label.clone()).unwrap_or_default(),
        contact_id: None,
        contact_name: None,
        owner_id: me.map(|m| m.id).unwrap_or(0),
        owner_name: String::new(),
        stage_id: first_open,
        stage_name: String::new(),
        stage_kind: StageKind::Open,
        probability: 0,
        probability_manual: false,
        amount_minor: 0,
        currency: Currency::RSD,
        close_date: String::new(),
        source: None,
        description: None,
        forecast_category: ForecastCategory::Pipeline,
        updated_at: String::new(),
        version: 0,
    });
    let selected_account = (o.account_id != 0).then(|| Choice { id: o.account_id, label: o.account_name.clone() });
    // The contact list follows the chosen account.
    let contacts = RwSignal::new(contacts);
    let on_account = Callback::new(move |a: String| {
        leptos::task::spawn_local(async move {
            let list = match a.parse::<i64>() {
                Ok(id) => contact_choices(id).await.unwrap_or_default(),
                Err(_) => Vec::new(),
            };
            contacts.set(list);
        });
    });
    let contact_selected = o.contact_id.map(|c| c.to_string()).unwrap_or_default();
    // Won and lost are reached by closing the deal; a closed deal keeps its stage until reopened.
    let closed = o.stage_kind != StageKind::Open;
    let stages: Vec<(String, String)> = lookups
        .stages
        .iter()
        .filter(|s| if closed { s.id == o.stage_id } else { s.kind == StageKind::Open })
        .map(|s| (s.id.to_string(), format!("{} ({}%)", s.name, s.probability)))
        .collect();
    let owners: Vec<(String, String)> = lookups.users.iter().map(|u| (u.id.to_string(), u.label.clone())).collect();
    let currencies: Vec<(String, String)> = Currency::ALL.iter().map(|c| (c.code().to_string(), c.code().to_string())).collect();
    let contact_label = lang.t(M::PrimaryContact);
    const FIELDS: &[&str] = &[
        "name",
        "account_id",
        "contact_id",
        "owner_id",
        "stage_id",
        "probability",
        "amount",
        "currency",
        "close_date",
        "source",
        "description",
        "forecast_category",
    ];
    view! {
        <ActionForm action=action attr:class="form-grid" attr:novalidate=true>
            <ErrorBanner error=error fields=FIELDS/>
            <input type="hidden" name="input[id]" value=if is_new { String::new() } else { o.id.to_string() }/>
            <input type="hidden" name="input[version]" value=o.version.to_string()/>
            <TextField label=M::Name key="name" value=o.name.clone() error=error required=true/>
            <AccountPicker selected=selected_account error=error required=true on_change=on_account/>
            <div class="field">
                <label for="f-contact_id">{contact_label}</label>
                <select id="f-contact_id" name="input[contact_id]">
                    // One reactive list (the "none" choice included): a static option beside a reactive
                    // list inside <select> does not hydrate.
                    {move || {
                        let none = Choice { id: 0, label: lang.t(M::NoneChoice).to_string() };
                        std::iter::once(none)
                            .chain(contacts.get())
                            .map(|c| {
                                let v = if c.id == 0 { String::new() } else { c.id.to_string() };
                                let sel = v == contact_selected;
                                view! { <option value=v selected=sel>{c.label}</option> }
                            })
                            .collect_view()
                    }}
                </select>
            </div>
            <SelectField label=M::Stage key="stage_id" options=stages selected=o.stage_id.to_string() error=error required=true/>
            <TextField
                label=M::Probability
                key="probability"
                value=if o.probability_manual { o.probability.to_string() } else { String::new() }
                error=error
                kind="number"
                hint=M::ProbabilityHint
            />
            {(!closed).then(|| {
                let categories: Vec<(String, String)> =
                    ForecastCategory::ALL.iter().map(|c| (c.code().to_string(), lang.t(forecast_category_label(*c)).to_string())).collect();
                view! {
                    <SelectField label=M::ForecastCategory key="forecast_category" options=categories selected=o.forecast_category.code().to_string() error=error/>
                }
            })}
            {if has_lines || closed {
                view! {
                    <div class="field">
                        <label for="f-amount">{lang.t(M::Amount)}</label>
                        <input id="f-amount" name="input[amount]" value=minor_to_input(o.amount_minor) readonly=true aria-describedby="amount-hint"/>
                        <small class="hint" id="amount-hint">{lang.t(if closed { M::FixedByClose } else { M::ValueFollowsLines })}</small>
                    </div>
                    <input type="hidden" name="input[currency]" value=o.currency.code()/>
                    <div class="field"><span class="label">{lang.t(M::Currency)}</span><span class="value">{o.currency.code()}</span></div>
                }
                .into_any()
            } else {
                view! {
                    <TextField label=M::Amount key="amount" value=if is_new { String::new() } else { minor_to_input(o.amount_minor) } error=error/>
                    <SelectField label=M::Currency key="currency" options=currencies.clone() selected=o.currency.code().to_string() error=error/>
                }
                .into_any()
            }}
            {if closed {
                view! {
                    <div class="field">
                        <label for="f-close_date">{lang.t(M::CloseDate)}</label>
                        <input id="f-close_date" type="date" name="input[close_date]" value=o.close_date.clone() readonly=true/>
                    </div>
                }
                .into_any()
            } else {
                view! { <TextField label=M::CloseDate key="close_date" value=o.close_date.clone() error=error kind="date" required=true/> }.into_any()
            }}
            <SelectField label=M::Owner key="owner_id" options=owners selected=o.owner_id.to_string() error=error required=true/>
            <TextField label=M::Source key="source" value=o.source.clone().unwrap_or_default() error=error/>
            <TextArea label=M::Description key="description" value=o.description.clone().unwrap_or_default() error=error/>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { t(M::Saving) } else { t(M::Save) }}
                </button>
            </div>
        </ActionForm>
    }
}

#[component]
pub fn NewOpportunityPage() -> impl IntoView {
    let lookups = Resource::new(|| (), |_| get_lookups());
    let account = preset_account();
    let query = use_query_map();
    let contacts = Resource::new(
        move || query.with(|q| q.get("account").and_then(|s| s.parse::<i64>().ok())),
        |id| async move {
            match id {
                Some(id) => contact_choices(id).await.unwrap_or_default(),
                None => Vec::new(),
            }
        },
    );
    let navigate = use_navigate();
    let on_saved = Callback::new(move |id: i64| navigate(&format!("/opportunities/{id}"), Default::default()));
    view! {
        <Title text=t(M::NewOpportunity)/>
        <div class="page-head"><h1>{t(M::NewOpportunity)}</h1></div>
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                let lk = lookups.await.unwrap_or_default();
                let acc = account.await;
                let cs = contacts.await;
                view! { <div class="card"><OpportunityForm opportunity=None account=acc contacts=cs lookups=lk on_saved=on_saved/></div> }
            })}
        </Suspense>
    }
}

#[component]
pub fn OpportunityPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let query = use_query_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse::<i64>().ok()).unwrap_or(0)));
    let tab = Memo::new(move |_| query.with(|q| q.get("tab").unwrap_or_default()));
    let on_history = Memo::new(move |_| tab.get() == "history");
    let history_rows = history_resource("opportunity", id, on_history);
    let tl_reload = RwSignal::new(0u32);
    let timeline = timeline_resource(RegardingKind::Opportunity, id, tl_reload);
    let reload = RwSignal::new(0u32);
    // The opportunity and the contacts of its account, in one resource so both sides agree on them.
    let opp = Resource::new(move || (id.get(), reload.get()), |(id, _)| get_opportunity_with_contacts(id));
    let deal = Resource::new(move || (id.get(), reload.get()), |(id, _)| get_deal(id));
    let on_deal_change = Callback::new(move |_: ()| {
        reload.update(|n| *n += 1);
        tl_reload.update(|n| *n += 1);
    });
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
                    let deal = deal.await;
                    match opp.await {
                        Err(e) => view! { <RecordError error=e/> }
                        .into_any(),
                        Ok((o, cs)) => {
                            let (id, version) = (o.id, o.version);
                            let title = o.name.clone();
                            let form_value = o.clone();
                            let on_delete = move |_| {
                                let navigate = navigate.clone();
                                if confirm(lang.t(M::ConfirmTrash)) {
                                    leptos::task::spawn_local(async move {
                                        match delete_opportunity(id, version).await {
                                            Ok(()) => {
                                                toasts.push(crate::components::history::moved_to_trash(lang).await, false);
                                                navigate("/opportunities", Default::default())
                                            }
                                            Err(e) => toasts.push(error_text(lang, &e), true),
                                        }
                                    });
                                }
                            };
                            let history = on_history.get();
                            view! {
                                <Title text=title.clone()/>
                                <div class="page-head">
                                    <div>
                                        <p class="crumbs">
                                            <A href="/opportunities">{t(M::Opportunities)}</A>
                                            " · "
                                            <A href=format!("/accounts/{}", o.account_id)>{o.account_name.clone()}</A>
                                        </p>
                                        <h1>{title}</h1>
                                        <p class="summary">
                                            <span class=match o.stage_kind { StageKind::Won => "badge badge-won", StageKind::Lost => "badge badge-lost", StageKind::Open => "badge" }>{o.stage_name.clone()}</span>
                                            " "
                                            {format_money(lang, o.amount_minor, o.currency.code())}
                                            {format!(" · {}% · {}", o.probability, format_date(lang, &o.close_date))}
                                            {(o.stage_kind == StageKind::Open).then(|| format!(" · {}", lang.t(forecast_category_label(o.forecast_category))))}
                                        </p>
                                    </div>
                                    <div class="head-actions">
                                        <button class="btn btn-danger" on:click=on_delete>{t(M::Delete)}</button>
                                    </div>
                                </div>
                                <RecordTabs base=format!("/opportunities/{id}") history=history/>
                                {if history {
                                    view! { <HistoryPanel rows=history_rows/> }.into_any()
                                } else {
                                    let attendees = cs.clone();
                                    let users = lk.users.clone();
                                    let stages = lk.stages.clone();
                                    let has_lines = deal.as_ref().map(|d| !d.lines.is_empty()).unwrap_or(false);
                                    let panel_opp = form_value.clone();
                                    view! {
                                        <div class="card"><OpportunityForm opportunity=Some(form_value) account=None contacts=cs lookups=lk on_saved=on_saved has_lines=has_lines/></div>
                                        {match deal.clone() {
                                            Ok(d) => view! { <DealPanel opportunity=panel_opp deal=d stages=stages on_change=on_deal_change/> }.into_any(),
                                            Err(e) => view! { <p class="banner banner-error">{error_text(lang, &e)}</p> }.into_any(),
                                        }}
                                        <RecordTimeline kind=RegardingKind::Opportunity id=id page=timeline_page.clone() reload=tl_reload contacts=attendees users=users/>
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
