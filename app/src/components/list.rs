//! Shared parts of list pages: the URL query as a `ListQuery`, the filter bar, sort choice and pager.
//! Filters live in the URL, so a filtered list can be bookmarked, shared and read without JavaScript.

use super::context::{t, use_lang};
use crate::domain::imports::ImportEntity;
use crate::domain::text::urlencode;
use crate::domain::{Choice, ListQuery};
use crate::i18n::{format_int, M};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

pub fn list_query() -> Memo<ListQuery> {
    let q = use_query_map();
    Memo::new(move |_| {
        q.with(|m| {
            let g = |k: &str| m.get(k).unwrap_or_default();
            ListQuery {
                q: g("q"),
                sort: g("sort"),
                dir: g("dir"),
                cursor: g("cursor"),
                owner: g("owner"),
                team: g("team"),
                region: g("region"),
                kind: g("kind"),
                category: g("category"),
                stage: g("stage"),
                account: g("account"),
                from: g("from"),
                to: g("to"),
                status: g("status"),
                rating: g("rating"),
                source: g("source"),
                age: g("age"),
                outcome: g("outcome"),
                reason: g("reason"),
                competitor: g("competitor"),
                family: g("family"),
                forecast: g("forecast"),
                missing: g("missing"),
                created_from: g("created_from"),
                created_to: g("created_to"),
                reached: g("reached"),
                ids: g("ids"),
            }
        })
    })
}

/// The query string of `q` with another cursor.
pub fn href_with_cursor(path: &str, q: &ListQuery, cursor: &str) -> String {
    let pairs = [
        ("q", &q.q),
        ("sort", &q.sort),
        ("dir", &q.dir),
        ("owner", &q.owner),
        ("team", &q.team),
        ("region", &q.region),
        ("kind", &q.kind),
        ("category", &q.category),
        ("stage", &q.stage),
        ("account", &q.account),
        ("from", &q.from),
        ("to", &q.to),
        ("status", &q.status),
        ("rating", &q.rating),
        ("source", &q.source),
        ("age", &q.age),
        ("outcome", &q.outcome),
        ("reason", &q.reason),
        ("competitor", &q.competitor),
        ("family", &q.family),
        ("forecast", &q.forecast),
        ("missing", &q.missing),
        ("created_from", &q.created_from),
        ("created_to", &q.created_to),
        ("reached", &q.reached),
        ("ids", &q.ids),
    ];
    let mut parts: Vec<String> = pairs.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("{k}={}", urlencode(v))).collect();
    if !cursor.is_empty() {
        parts.push(format!("cursor={}", urlencode(cursor)));
    }
    if parts.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", parts.join("&"))
    }
}

/// Links that export the list as shown (same filters and sort) to CSV and XLSX.
#[component]
pub fn ExportLinks(list: &'static str, query: ListQuery) -> impl IntoView {
    let csv = href_with_cursor(&format!("/export/{list}.csv"), &query, "");
    let xlsx = href_with_cursor(&format!("/export/{list}.xlsx"), &query, "");
    view! {
        <span class="export-links">
            <a href=csv rel="external" download="" class="btn btn-ghost">{t(M::ExportCsv)}</a>
            <a href=xlsx rel="external" download="" class="btn btn-ghost">{t(M::ExportXlsx)}</a>
        </span>
    }
}

#[component]
pub fn Pager(path: &'static str, query: ListQuery, next: Option<String>, total: i64, total_cap: i64, shown: usize) -> impl IntoView {
    let lang = use_lang();
    let first = (!query.cursor.is_empty()).then(|| href_with_cursor(path, &query, ""));
    let next = next.map(|c| href_with_cursor(path, &query, &c));
    view! {
        <nav class="pager" aria-label=lang.t(M::Pagination)>
            <span class="muted">{format!("{} {} · {} {}", format_int(lang, shown as i64), lang.t(M::CardsShown), total_text(lang, total, total_cap), lang.t(M::Results))}</span>
            {first.map(|h| view! { <a class="btn btn-ghost" href=h>{t(M::FirstPage)}</a> })}
            {next.map(|h| view! { <a class="btn" href=h rel="next">{t(M::Next)}</a> })}
        </nav>
    }
}

/// "123" or, past the count's cap, "1,000+" ("100+" for a text with many matches).
fn total_text(lang: crate::i18n::Lang, total: i64, cap: i64) -> String {
    if total > cap {
        format!("{}+", format_int(lang, cap))
    } else {
        format_int(lang, total)
    }
}

/// Options of a select from choices, with the selected one marked.
/// The owner, team and region selects of every filtered page (choices from the lookups).
#[component]
pub fn OwnerTeamRegion(
    lk: crate::domain::Lookups,
    owner: String,
    team: String,
    region: String,
    /// Leave out the region (reports about people rather than customers).
    #[prop(optional)]
    without_region: bool,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        <select name="owner" aria-label=lang.t(M::Owner)>
            <option value="">{lang.t(M::AnyOwner)}</option>
            {choice_options(&lk.users, &owner)}
        </select>
        <select name="team" aria-label=lang.t(M::Team)>
            <option value="">{lang.t(M::AnyTeam)}</option>
            {choice_options(&lk.teams, &team)}
        </select>
        {(!without_region).then(|| view! {
            <select name="region" aria-label=lang.t(M::Region)>
                <option value="">{lang.t(M::AnyRegion)}</option>
                {lk.regions.iter().map(|r| view! { <option value=r.clone() selected=&region == r>{r.clone()}</option> }).collect_view()}
            </select>
        })}
    }
}

pub fn choice_options(choices: &[Choice], selected: &str) -> impl IntoView {
    choices
        .iter()
        .map(|c| {
            let v = c.id.to_string();
            let sel = v == selected;
            view! { <option value=v selected=sel>{c.label.clone()}</option> }
        })
        .collect_view()
}

/// Sort and direction selects for a filter bar.
#[component]
pub fn SortSelect(options: Vec<(&'static str, M)>, query: ListQuery) -> impl IntoView {
    let lang = use_lang();
    view! {
        <label class="inline">
            <span class="sr-only">{lang.t(M::SortBy)}</span>
            <select name="sort" aria-label=lang.t(M::SortBy)>
                {options
                    .into_iter()
                    .map(|(k, m)| {
                        let sel = query.sort == k;
                        view! { <option value=k selected=sel>{lang.t(m)}</option> }
                    })
                    .collect_view()}
            </select>
        </label>
        <select name="dir" aria-label=lang.t(M::SortDirection)>
            <option value="">"↕"</option>
            <option value="asc" selected=query.dir == "asc">{lang.t(M::Ascending)}</option>
            <option value="desc" selected=query.dir == "desc">{lang.t(M::Descending)}</option>
        </select>
    }
}

/// "Import" beside a list's own buttons, for those who may import: opens the upload with the list's
/// kind of record chosen.
#[component]
pub fn ImportLink(entity: ImportEntity) -> impl IntoView {
    let allowed = crate::components::context::session_user()
        .is_some_and(|u| matches!(u.role, crate::domain::Role::Admin | crate::domain::Role::Manager));
    allowed.then(|| view! { <A href=format!("/imports?entity={}", entity.code()) attr:class="btn">{t(M::ImportNoun)}</A> })
}

/// The tabs of the data-quality area: import and duplicates.
#[component]
pub fn DataTabs(current: &'static str) -> impl IntoView {
    view! {
        <nav class="tabs" aria-label=t(M::ImportData)>
            <a href="/imports" aria-current=(current == "imports").then_some("page")>{t(M::ImportNoun)}</a>
            <a href="/duplicates" aria-current=(current == "duplicates").then_some("page")>{t(M::Duplicates)}</a>
        </nav>
    }
}
