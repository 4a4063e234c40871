//! Accounts: list with search and filters, the account page (edit form, contacts, opportunities,
//! history) and the new-account form.

use crate::api::accounts::{delete_account, get_account, get_lookups, list_accounts, SaveAccount};
use crate::api::competitors::get_account_competition;
use crate::api::contacts::list_contacts;
use crate::api::opportunities::list_opportunities;
use crate::components::bulk::{BulkBar, BulkResult, BulkState, PageCheckbox, RowCheckbox};
use crate::components::context::confirm;
use crate::components::context::{t, use_lang};
use crate::components::fields::{CheckFields, CheckGroup, SelectField, TextArea, TextField};
use crate::components::history::{history_resource, HistoryPanel, RecordTabs};
use crate::components::list::{choice_options, list_query, ExportLinks, Pager, SortSelect};
use crate::components::marketing_lists::{marketing_lists_resource, MarketingListsPanel};
use crate::components::timeline::{timeline_resource, RecordTimeline};
use crate::components::toast::use_toasts;
use crate::components::{DuplicateWarning, ErrorBanner, Loading, RecordError};
use crate::domain::bulk::BulkList;
use crate::domain::imports::ImportEntity;
use crate::domain::marketing::MemberKind;
use crate::domain::{Account, Category, Choice, ContactRow, ListQuery, Lookups, OpportunityRow, RegardingKind, RelationshipType};
use crate::i18n::labels::{error_text, rel_label};
use crate::i18n::{format_date, format_money, M};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

#[component]
pub fn AccountsPage() -> impl IntoView {
    let lang = use_lang();
    let query = list_query();
    let bulk = BulkState::new(query);
    let page = Resource::new(move || (query.get(), bulk.changed.get()), |(q, _)| list_accounts(q));
    let lookups = Resource::new(|| (), |_| get_lookups());
    view! {
        <Title text=t(M::Accounts)/>
        <div class="page-head">
            <h1>{t(M::Accounts)}</h1>
            <div class="head-actions">
                <crate::components::views::ViewPicker entity=crate::domain::find::Entity::Account/>
                <crate::components::list::ImportLink entity=ImportEntity::Account/>
                <A href="/accounts/new" attr:class="btn btn-primary">{t(M::NewAccount)}</A>
            </div>
        </div>
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                let q = query.get();
                let lk = lookups.await.unwrap_or_default();
                view! { <AccountFilters q=q lk=lk/> }
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
                            <BulkBar state=bulk list=BulkList::Accounts query=q.clone() total=p.total total_cap=p.total_cap page=picks.clone() users=users/>
                            <div class="table-wrap">
                                <table class="table">
                                    <thead>
                                        <tr>
                                            <th class="bulk-col"><PageCheckbox state=bulk page=picks.clone()/></th>
                                            <th>{t(M::Name)}</th>
                                            <th>{t(M::RelationshipTypes)}</th>
                                            <th>{t(M::Category)}</th>
                                            <th class="hide-sm">{t(M::City)}</th>
                                            <th class="hide-sm">{t(M::Region)}</th>
                                            <th class="hide-sm">{t(M::Owner)}</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {p
                                            .rows
                                            .into_iter()
                                            .map(|r| {
                                                view! {
                                                    <tr>
                                                        <td class="bulk-col"><RowCheckbox state=bulk id=r.id version=r.version label=r.name.clone() page=picks.clone()/></td>
                                                        <td>
                                                            <A href=format!("/accounts/{}", r.id)>{r.name}</A>
                                                            {r.inactive.then(|| view! { " " <span class="badge badge-lost">{t(M::MlInactive)}</span> })}
                                                        </td>
                                                        <td>
                                                            {r.types.iter().map(|ty| view! { <span class="badge">{lang.t(rel_label(*ty))}</span> }).collect_view()}
                                                        </td>
                                                        <td>{r.category.map(|c| c.code())}</td>
                                                        <td class="hide-sm">{r.city}</td>
                                                        <td class="hide-sm">{r.region}</td>
                                                        <td class="hide-sm">{r.owner_name}</td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <ExportLinks list="accounts" query=q.clone()/>
                            <Pager path="/accounts" query=q next=p.next_cursor total=p.total total_cap=p.total_cap shown=shown/>
                        }
                        .into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn AccountFilters(q: ListQuery, lk: Lookups) -> impl IntoView {
    let lang = use_lang();
    view! {
        <Form method="GET" action="/accounts" attr:class="filters" attr:role="search">
            <input type="search" name="q" value=q.q.clone() placeholder=lang.t(M::SearchPlaceholder) aria-label=lang.t(M::Search)/>
            <select name="kind" aria-label=lang.t(M::RelationshipTypes)>
                <option value="">{lang.t(M::AnyType)}</option>
                {RelationshipType::ALL.iter().map(|r| view! { <option value=r.code() selected=q.kind == r.code()>{lang.t(rel_label(*r))}</option> }).collect_view()}
            </select>
            <select name="category" aria-label=lang.t(M::Category)>
                <option value="">{lang.t(M::AnyCategory)}</option>
                {Category::ALL.iter().map(|c| view! { <option value=c.code() selected=q.category == c.code()>{c.code()}</option> }).collect_view()}
            </select>
            <select name="region" aria-label=lang.t(M::Region)>
                <option value="">{lang.t(M::AnyRegion)}</option>
                {lk.regions.iter().map(|r| view! { <option value=r.clone() selected=&q.region == r>{r.clone()}</option> }).collect_view()}
            </select>
            <select name="owner" aria-label=lang.t(M::Owner)>
                <option value="">{lang.t(M::AnyOwner)}</option>
                {choice_options(&lk.users, &q.owner)}
            </select>
            <SortSelect options=vec![("name", M::SortName), ("updated", M::SortUpdated)] query=q.clone()/>
            <button type="submit" class="btn">{lang.t(M::Filter)}</button>
            <a class="btn btn-ghost" href="/accounts">{lang.t(M::ClearFilters)}</a>
        </Form>
    }
}

/// The relationship a new account starts with: `?type=competitor` from the competitors page.
fn preset_type() -> RelationshipType {
    use_query_map().with_untracked(|q| q.get("type").and_then(|t| RelationshipType::parse(&t))).unwrap_or(RelationshipType::Customer)
}

/// The account form, for a new account (`account` None) or an existing one.
#[component]
pub fn AccountForm(account: Option<Account>, lookups: Lookups, #[prop(into)] on_saved: Callback<i64>) -> impl IntoView {
    let lang = use_lang();
    let me = crate::components::context::session_user();
    let action = ServerAction::<SaveAccount>::new();
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    Effect::new(move || {
        if let Some(Ok(id)) = action.value().get() {
            on_saved.run(id);
        }
    });
    let a = account.clone().unwrap_or(Account {
        id: 0,
        name: String::new(),
        types: vec![preset_type()],
        category: None,
        industry: None,
        region: None,
        city: None,
        address: None,
        phone: None,
        email: None,
        website: None,
        pib: None,
        mb: None,
        notes: None,
        inactive: false,
        owner_id: me.map(|m| m.id).unwrap_or(0),
        owner_name: String::new(),
        updated_at: String::new(),
        version: 0,
    });
    let is_new = account.is_none();
    let types: Vec<(String, String)> =
        RelationshipType::ALL.iter().map(|r| (r.code().to_string(), lang.t(rel_label(*r)).to_string())).collect();
    let cats: Vec<(String, String)> = Category::ALL.iter().map(|c| (c.code().to_string(), c.code().to_string())).collect();
    let owners: Vec<(String, String)> = lookups.users.iter().map(|u| (u.id.to_string(), u.label.clone())).collect();
    const FIELDS: &[&str] = &[
        "name",
        "types",
        "category",
        "industry",
        "region",
        "city",
        "address",
        "phone",
        "email",
        "website",
        "pib",
        "mb",
        "notes",
        "owner_id",
        "inactive",
        "duplicate",
    ];
    view! {
        <ActionForm action=action attr:class="form-grid" attr:novalidate=true>
            <ErrorBanner error=error fields=FIELDS/>
            <DuplicateWarning error=error base="/accounts"/>
            <input type="hidden" name="input[id]" value=if is_new { String::new() } else { a.id.to_string() }/>
            <input type="hidden" name="input[version]" value=a.version.to_string()/>
            <TextField label=M::Name key="name" value=a.name.clone() error=error required=true/>
            <SelectField label=M::Owner key="owner_id" options=owners selected=a.owner_id.to_string() error=error required=true/>
            <CheckGroup label=M::RelationshipTypes key="types" options=types selected=a.types.iter().map(|t| t.code().to_string()).collect() error=error/>
            <SelectField label=M::Category key="category" options=cats selected=a.category.map(|c| c.code().to_string()).unwrap_or_default() error=error empty=M::NoneChoice/>
            <TextField label=M::Industry key="industry" value=a.industry.clone().unwrap_or_default() error=error/>
            <TextField label=M::Pib key="pib" value=a.pib.clone().unwrap_or_default() error=error/>
            <TextField label=M::Mb key="mb" value=a.mb.clone().unwrap_or_default() error=error/>
            <TextField label=M::Region key="region" value=a.region.clone().unwrap_or_default() error=error/>
            <TextField label=M::City key="city" value=a.city.clone().unwrap_or_default() error=error/>
            <TextField label=M::Address key="address" value=a.address.clone().unwrap_or_default() error=error/>
            <TextField label=M::Phone key="phone" value=a.phone.clone().unwrap_or_default() error=error kind="tel"/>
            <TextField label=M::Email key="email" value=a.email.clone().unwrap_or_default() error=error kind="email"/>
            <TextField label=M::Website key="website" value=a.website.clone().unwrap_or_default() error=error/>
            <TextArea label=M::Notes key="notes" value=a.notes.clone().unwrap_or_default() error=error/>
            <CheckFields boxes=vec![("inactive", M::MlInactiveAccount, a.inactive)] error=error hint=M::MlInactiveHint id="account-inactive"/>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { t(M::Saving) } else { t(M::Save) }}
                </button>
            </div>
        </ActionForm>
    }
}

#[component]
pub fn NewAccountPage() -> impl IntoView {
    let lookups = Resource::new(|| (), |_| get_lookups());
    let navigate = use_navigate();
    let on_saved = Callback::new(move |id: i64| navigate(&format!("/accounts/{id}"), Default::default()));
    view! {
        <Title text=t(M::NewAccount)/>
        <div class="page-head">
            <h1>{t(M::NewAccount)}</h1>
        </div>
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                let lk = lookups.await.unwrap_or_default();
                view! { <div class="card"><AccountForm account=None lookups=lk on_saved=on_saved/></div> }
            })}
        </Suspense>
    }
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let query = use_query_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse::<i64>().ok()).unwrap_or(0)));
    let tab = Memo::new(move |_| query.with(|q| q.get("tab").unwrap_or_default()));
    let on_history = Memo::new(move |_| tab.get() == "history");
    let history_rows = history_resource("account", id, on_history);
    let lists_data = marketing_lists_resource(MemberKind::Account, id);
    let tl_reload = RwSignal::new(0u32);
    let timeline = timeline_resource(RegardingKind::Account, id, tl_reload);
    let reload = RwSignal::new(0u32);
    let account = Resource::new(move || (id.get(), reload.get()), |(id, _)| get_account(id));
    let lookups = Resource::new(|| (), |_| get_lookups());
    // Related records load beside the account (one level of suspense keeps hydration simple).
    let contacts = Resource::new(move || id.get(), |id| list_contacts(ListQuery { account: id.to_string(), ..Default::default() }));
    let opportunities =
        Resource::new(move || id.get(), |id| list_opportunities(ListQuery { account: id.to_string(), ..Default::default() }));
    let competition_reload = RwSignal::new(0u32);
    let competition = Resource::new(move || (id.get(), competition_reload.get()), |(id, _)| get_account_competition(id));

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
                    let related_contacts = contacts.await.map(|p| p.rows).unwrap_or_default();
                    let related_opportunities = opportunities.await.map(|p| p.rows).unwrap_or_default();
                    let competition = competition.await.unwrap_or_default();

                    match account.await {
                        Err(e) => view! { <RecordError error=e/> }
                        .into_any(),
                        Ok(a) => {
                            let id = a.id;
                            let version = a.version;
                            let title = a.name.clone();
                            let inactive = a.inactive;
                            let on_delete = move |_| {
                                let navigate = navigate.clone();
                                if confirm(lang.t(M::ConfirmTrash)) {
                                    leptos::task::spawn_local(async move {
                                        match delete_account(id, version).await {
                                            Ok(()) => {
                                                toasts.push(crate::components::history::moved_to_trash(lang).await, false);
                                                navigate("/accounts", Default::default())
                                            }
                                            Err(e) => toasts.push(error_text(lang, &e), true),
                                        }
                                    });
                                }
                            };
                            let history = on_history.get();
                            let is_competitor = a.types.contains(&RelationshipType::Competitor);
                            view! {
                                <Title text=title.clone()/>
                                <div class="page-head">
                                    <div>
                                        <p class="crumbs"><A href="/accounts">{t(M::Accounts)}</A></p>
                                        <h1>{title} {inactive.then(|| view! { " " <span class="badge badge-lost" id="inactive-badge">{t(M::MlInactive)}</span> })}</h1>
                                    </div>
                                    <div class="head-actions">
                                        {is_competitor.then(|| view! { <A href=format!("/competitors/{id}") attr:class="btn">{t(M::CompetitorPage)}</A> })}
                                        <A href=format!("/opportunities/new?account={id}") attr:class="btn">{t(M::NewOpportunity)}</A>
                                        <A href=format!("/contacts/new?account={id}") attr:class="btn">{t(M::NewContact)}</A>
                                        <button class="btn btn-danger" on:click=on_delete>{t(M::Delete)}</button>
                                    </div>
                                </div>
                                <RecordTabs base=format!("/accounts/{id}") history=history/>
                                {if history {
                                    view! { <HistoryPanel rows=history_rows/> }.into_any()
                                } else {
                                    let attendees: Vec<Choice> = related_contacts.iter().map(|c| Choice { id: c.id, label: c.name.clone() }).collect();
                                    let users = lk.users.clone();
                                    view! {
                                        <div class="detail-grid">
                                            <div class="card"><AccountForm account=Some(a) lookups=lk on_saved=on_saved/></div>
                                            <aside class="stack">
                                                <AccountContacts rows=related_contacts/>
                                                <AccountOpportunities rows=related_opportunities/>
                                                <CompetitionPanel account_id=id data=competition.clone()
                                                    on_saved=Callback::new(move |_| competition_reload.update(|n| *n += 1))/>
                                                <MarketingListsPanel kind=MemberKind::Account id=id data=lists_data/>
                                            </aside>
                                        </div>
                                        <RecordTimeline kind=RegardingKind::Account id=id page=timeline_page.clone() reload=tl_reload contacts=attendees users=users/>
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

/// A titled list of links to records related to the account (its contacts, its opportunities).
#[component]
fn RelatedList(title: M, items: Vec<(String, String, String)>) -> impl IntoView {
    view! {
        <section class="card">
            <h2>{t(title)}</h2>
            {if items.is_empty() {
                view! { <p class="muted">{t(M::NoResults)}</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list">
                        {items
                            .into_iter()
                            .map(|(href, label, detail)| view! {
                                <li>
                                    <A href=href>{label}</A>
                                    <span class="muted">{detail}</span>
                                </li>
                            })
                            .collect_view()}
                    </ul>
                }
                .into_any()
            }}
        </section>
    }
}

#[component]
fn AccountContacts(rows: Vec<ContactRow>) -> impl IntoView {
    let items = rows
        .into_iter()
        .map(|c| (format!("/contacts/{}", c.id), c.name, c.job_title.map(|j| format!(" · {j}")).unwrap_or_default()))
        .collect();
    view! { <RelatedList title=M::ContactsOfAccount items=items/> }
}

#[component]
fn AccountOpportunities(rows: Vec<OpportunityRow>) -> impl IntoView {
    let lang = use_lang();
    let items = rows
        .into_iter()
        .map(|o| {
            let detail = format!(
                " · {} · {} · {}",
                o.stage_name,
                format_money(lang, o.amount_minor, o.currency.code()),
                format_date(lang, &o.close_date)
            );
            (format!("/opportunities/{}", o.id), o.name, detail)
        })
        .collect();
    view! { <RelatedList title=M::OpportunitiesOfAccount items=items/> }
}

/// What competitors do at this customer (observations recorded here, with quick entry) and which
/// product families similar accounts buy that this one does not yet.
#[component]
fn CompetitionPanel(
    account_id: i64,
    data: (Vec<crate::domain::Observation>, Vec<crate::domain::CrossSell>),
    on_saved: Callback<()>,
) -> impl IntoView {
    use crate::components::observation::ObservationQuick;
    use crate::domain::competition::format_bp;
    let lang = use_lang();
    let open = RwSignal::new(false);
    let (seen, hints) = data;
    view! {
        <section class="card">
            <div class="section-head">
                <h2>{t(M::Competition)}</h2>
                <button class="btn btn-ghost" on:click=move |_| open.set(true)>{t(M::RecordObservation)}</button>
            </div>
            <Show when=move || open.get()>
                // The form's choices (competitors, their products) load when it opens.
                <ObservationQuick customer_id=account_id
                    on_saved=Callback::new(move |_| { open.set(false); on_saved.run(()); })
                    on_cancel=Callback::new(move |_| open.set(false))/>
            </Show>
            {if seen.is_empty() {
                view! { <p class="muted">{t(M::NoObservations)}</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list observations-here">
                        {seen.into_iter().take(5).map(|o| view! {
                            <li>
                                <A href=format!("/competitors/{}", o.competitor_id)>{o.competitor_name.clone()}</A>
                                {o.product_name.clone().map(|p| format!(" · {p}"))}
                                {match (o.price_minor, o.currency) { (Some(p), Some(c)) => format!(" · {}", format_money(lang, p, c.code())), _ => String::new() }}
                                {o.rebate_bp.map(|r| format!(" · {} {}", lang.t(M::Rebate), format_bp(r)))}
                                <div class="muted small">{format_date(lang, &o.observed_on)} " · " {o.recorded_by.clone()}</div>
                            </li>
                        }).collect_view()}
                    </ul>
                }
                .into_any()
            }}
            <h3>{t(M::CrossSellHints)}</h3>
            {if hints.is_empty() {
                view! { <p class="muted">{t(M::NoCrossSell)}</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list">
                        {hints.into_iter().map(|h| view! {
                            <li>
                                <strong>{h.family.clone()}</strong>
                                <div class="muted small">{format!("{} {} · {}", h.accounts, lang.t(M::SimilarAccountsBuy), format_money(lang, h.revenue_minor, "RSD"))}</div>
                            </li>
                        }).collect_view()}
                    </ul>
                }
                .into_any()
            }}
        </section>
    }
}
