//! The calendar: a week or month of the user's (or, for managers, a team's) meetings, calls and tasks.
//! An appointment moves to another day (month view) or day and hour (week view) by drag and drop, or from
//! the keyboard (Alt+←/→ a day,
//! Alt+↑/↓ half an hour); moves show at once and roll back if the server refuses them. Below it, the
//! user's secret iCalendar subscription link.

use crate::api::accounts::get_lookups;
use crate::api::activities::{create_calendar_feed, get_calendar, reschedule_activity, revoke_calendar_feed};
use crate::components::context::{t, use_lang};
use crate::components::list::choice_options;
use crate::components::toast::use_toasts;
use crate::components::Loading;
use crate::domain::{ActivityRow, ActivityStatus, CalendarData, Lookups, Role};
use crate::error::AppError;
use crate::i18n::labels::{activity_label, error_text};
use crate::i18n::{format_date, format_local, Lang, M};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()
}

fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// `local` ("YYYY-MM-DDTHH:MM") moved by days and minutes.
fn shifted(local: &str, days: i64, minutes: i64) -> Option<String> {
    let t = NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M").ok()?;
    Some((t + Duration::days(days) + Duration::minutes(minutes)).format("%Y-%m-%dT%H:%M").to_string())
}

/// `local` moved to the same time on `day`.
fn on_day(local: &str, day: NaiveDate) -> Option<String> {
    let t = NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M").ok()?;
    Some(day.and_time(t.time()).format("%Y-%m-%dT%H:%M").to_string())
}

/// Working hours shown as drop slots in the week view; earlier and later appointments sit in the first
/// and last slot (their own time shown).
const FIRST_HOUR: u32 = 7;
const LAST_HOUR: u32 = 20;

fn slot_of(local: &str) -> u32 {
    local.get(11..13).and_then(|h| h.parse::<u32>().ok()).unwrap_or(FIRST_HOUR).clamp(FIRST_HOUR, LAST_HOUR)
}

fn add_months(d: NaiveDate, months: i32) -> NaiveDate {
    let total = d.year() * 12 + d.month0() as i32 + months;
    NaiveDate::from_ymd_opt(total.div_euclid(12), total.rem_euclid(12) as u32 + 1, 1).unwrap_or(d)
}

fn weekday_names(lang: Lang) -> [&'static str; 7] {
    match lang {
        Lang::Sr => ["pon", "uto", "sre", "čet", "pet", "sub", "ned"],
        Lang::En => ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
    }
}

#[component]
pub fn CalendarPage() -> impl IntoView {
    let lang = use_lang();
    let qm = use_query_map();
    let params = Memo::new(move |_| {
        qm.with(|q| (q.get("date").unwrap_or_default(), q.get("view").as_deref() == Some("month"), q.get("team").unwrap_or_default()))
    });
    let data = Resource::new(move || params.get(), |(d, m, team)| get_calendar(d, m, team));
    let lookups = Resource::new(|| (), |_| get_lookups());
    let manager = crate::components::context::session_user().is_some_and(|u| matches!(u.role, Role::Manager | Role::Admin));
    view! {
        <Title text=t(M::Calendar)/>
        <Transition fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                let (_, _, team) = params.get();
                let lk = lookups.await.unwrap_or_default();
                match data.await {
                    Err(e) => view! { <h1>{t(M::Calendar)}</h1><p class="banner banner-error">{error_text(lang, &e)}</p> }.into_any(),
                    Ok(d) => view! {
                        <CalendarHead data=d.clone() team=team.clone() lk=lk manager=manager/>
                        <CalendarGrid data=d.clone()/>
                        <FeedPanel created=d.feed_created.clone()/>
                    }
                    .into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn CalendarHead(data: CalendarData, team: String, lk: Lookups, manager: bool) -> impl IntoView {
    let lang = use_lang();
    let anchor = date(&data.anchor).unwrap_or_default();
    let (prev, next) =
        if data.month { (add_months(anchor, -1), add_months(anchor, 1)) } else { (anchor - Duration::days(7), anchor + Duration::days(7)) };
    let view_q = if data.month { "&view=month" } else { "" };
    let team_q = if team.is_empty() { String::new() } else { format!("&team={team}") };
    let href = move |d: NaiveDate| format!("/calendar?date={}{view_q}{team_q}", iso(d));
    let title = if data.month {
        format!("{} {}", lang.t(M::Month), anchor.format("%m/%Y"))
    } else {
        format!("{} {}", lang.t(M::WeekOf), format_date(lang, &data.from))
    };
    let today = date(&data.today).unwrap_or_default();
    let team_q2 = if team.is_empty() { String::new() } else { format!("&team={team}") };
    view! {
        <div class="page-head">
            <div>
                <h1>{t(M::Calendar)}</h1>
                <p class="muted">{title}</p>
            </div>
            <div class="head-actions">
                <a class="btn" href=href(prev) aria-label=lang.t(M::Previous)>"←"</a>
                <a class="btn" href=href(today)>{t(M::Today)}</a>
                <a class="btn" href=href(next) aria-label=lang.t(M::Next)>"→"</a>
                <nav class="segmented" aria-label=lang.t(M::Calendar)>
                    <a href=format!("/calendar?date={}{team_q2}", data.anchor) aria-current=(!data.month).then_some("page")>{t(M::Week)}</a>
                    <a href=format!("/calendar?date={}&view=month{team_q2}", data.anchor) aria-current=data.month.then_some("page")>{t(M::Month)}</a>
                </nav>
            </div>
        </div>
        {manager.then(|| view! {
            <form method="GET" action="/calendar" class="filters">
                <input type="hidden" name="date" value=data.anchor.clone()/>
                {data.month.then(|| view! { <input type="hidden" name="view" value="month"/> })}
                <select name="team" aria-label=lang.t(M::Team)>
                    <option value="">{lang.t(M::Mine)}</option>
                    {choice_options(&lk.teams, &team)}
                </select>
                <button type="submit" class="btn">{lang.t(M::Filter)}</button>
            </form>
        })}
        <p class="muted board-hint">{t(M::CalendarHint)}</p>
    }
}

#[component]
fn CalendarGrid(data: CalendarData) -> impl IntoView {
    let lang = use_lang();
    let toasts = use_toasts();
    let rows = RwSignal::new(data.rows.clone());
    let dragging = RwSignal::new(None::<i64>);
    let over = RwSignal::new(None::<NaiveDate>);
    let over_slot = RwSignal::new(None::<(NaiveDate, u32)>);
    let from = date(&data.from).unwrap_or_default();
    let days: Vec<NaiveDate> = (0..data.days).map(|i| from + Duration::days(i)).collect();
    let today = date(&data.today);
    let anchor_month = date(&data.anchor).map(|d| d.month());
    let month = data.month;

    let do_move = move |id: i64, to: String| {
        let snapshot = rows.get_untracked();
        let Some(row) = snapshot.iter().find(|r| r.id == id).cloned() else { return };
        if row.starts_at == to {
            return;
        }
        rows.update(|rs| {
            if let Some(r) = rs.iter_mut().find(|r| r.id == id) {
                r.starts_at = to.clone();
            }
            rs.sort_by(|a, b| (a.starts_at.as_str(), a.id).cmp(&(b.starts_at.as_str(), b.id)));
        });
        leptos::task::spawn_local(async move {
            match reschedule_activity(id, row.version, to.clone()).await {
                Ok(v) => {
                    rows.update(|rs| {
                        if let Some(r) = rs.iter_mut().find(|r| r.id == id) {
                            r.version = v;
                        }
                    });
                    toasts.push(format!("{}: {} {}", row.subject, lang.t(M::Rescheduled), format_local(lang, &to)), false);
                    #[cfg(feature = "hydrate")]
                    request_animation_frame(move || {
                        use wasm_bindgen::JsCast;
                        if let Some(el) =
                            document().get_element_by_id(&format!("cal-{id}")).and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
                        {
                            let _ = el.focus();
                        }
                    });
                }
                Err(e) => {
                    rows.set(snapshot);
                    toasts.push(if e == AppError::Conflict { lang.t(M::ConflictText).to_string() } else { error_text(lang, &e) }, true);
                }
            }
        });
    };
    let names = weekday_names(lang);
    view! {
        <div class="calendar" class:calendar-month=month role="grid" aria-label=lang.t(M::Calendar)>
            <div class="cal-row cal-names" role="row">
                {names.iter().map(|n| view! { <div class="cal-name" role="columnheader">{*n}</div> }).collect_view()}
            </div>
            {days.chunks(7).map(|week| {
                let week = week.to_vec();
                view! {
                    <div class="cal-row" role="row">
                        {week.into_iter().map(|day| {
                            let key = iso(day);
                            let label = format_date(lang, &key);
                            let date_attr = key.clone();
                            let other_month = month && anchor_month != Some(day.month());
                            view! {
                                <div
                                    class="cal-day"
                                    role="gridcell"
                                    data-date=date_attr
                                    class:today=today == Some(day)
                                    class:other-month=other_month
                                    class:drop-target=move || over.get() == Some(day)
                                    on:dragover=move |ev| {
                                        ev.prevent_default();
                                        if over.get_untracked() != Some(day) {
                                            over.set(Some(day));
                                        }
                                    }
                                    on:dragleave=move |_| over.set(None)
                                    on:drop=move |ev| {
                                        ev.prevent_default();
                                        over.set(None);
                                        if let Some(id) = dragging.get_untracked() {
                                            dragging.set(None);
                                            let target = rows.with_untracked(|rs| rs.iter().find(|r| r.id == id).and_then(|r| on_day(&r.starts_at, day)));
                                            if let Some(to) = target {
                                                do_move(id, to);
                                            }
                                        }
                                    }
                                >
                                    <div class="cal-date">{label}</div>
                                    {if month {
                                        view! {
                                            {move || {
                                                let key = key.clone();
                                                rows.get()
                                                    .into_iter()
                                                    .filter(|r| r.starts_at.starts_with(&key))
                                                    .map(|r| view! { <CalendarItem row=r dragging=dragging on_move=Callback::new(move |(id, to): (i64, String)| do_move(id, to))/> })
                                                    .collect_view()
                                            }}
                                        }
                                        .into_any()
                                    } else {
                                        // The week view has an hour slot per working hour: dropping on one sets day and time.
                                        (FIRST_HOUR..=LAST_HOUR)
                                            .map(|hour| {
                                                let key = key.clone();
                                                view! {
                                                    <div
                                                        class="cal-slot"
                                                        data-time=format!("{hour:02}:00")
                                                        class:drop-target=move || over_slot.get() == Some((day, hour))
                                                        on:dragover=move |ev| {
                                                            ev.prevent_default();
                                                            ev.stop_propagation();
                                                            if over_slot.get_untracked() != Some((day, hour)) {
                                                                over_slot.set(Some((day, hour)));
                                                            }
                                                        }
                                                        on:drop=move |ev| {
                                                            ev.prevent_default();
                                                            ev.stop_propagation();
                                                            over_slot.set(None);
                                                            over.set(None);
                                                            if let Some(id) = dragging.get_untracked() {
                                                                dragging.set(None);
                                                                do_move(id, format!("{}T{hour:02}:00", iso(day)));
                                                            }
                                                        }
                                                    >
                                                        <span class="cal-hour" aria-hidden="true">{format!("{hour:02}")}</span>
                                                        {move || {
                                                            let key = key.clone();
                                                            rows.get()
                                                                .into_iter()
                                                                .filter(|r| r.starts_at.starts_with(&key) && slot_of(&r.starts_at) == hour)
                                                                .map(|r| view! { <CalendarItem row=r dragging=dragging on_move=Callback::new(move |(id, to): (i64, String)| do_move(id, to))/> })
                                                                .collect_view()
                                                        }}
                                                    </div>
                                                }
                                            })
                                            .collect_view()
                                            .into_any()
                                    }}
                                </div>
                            }
                        }).collect_view()}
                    </div>
                }
            }).collect_view()}
        </div>
    }
}

#[component]
fn CalendarItem(row: ActivityRow, dragging: RwSignal<Option<i64>>, on_move: Callback<(i64, String)>) -> impl IntoView {
    let lang = use_lang();
    let id = row.id;
    let starts = StoredValue::new(row.starts_at.clone());
    let time = row.starts_at.get(11..16).unwrap_or("").to_string();
    let done = row.status == ActivityStatus::Completed;
    let label = format!("{} {}, {} ({})", time, row.subject, lang.t(activity_label(row.kind)), row.regarding_label);
    view! {
        <a
            class=format!("cal-item act-{}", row.kind.code())
            class:done=done
            id=format!("cal-{id}")
            href=format!("/activities/{id}")
            draggable="true"
            data-id=id
            title=format!("{} · {} · {}", lang.t(activity_label(row.kind)), row.regarding_label, row.owner_name)
            aria-label=label
            on:dragstart=move |ev| {
                if let Some(dt) = ev.data_transfer() {
                    let _ = dt.set_data("text/plain", &id.to_string());
                    dt.set_effect_allowed("move");
                }
                dragging.set(Some(id));
            }
            on:dragend=move |_| dragging.set(None)
            on:keydown=move |ev| {
                if !ev.alt_key() {
                    return;
                }
                let (days, minutes) = match ev.key().as_str() {
                    "ArrowLeft" => (-1, 0),
                    "ArrowRight" => (1, 0),
                    "ArrowUp" => (0, -30),
                    "ArrowDown" => (0, 30),
                    _ => return,
                };
                ev.prevent_default();
                if let Some(to) = shifted(&starts.get_value(), days, minutes) {
                    on_move.run((id, to));
                }
            }
        >
            <span class="cal-time">{time}</span>
            " "
            {row.subject.clone()}
        </a>
    }
}

/// The user's secret calendar subscription link: create or replace (shown once), or revoke.
#[component]
fn FeedPanel(created: Option<String>) -> impl IntoView {
    let lang = use_lang();
    let toasts = use_toasts();
    let shown = RwSignal::new(None::<String>);
    let active = RwSignal::new(created.clone());
    let create = move |_| {
        leptos::task::spawn_local(async move {
            match create_calendar_feed().await {
                Ok(path) => {
                    let origin = {
                        #[cfg(feature = "hydrate")]
                        {
                            web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default()
                        }
                        #[cfg(not(feature = "hydrate"))]
                        {
                            String::new()
                        }
                    };
                    shown.set(Some(format!("{origin}{path}")));
                    active.set(Some(String::new()));
                }
                Err(e) => toasts.push(error_text(lang, &e), true),
            }
        });
    };
    let revoke = move |_| {
        leptos::task::spawn_local(async move {
            match revoke_calendar_feed().await {
                Ok(()) => {
                    shown.set(None);
                    active.set(None);
                }
                Err(e) => toasts.push(error_text(lang, &e), true),
            }
        });
    };
    view! {
        <section class="card feed">
            <h2>{t(M::CalendarFeed)}</h2>
            {move || match (shown.get(), active.get()) {
                (Some(url), _) => view! {
                    <p>{lang.t(M::FeedHint)}</p>
                    <input class="feed-url" type="text" readonly=true value=url aria-label=lang.t(M::CalendarFeed) on:focus=move |ev| {
                        #[cfg(feature = "hydrate")]
                        {
                            use wasm_bindgen::JsCast;
                            if let Some(i) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                                i.select();
                            }
                        }
                        let _ = ev;
                    }/>
                }
                .into_any(),
                (None, Some(at)) if !at.is_empty() => view! { <p class="muted">{lang.t(M::FeedActive)} " " {format_date(lang, &at)} ")"</p> }.into_any(),
                (None, Some(_)) => ().into_any(),
                (None, None) => view! { <p class="muted">{lang.t(M::FeedNone)}</p> }.into_any(),
            }}
            <div class="form-actions">
                <button type="button" class="btn" on:click=create>{move || if active.get().is_some() { lang.t(M::NewFeed) } else { lang.t(M::CreateFeed) }}</button>
                {move || active.get().is_some().then(|| view! { <button type="button" class="btn btn-danger" on:click=revoke>{lang.t(M::RevokeFeed)}</button> })}
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_keep_the_time_of_day() {
        assert_eq!(on_day("2026-11-27T14:30", NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()).as_deref(), Some("2026-12-01T14:30"));
        assert_eq!(shifted("2026-11-27T23:45", 0, 30).as_deref(), Some("2026-11-28T00:15"));
        assert_eq!(add_months(NaiveDate::from_ymd_opt(2026, 1, 31).unwrap(), -1), NaiveDate::from_ymd_opt(2025, 12, 1).unwrap());
        assert_eq!((slot_of("2026-11-27T06:15"), slot_of("2026-11-27T10:59"), slot_of("2026-11-27T23:00")), (7, 10, 20));
    }
}
