//! The home dashboard per role: the forecast of this month and the next two against the goals, the
//! goals themselves, today's work, the win rate, slipping deals, leads by source and data quality —
//! each a link into the report or list behind it.

use super::adoption::{entity_label, field_label};
use super::goals::metric_name;
use super::reports::ReportTabs;
use crate::api::accounts::get_lookups;
use crate::api::reports::get_dashboard;
use crate::components::charts::{Column, ColumnChart, ProgressBar, Segment};
use crate::components::{error_text, kpi, t, use_lang, Loading};
use crate::domain::competition::format_bp;
use crate::domain::reports::{share_bp, Dashboard};
use crate::domain::Lookups;
use crate::i18n::{format_int, format_money_short, M};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let lang = use_lang();
    let data = Resource::new(|| (), |_| get_dashboard());
    let lookups = Resource::new(|| (), |_| get_lookups());
    view! {
        <Title text=t(M::Dashboard)/>
        <div class="page-head">
            <h1>{t(M::Dashboard)}</h1>
            <div class="head-actions"><ReportTabs current="/dashboard"/></div>
        </div>
        <Transition fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                let lk = lookups.await.unwrap_or_default();
                match data.await {
                    Err(e) => view! { <p class="banner banner-error">{error_text(lang, &e)}</p> }.into_any(),
                    Ok(d) => view! { <DashboardView d=d lk=lk/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn DashboardView(d: Dashboard, lk: Lookups) -> impl IntoView {
    let lang = use_lang();
    let money = move |m: i64| format_money_short(lang, m, "RSD");
    let r = d.forecast.clone();
    let sp = d.scope_params.clone();
    let title = match d.scope.as_str() {
        "owner" => M::MyPipeline,
        "team" => M::TeamPipeline,
        _ => M::CompanyPipeline,
    };
    let columns: Vec<Column> = r
        .periods
        .iter()
        .map(|p| {
            let c = r.period_total(p);
            let (from, to) =
                r.period.bounds(p).map(|(a, b)| (a.format("%Y-%m-%d").to_string(), b.format("%Y-%m-%d").to_string())).unwrap_or_default();
            Column {
                label: p.clone(),
                total_text: money(c.forecast_minor()),
                segments: vec![
                    Segment {
                        value: c.won_minor,
                        text: format!("{} {p}: {}", lang.t(M::OutcomeWon), money(c.won_minor)),
                        class: "won",
                        href: Some(format!("/opportunities?outcome=won&from={from}&to={to}{sp}")),
                    },
                    Segment {
                        value: c.weighted_minor,
                        text: format!("{} {p}: {}", lang.t(M::Weighted), money(c.weighted_minor)),
                        class: "weighted",
                        href: Some(format!("/opportunities?outcome=open&from={from}&to={to}{sp}")),
                    },
                ],
                marker: r.goal(p).map(|g| (g, format!("{} {p}: {}", lang.t(M::Goal), money(g)))),
            }
        })
        .collect();
    let mut legend = vec![("won", lang.t(M::OutcomeWon).to_string()), ("weighted", lang.t(M::Weighted).to_string())];
    if !r.goals.is_empty() {
        legend.push(("goal", lang.t(M::Goal).to_string()));
    }
    let total = r.total();
    let closed = d.won + d.lost;
    view! {
        <div class="kpis">
            {kpi(M::Overdue, format_int(lang, d.overdue), Some(format!("{}: {}", lang.t(M::DueToday), format_int(lang, d.due_today))), Some("/my-day".into()))}
            {kpi(M::ForecastTotal, money(total.forecast_minor()), Some(format!("{}: {}", lang.t(M::OpenPipeline), money(total.open_minor))), Some("/reports/forecast".into()))}
            {kpi(M::WinRate, share_bp(d.won, closed).map(format_bp).unwrap_or_else(|| "—".into()), Some(format!("{} / {} · {}", d.won, closed, lang.t(M::Last90Days))), Some("/win-loss".into()))}
        </div>
        <div class="grid-2">
            <section class="card"><ColumnChart title=lang.t(title) columns=columns legend=legend/></section>
            <section class="card dash-goals">
                <h2><A href="/goals">{t(M::MyGoals)}</A></h2>
                {if d.goals.is_empty() {
                    view! { <p class="muted">{t(M::NoGoals)}</p> }.into_any()
                } else {
                    view! {
                        <ul class="dash-goal-list">
                            {d.goals.clone().into_iter().take(8).map(|g| {
                                let v = |x: i64| if g.measure.is_money() { money(x) } else { format_int(lang, x) };
                                let name = metric_name(lang, &g.metric_name);
                                let pct = g.percent_bp().map(format_bp).unwrap_or_else(|| "—".into());
                                let label = format!("{name} · {} · {} / {} · {pct}", g.assignee, v(g.actual), v(g.target));
                                view! {
                                    <li>
                                        <span class="dash-goal-name">{format!("{name} · {} · {}", g.assignee, g.period_key)}</span>
                                        <ProgressBar actual=g.actual extra=g.in_progress target=g.target label=label.clone()/>
                                        <span class="muted">{format!("{} / {} · {pct}", v(g.actual), v(g.target))}</span>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }
                    .into_any()
                }}
            </section>
        </div>
        {(!d.slipping.is_empty()).then(|| view! {
            <section class="card">
                <h2><A href="/reports/pipeline">{t(M::SlippingDeals)}</A></h2>
                <ul class="plain-list">
                    {d.slipping.clone().into_iter().take(5).map(|s| view! {
                        <li><A href=format!("/opportunities/{}", s.id)>{s.name.clone()}</A>{format!(" · {} · {} × · {}", s.owner, s.pushes, format_money_short(lang, s.amount_minor, &s.currency))}</li>
                    }).collect_view()}
                </ul>
            </section>
        })}
        {(!d.sources.is_empty()).then(|| view! {
            <section class="card">
                <h2><A href="/reports/pipeline">{t(M::LeadsBySource)}</A></h2>
                <table class="table">
                    <thead><tr><th>{t(M::Source)}</th><th class="num">{t(M::Leads)}</th><th class="num">{t(M::LeadQualified)}</th><th class="num">{t(M::WonRevenue)}</th></tr></thead>
                    <tbody>
                        {d.sources.clone().into_iter().map(|s| view! {
                            <tr>
                                <td>{s.source_id.and_then(|id| lk.picklists.sources.iter().find(|p| p.id == id)).map(|p| p.label(lang).to_string()).unwrap_or_else(|| lang.t(M::NoSource).to_string())}</td>
                                <td class="num">{format_int(lang, s.leads)}</td>
                                <td class="num">{format_int(lang, s.qualified)}</td>
                                <td class="num">{money(s.won_minor)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </section>
        })}
        {(!d.completeness.is_empty()).then(|| view! {
            <section class="card">
                <h2><A href="/reports/adoption">{t(M::DataQuality)}</A></h2>
                <ul class="plain-list">
                    {d.completeness.iter().flat_map(|c| {
                        c.fields.iter().zip(c.total.filled.iter()).map(|(f, n)| (c.entity.clone(), f.clone(), c.total.records, *n)).collect::<Vec<_>>()
                    }).filter(|(_, _, records, n)| share_bp(*n, *records).is_some_and(|bp| bp < 8_000)).map(|(entity, field, records, n)| view! {
                        <li><a href=format!("/{entity}?missing={field}")>{format!("{} · {}", lang.t(entity_label(&entity)), lang.t(field_label(&entity, &field)))}</a>{format!(" · {}", share_bp(n, records).map(format_bp).unwrap_or_default())}</li>
                    }).collect_view()}
                </ul>
            </section>
        })}
    }
}
