//! Pipeline health: stage conversion with days in stage, won deal size and sales cycle, the age of
//! open deals, slipping deals and leads by source. Filters in the URL; figures link to their records.

use crate::api::accounts::get_lookups;
use crate::api::reports::get_health;
use crate::components::charts::{Bar, BarChart, DonutChart, FunnelChart, FunnelStep as Step};
use crate::components::context::{t, use_lang};
use crate::components::list::OwnerTeamRegion;
use crate::components::report::source_slices;
use crate::components::report::{ReportExportLinks, ReportTabs};
use crate::components::{kpi, Loading};
use crate::domain::competition::format_bp;
use crate::domain::reports::{share_bp, Health, ReportQuery};
use crate::domain::text::urlencode;
use crate::domain::Lookups;
use crate::i18n::labels::error_text;
use crate::i18n::labels::source_name;
use crate::i18n::{format_date, format_int, format_money_short, M};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::use_query_map;

fn query() -> Memo<ReportQuery> {
    let q = use_query_map();
    Memo::new(move |_| {
        q.with(|m| ReportQuery {
            from: m.get("from").unwrap_or_default(),
            to: m.get("to").unwrap_or_default(),
            owner: m.get("owner").unwrap_or_default(),
            team: m.get("team").unwrap_or_default(),
            region: m.get("region").unwrap_or_default(),
            ..Default::default()
        })
    })
}

#[component]
pub fn HealthPage() -> impl IntoView {
    let lang = use_lang();
    let q = query();
    let data = Resource::new(move || q.get(), get_health);
    let lookups = Resource::new(|| (), |_| get_lookups());
    view! {
        <Title text=t(M::PipelineHealth)/>
        <div class="page-head">
            <h1>{t(M::PipelineHealth)}</h1>
            <div class="head-actions">
                <ReportTabs current="/reports/pipeline"/>
                {move || view! { <ReportExportLinks kind="pipeline" params=q.get().params()/> }}
            </div>
        </div>
        <p class="muted no-print">{t(M::PipelineHealthHint)}</p>
        <Transition fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                let lk = lookups.await.unwrap_or_default();
                match data.await {
                    Err(e) => view! { <p class="banner banner-error">{error_text(lang, &e)}</p> }.into_any(),
                    Ok(h) => view! { <HealthView h=h q=q.get() lk=lk/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn HealthView(h: Health, q: ReportQuery, lk: Lookups) -> impl IntoView {
    let lang = use_lang();
    let money = move |m: i64| format_money_short(lang, m, "RSD");
    let filters: String = [("owner", &q.owner), ("team", &q.team), ("region", &q.region)]
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("&{k}={}", urlencode(v)))
        .collect();
    let created_href = format!("/opportunities?created_from={}&created_to={}{filters}", h.from, h.to);
    let first = h.funnel.first().map(|f| f.reached).unwrap_or(0);
    let funnel: Vec<Step> = h
        .funnel
        .iter()
        .map(|f| Step {
            label: f.stage.clone(),
            value: f.reached,
            text: format!(
                "{} · {}{}",
                format_int(lang, f.reached),
                share_bp(f.reached, first).map(format_bp).unwrap_or_else(|| "—".into()),
                f.avg_days_x10.map(|d| format!(" · {}.{} {}", d / 10, d % 10, lang.t(M::AvgDaysInStage))).unwrap_or_default()
            ),
            href: (f.reached > 0).then(|| format!("{created_href}&reached={}", f.stage_id)),
        })
        .collect();
    let ageing: Vec<Bar> = {
        let mut lower = 0;
        h.ageing
            .iter()
            .map(|a| {
                let label = match a.max_days {
                    Some(d) => format!("{lower}–{d} {}", lang.t(M::Days)),
                    None => format!("> {} {} ({})", lower - 1, lang.t(M::Days), lang.t(M::OlderThan)),
                };
                lower = a.max_days.map(|d| d + 1).unwrap_or(lower);
                let href = (a.count > 0)
                    .then(|| format!("/opportunities?outcome=open&created_from={}&created_to={}{filters}", a.created_from, a.created_to));
                Bar { label, value: a.value_minor, text: format!("{} · {}", format_int(lang, a.count), money(a.value_minor)), href }
            })
            .collect()
    };
    let sources = lk.picklists.sources.clone();
    let source_label = move |id: Option<i64>| source_name(lang, &sources, id);
    let won_href = format!("/opportunities?outcome=won&from={}&to={}{filters}", h.from, h.to);
    let source_slices = source_slices(lang, &lk.picklists.sources, &h.sources);
    let total_leads: i64 = h.sources.iter().map(|r| r.leads).sum();
    view! {
        <Form method="GET" action="/reports/pipeline" attr:class="filters" attr:role="search">
            <label class="inline">{lang.t(M::From)}<input type="date" name="from" value=h.from.clone()/></label>
            <label class="inline">{lang.t(M::To)}<input type="date" name="to" value=h.to.clone()/></label>
            <OwnerTeamRegion lk=lk.clone() owner=q.owner.clone() team=q.team.clone() region=q.region.clone()/>
            <button type="submit" class="btn">{lang.t(M::Filter)}</button>
            <a class="btn btn-ghost" href="/reports/pipeline">{lang.t(M::ClearFilters)}</a>
        </Form>
        <div class="kpis">
            {kpi(M::DealsCreated, format_int(lang, h.created), None, Some(created_href.clone()))}
            {kpi(M::WonOfCreated, format_int(lang, h.won_of_created), Some(share_bp(h.won_of_created, h.created).map(format_bp).unwrap_or_else(|| "—".into())), Some(format!("{created_href}&outcome=won")))}
            {kpi(M::AvgWonDeal, h.avg_won_minor.map(money).unwrap_or_else(|| "—".into()), Some(format!("{}: {}", lang.t(M::WonDeals), format_int(lang, h.won_closed))), Some(won_href))}
            {kpi(M::SalesCycle, h.avg_cycle_days.map(|d| format!("{d} {}", lang.t(M::Days))).unwrap_or_else(|| "—".into()), None, None)}
        </div>
        <div class="grid-2">
            <section class="card">{if funnel.is_empty() { view! { <p class="muted">{t(M::NoResults)}</p> }.into_any() } else { view! { <FunnelChart title=lang.t(M::StageConversion) steps=funnel/> }.into_any() }}</section>
            <section class="card"><BarChart title=lang.t(M::DealAgeing) bars=ageing/></section>
        </div>
        <section class="card" id="slipping">
            <h2>{t(M::SlippingDeals)}</h2>
            {if h.slipping.is_empty() {
                view! { <p class="empty">{t(M::NoSlipping)}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="table">
                            <thead><tr><th>{t(M::Name)}</th><th>{t(M::Owner)}</th><th class="num">{t(M::Amount)}</th><th>{t(M::WasDue)}</th><th>{t(M::CloseDate)}</th><th class="num">{t(M::TimesMoved)}</th></tr></thead>
                            <tbody>
                                {h.slipping.clone().into_iter().map(|s| view! {
                                    <tr>
                                        <td><A href=format!("/opportunities/{}", s.id)>{s.name.clone()}</A></td>
                                        <td>{s.owner.clone()}</td>
                                        <td class="num">{format_money_short(lang, s.amount_minor, &s.currency)}</td>
                                        <td>{format_date(lang, &s.first_close)}</td>
                                        <td>{format_date(lang, &s.close_date)}</td>
                                        <td class="num">{s.pushes}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                .into_any()
            }}
        </section>
        <section class="card" id="lead-sources">
            <h2>{t(M::LeadsBySource)}</h2>
            {(total_leads > 0).then(|| view! { <DonutChart title=lang.t(M::Leads) slices=source_slices total_text=format_int(lang, total_leads)/> })}
            <div class="table-wrap">
                <table class="table">
                    <thead><tr><th>{t(M::Source)}</th><th class="num">{t(M::Leads)}</th><th class="num">{t(M::LeadQualified)}</th><th class="num">{t(M::Opportunities)}</th><th class="num">{t(M::WonDeals)}</th><th class="num">{t(M::WonRevenue)}</th></tr></thead>
                    <tbody>
                        {h.sources.clone().into_iter().map(|r| {
                            let source_label = source_label.clone();
                            let leads_href = r.source_id.map(|id| format!("/leads?source={id}"));
                            view! {
                                <tr>
                                    <th scope="row">{match leads_href { Some(href) => view! { <A href=href>{source_label(r.source_id)}</A> }.into_any(), None => view! { <span>{source_label(r.source_id)}</span> }.into_any() }}</th>
                                    <td class="num">{format_int(lang, r.leads)}</td>
                                    <td class="num">{format_int(lang, r.qualified)}" "<span class="muted">{share_bp(r.qualified, r.leads).map(format_bp).unwrap_or_default()}</span></td>
                                    <td class="num">{format_int(lang, r.opportunities)}</td>
                                    <td class="num">{format_int(lang, r.won_count)}</td>
                                    <td class="num">{money(r.won_minor)}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
