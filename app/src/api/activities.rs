//! Server functions for activities, notes, the timeline, My day, the calendar and the team view.

use crate::domain::{
    Activity, ActivityInput, CalendarData, CompleteInput, EmailInput, MyDay, NoteInput, TeamActivityCell, TimelinePage, TimelineQuery,
};
use crate::error::AppError;
use leptos::prelude::*;

/// Creates (empty id) or updates an activity; returns its id.
#[server]
pub async fn save_activity(input: ActivityInput) -> Result<i64, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    if input.id.trim().is_empty() {
        crate::services::activities::create(&db, &actor, &input).await
    } else {
        crate::services::activities::update(&db, &actor, &input).await?;
        crate::services::parse_id("id", &input.id)
    }
}

#[server]
pub async fn get_activity(id: i64) -> Result<Activity, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::activities::get(&db, &actor, id).await
}

/// Completes an activity, optionally scheduling its follow-up; returns the follow-up's id.
#[server]
pub async fn complete_activity(input: CompleteInput) -> Result<Option<i64>, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::activities::complete(&db, &actor, &input).await
}

#[server]
pub async fn cancel_activity(id: i64, version: i64) -> Result<i64, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::activities::cancel(&db, &actor, id, version).await
}

/// Moves an activity to a new local start ("YYYY-MM-DDTHH:MM"); returns the new version.
#[server]
pub async fn reschedule_activity(id: i64, version: i64, starts_at: String) -> Result<i64, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::activities::reschedule(&db, &actor, id, version, &starts_at).await
}

#[server]
pub async fn get_timeline(query: TimelineQuery) -> Result<TimelinePage, AppError> {
    use super::ctx;
    let can_send_email = ctx::mailer().is_some();
    let (db, actor) = ctx::signed_in().await?;
    let mut page = crate::services::timeline::page(&db, &actor, &query).await?;
    page.can_send_email = can_send_email;
    Ok(page)
}

/// Sends an e-mail to a contact through the configured SMTP server and logs it; returns the activity id.
#[server]
pub async fn send_email(input: EmailInput) -> Result<i64, AppError> {
    use super::ctx;
    let mailer = ctx::mailer();
    let (db, actor) = ctx::signed_in().await?;
    crate::services::email::send(&db, mailer.as_ref(), &actor, &input).await
}

#[server]
pub async fn add_note(input: NoteInput) -> Result<i64, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::notes::create(&db, &actor, &input).await
}

#[server]
pub async fn get_my_day() -> Result<MyDay, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::activities::my_day(&db, &actor).await
}

/// A week or month of the user's (or a team's) calendar around local date `date` (empty: today).
#[server]
pub async fn get_calendar(date: String, month: bool, team: String) -> Result<CalendarData, AppError> {
    use super::ctx;
    use crate::clock;
    let today = clock::today();
    let anchor = crate::domain::validate::parse_date(&date).unwrap_or(today);
    let (from, days) = if month { (clock::week_start(clock::month_start(anchor)), 42) } else { (clock::week_start(anchor), 7) };
    let team = crate::services::parse_opt_id("team", &team)?;
    let (db, actor) = ctx::signed_in().await?;
    let rows = crate::services::activities::calendar(&db, &actor, from, from + chrono::Duration::days(days), team).await?;
    let feed_created = crate::services::ical::feed_created(&db, &actor).await?;
    let d = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    Ok(CalendarData { today: d(today), anchor: d(anchor), month, from: d(from), days, rows, feed_created })
}

/// Creates or replaces the user's iCalendar feed; returns its secret path (shown once).
#[server]
pub async fn create_calendar_feed() -> Result<String, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    let token = crate::services::ical::create_feed(&db, &actor).await?;
    Ok(format!("/calendar/{token}.ics"))
}

#[server]
pub async fn revoke_calendar_feed() -> Result<(), AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::ical::revoke_feed(&db, &actor).await
}

/// Admin setting: days without activity after which an open opportunity counts as stale.
#[server]
pub async fn set_stale_days(days: String) -> Result<(), AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::activities::set_stale_days(&db, &actor, &days).await
}

#[server]
pub async fn get_team_activity(weeks: i64, team: String) -> Result<Vec<TeamActivityCell>, AppError> {
    use super::ctx;
    let team = crate::services::parse_opt_id("team", &team)?;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::activities::team_weeks(&db, &actor, weeks, team).await
}
