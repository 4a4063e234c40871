//! The home dashboard per role: the forecast of this month and the next two against the goals, the
//! goals themselves, today's work, the win rate, slipping deals, leads by source and data quality —
//! each a link into the report or list behind it.

use crate::api::accounts::get_lookups;
use crate::api::reports::get_dashboard;
use crate::components::charts::{Column, ColumnChart, DonutChart, GaugeChart, ProgressBar, Segment};
use crate::components::context::{t, use_lang};
use crate::components::report::source_slices;
use crate::components::report::ReportTabs;
use crate::components::report::{kind_legend, kind_week_columns};
use crate::components::{kpi, Loading};
use crate::domain::competition::format_bp;
use crate::domain::reports::{share_bp, Dashboard};
use crate::domain::Lookups;
use crate::i18n::labels::activity_kind_text;
use crate::i18n::labels::error_text;
use crate::i18n::labels::metric_name;
use crate::i18n::labels::source_name;
use crate::i18n::labels::{completeness_field_label, entity_label};
use crate::i18n::{format_int, format_local, format_money_short, M};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let lang = use_lang();
    let data = Resource::new(|| (), |_| get_dashboard());
    let lookups = Resource::new(|| (), |_| get_lookups());
    view! {
        <Title text=t(M::Home)/>
        <div class="page-head">
            <h1>{t(M::Dashboard)}</h1>
            <div class="head-actions"><ReportTabs current="/"/></div>
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
    let win_bp = share_bp(d.won, closed);
    // The headline goal: won revenue of the scope's own goal if there is one, else the first.
    let headline = d.goals.iter().find(|g| g.measure.is_money()).or(d.goals.first()).cloned();
    let goal_gauge = headline.map(|g| {
        let v = |x: i64| if g.measure.is_money() { money(x) } else { format_int(lang, x) };
        let detail = format!("{} · {} · {} / {}", metric_name(lang, &g.metric_name), g.assignee, v(g.actual), v(g.target));
        view! {
            <GaugeChart
                title=lang.t(M::GoalAttainment)
                bp=g.percent_bp()
                value_text=g.percent_bp().map(format_bp).unwrap_or_else(|| "—".into())
                detail=detail
                href="/goals".to_string()
            />
        }
    });
    let source_names = lk.picklists.sources.clone();
    let source_label = move |id: Option<i64>| source_name(lang, &source_names, id);
    let slices = source_slices(lang, &lk.picklists.sources, &d.sources);
    let total_leads: i64 = d.sources.iter().map(|s| s.leads).sum();
    let activity = kind_week_columns(lang, &d.activity_weeks);
    let activity_legend = kind_legend(lang);
    view! {
        <div class="kpis">
            {kpi(M::Overdue, format_int(lang, d.overdue), Some(format!("{}: {}", lang.t(M::DueToday), format_int(lang, d.due_today))), Some("/my-day".into()))}
            {kpi(M::ForecastTotal, money(total.forecast_minor()), Some(format!("{}: {}", lang.t(M::OpenPipeline), money(total.open_minor))), Some("/reports/forecast".into()))}
            {kpi(M::WinRate, win_bp.map(format_bp).unwrap_or_else(|| "—".into()), Some(format!("{} / {} · {}", d.won, closed, lang.t(M::Last90Days))), Some("/win-loss".into()))}
        </div>
        <div class="grid-2">
            <section class="card dash-today">
                <h2><A href="/my-day">{t(M::TodaysWork)}</A></h2>
                {if d.today.is_empty() {
                    view! { <p class="muted">{t(M::NothingDueToday)}</p> }.into_any()
                } else {
                    view! {
                        <ul class="plain-list">
                            {d.today.clone().into_iter().map(|a| {
                                let late = a.starts_at.get(..10).is_some_and(|day| day < d.date.as_str());
                                view! {
                                    <li class=late.then_some("overdue")>
                                        <A href=format!("/activities/{}", a.id)>{a.subject.clone()}</A>
                                        {format!(" · {} · {}", activity_kind_text(lang, a.kind.code()), format_local(lang, &a.starts_at))}
                                        {(!a.regarding_label.is_empty()).then(|| format!(" · {}", a.regarding_label))}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }
                    .into_any()
                }}
            </section>
            <section class="card gauges">
                <GaugeChart
                    title=lang.t(M::WinRate)
                    bp=win_bp
                    value_text=win_bp.map(format_bp).unwrap_or_else(|| "—".into())
                    detail=format!("{} / {} · {}", d.won, closed, lang.t(M::Last90Days))
                    href="/win-loss".to_string()
                />
                {goal_gauge}
            </section>
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
        {(!activity.is_empty()).then(|| view! {
            <section class="card"><ColumnChart title=lang.t(M::TeamActivity4w) columns=activity legend=activity_legend/></section>
        })}
        {(total_leads > 0).then(|| view! {
            <section class="card">
                <h2><A href="/reports/pipeline">{t(M::LeadsBySource)}</A></h2>
                <DonutChart title=lang.t(M::Leads) slices=slices total_text=format_int(lang, total_leads)/>
                <table class="table">
                    <thead><tr><th>{t(M::Source)}</th><th class="num">{t(M::Leads)}</th><th class="num">{t(M::LeadQualified)}</th><th class="num">{t(M::WonRevenue)}</th></tr></thead>
                    <tbody>
                        {d.sources.clone().into_iter().map(|s| view! {
                            <tr>
                                <td>{source_label(s.source_id)}</td>
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
                        <li><a href=format!("/{entity}?missing={field}")>{format!("{} · {}", lang.t(entity_label(&entity)), lang.t(completeness_field_label(&entity, &field)))}</a>{format!(" · {}", share_bp(n, records).map(format_bp).unwrap_or_default())}</li>
                    }).collect_view()}
                </ul>
            </section>
        })}
    }
}
