//! The report pages: the forecast and the sales history. Filters live in the URL (they work without
//! JavaScript and links repeat them); every bar and figure links to the opportunities behind it; the
//! table behind each chart is one click away and exports to CSV and XLSX.

use crate::api::accounts::get_lookups;
use crate::api::reports::{get_forecast, get_sales};
use crate::components::charts::{Bar, BarChart, Column, ColumnChart, LineChart, Segment, Series};
use crate::components::context::{t, use_lang};
use crate::components::list::OwnerTeamRegion;
use crate::components::report::{ReportExportLinks, ReportTabs};
use crate::components::{kpi, Loading};
use crate::domain::competition::format_bp;
use crate::domain::reports::{GroupBy, Period, Report, ReportCell, ReportQuery};
use crate::domain::text::urlencode;
use crate::domain::Lookups;
use crate::i18n::labels::period_label;
use crate::i18n::labels::{error_text, report_row_label};
use crate::i18n::{format_date, format_int, format_money_short, Lang, M};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::use_query_map;

fn report_query() -> Memo<ReportQuery> {
    let q = use_query_map();
    Memo::new(move |_| {
        q.with(|m| {
            let g = |k: &str| m.get(k).unwrap_or_default();
            ReportQuery {
                from: g("from"),
                to: g("to"),
                period: g("period"),
                group: g("group"),
                owner: g("owner"),
                team: g("team"),
                region: g("region"),
                category: g("category"),
                family: g("family"),
                ..Default::default()
            }
        })
    })
}

/// Which report a page shows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Forecast,
    Sales,
}

impl Kind {
    fn path(self) -> &'static str {
        match self {
            Kind::Forecast => "/reports/forecast",
            Kind::Sales => "/reports/sales",
        }
    }
    fn code(self) -> &'static str {
        match self {
            Kind::Forecast => "forecast",
            Kind::Sales => "sales",
        }
    }
    fn groups(self) -> &'static [GroupBy] {
        match self {
            Kind::Forecast => &GroupBy::FORECAST,
            Kind::Sales => &GroupBy::SALES,
        }
    }
    fn periods(self) -> &'static [Period] {
        match self {
            Kind::Forecast => &[Period::Month, Period::Quarter],
            Kind::Sales => &Period::ALL,
        }
    }
}

fn money(lang: Lang, minor: i64) -> String {
    format_money_short(lang, minor, "RSD")
}

fn group_label(g: GroupBy) -> M {
    match g {
        GroupBy::None => M::RowsTotal,
        GroupBy::Owner => M::Salesperson,
        GroupBy::Team => M::Team,
        GroupBy::Region => M::Region,
        GroupBy::Family => M::Family,
        GroupBy::Category => M::CustomerCategory,
        GroupBy::ForecastCategory => M::ForecastCategory,
        GroupBy::Stage => M::Stage,
        GroupBy::Account => M::Account,
    }
}

/// A link to the opportunities behind a figure: the report's filters, narrowed to one period (or the
/// whole range), one row and an outcome.
fn drill(q: &ReportQuery, r: &Report, period: Option<&str>, row: Option<&str>, outcome: &str) -> Option<String> {
    let (from, to) = match period {
        Some(p) => {
            let (a, b) = r.period.bounds(p)?;
            // Within the report's range only.
            (a.format("%Y-%m-%d").to_string().max(r.from.clone()), b.format("%Y-%m-%d").to_string().min(r.to.clone()))
        }
        None => (r.from.clone(), r.to.clone()),
    };
    let mut parts = vec![format!("outcome={outcome}"), format!("from={from}"), format!("to={to}")];
    for (k, v) in [("owner", &q.owner), ("team", &q.team), ("region", &q.region), ("category", &q.category), ("family", &q.family)] {
        if !v.trim().is_empty() {
            parts.push(format!("{k}={}", urlencode(v.trim())));
        }
    }
    if let Some(key) = row {
        let param = r.group.list_param()?;
        // Rows without a value (no region, no team) cannot be narrowed to in the list.
        if key.is_empty() || (r.group == GroupBy::Team && key == "0") {
            return None;
        }
        parts.retain(|p| !p.starts_with(&format!("{param}=")));
        parts.push(format!("{param}={}", urlencode(key)));
    }
    Some(format!("/opportunities?{}", parts.join("&")))
}

#[component]
fn ReportFilters(kind: Kind, q: ReportQuery, report: Report, lk: Lookups) -> impl IntoView {
    let lang = use_lang();
    let period = report.period;
    let group = report.group;
    view! {
        <Form method="GET" action=kind.path() attr:class="filters" attr:role="search">
            <label class="inline">{lang.t(M::From)}<input type="date" name="from" value=report.from.clone()/></label>
            <label class="inline">{lang.t(M::To)}<input type="date" name="to" value=report.to.clone()/></label>
            <label class="inline">
                {lang.t(M::PeriodLabel)}
                <select name="period">
                    {kind.periods().iter().map(|p| view! { <option value=p.code() selected=*p == period>{lang.t(period_label(*p))}</option> }).collect_view()}
                </select>
            </label>
            <label class="inline">
                {lang.t(M::RowsBy)}
                <select name="group">
                    {kind.groups().iter().map(|g| view! { <option value=g.code() selected=*g == group>{lang.t(group_label(*g))}</option> }).collect_view()}
                </select>
            </label>
            <OwnerTeamRegion lk=lk.clone() owner=q.owner.clone() team=q.team.clone() region=q.region.clone()/>
            <select name="category" aria-label=lang.t(M::CustomerCategory)>
                <option value="">{lang.t(M::AnyCategory)}</option>
                {["A", "B", "C"].map(|c| view! { <option value=c selected=q.category == c>{c}</option> })}
            </select>
            {(!q.family.is_empty()).then(|| view! { <input type="hidden" name="family" value=q.family.clone()/> })}
            <button type="submit" class="btn">{lang.t(M::Filter)}</button>
            <a class="btn btn-ghost" href=kind.path()>{lang.t(M::ClearFilters)}</a>
        </Form>
    }
}

/// The report's page frame: title, links to the other reports, exports, filters, then `body`.
#[component]
fn ReportPage(kind: Kind, title: M, hint: M, body: fn(ReportQuery, Report) -> AnyView) -> impl IntoView {
    let lang = use_lang();
    let query = report_query();
    // One server function per resource: a server function reads its request context before its first
    // `.await`, so two awaited one after the other in one fetcher would lose it.
    let data = Resource::new(
        move || query.get(),
        move |q| async move {
            match kind {
                Kind::Forecast => get_forecast(q).await,
                Kind::Sales => get_sales(q).await,
            }
        },
    );
    let lookups = Resource::new(|| (), |_| get_lookups());
    view! {
        <Title text=t(title)/>
        <div class="page-head">
            <h1>{t(title)}</h1>
            <div class="head-actions">
                <ReportTabs current=kind.path()/>
                {move || view! { <ReportExportLinks kind=kind.code() params=query.get().params()/> }}
            </div>
        </div>
        <p class="muted no-print">{t(hint)}</p>
        <Transition fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                let q = query.get();
                let lk = lookups.await.unwrap_or_default();
                match data.await {
                    Err(e) => view! { <p class="banner banner-error">{error_text(lang, &e)}</p> }.into_any(),
                    Ok(r) => view! { <ReportFilters kind=kind q=q.clone() report=r.clone() lk=lk/> {body(q, r)} }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn ForecastPage() -> impl IntoView {
    view! { <ReportPage kind=Kind::Forecast title=M::Forecast hint=M::ForecastHint body=forecast_body/> }
}

#[component]
pub fn SalesPage() -> impl IntoView {
    view! { <ReportPage kind=Kind::Sales title=M::SalesHistory hint=M::SalesHint body=sales_body/> }
}

fn forecast_body(q: ReportQuery, r: Report) -> AnyView {
    view! { <ForecastView q=q r=r/> }.into_any()
}

#[component]
fn ForecastView(q: ReportQuery, r: Report) -> impl IntoView {
    let lang = use_lang();
    let total = r.total();
    if total.count == 0 && r.goals.is_empty() {
        return view! { <p class="empty">{t(M::NoDealsInRange)}</p> }.into_any();
    }
    let goal = r.goal_total();
    let columns: Vec<Column> = r
        .periods
        .iter()
        .map(|p| {
            let c = r.period_total(p);
            Column {
                label: p.clone(),
                total_text: money(lang, c.forecast_minor()),
                segments: vec![
                    Segment {
                        value: c.won_minor,
                        text: format!("{} {p}: {}", lang.t(M::OutcomeWon), money(lang, c.won_minor)),
                        class: "won",
                        href: drill(&q, &r, Some(p), None, "won"),
                    },
                    Segment {
                        value: c.weighted_minor,
                        text: format!("{} {p}: {}", lang.t(M::Weighted), money(lang, c.weighted_minor)),
                        class: "weighted",
                        href: drill(&q, &r, Some(p), None, "open"),
                    },
                ],
                marker: r.goal(p).map(|g| (g, format!("{} {p}: {}", lang.t(M::Goal), money(lang, g)))),
            }
        })
        .collect();
    let mut legend = vec![("won", lang.t(M::OutcomeWon).to_string()), ("weighted", lang.t(M::Weighted).to_string())];
    if goal.is_some() {
        legend.push(("goal", lang.t(M::Goal).to_string()));
    }
    let bars: Vec<Bar> = r
        .rows
        .iter()
        .map(|(k, l)| {
            let c = r.row_total(k);
            Bar {
                label: report_row_label(lang, r.group, k, l),
                value: c.forecast_minor(),
                text: money(lang, c.forecast_minor()),
                href: drill(&q, &r, None, Some(k), "open"),
            }
        })
        .collect();
    view! {
        <div class="kpis">
            {kpi(M::OutcomeWon, money(lang, total.won_minor), Some(format!("{}: {}", lang.t(M::Deals), format_int(lang, total.won_count))), drill(&q, &r, None, None, "won"))}
            {kpi(M::OpenPipeline, money(lang, total.open_minor), Some(format!("{}: {}", lang.t(M::Deals), format_int(lang, total.count - total.won_count))), drill(&q, &r, None, None, "open"))}
            {kpi(M::Weighted, money(lang, total.weighted_minor), None, None)}
            {kpi(M::ForecastTotal, money(lang, total.forecast_minor()), None, None)}
            {goal.map(|g| {
                // Against the periods that have a goal only.
                let pct = crate::domain::reports::share_bp(r.forecast_with_goals(), g).map(|bp| format!("{} {}", format_bp(bp), lang.t(M::OfGoal)));
                kpi(M::Goal, money(lang, g), pct, None)
            })}
        </div>
        <section class="card">
            <ColumnChart title=format!("{} · {} – {}", lang.t(M::Forecast), format_date(lang, &r.from), format_date(lang, &r.to)) columns=columns legend=legend/>
        </section>
        {(r.group != GroupBy::None).then(|| view! { <section class="card"><BarChart title=format!("{} · {}", lang.t(M::ForecastTotal), lang.t(group_label(r.group))) bars=bars/></section> })}
        <ReportTable q=q r=r forecast=true/>
    }
    .into_any()
}

fn sales_body(q: ReportQuery, r: Report) -> AnyView {
    view! { <SalesView q=q r=r/> }.into_any()
}

#[component]
fn SalesView(q: ReportQuery, r: Report) -> impl IntoView {
    let lang = use_lang();
    let total = r.total();
    if total.count == 0 && total.prior_count == 0 {
        return view! { <p class="empty">{t(M::NoDealsInRange)}</p> }.into_any();
    }
    let series = vec![
        Series {
            name: lang.t(M::ThisYear).to_string(),
            points: r.periods.iter().map(|p| (p.clone(), r.period_total(p).won_minor, money(lang, r.period_total(p).won_minor))).collect(),
        },
        Series {
            name: lang.t(M::SamePeriodLastYear).to_string(),
            points: r
                .periods
                .iter()
                .map(|p| (p.clone(), r.period_total(p).prior_minor, money(lang, r.period_total(p).prior_minor)))
                .collect(),
        },
    ];
    let columns: Vec<Column> = r
        .periods
        .iter()
        .map(|p| {
            let c = r.period_total(p);
            Column {
                label: p.clone(),
                total_text: money(lang, c.won_minor),
                segments: vec![Segment {
                    value: c.won_minor,
                    text: format!("{} {p}: {}", lang.t(M::WonRevenue), money(lang, c.won_minor)),
                    class: "won",
                    href: drill(&q, &r, Some(p), None, "won"),
                }],
                marker: (c.prior_minor > 0)
                    .then(|| (c.prior_minor, format!("{} {p}: {}", lang.t(M::SamePeriodLastYear), money(lang, c.prior_minor)))),
            }
        })
        .collect();
    let bars: Vec<Bar> = r
        .rows
        .iter()
        .map(|(k, l)| {
            let c = r.row_total(k);
            Bar {
                label: report_row_label(lang, r.group, k, l),
                value: c.won_minor,
                text: money(lang, c.won_minor),
                href: drill(&q, &r, None, Some(k), "won"),
            }
        })
        .collect();
    let legend = vec![("won", lang.t(M::WonRevenue).to_string()), ("goal", lang.t(M::SamePeriodLastYear).to_string())];
    view! {
        <div class="kpis">
            {kpi(M::WonRevenue, money(lang, total.won_minor), total.growth_bp().map(|g| format!("{}{} {}", if g > 0 { "+" } else { "" }, format_bp(g), lang.t(M::VsLastYear))), drill(&q, &r, None, None, "won"))}
            {kpi(M::WonDeals, format_int(lang, total.won_count), None, drill(&q, &r, None, None, "won"))}
            {kpi(M::SamePeriodLastYear, money(lang, total.prior_minor), Some(format!("{}: {}", lang.t(M::Deals), format_int(lang, total.prior_count))), None)}
        </div>
        <div class="grid-2">
            <section class="card"><ColumnChart title=lang.t(M::WonRevenue) columns=columns legend=legend/></section>
            <section class="card"><LineChart title=format!("{} · {}", lang.t(M::WonRevenue), lang.t(M::SamePeriodLastYear)) series=series/></section>
        </div>
        {(r.group != GroupBy::None).then(|| view! { <section class="card"><BarChart title=format!("{} · {}", lang.t(M::WonRevenue), lang.t(group_label(r.group))) bars=bars/></section> })}
        <ReportTable q=q r=r forecast=false/>
    }
    .into_any()
}

/// The numbers behind the charts: one line per row, a column per period, totals at the foot.
#[component]
fn ReportTable(q: ReportQuery, r: Report, forecast: bool) -> impl IntoView {
    let lang = use_lang();
    let value = move |c: &ReportCell| if forecast { c.forecast_minor() } else { c.won_minor };
    let outcome = if forecast { "open" } else { "won" };
    let head = if forecast {
        vec![M::Deals, M::OutcomeWon, M::OpenPipeline, M::Weighted, M::ForecastTotal]
    } else {
        vec![M::WonDeals, M::WonRevenue, M::SamePeriodLastYear, M::Change]
    };
    let figures = move |c: &ReportCell| -> Vec<String> {
        if forecast {
            vec![
                format_int(lang, c.count),
                money(lang, c.won_minor),
                money(lang, c.open_minor),
                money(lang, c.weighted_minor),
                money(lang, c.forecast_minor()),
            ]
        } else {
            vec![
                format_int(lang, c.won_count),
                money(lang, c.won_minor),
                money(lang, c.prior_minor),
                c.growth_bp().map(|g| format!("{}{}", if g > 0 { "+" } else { "" }, format_bp(g))).unwrap_or_else(|| "—".into()),
            ]
        }
    };
    let total = r.total();
    let rows: Vec<(String, String)> = if r.rows.is_empty() { vec![] } else { r.rows.clone() };
    view! {
        <details class="card report-table" open=r.group != GroupBy::None>
            <summary>{t(M::ShowNumbers)}</summary>
            <div class="table-wrap">
                <table class="table">
                    <thead>
                        <tr>
                            <th>{t(group_label(r.group))}</th>
                            {head.into_iter().map(|m| view! { <th class="num">{t(m)}</th> }).collect_view()}
                            {r.periods.iter().map(|p| view! { <th class="num">{p.clone()}</th> }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        {rows
                            .iter()
                            .map(|(k, l)| {
                                let c = r.row_total(k);
                                let label = report_row_label(lang, r.group, k, l);
                                let link = drill(&q, &r, None, Some(k), outcome);
                                view! {
                                    <tr>
                                        <th scope="row">{match link { Some(h) => view! { <A href=h>{label}</A> }.into_any(), None => view! { <span>{label}</span> }.into_any() }}</th>
                                        {figures(&c).into_iter().map(|f| view! { <td class="num">{f}</td> }).collect_view()}
                                        {r.periods
                                            .iter()
                                            .map(|p| {
                                                let v = value(&r.cell(p, k));
                                                view! { <td class="num">{if v == 0 { "—".to_string() } else { money(lang, v) }}</td> }
                                            })
                                            .collect_view()}
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                    <tfoot>
                        <tr>
                            <th scope="row">{t(M::Total)}</th>
                            {figures(&total).into_iter().map(|f| view! { <td class="num">{f}</td> }).collect_view()}
                            {r.periods.iter().map(|p| view! { <td class="num">{money(lang, value(&r.period_total(p)))}</td> }).collect_view()}
                        </tr>
                        {forecast.then(|| (!r.goals.is_empty()).then(|| view! {
                            <tr>
                                <th scope="row">{t(M::Goal)}</th>
                                <td colspan="5"></td>
                                {r.periods.iter().map(|p| view! { <td class="num">{r.goal(p).map(|g| money(lang, g)).unwrap_or_else(|| "—".into())}</td> }).collect_view()}
                            </tr>
                        }))}
                    </tfoot>
                </table>
            </div>
        </details>
    }
}
