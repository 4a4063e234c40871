//! `/marketing/lists`: the marketing lists the user may see, searched by name and filtered by kind of
//! member and type, a page at a time; and `/marketing/lists/new`.

use crate::api::accounts::get_lookups;
use crate::api::marketing::list_marketing_lists;
use crate::components::context::{t, use_lang};
use crate::components::list::{list_query, Pager, SortSelect};
use crate::components::marketing_list_form::{kind_label, type_label, ListForm, Preset};
use crate::components::Loading;
use crate::domain::marketing::{ListType, MemberKind};
use crate::domain::ListQuery;
use crate::i18n::labels::error_text;
use crate::i18n::{format_date, M};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::{use_navigate, use_query_map};

#[component]
pub fn MarketingListsPage() -> impl IntoView {
    let lang = use_lang();
    let query = list_query();
    let page = Resource::new(move || query.get(), list_marketing_lists);
    view! {
        <Title text=t(M::MarketingLists)/>
        <div class="page-head">
            <h1>{t(M::MarketingLists)}</h1>
            <div class="head-actions">
                <A href="/marketing/quick-campaigns" attr:class="btn">{t(M::QuickCampaigns)}</A>
                <A href="/marketing/lists/new" attr:class="btn btn-primary">{t(M::NewMarketingList)}</A>
            </div>
        </div>
        {move || view! { <ListFilters q=query.get()/> }}
        <Transition fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                let q = query.get();
                match page.await {
                    Err(e) => view! { <p class="banner banner-error">{error_text(lang, &e)}</p> }.into_any(),
                    Ok(p) if p.rows.is_empty() => view! { <p class="empty">{t(M::MlNoLists)}</p> }.into_any(),
                    Ok(p) => {
                        let shown = p.rows.len();
                        view! {
                            <div class="table-wrap">
                                <table class="table" id="marketing-lists">
                                    <thead>
                                        <tr>
                                            <th>{t(M::Name)}</th>
                                            <th>{t(M::MlMemberKind)}</th>
                                            <th>{t(M::MlListType)}</th>
                                            <th class="hide-sm">{t(M::MlPurpose)}</th>
                                            <th class="hide-sm">{t(M::Owner)}</th>
                                            <th class="hide-sm">{t(M::SortUpdated)}</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {p
                                            .rows
                                            .into_iter()
                                            .map(|r| {
                                                view! {
                                                    <tr>
                                                        <td>
                                                            <A href=format!("/marketing/lists/{}", r.id)>{r.name}</A>
                                                            {r.locked.then(|| view! { " " <span class="badge badge-muted">{t(M::MlLocked)}</span> })}
                                                        </td>
                                                        <td>{t(kind_label(r.member_kind))}</td>
                                                        <td>{t(type_label(r.list_type))}</td>
                                                        <td class="hide-sm">{r.purpose}</td>
                                                        <td class="hide-sm">{r.owner_name}</td>
                                                        <td class="hide-sm">{format_date(lang, &r.updated_at)}</td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <Pager path="/marketing/lists" query=q next=p.next_cursor total=p.total total_cap=p.total_cap shown=shown/>
                        }
                        .into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// Search by name, kind of member (`kind`), type (`status`) and sort — in the URL.
#[component]
fn ListFilters(q: ListQuery) -> impl IntoView {
    let lang = use_lang();
    view! {
        <Form method="GET" action="/marketing/lists" attr:class="filters" attr:role="search">
            <input type="search" name="q" value=q.q.clone() placeholder=lang.t(M::MlSearchPlaceholder) aria-label=lang.t(M::Search)/>
            <select name="kind" aria-label=lang.t(M::MlMemberKind)>
                <option value="">{lang.t(M::MlAnyKind)}</option>
                {MemberKind::ALL.iter().map(|k| view! { <option value=k.code() selected=q.kind == k.code()>{lang.t(kind_label(*k))}</option> }).collect_view()}
            </select>
            <select name="status" aria-label=lang.t(M::MlListType)>
                <option value="">{lang.t(M::MlAnyType)}</option>
                {ListType::ALL.iter().map(|k| view! { <option value=k.code() selected=q.status == k.code()>{lang.t(type_label(*k))}</option> }).collect_view()}
            </select>
            <SortSelect options=vec![("name", M::SortName), ("updated", M::SortUpdated)] query=q.clone()/>
            <button type="submit" class="btn">{lang.t(M::Filter)}</button>
            <a class="btn btn-ghost" href="/marketing/lists">{lang.t(M::ClearFilters)}</a>
        </Form>
    }
}

#[component]
pub fn NewMarketingListPage() -> impl IntoView {
    let lookups = Resource::new(|| (), |_| get_lookups());
    let qm = use_query_map();
    let preset = Memo::new(move |_| {
        qm.with(|m| Preset {
            kind: m.get("kind").unwrap_or_default(),
            list_type: m.get("type").unwrap_or_default(),
            query: m.get("query").unwrap_or_default(),
        })
    });
    let navigate = use_navigate();
    let on_saved = Callback::new(move |id: i64| navigate(&format!("/marketing/lists/{id}"), Default::default()));
    view! {
        <Title text=t(M::NewMarketingList)/>
        <div class="page-head">
            <div>
                <p class="crumbs"><A href="/marketing/lists">{t(M::MarketingLists)}</A></p>
                <h1>{t(M::NewMarketingList)}</h1>
            </div>
        </div>
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                let lk = lookups.await.unwrap_or_default();
                view! { <div class="card"><ListForm list=None lookups=lk preset=preset.get_untracked() on_saved=on_saved/></div> }
            })}
        </Suspense>
    }
}
