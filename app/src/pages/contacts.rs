//! Contacts: list, contact page (form and history) and the new-contact form.

use crate::api::accounts::get_lookups;
use crate::api::contacts::{delete_contact, get_contact, list_contacts, SaveContact};
use crate::components::account_picker::preset_account;
use crate::components::account_picker::AccountPicker;
use crate::components::bulk::{BulkBar, BulkResult, BulkState, PageCheckbox, RowCheckbox};
use crate::components::context::confirm;
use crate::components::context::{t, use_lang};
use crate::components::fields::{SelectField, TextField};
use crate::components::history::{history_resource, HistoryPanel, RecordTabs};
use crate::components::list::{choice_options, list_query, ExportLinks, Pager, SortSelect};
use crate::components::marketing_lists::{marketing_lists_resource, MarketingListsPanel, PreferenceBadges, PreferenceFields};
use crate::components::privacy::PersonalDataPanel;
use crate::components::timeline::{timeline_resource, RecordTimeline};
use crate::components::toast::use_toasts;
use crate::components::{DuplicateWarning, ErrorBanner, Loading, RecordError};
use crate::domain::bulk::BulkList;
use crate::domain::imports::ImportEntity;
use crate::domain::marketing::MemberKind;
use crate::domain::{BuyingRole, Choice, Contact, ListQuery, Lookups, RegardingKind};
use crate::i18n::labels::{buying_label, error_text};
use crate::i18n::M;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

#[component]
pub fn ContactsPage() -> impl IntoView {
    let lang = use_lang();
    let query = list_query();
    let bulk = BulkState::new(query);
    let page = Resource::new(move || (query.get(), bulk.changed.get()), |(q, _)| list_contacts(q));
    let lookups = Resource::new(|| (), |_| get_lookups());
    view! {
        <Title text=t(M::Contacts)/>
        <div class="page-head">
            <h1>{t(M::Contacts)}</h1>
            <div class="head-actions">
                <crate::components::views::ViewPicker entity=crate::domain::find::Entity::Contact/>
                <crate::components::list::ImportLink entity=ImportEntity::Contact/>
                <A href="/contacts/new" attr:class="btn btn-primary">{t(M::NewContact)}</A>
            </div>
        </div>
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                let q = query.get();
                let lk = lookups.await.unwrap_or_default();
                view! { <ContactFilters q=q lk=lk/> }
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
                            <BulkBar state=bulk list=BulkList::Contacts query=q.clone() total=p.total total_cap=p.total_cap page=picks.clone() users=users/>
                            <div class="table-wrap">
                                <table class="table">
                                    <thead>
                                        <tr>
                                            <th class="bulk-col"><PageCheckbox state=bulk page=picks.clone()/></th>
                                            <th>{t(M::FullName)}</th>
                                            <th>{t(M::Account)}</th>
                                            <th class="hide-sm">{t(M::JobTitle)}</th>
                                            <th class="hide-sm">{t(M::Email)}</th>
                                            <th class="hide-sm">{t(M::Phone)}</th>
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
                                                        <td><A href=format!("/contacts/{}", r.id)>{r.name}</A>" "<PreferenceBadges preferences=r.preferences/></td>
                                                        <td>{r.account_id.map(|a| view! { <A href=format!("/accounts/{a}")>{r.account_name.clone()}</A> })}</td>
                                                        <td class="hide-sm">{r.job_title}</td>
                                                        <td class="hide-sm">{r.email}</td>
                                                        <td class="hide-sm">{r.phone}</td>
                                                        <td class="hide-sm">{r.owner_name}</td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <ExportLinks list="contacts" query=q.clone()/>
                            <Pager path="/contacts" query=q next=p.next_cursor total=p.total total_cap=p.total_cap shown=shown/>
                        }
                        .into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn ContactFilters(q: ListQuery, lk: Lookups) -> impl IntoView {
    let lang = use_lang();
    view! {
        <Form method="GET" action="/contacts" attr:class="filters" attr:role="search">
            <input type="search" name="q" value=q.q.clone() placeholder=lang.t(M::SearchPlaceholder) aria-label=lang.t(M::Search)/>
            <select name="kind" aria-label=lang.t(M::BuyingRole)>
                <option value="">{lang.t(M::BuyingRole)}</option>
                {BuyingRole::ALL.iter().map(|r| view! { <option value=r.code() selected=q.kind == r.code()>{lang.t(buying_label(*r))}</option> }).collect_view()}
            </select>
            <select name="owner" aria-label=lang.t(M::Owner)>
                <option value="">{lang.t(M::AnyOwner)}</option>
                {choice_options(&lk.users, &q.owner)}
            </select>
            <select name="team" aria-label=lang.t(M::Team)>
                <option value="">{lang.t(M::AnyTeam)}</option>
                {choice_options(&lk.teams, &q.team)}
            </select>
            {(!q.account.is_empty()).then(|| view! { <input type="hidden" name="account" value=q.account.clone()/> })}
            <SortSelect options=vec![("name", M::SortName), ("updated", M::SortUpdated)] query=q.clone()/>
            <button type="submit" class="btn">{lang.t(M::Filter)}</button>
            <a class="btn btn-ghost" href="/contacts">{lang.t(M::ClearFilters)}</a>
        </Form>
    }
}

#[component]
pub fn ContactForm(
    contact: Option<Contact>,
    account: Option<Choice>,
    lookups: Lookups,
    #[prop(into)] on_saved: Callback<i64>,
) -> impl IntoView {
    let lang = use_lang();
    let me = crate::components::context::session_user();
    let action = ServerAction::<SaveContact>::new();
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    Effect::new(move || {
        if let Some(Ok(id)) = action.value().get() {
            on_saved.run(id);
        }
    });
    let is_new = contact.is_none();
    let c = contact.unwrap_or(Contact {
        id: 0,
        first_name: String::new(),
        last_name: String::new(),
        account_id: account.as_ref().map(|a| a.id),
        account_name: account.as_ref().map(|a| a.label.clone()),
        job_title: None,
        buying_role: None,
        email: None,
        phone: None,
        mobile: None,
        preferences: Default::default(),
        owner_id: me.map(|m| m.id).unwrap_or(0),
        owner_name: String::new(),
        updated_at: String::new(),
        version: 0,
    });
    let selected_account = c.account_id.map(|id| Choice { id, label: c.account_name.clone().unwrap_or_default() });
    let roles: Vec<(String, String)> =
        BuyingRole::ALL.iter().map(|r| (r.code().to_string(), lang.t(buying_label(*r)).to_string())).collect();
    let owners: Vec<(String, String)> = lookups.users.iter().map(|u| (u.id.to_string(), u.label.clone())).collect();
    const FIELDS: &[&str] = &[
        "first_name",
        "last_name",
        "account_id",
        "job_title",
        "buying_role",
        "email",
        "phone",
        "mobile",
        "owner_id",
        "do_not_email",
        "do_not_call",
        "do_not_mail",
        "duplicate",
    ];
    view! {
        <ActionForm action=action attr:class="form-grid" attr:novalidate=true>
            <ErrorBanner error=error fields=FIELDS/>
            <DuplicateWarning error=error base="/contacts"/>
            <input type="hidden" name="input[id]" value=if is_new { String::new() } else { c.id.to_string() }/>
            <input type="hidden" name="input[version]" value=c.version.to_string()/>
            <TextField label=M::FirstName key="first_name" value=c.first_name.clone() error=error required=true/>
            <TextField label=M::LastName key="last_name" value=c.last_name.clone() error=error required=true/>
            <AccountPicker selected=selected_account error=error/>
            <TextField label=M::JobTitle key="job_title" value=c.job_title.clone().unwrap_or_default() error=error/>
            <SelectField label=M::BuyingRole key="buying_role" options=roles selected=c.buying_role.map(|r| r.code().to_string()).unwrap_or_default() error=error empty=M::NoneChoice/>
            <TextField label=M::Email key="email" value=c.email.clone().unwrap_or_default() error=error kind="email"/>
            <TextField label=M::Phone key="phone" value=c.phone.clone().unwrap_or_default() error=error kind="tel"/>
            <TextField label=M::Mobile key="mobile" value=c.mobile.clone().unwrap_or_default() error=error kind="tel"/>
            <SelectField label=M::Owner key="owner_id" options=owners selected=c.owner_id.to_string() error=error required=true/>
            <PreferenceFields preferences=c.preferences error=error/>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { t(M::Saving) } else { t(M::Save) }}
                </button>
            </div>
        </ActionForm>
    }
}

#[component]
pub fn NewContactPage() -> impl IntoView {
    let lookups = Resource::new(|| (), |_| get_lookups());
    let account = preset_account();
    let navigate = use_navigate();
    let on_saved = Callback::new(move |id: i64| navigate(&format!("/contacts/{id}"), Default::default()));
    view! {
        <Title text=t(M::NewContact)/>
        <div class="page-head"><h1>{t(M::NewContact)}</h1></div>
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                let lk = lookups.await.unwrap_or_default();
                let acc = account.await;
                view! { <div class="card"><ContactForm contact=None account=acc lookups=lk on_saved=on_saved/></div> }
            })}
        </Suspense>
    }
}

#[component]
pub fn ContactPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let query = use_query_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse::<i64>().ok()).unwrap_or(0)));
    let tab = Memo::new(move |_| query.with(|q| q.get("tab").unwrap_or_default()));
    let on_history = Memo::new(move |_| tab.get() == "history");
    let history_rows = history_resource("contact", id, on_history);
    let lists_data = marketing_lists_resource(MemberKind::Contact, id);
    let tl_reload = RwSignal::new(0u32);
    let timeline = timeline_resource(RegardingKind::Contact, id, tl_reload);
    let reload = RwSignal::new(0u32);
    let contact = Resource::new(move || (id.get(), reload.get()), |(id, _)| get_contact(id));
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
                    match contact.await {
                        Err(e) => view! { <RecordError error=e/> }
                        .into_any(),
                        Ok(c) => {
                            let (id, version) = (c.id, c.version);
                            let title = format!("{} {}", c.first_name, c.last_name);
                            let preferences = c.preferences;
                            let (crumb_id, crumb_name) = (c.account_id, c.account_name.clone());
                            let on_delete = move |_| {
                                let navigate = navigate.clone();
                                if confirm(lang.t(M::ConfirmTrash)) {
                                    leptos::task::spawn_local(async move {
                                        match delete_contact(id, version).await {
                                            Ok(()) => {
                                                toasts.push(crate::components::history::moved_to_trash(lang).await, false);
                                                navigate("/contacts", Default::default())
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
                                            <A href="/contacts">{t(M::Contacts)}</A>
                                            {crumb_id.map(|a| view! { " · " <A href=format!("/accounts/{a}")>{crumb_name.clone()}</A> })}
                                        </p>
                                        <h1>{title} " " <PreferenceBadges preferences=preferences/></h1>
                                    </div>
                                    <div class="head-actions">
                                        <button class="btn btn-danger" on:click=on_delete>{t(M::Delete)}</button>
                                    </div>
                                </div>
                                <RecordTabs base=format!("/contacts/{id}") history=history/>
                                {if history {
                                    view! { <HistoryPanel rows=history_rows/> }.into_any()
                                } else {
                                    let me = vec![Choice { id: c.id, label: format!("{} {}", c.first_name, c.last_name) }];
                                    let email_to = c.email.clone();
                                    let users = lk.users.clone();
                                    view! {
                                        <div class="card"><ContactForm contact=Some(c) account=None lookups=lk on_saved=on_saved/></div>
                                        <MarketingListsPanel kind=MemberKind::Contact id=id data=lists_data/>
                                        <RecordTimeline kind=RegardingKind::Contact id=id page=timeline_page.clone() reload=tl_reload contacts=me users=users send_email=true email_to=email_to/>
                                        <PersonalDataPanel kind=RegardingKind::Contact id=id version=version on_erased=move |_| { reload.update(|n| *n += 1); tl_reload.update(|n| *n += 1); }/>
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
