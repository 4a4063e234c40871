//! A person's data on request (GDPR articles 15, 17 and 20; Serbian ZZPL articles 26 and 30): an
//! administrator exports everything Veza holds about one contact or lead as one zip, or erases it.
//!
//! Erasure anonymizes in place rather than deleting: the record keeps its id, so the deals, activities
//! and reports that count it stay whole, but nothing in it — nor in its history, its notes, its
//! documents, the activities about only this person or the text search — names the person any more.
//! A contact's erasure includes the leads that were qualified into it (the same person's earlier
//! record); a lead's erasure leaves the contact it became alone, and says so (see
//! `docs/guide/personal-data.md`).
//!
//! Both are audit entries of their own (`personal_export`, `personal_erase`): who, when and, for an
//! erasure, the reason — never the data itself.

mod erase;
mod export;

pub use erase::{confirms, erase, EraseRequest};
pub use export::{export, zip_name};

use super::Actor;
use crate::db::Db;
use crate::domain::{lead_name, RegardingKind, Role};
use crate::error::AppError;
use crate::i18n::{Lang, M};
use sqlx::Row;

/// The audit action of an export.
pub const EXPORTED: &str = "personal_export";
/// The audit action of an erasure.
pub const ERASED: &str = "personal_erase";

/// Only administrators handle personal-data requests.
fn require_admin(actor: &Actor) -> Result<(), AppError> {
    if actor.role == Role::Admin && !actor.held_back() {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The kinds of record that are a person: a contact or a lead.
pub fn person_kind(kind: &str) -> Result<RegardingKind, AppError> {
    match RegardingKind::parse(kind.trim()) {
        Some(k @ (RegardingKind::Contact | RegardingKind::Lead)) => Ok(k),
        _ => Err(AppError::NotFound),
    }
}

/// The name an erased person's record carries: "Erased person #12" in the erasing administrator's
/// language.
pub fn erased_name(lang: Lang, id: i64) -> String {
    format!("{} #{id}", lang.t(M::PersonalErasedPerson))
}

// ------------------------------------------------------------------------------------------------
// Status
// ------------------------------------------------------------------------------------------------

/// The last export and erasure of one record: (when, by whom) of each.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Status {
    pub name: String,
    pub version: i64,
    pub last_export: Option<(String, Option<String>)>,
    pub erased: Option<(String, Option<String>)>,
    /// A lead qualified into a contact: that contact (id, name), whose data the lead's erasure keeps.
    pub became_contact: Option<(i64, String)>,
    /// A contact: how many leads were qualified into it (erased with it).
    pub source_leads: i64,
}

pub async fn status(db: &Db, actor: &Actor, kind: RegardingKind, id: i64) -> Result<Status, AppError> {
    require_admin(actor)?;
    let mut conn = db.pool.acquire().await?;
    let (name, version) = name_and_version(&mut conn, kind, id).await?;
    let last = |action: &'static str| {
        sqlx::query(
            "SELECT e.at, u.name FROM audit_entries e LEFT JOIN users u ON u.id = e.user_id \
             WHERE e.entity = $1 AND e.record_id = $2 AND e.action = $3 ORDER BY e.id DESC LIMIT 1",
        )
        .bind(kind.code())
        .bind(id)
        .bind(action)
    };
    let last_export = last(EXPORTED).fetch_optional(&mut *conn).await?.map(|r| (r.get::<String, _>(0), r.get::<Option<String>, _>(1)));
    let erased = last(ERASED).fetch_optional(&mut *conn).await?.map(|r| (r.get::<String, _>(0), r.get::<Option<String>, _>(1)));
    let mut out = Status { name, version, last_export, erased, ..Default::default() };
    match kind {
        RegardingKind::Lead => {
            out.became_contact = sqlx::query(
                "SELECT c.id, c.first_name || ' ' || c.last_name FROM leads l JOIN contacts c ON c.id = l.contact_id WHERE l.id = $1",
            )
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
            .map(|r| (r.get::<i64, _>(0), r.get::<String, _>(1)));
        }
        _ => {
            out.source_leads =
                sqlx::query("SELECT COUNT(*) FROM leads WHERE contact_id = $1").bind(id).fetch_one(&mut *conn).await?.get::<i64, _>(0);
        }
    }
    Ok(out)
}

/// The record's display name and version; NotFound when there is no such person.
async fn name_and_version(conn: &mut sqlx::AnyConnection, kind: RegardingKind, id: i64) -> Result<(String, i64), AppError> {
    match kind {
        RegardingKind::Contact => {
            let row = sqlx::query("SELECT first_name, last_name, version FROM contacts WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?
                .ok_or(AppError::NotFound)?;
            Ok((format!("{} {}", row.get::<String, _>(0), row.get::<String, _>(1)), row.get(2)))
        }
        RegardingKind::Lead => {
            let row = sqlx::query("SELECT company, first_name, last_name, version FROM leads WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?
                .ok_or(AppError::NotFound)?;
            let name = lead_name(
                row.get::<Option<String>, _>(0).as_deref(),
                row.get::<Option<String>, _>(1).as_deref(),
                row.get::<Option<String>, _>(2).as_deref(),
            );
            Ok((name, row.get(3)))
        }
        _ => Err(AppError::NotFound),
    }
}

// ------------------------------------------------------------------------------------------------
// The requests handled
// ------------------------------------------------------------------------------------------------

/// One export or erasure, as the administration lists them.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub id: i64,
    pub at: String,
    pub by: Option<String>,
    pub action: String,
    pub entity: String,
    pub record_id: i64,
    /// The record's name now (after an erasure, the anonymized one); None when it no longer exists.
    pub record_name: Option<String>,
    pub reason: Option<String>,
}

/// The exports and erasures done, newest first, `limit` at a time before audit entry `before`.
pub async fn requests(db: &Db, actor: &Actor, before: Option<i64>, limit: i64) -> Result<Vec<Request>, AppError> {
    require_admin(actor)?;
    let rows = sqlx::query(
        "SELECT e.id, e.at, u.name AS by_name, e.action, e.entity, e.record_id, e.new_value, \
         CASE WHEN e.entity = 'contact' THEN (SELECT c.first_name || ' ' || c.last_name FROM contacts c WHERE c.id = e.record_id) \
         ELSE (SELECT COALESCE(l.first_name || ' ', '') || COALESCE(l.last_name, '') || COALESCE(' · ' || l.company, '') FROM leads l WHERE l.id = e.record_id) END AS record_name \
         FROM audit_entries e LEFT JOIN users u ON u.id = e.user_id \
         WHERE e.action IN ('personal_export', 'personal_erase') AND e.id < $1 ORDER BY e.id DESC LIMIT $2",
    )
    .bind(before.unwrap_or(i64::MAX))
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .iter()
        .map(|r| {
            let action: String = r.get("action");
            Request {
                id: r.get("id"),
                at: r.get("at"),
                by: r.get("by_name"),
                reason: if action == ERASED { r.get("new_value") } else { None },
                action,
                entity: r.get("entity"),
                record_id: r.get("record_id"),
                record_name: r.get::<Option<String>, _>("record_name").map(|n| n.trim().to_string()),
            }
        })
        .collect())
}
