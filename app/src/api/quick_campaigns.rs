//! Server functions of quick campaigns.

use crate::domain::quick_campaign::{QuickCampaignInput, QuickCampaignRow, QuickCampaignView, QuickMemberRow, QuickPreview};
use crate::domain::Page;
use crate::error::AppError;
use leptos::prelude::*;

/// How many members a list (`list_id`) or an advanced-find query (`query`) would reach.
#[server]
pub async fn preview_quick_campaign(list_id: String, query: String) -> Result<QuickPreview, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::quick_campaigns::preview(&db, &actor, &list_id, &query).await
}

/// Starts a quick campaign; returns its id (its distribution runs as a job).
#[server]
pub async fn start_quick_campaign(input: QuickCampaignInput) -> Result<i64, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    let mail = ctx::mailer()
        .map(|_| crate::services::quick_campaigns::MailStart { site_url: ctx::site_url().unwrap_or_default(), lang: ctx::request_lang() });
    crate::services::quick_campaigns::start_with(&db, &actor, &input, mail).await
}

/// A campaign message filled in for the first member reached: (subject, text), for the form's preview.
#[server]
pub async fn preview_campaign_email(list_id: String, query: String, subject: String, body: String) -> Result<(String, String), AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::quick_campaigns::mail::preview(&db, &actor, &list_id, &query, &subject, &body).await
}

#[server]
pub async fn get_quick_campaign(id: i64) -> Result<QuickCampaignView, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::quick_campaigns::get(&db, &actor, id).await
}

/// The campaigns the user may see, newest first (`before`: the last id shown, 0 for the first page).
#[server]
pub async fn list_quick_campaigns(before: i64) -> Result<Vec<QuickCampaignRow>, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::quick_campaigns::list(&db, &actor, (before > 0).then_some(before)).await
}

/// A page of a campaign's members with their outcome (`outcome` empty for all; `after` a member id).
#[server]
pub async fn quick_campaign_members(id: i64, outcome: String, after: i64) -> Result<Page<QuickMemberRow>, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    crate::services::quick_campaigns::members(&db, &actor, id, &outcome, after).await
}
