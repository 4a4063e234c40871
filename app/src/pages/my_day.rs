//! "My day": what a salesperson should do now — overdue and today's activities, the rest of the
//! week's meetings, own opportunities closing this month and those nobody has touched for N days.
//! Managers also see their team's activities by person, kind and week.

use crate::api::activities::{get_my_day, get_team_activity};
use crate::components::context::{t, use_lang};
use crate::components::Loading;
use crate::domain::{ActivityKind, ActivityRow, DealRow, Role, TeamActivityCell};
use crate::i18n::labels::{activity_label, error_text};
use crate::i18n::{format_date, format_local, format_money, Lang, M};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn MyDayPage() -> impl IntoView {
    let lang = use_lang();
    let day = Resource::new(|| (), |_| get_my_day());
    let manager = crate::components::context::session_user().is_some_and(|u| matches!(u.role, Role::Manager | Role::Admin));
    view! {
        <Title text=t(M::MyDay)/>
        <div class="page-head">
            <h1>{t(M::MyDay)}</h1>
            <div class="head-actions">
                <A href="/calendar" attr:class="btn">{t(M::Calendar)}</A>
                {manager.then(|| view! { <A href="/team-activity" attr:class="btn">{t(M::TeamActivity)}</A> })}
            </div>
        </div>
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match day.await {
                    Err(e) => view! { <p class="banner banner-error">{error_text(lang, &e)}</p> }.into_any(),
                    Ok(d) => view! {
                        <p class="muted">{format_date(lang, &d.today)}</p>
                        <div class="myday-grid">
                            <ActivityList title=M::Overdue rows=d.overdue warn=true/>
                            <ActivityList title=M::DueToday rows=d.due_today warn=false/>
                            <ActivityList title=M::MeetingsThisWeek rows=d.meetings_this_week warn=false/>
                            <DealList title=lang.t(M::ClosingThisMonth).to_string() rows=d.closing_this_month/>
                            <DealList title=format!("{} {} {}", lang.t(M::StaleDeals), d.stale_days, lang.t(M::Days)) rows=d.stale/>
                        </div>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ActivityList(title: M, rows: Vec<ActivityRow>, warn: bool) -> impl IntoView {
    let lang = use_lang();
    let count = rows.len();
    view! {
        <section class="card" class:card-warn=warn && (count > 0)>
            <h2>{t(title)} " " <span class="count">{count}</span></h2>
            {if rows.is_empty() {
                view! { <p class="muted">{t(M::AllClear)}</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list act-list">
                        {rows.into_iter().map(|r| view! {
                            <li>
                                <span class=format!("act-kind act-{}", r.kind.code())>{lang.t(activity_label(r.kind))}</span>
                                " "<A href=format!("/activities/{}", r.id)><strong>{r.subject.clone()}</strong></A>
                                <div class="muted">
                                    <time datetime=r.starts_at.clone()>{format_local(lang, &r.starts_at)}</time>
                                    " · " <A href=r.regarding_kind.href(r.regarding_id)>{r.regarding_label.clone()}</A>
                                </div>
                            </li>
                        }).collect_view()}
                    </ul>
                }
                .into_any()
            }}
        </section>
    }
}

#[component]
fn DealList(title: String, rows: Vec<DealRow>) -> impl IntoView {
    let lang = use_lang();
    let count = rows.len();
    view! {
        <section class="card">
            <h2>{title} " " <span class="count">{count}</span></h2>
            {if rows.is_empty() {
                view! { <p class="muted">{t(M::AllClear)}</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list">
                        {rows.into_iter().map(|d| view! {
                            <li>
                                <A href=format!("/opportunities/{}", d.id)>{d.name.clone()}</A>
                                <span class="muted">" · "{d.account_name.clone()}" · "{d.stage_name.clone()}</span>
                                <div class="muted">
                                    {format_money(lang, d.amount_minor, d.currency.code())} " · " {t(M::CloseDate)} " " {format_date(lang, &d.close_date)}
                                    " · " {t(M::LastActivity)} ": " {d.last_activity.as_deref().map(|a| format_date(lang, a)).unwrap_or_else(|| lang.t(M::Never).to_string())}
                                </div>
                            </li>
                        }).collect_view()}
                    </ul>
                }
                .into_any()
            }}
        </section>
    }
}

/// The manager's view: each person's activities per week and kind, done of total.
#[component]
pub fn TeamActivityPage() -> impl IntoView {
    let lang = use_lang();
    let cells = Resource::new(|| (), |_| get_team_activity(6, String::new()));
    view! {
        <Title text=t(M::TeamActivity)/>
        <div class="page-head"><h1>{t(M::TeamActivity)}</h1></div>
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match cells.await {
                    Err(e) => view! { <p class="banner banner-error">{error_text(lang, &e)}</p> }.into_any(),
                    Ok(c) if c.is_empty() => view! { <p class="empty">{t(M::NoResults)}</p> }.into_any(),
                    Ok(c) => view! { <TeamTable cells=c lang=lang/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn TeamTable(cells: Vec<TeamActivityCell>, lang: Lang) -> impl IntoView {
    let mut weeks: Vec<String> = cells.iter().map(|c| c.week.clone()).collect();
    weeks.sort();
    weeks.dedup();
    let mut people: Vec<(i64, String)> = cells.iter().map(|c| (c.user_id, c.user_name.clone())).collect();
    people.sort_by(|a, b| a.1.cmp(&b.1));
    people.dedup();
    let kinds: Vec<ActivityKind> = ActivityKind::ALL.iter().copied().filter(|k| cells.iter().any(|c| c.kind == *k)).collect();
    let cell = |user: i64, week: &str, kind: ActivityKind| {
        cells.iter().find(|c| c.user_id == user && c.week == week && c.kind == kind).map(|c| (c.completed, c.total))
    };
    view! {
        <div class="table-wrap">
            <table class="table team-activity">
                <caption class="sr-only">{lang.t(M::TeamActivity)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{lang.t(M::Person)}</th>
                        <th scope="col">{lang.t(M::Kind)}</th>
                        {weeks.iter().map(|w| view! { <th scope="col" class="num">{lang.t(M::WeekOf)} " " {format_date(lang, w)}</th> }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {people.iter().flat_map(|(uid, name)| {
                        kinds.iter().enumerate().map(|(i, k)| {
                            let row: Vec<String> = weeks.iter().map(|w| match cell(*uid, w, *k) {
                                Some((done, total)) => format!("{done} / {total}"),
                                None => "–".to_string(),
                            }).collect();
                            view! {
                                <tr>
                                    <th scope="row">{(i == 0).then(|| name.clone())}</th>
                                    <td>{lang.t(activity_label(*k))}</td>
                                    {row.into_iter().map(|v| view! { <td class="num" title=lang.t(M::DoneOf)>{v}</td> }).collect_view()}
                                </tr>
                            }
                        }).collect::<Vec<_>>()
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
