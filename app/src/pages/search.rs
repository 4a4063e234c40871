//! The global search page (`/search?q=…`): the first matches across accounts, contacts and
//! opportunities. The search box in the top bar submits here; it works without JavaScript.

use crate::api::search::global_search;
use crate::components::context::{t, use_lang};
use crate::components::Loading;
use crate::domain::SearchKind;
use crate::i18n::labels::error_text;
use crate::i18n::M;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SearchPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let q = Memo::new(move |_| query.with(|m| m.get("q").unwrap_or_default()));
    let hits = Resource::new(move || q.get(), global_search);
    view! {
        <Title text=t(M::Search)/>
        <div class="page-head">
            <h1>{t(M::Search)}</h1>
        </div>
        <form method="GET" action="/search" class="filters" role="search">
            <input type="search" name="q" value=move || q.get() aria-label=lang.t(M::SearchLabel) placeholder=lang.t(M::SearchLabel) autofocus=true/>
            <button type="submit" class="btn">{t(M::Search)}</button>
        </form>
        <Transition fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                let text = q.get();
                match hits.await {
                    Err(e) => view! { <p class="banner banner-error">{error_text(lang, &e)}</p> }.into_any(),
                    Ok(_) if text.trim().is_empty() => view! { <p class="empty">{t(M::SearchEmpty)}</p> }.into_any(),
                    Ok(h) if h.is_empty() => view! { <p class="empty">{t(M::NoResults)}</p> }.into_any(),
                    Ok(h) => {
                        let full = h.len() as i64 >= 20;
                        view! {
                            <ul class="search-results">
                                {h
                                    .into_iter()
                                    .map(|hit| {
                                        let kind = match hit.kind {
                                            SearchKind::Account => M::KindAccount,
                                            SearchKind::Contact => M::KindContact,
                                            SearchKind::Opportunity => M::KindOpportunity,
                                            SearchKind::Lead => M::KindLead,
                                        };
                                        view! {
                                            <li>
                                                <span class=format!("badge kind-{:?}", hit.kind).to_lowercase()>{lang.t(kind)}</span>
                                                <A href=hit.kind.href(hit.id)>{hit.title}</A>
                                                {hit.detail.map(|d| view! { <span class="muted">{d}</span> })}
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                            {full.then(|| view! { <p class="muted">{t(M::SearchFirst)}</p> })}
                            <p class="export-links">
                                <span class="muted">{t(M::ExportAllMatches)}</span>
                                <a href=format!("/export/search.csv?q={}", crate::domain::text::urlencode(&text)) rel="external" download="" class="btn btn-ghost">{t(M::ExportCsv)}</a>
                                <a href=format!("/export/search.xlsx?q={}", crate::domain::text::urlencode(&text)) rel="external" download="" class="btn btn-ghost">{t(M::ExportXlsx)}</a>
                            </p>
                        }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}
