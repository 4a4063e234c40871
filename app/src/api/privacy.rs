//! Server functions for personal-data requests: the state of one person's data, its erasure, and the
//! administration's list of exports and erasures. The export itself is a plain route of the server
//! (`POST /personal-data/export`), since it answers with a zip file. Administrators only, checked in
//! `services::privacy`.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the "Personal data" block of a contact's or lead's page shows.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PersonalDataInfo {
    pub name: String,
    pub version: i64,
    /// When and by whom the data was last exported.
    pub last_export: Option<(String, Option<String>)>,
    /// When and by whom it was erased.
    pub erased: Option<(String, Option<String>)>,
    /// A lead qualified into a contact: that contact (id, name).
    pub became_contact: Option<(i64, String)>,
    /// A contact: how many leads were qualified into it.
    pub source_leads: i64,
}

/// One export or erasure in the administration's list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PersonalDataRequest {
    pub id: i64,
    pub at: String,
    pub by: Option<String>,
    /// "personal_export" or "personal_erase".
    pub action: String,
    /// "contact" or "lead".
    pub entity: String,
    pub record_id: i64,
    pub record_name: Option<String>,
    pub reason: Option<String>,
}

/// A page of the list: its rows and the cursor of the next (older) page.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PersonalDataRequests {
    pub rows: Vec<PersonalDataRequest>,
    pub next: Option<i64>,
}

/// Rows per page of the list.
pub const REQUESTS_PER_PAGE: i64 = 50;

#[server]
pub async fn get_personal_data_status(kind: String, id: i64) -> Result<PersonalDataInfo, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    let kind = crate::services::privacy::person_kind(&kind)?;
    let s = crate::services::privacy::status(&db, &actor, kind, id).await?;
    Ok(PersonalDataInfo {
        name: s.name,
        version: s.version,
        last_export: s.last_export,
        erased: s.erased,
        became_contact: s.became_contact,
        source_leads: s.source_leads,
    })
}

#[server]
pub async fn erase_personal_data(kind: String, id: i64, version: i64, confirm: String, reason: String) -> Result<i64, AppError> {
    use super::ctx;
    use crate::services::privacy::{erase, person_kind, EraseRequest};
    let (db, actor) = ctx::signed_in().await?;
    let kind = person_kind(&kind)?;
    erase(&db, &actor, ctx::request_lang(), &EraseRequest { kind, id, version, confirm: &confirm, reason: &reason }).await
}

#[server]
pub async fn list_personal_data_requests(before: String) -> Result<PersonalDataRequests, AppError> {
    use super::ctx;
    let (db, actor) = ctx::signed_in().await?;
    let before = before.trim().parse::<i64>().ok();
    let mut rows = crate::services::privacy::requests(&db, &actor, before, REQUESTS_PER_PAGE + 1).await?;
    let next = if rows.len() as i64 > REQUESTS_PER_PAGE {
        rows.truncate(REQUESTS_PER_PAGE as usize);
        rows.last().map(|r| r.id)
    } else {
        None
    };
    let rows = rows
        .into_iter()
        .map(|r| PersonalDataRequest {
            id: r.id,
            at: r.at,
            by: r.by,
            action: r.action,
            entity: r.entity,
            record_id: r.record_id,
            record_name: r.record_name,
            reason: r.reason,
        })
        .collect();
    Ok(PersonalDataRequests { rows, next })
}
