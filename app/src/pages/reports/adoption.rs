//! Activity and adoption: active users and completed activities per week, each person's use of the
//! CRM, data completeness per record kind with the incomplete records one click away, and the best
//! customers nobody has contacted lately.

use crate::api::accounts::get_lookups;
use crate::api::reports::get_adoption;
use crate::components::charts::{Column, ColumnChart, Segment};
use crate::components::context::{t, use_lang};
use crate::components::list::OwnerTeamRegion;
use crate::components::report::{kind_class, kind_legend, kind_week_columns};
use crate::components::report::{ReportExportLinks, ReportTabs};
use crate::components::Loading;
use crate::domain::competition::format_bp;
use crate::domain::reports::{share_bp, Adoption, Completeness, FillRow, ReportQuery, NEGLECT_CHOICES};
use crate::domain::Lookups;
use crate::i18n::labels::{activity_kind_text, completeness_field_label, entity_label, error_text};
use crate::i18n::{format_date, format_int, format_money_short, M};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::use_query_map;

#[component]
pub fn AdoptionPage() -> impl IntoView {
    let lang = use_lang();
    let qm = use_query_map();
    let q = Memo::new(move |_| {
        qm.with(|m| ReportQuery {
            from: m.get("from").unwrap_or_default(),
            to: m.get("to").unwrap_or_default(),
            owner: m.get("owner").unwrap_or_default(),
            team: m.get("team").unwrap_or_default(),
            days: m.get("days").unwrap_or_default(),
            ..Default::default()
        })
    });
    let data = Resource::new(move || q.get(), get_adoption);
    let lookups = Resource::new(|| (), |_| get_lookups());
    view! {
        <Title text=t(M::Adoption)/>
        <div class="page-head">
            <h1>{t(M::Adoption)}</h1>
            <div class="head-actions">
                <ReportTabs current="/reports/adoption"/>
                {move || view! { <ReportExportLinks kind="adoption" params=q.get().params()/> }}
            </div>
        </div>
        <p class="muted no-print">{t(M::AdoptionHint)}</p>
        <Transition fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                let lk = lookups.await.unwrap_or_default();
                match data.await {
                    Err(e) => view! { <p class="banner banner-error">{error_text(lang, &e)}</p> }.into_any(),
                    Ok(a) => view! { <AdoptionView a=a q=q.get() lk=lk/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn AdoptionView(a: Adoption, q: ReportQuery, lk: Lookups) -> impl IntoView {
    let lang = use_lang();
    let active: Vec<Column> = a
        .active_by_week
        .iter()
        .map(|(w, n)| Column {
            label: format_date(lang, w),
            total_text: format_int(lang, *n),
            segments: vec![Segment {
                value: *n,
                text: format!("{} {}: {n}", lang.t(M::WeekOf), format_date(lang, w)),
                class: "won",
                href: None,
            }],
            marker: None,
        })
        .collect();
    let completed = kind_week_columns(lang, &a.completed_by_week);
    let legend = kind_legend(lang);
    let users = a.users.clone();
    let weekly = a.clone();
    view! {
        <Form method="GET" action="/reports/adoption" attr:class="filters" attr:role="search">
            <label class="inline">{lang.t(M::From)}<input type="date" name="from" value=a.from.clone()/></label>
            <label class="inline">{lang.t(M::To)}<input type="date" name="to" value=a.to.clone()/></label>
            <OwnerTeamRegion lk=lk owner=q.owner.clone() team=q.team.clone() region=String::new() without_region=true/>
            <label class="inline">
                {lang.t(M::NoContactFor)}
                <select name="days">
                    {NEGLECT_CHOICES.map(|d| view! { <option value=d.to_string() selected=d == a.neglect_days>{format!("{d} {}", lang.t(M::Days))}</option> })}
                </select>
            </label>
            <button type="submit" class="btn">{lang.t(M::Filter)}</button>
            <a class="btn btn-ghost" href="/reports/adoption">{lang.t(M::ClearFilters)}</a>
        </Form>
        <div class="grid-2">
            <section class="card"><ColumnChart title=lang.t(M::ActiveUsers) columns=active legend=vec![]/></section>
            <section class="card"><ColumnChart title=lang.t(M::CompletedPerWeek) columns=completed legend=legend/></section>
        </div>
        <section class="card">
            <div class="table-wrap">
                <table class="table" id="usage">
                    <thead>
                        <tr>
                            <th>{t(M::Salesperson)}</th>
                            <th class="num">{t(M::SignIns)}</th>
                            <th>{t(M::LastSignIn)}</th>
                            <th class="num">{t(M::RecordsCreated)}</th>
                            <th class="num">{t(M::RecordsChanged)}</th>
                            <th class="num">{t(M::MActivitiesDone)}</th>
                            <th class="num">{t(M::Overdue)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {users
                            .into_iter()
                            .map(|u| {
                                let detail = u.completed.iter().map(|(k, n)| format!("{} {n}", activity_kind_text(lang, k))).collect::<Vec<_>>().join(", ");
                                view! {
                                    <tr>
                                        <th scope="row">{u.name.clone()}</th>
                                        <td class="num">{format_int(lang, u.sign_ins)}</td>
                                        <td>{u.last_sign_in.clone().map(|l| crate::i18n::format_local(lang, &l)).unwrap_or_else(|| lang.t(M::Never).to_string())}</td>
                                        <td class="num">{format_int(lang, u.created)}</td>
                                        <td class="num">{format_int(lang, u.updated)}</td>
                                        <td class="num" title=detail>{format_int(lang, u.completed_total())}</td>
                                        <td class="num">{format_int(lang, u.overdue)}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
        <WeeklyActivities a=weekly/>
        <h2>{t(M::DataCompleteness)}</h2>
        <div class="grid-2">{a.completeness.iter().cloned().map(|c| view! { <CompletenessTable c=c/> }).collect_view()}</div>
        <section class="card" id="neglected">
            <h2>{t(M::NeglectedCustomers)}</h2>
            <p class="muted">{format!("{} {}", lang.t(M::NeglectedHint), a.neglect_days)}</p>
            {if a.neglected.is_empty() {
                view! { <p class="empty">{t(M::NoNeglected)}</p> }.into_any()
            } else {
                view! {
                    <table class="table">
                        <thead><tr><th>{t(M::Account)}</th><th>{t(M::Owner)}</th><th class="num">{t(M::WonRevenue)}</th><th>{t(M::LastContact)}</th></tr></thead>
                        <tbody>
                            {a.neglected.clone().into_iter().map(|n| view! {
                                <tr>
                                    <td><A href=format!("/accounts/{}", n.account_id)>{n.name.clone()}</A></td>
                                    <td>{n.owner.clone()}</td>
                                    <td class="num">{format_money_short(lang, n.won_minor, "RSD")}</td>
                                    <td>{n.last_contact.clone().map(|d| format_date(lang, &d)).unwrap_or_else(|| lang.t(M::Never).to_string())}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }
                .into_any()
            }}
        </section>
    }
}

/// One record kind: a line per owner, a column per field with the share filled; each share opens
/// the records lacking that field.
#[component]
fn CompletenessTable(c: Completeness) -> impl IntoView {
    let lang = use_lang();
    let entity = c.entity.clone();
    let cell = move |param: String, records: i64, filled: i64, field: &str| {
        let pct = share_bp(filled, records).map(format_bp).unwrap_or_else(|| "—".into());
        let missing = records - filled;
        let owner_param = param;
        let class = match share_bp(filled, records) {
            Some(bp) if bp < 5_000 => "num fill-low",
            Some(bp) if bp < 8_000 => "num fill-mid",
            _ => "num",
        };
        view! {
            <td class=class>
                {if missing > 0 {
                    view! { <a href=format!("/{entity}?missing={field}{owner_param}") title=format!("{missing}")>{pct}</a> }.into_any()
                } else {
                    view! { <span>{pct}</span> }.into_any()
                }}
            </td>
        }
    };
    let team_cell = {
        let cell = cell.clone();
        move |team: Option<i64>, records: i64, filled: i64, field: &str| {
            // Records of no team are reached through their owners' lines only.
            cell(team.map(|t| format!("&team={t}")).unwrap_or_default(), records, filled, field)
        }
    };
    let fields = c.fields.clone();
    view! {
        <section class="card completeness" id=format!("completeness-{}", c.entity)>
            <h3>{t(entity_label(&c.entity))}</h3>
            <div class="table-wrap">
                <table class="table">
                    <thead>
                        <tr>
                            <th>{t(M::Owner)}</th>
                            <th class="num">{t(M::RecordCount)}</th>
                            {fields.iter().map(|f| view! { <th class="num">{t(completeness_field_label(&c.entity, f))}</th> }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        {c.rows.iter().map(|r| view! {
                            <tr>
                                <th scope="row">{r.owner.clone()}</th>
                                <td class="num">{format_int(lang, r.records)}</td>
                                {fields.iter().zip(r.filled.iter()).map(|(f, n)| cell(format!("&owner={}", r.owner_id), r.records, *n, f)).collect_view()}
                            </tr>
                        }).collect_view()}
                    </tbody>
                    {(!c.teams.is_empty()).then(|| {
                        let fields = fields.clone();
                        view! {
                            <tbody class="by-team">
                                <tr><th colspan=fields.len() + 2 class="subhead">{t(M::ByTeam)}</th></tr>
                                {c.teams.iter().map(|r: &FillRow| {
                                    let team = (r.owner_id > 0).then_some(r.owner_id);
                                    let name = if r.owner_id > 0 { r.owner.clone() } else { lang.t(M::NoTeam).to_string() };
                                    view! {
                                        <tr>
                                            <th scope="row">{name}</th>
                                            <td class="num">{format_int(lang, r.records)}</td>
                                            {fields.iter().zip(r.filled.iter()).map(|(f, n)| team_cell(team, r.records, *n, f)).collect_view()}
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        }
                    })}
                    <tfoot>
                        <tr>
                            <th scope="row">{t(M::Total)}</th>
                            <td class="num">{format_int(lang, c.total.records)}</td>
                            {fields.iter().zip(c.total.filled.iter()).map(|(f, n)| cell(String::new(), c.total.records, *n, f)).collect_view()}
                        </tr>
                    </tfoot>
                </table>
            </div>
        </section>
    }
}

/// Activities completed per salesperson and week: a row per person, a column per week, each cell the
/// week's total with its kinds as a small stacked bar (and in words, for screen readers and hover).
#[component]
fn WeeklyActivities(a: Adoption) -> impl IntoView {
    let lang = use_lang();
    let weeks: Vec<String> = a.completed_by_week.iter().map(|w| w.0.clone()).collect();
    let max = a.users.iter().flat_map(|u| u.weekly.iter().map(|w| w.1.iter().map(|k| k.1).sum::<i64>())).max().unwrap_or(0).max(1);
    view! {
        <section class="card" id="weekly-activities">
            <h2>{t(M::ActivitiesPerWeek)}</h2>
            <div class="table-wrap">
                <table class="table weekly">
                    <thead>
                        <tr>
                            <th>{t(M::Salesperson)}</th>
                            {weeks.iter().map(|w| view! { <th class="num">{format_date(lang, w)}</th> }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        {a.users.iter().map(|u| view! {
                            <tr>
                                <th scope="row">{u.name.clone()}</th>
                                {u.weekly.iter().map(|(w, kinds)| {
                                    let total: i64 = kinds.iter().map(|k| k.1).sum();
                                    let words = kinds.iter().map(|(k, n)| format!("{} {n}", activity_kind_text(lang, k))).collect::<Vec<_>>().join(", ");
                                    let title = format!("{} · {} {}: {}", u.name, lang.t(M::WeekOf), format_date(lang, w), if words.is_empty() { "0".to_string() } else { words.clone() });
                                    let mut x = 0.0;
                                    view! {
                                        <td class="num" title=title>
                                            <span>{format_int(lang, total)}</span>
                                            {(total > 0).then(|| view! {
                                                <svg class="mini-stack" viewBox="0 0 100 6" preserveAspectRatio="none" aria-hidden="true">
                                                    {kinds.iter().map(|(k, n)| {
                                                        let wdt = *n as f64 * 100.0 / max as f64;
                                                        let rect = view! { <rect class=format!("kind {}", kind_class(k)) x=format!("{x:.2}") y="0" width=format!("{wdt:.2}") height="6"/> };
                                                        x += wdt;
                                                        rect
                                                    }).collect_view()}
                                                </svg>
                                            })}
                                            <span class="sr-only">{words}</span>
                                        </td>
                                    }
                                }).collect_view()}
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
