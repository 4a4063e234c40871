//! Win/loss analysis and customer profitability. Filters live in the URL (they work without
//! JavaScript); every bar links to the opportunities behind it.

use crate::api::accounts::get_lookups;
use crate::api::competitors::{get_profitability, get_win_loss};
use crate::components::charts::{Bar, BarChart, WinLossChart, WonLost};
use crate::components::context::{t, use_lang};
use crate::components::list::OwnerTeamRegion;
use crate::components::Loading;
use crate::domain::competition::{format_bp, AnalysisQuery, ProfitRow, WinLoss, WinRecord};
use crate::domain::text::urlencode;
use crate::domain::Lookups;
use crate::i18n::labels::error_text;
use crate::i18n::{format_money, Lang, M};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::use_query_map;

fn analysis_query() -> Memo<AnalysisQuery> {
    let q = use_query_map();
    Memo::new(move |_| {
        q.with(|m| AnalysisQuery {
            from: m.get("from").unwrap_or_default(),
            to: m.get("to").unwrap_or_default(),
            owner: m.get("owner").unwrap_or_default(),
            team: m.get("team").unwrap_or_default(),
            region: m.get("region").unwrap_or_default(),
        })
    })
}

/// The query's filters as URL parameters for a drill-down link to the opportunity list.
fn drill(q: &AnalysisQuery, extra: &str) -> String {
    let mut parts = vec![extra.to_string()];
    for (k, v) in [("from", &q.from), ("to", &q.to), ("owner", &q.owner), ("team", &q.team), ("region", &q.region)] {
        if !v.is_empty() {
            parts.push(format!("{k}={}", urlencode(v)));
        }
    }
    format!("/opportunities?{}", parts.into_iter().filter(|p| !p.is_empty()).collect::<Vec<_>>().join("&"))
}

#[component]
fn AnalysisFilters(action: &'static str, q: AnalysisQuery, lk: Lookups) -> impl IntoView {
    let lang = use_lang();
    view! {
        <Form method="GET" action=action attr:class="filters" attr:role="search">
            <label class="inline">{lang.t(M::From)}<input type="date" name="from" value=q.from.clone()/></label>
            <label class="inline">{lang.t(M::To)}<input type="date" name="to" value=q.to.clone()/></label>
            <OwnerTeamRegion lk=lk.clone() owner=q.owner.clone() team=q.team.clone() region=q.region.clone()/>
            <button type="submit" class="btn">{lang.t(M::Filter)}</button>
            <a class="btn btn-ghost" href=action>{lang.t(M::ClearFilters)}</a>
        </Form>
    }
}

fn won_lost_rows(lang: Lang, q: &AnalysisQuery, rows: &[WinRecord], param: &str) -> Vec<WonLost> {
    rows.iter()
        .map(|r| {
            let filter = |outcome: &str| {
                let mut extra = format!("outcome={outcome}");
                match param {
                    "quarter" => {
                        // "2026-Q3" → the quarter's dates (the period filter of the drill-down).
                        if let Some((y, qn)) = r.key.split_once("-Q") {
                            let qn: u32 = qn.parse().unwrap_or(1);
                            let from = format!("{y}-{:02}-01", (qn - 1) * 3 + 1);
                            let to = format!("{y}-{:02}-{}", qn * 3, if qn == 1 || qn == 4 { 31 } else { 30 });
                            return format!("/opportunities?{extra}&from={from}&to={to}");
                        }
                    }
                    "" => {}
                    p => extra.push_str(&format!("&{p}={}", urlencode(&r.key))),
                }
                drill(q, &extra)
            };
            WonLost {
                label: if r.label.is_empty() { lang.t(M::NoRegion).to_string() } else { r.label.clone() },
                won: r.won,
                lost: r.lost,
                text: r.rate_bp().map(format_bp).unwrap_or_else(|| "—".into()),
                won_href: Some(filter("won")),
                lost_href: Some(filter("lost")),
            }
        })
        .collect()
}

#[component]
pub fn WinLossPage() -> impl IntoView {
    let lang = use_lang();
    let query = analysis_query();
    let data = Resource::new(move || query.get(), get_win_loss);
    let lookups = Resource::new(|| (), |_| get_lookups());
    view! {
        <Title text=t(M::WinLoss)/>
        <div class="page-head">
            <h1>{t(M::WinLoss)}</h1>
            <div class="head-actions">
                <A href="/profitability" attr:class="btn">{t(M::Profitability)}</A>
                <A href="/competitors" attr:class="btn">{t(M::Competitors)}</A>
            </div>
        </div>
        <Transition fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                let q = query.get();
                let lk = lookups.await.unwrap_or_default();
                match data.await {
                    Err(e) => view! { <p class="banner banner-error">{error_text(lang, &e)}</p> }.into_any(),
                    Ok(w) => view! { <AnalysisFilters action="/win-loss" q=q.clone() lk=lk/> <WinLossView w=w q=q/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn WinLossView(w: WinLoss, q: AnalysisQuery) -> impl IntoView {
    let lang = use_lang();
    let o = w.overall.clone();
    let reasons: Vec<Bar> = w
        .reasons
        .iter()
        .map(|r| Bar {
            label: r.reason.label(lang).to_string(),
            value: r.count,
            text: format!("{} · {}", r.count, format_money(lang, r.value_minor, "RSD")),
            href: Some(drill(&q, &format!("outcome=lost&reason={}", r.reason.id))),
        })
        .collect();
    let (won_l, lost_l) = (lang.t(M::OutcomeWon), lang.t(M::OutcomeLost));
    view! {
        <div class="kpis">
            <div class="kpi"><span class="kpi-label">{t(M::WinRate)}</span><span class="kpi-value">{o.rate_bp().map(format_bp).unwrap_or_else(|| "—".into())}</span></div>
            <a class="kpi" href=drill(&q, "outcome=won")><span class="kpi-label">{t(M::OutcomeWon)}</span><span class="kpi-value">{o.won}</span><span class="kpi-sub">{format_money(lang, o.won_minor, "RSD")}</span></a>
            <a class="kpi" href=drill(&q, "outcome=lost")><span class="kpi-label">{t(M::OutcomeLost)}</span><span class="kpi-value">{o.lost}</span><span class="kpi-sub">{format_money(lang, o.lost_minor, "RSD")}</span></a>
        </div>
        {if o.won + o.lost == 0 {
            view! { <p class="empty">{t(M::NoClosedDeals)}</p> }.into_any()
        } else {
            view! {
                <div class="grid-2">
                    <section class="card"><WinLossChart title=lang.t(M::ByCompetitor) rows=won_lost_rows(lang, &q, &w.by_competitor, "competitor") won_label=won_l lost_label=lost_l/></section>
                    <section class="card">{if reasons.is_empty() { view! { <p class="muted">{t(M::NoResults)}</p> }.into_any() } else { view! { <BarChart title=lang.t(M::LossReasons) bars=reasons/> }.into_any() }}</section>
                    <section class="card"><WinLossChart title=lang.t(M::ByProductFamily) rows=won_lost_rows(lang, &q, &w.by_family, "family") won_label=won_l lost_label=lost_l/></section>
                    <section class="card"><WinLossChart title=lang.t(M::ByRegion) rows=won_lost_rows(lang, &q, &w.by_region, "region") won_label=won_l lost_label=lost_l/></section>
                    <section class="card"><WinLossChart title=lang.t(M::BySalesperson) rows=won_lost_rows(lang, &q, &w.by_owner, "owner") won_label=won_l lost_label=lost_l/></section>
                    <section class="card"><WinLossChart title=lang.t(M::ByQuarter) rows=won_lost_rows(lang, &q, &w.by_quarter, "quarter") won_label=won_l lost_label=lost_l/></section>
                </div>
            }
            .into_any()
        }}
    }
}

#[component]
pub fn ProfitabilityPage() -> impl IntoView {
    let lang = use_lang();
    let query = analysis_query();
    let data = Resource::new(move || query.get(), get_profitability);
    let lookups = Resource::new(|| (), |_| get_lookups());
    view! {
        <Title text=t(M::Profitability)/>
        <div class="page-head">
            <h1>{t(M::Profitability)}</h1>
            <div class="head-actions"><A href="/win-loss" attr:class="btn">{t(M::WinLoss)}</A></div>
        </div>
        <Transition fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                let q = query.get();
                let lk = lookups.await.unwrap_or_default();
                match data.await {
                    Err(e) => view! { <p class="banner banner-error">{error_text(lang, &e)}</p> }.into_any(),
                    Ok(p) => {
                        let hint = if p.sees_margin { M::ProfitHintMargin } else { M::ProfitHintRevenue };
                        view! {
                            <AnalysisFilters action="/profitability" q=q lk=lk/>
                            <p class="muted">{t(hint)}</p>
                            <div class="grid-2">
                                <section class="card"><h2>{t(M::MostProfitable)}</h2><ProfitTable rows=p.most.clone() margin=p.sees_margin/></section>
                                <section class="card"><h2>{t(M::LeastProfitable)}</h2><ProfitTable rows=p.least.clone() margin=p.sees_margin/></section>
                            </div>
                        }
                        .into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn ProfitTable(rows: Vec<ProfitRow>, margin: bool) -> impl IntoView {
    let lang = use_lang();
    if rows.is_empty() {
        return view! { <p class="muted">{t(M::NoResults)}</p> }.into_any();
    }
    view! {
        <table class="table">
            <thead>
                <tr>
                    <th>{t(M::Account)}</th>
                    <th class="num">{t(M::WonDeals)}</th>
                    <th class="num">{t(M::WonRevenue)}</th>
                    {margin.then(|| view! { <th class="num">{t(M::Margin)}</th><th class="num">"%"</th> })}
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|r| {
                    let bp = r.margin_bp();
                    view! {
                        <tr>
                            <td><A href=format!("/accounts/{}", r.account_id)>{r.name.clone()}</A></td>
                            <td class="num"><A href=format!("/opportunities?account={}&outcome=won", r.account_id)>{r.deals}</A></td>
                            <td class="num">{format_money(lang, r.revenue_minor, "RSD")}</td>
                            {margin.then(|| view! {
                                <td class="num">{r.margin_minor.map(|m| format_money(lang, m, "RSD")).unwrap_or_else(|| "—".into())}</td>
                                <td class="num">{bp.map(format_bp).unwrap_or_else(|| "—".into())}</td>
                            })}
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
