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

use super::{audit, Actor};
use crate::db::sql::Sql;
use crate::db::{now, Backend, Db, Tx};
use crate::domain::text::{search_key, search_text};
use crate::domain::validate::field;
use crate::domain::{lead_name, RegardingKind, Role};
use crate::error::{AppError, Problem};
use crate::i18n::{Lang, M};
use serde_json::{json, Value};
use sqlx::Row;
use std::io::{Seek, Write};

/// The audit action of an export.
pub const EXPORTED: &str = "personal_export";
/// The audit action of an erasure.
pub const ERASED: &str = "personal_erase";

/// The fields of a contact's history that hold personal data (`merge` names the duplicates merged in).
const CONTACT_FIELDS: &[&str] = &["first_name", "last_name", "job_title", "email", "phone", "mobile", "merge"];
/// The fields of a lead's history that hold personal data (with [`LEAD_COMPANY_FIELDS`] when the lead
/// has no company: then they describe the person, not a company).
const LEAD_FIELDS: &[&str] = &["first_name", "last_name", "title", "email", "phone", "notes", "disqualify_note", "merge"];
const LEAD_COMPANY_FIELDS: &[&str] = &["city", "region", "pib"];
/// The free-text fields of an activity (and its history).
const ACTIVITY_FIELDS: &[&str] = &["subject", "description", "outcome", "location", "email_to"];
/// Longest accepted reason for an erasure.
const REASON_MAX: usize = 500;

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
// Export
// ------------------------------------------------------------------------------------------------

/// A document to put into the zip: its id, the name it gets there (under `files/`).
struct FileEntry {
    id: i64,
    path: String,
}

/// A name for a file inside the zip: only letters, digits, `.`, `-`, `_` and spaces, no leading dot,
/// at most 120 characters, prefixed by the document's id so that two files never collide — so no
/// name can climb out of `files/` or be hidden when unpacked.
pub fn zip_name(id: i64, file_name: &str) -> String {
    let cleaned: String = super::documents::clean_name(file_name)
        .chars()
        .map(|c| if c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ') { c } else { '_' })
        .take(120)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    let cleaned = if cleaned.is_empty() { "document" } else { cleaned };
    format!("files/{id}-{cleaned}")
}

/// What an export writes, gathered before the zip is: `person.json` and the files to add.
async fn gather(conn: &mut sqlx::AnyConnection, actor: &Actor, kind: RegardingKind, id: i64) -> Result<(Value, Vec<FileEntry>), AppError> {
    let (record, account, related) = match kind {
        RegardingKind::Contact => contact_record(conn, id).await?,
        _ => lead_record(conn, id).await?,
    };

    // Activities: about the person, or with the person taking part (contacts only).
    let mut sql = Sql::new(
        "SELECT a.id, a.kind, a.subject, a.description, a.status, a.priority, a.starts_at, a.ends_at, a.direction, a.outcome, \
         a.location, a.email_to, a.regarding_kind, a.regarding_id, u.name AS owner_name, a.created_at, \
         CASE WHEN a.regarding_kind = ",
    );
    sql.bind(kind.code()).push(" AND a.regarding_id = ").bind(id).push(" THEN 'regarding' ELSE 'attendee' END AS relation ");
    sql.push("FROM activities a JOIN users u ON u.id = a.owner_id WHERE (a.regarding_kind = ").bind(kind.code());
    sql.push(" AND a.regarding_id = ").bind(id).push(")");
    if kind == RegardingKind::Contact {
        sql.push(" OR a.id IN (SELECT activity_id FROM activity_attendees WHERE contact_id = ").bind(id).push(")");
    }
    sql.push(" ORDER BY a.starts_at, a.id");
    let activities: Vec<Value> = sql
        .query()
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            json!({
                "id": r.get::<i64, _>("id"),
                "relation": r.get::<String, _>("relation"),
                "kind": r.get::<String, _>("kind"),
                "subject": r.get::<String, _>("subject"),
                "description": r.get::<Option<String>, _>("description"),
                "status": r.get::<String, _>("status"),
                "priority": r.get::<String, _>("priority"),
                "starts_at": r.get::<String, _>("starts_at"),
                "ends_at": r.get::<Option<String>, _>("ends_at"),
                "direction": r.get::<Option<String>, _>("direction"),
                "outcome": r.get::<Option<String>, _>("outcome"),
                "location": r.get::<Option<String>, _>("location"),
                "email_to": r.get::<Option<String>, _>("email_to"),
                "regarding": { "kind": r.get::<String, _>("regarding_kind"), "id": r.get::<i64, _>("regarding_id") },
                "owner": r.get::<String, _>("owner_name"),
                "created_at": r.get::<String, _>("created_at"),
            })
        })
        .collect();

    let notes: Vec<Value> = sqlx::query(
        "SELECT n.id, n.body, n.created_at, n.updated_at, u.name FROM notes n LEFT JOIN users u ON u.id = n.created_by \
         WHERE n.regarding_kind = $1 AND n.regarding_id = $2 ORDER BY n.id",
    )
    .bind(kind.code())
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        json!({
            "id": r.get::<i64, _>(0), "body": r.get::<String, _>(1), "created_at": r.get::<String, _>(2),
            "updated_at": r.get::<String, _>(3), "author": r.get::<Option<String>, _>(4),
        })
    })
    .collect();

    let mut files = Vec::new();
    let documents: Vec<Value> = sqlx::query(
        "SELECT d.id, d.file_name, d.content_type, d.size_bytes, d.sha256, d.created_at, u.name FROM documents d \
         LEFT JOIN users u ON u.id = d.created_by WHERE d.regarding_kind = $1 AND d.regarding_id = $2 ORDER BY d.id",
    )
    .bind(kind.code())
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        let (doc_id, name): (i64, String) = (r.get(0), r.get(1));
        let path = zip_name(doc_id, &name);
        files.push(FileEntry { id: doc_id, path: path.clone() });
        json!({
            "id": doc_id, "file_name": name, "file": path, "content_type": r.get::<String, _>(2), "size_bytes": r.get::<i64, _>(3),
            "sha256": r.get::<String, _>(4), "created_at": r.get::<String, _>(5), "uploaded_by": r.get::<Option<String>, _>(6),
        })
    })
    .collect();

    let history: Vec<Value> = sqlx::query(
        "SELECT e.at, u.name, e.action, e.field, e.old_value, e.new_value FROM audit_entries e LEFT JOIN users u ON u.id = e.user_id \
         WHERE e.entity = $1 AND e.record_id = $2 ORDER BY e.id",
    )
    .bind(kind.code())
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        json!({
            "at": r.get::<String, _>(0), "by": r.get::<Option<String>, _>(1), "action": r.get::<String, _>(2),
            "field": r.get::<Option<String>, _>(3), "old": r.get::<Option<String>, _>(4), "new": r.get::<Option<String>, _>(5),
        })
    })
    .collect();

    let mut person = json!({
        "format": "veza-personal-data/1",
        "exported_at": now(),
        "exported_by": actor.name,
        "kind": kind.code(),
        "id": id,
        "record": record,
        "account": account,
        "activities": activities,
        "notes": notes,
        "documents": documents,
        // Veza keeps no consent, subscription or marketing fields on a person (yet): nothing to list.
        "consents": [],
        "history": history,
    });
    if let (Some(obj), Value::Object(rel)) = (person.as_object_mut(), related) {
        obj.extend(rel);
    }
    Ok((person, files))
}

type Record = (Value, Value, Value);

async fn contact_record(conn: &mut sqlx::AnyConnection, id: i64) -> Result<Record, AppError> {
    let r = sqlx::query(
        "SELECT c.id, c.first_name, c.last_name, c.job_title, c.buying_role, c.email, c.phone, c.mobile, c.account_id, a.name AS account_name, \
         u.name AS owner_name, t.name AS team_name, c.created_at, c.updated_at, c.version \
         FROM contacts c JOIN users u ON u.id = c.owner_id LEFT JOIN accounts a ON a.id = c.account_id LEFT JOIN teams t ON t.id = c.team_id \
         WHERE c.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    let record = json!({
        "first_name": r.get::<String, _>("first_name"), "last_name": r.get::<String, _>("last_name"),
        "job_title": r.get::<Option<String>, _>("job_title"), "buying_role": r.get::<Option<String>, _>("buying_role"),
        "email": r.get::<Option<String>, _>("email"), "phone": r.get::<Option<String>, _>("phone"), "mobile": r.get::<Option<String>, _>("mobile"),
        "owner": r.get::<String, _>("owner_name"), "team": r.get::<Option<String>, _>("team_name"),
        "created_at": r.get::<String, _>("created_at"), "updated_at": r.get::<String, _>("updated_at"), "version": r.get::<i64, _>("version"),
    });
    let account = match r.get::<Option<i64>, _>("account_id") {
        Some(a) => json!({ "id": a, "name": r.get::<Option<String>, _>("account_name") }),
        None => Value::Null,
    };
    let leads: Vec<Value> = sqlx::query(
        "SELECT id, company, first_name, last_name, email, phone, status, created_at, closed_at FROM leads WHERE contact_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|l| {
        json!({
            "id": l.get::<i64, _>(0), "company": l.get::<Option<String>, _>(1), "first_name": l.get::<Option<String>, _>(2),
            "last_name": l.get::<Option<String>, _>(3), "email": l.get::<Option<String>, _>(4), "phone": l.get::<Option<String>, _>(5),
            "status": l.get::<String, _>(6), "created_at": l.get::<String, _>(7), "qualified_at": l.get::<Option<String>, _>(8),
        })
    })
    .collect();
    let deals: Vec<Value> = sqlx::query("SELECT id, name FROM opportunities WHERE contact_id = $1 ORDER BY id")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|o| json!({ "id": o.get::<i64, _>(0), "name": o.get::<String, _>(1) }))
        .collect();
    Ok((record, account, json!({ "source_leads": leads, "opportunities": deals })))
}

async fn lead_record(conn: &mut sqlx::AnyConnection, id: i64) -> Result<Record, AppError> {
    let r = sqlx::query(
        "SELECT l.company, l.first_name, l.last_name, l.title, l.email, l.phone, l.city, l.region, l.pib, s.code AS source, l.rating, l.status, \
         l.estimated_minor, l.currency, l.notes, d.code AS disqualify_reason, l.disqualify_note, l.account_id, a.name AS account_name, \
         l.contact_id, c.first_name || ' ' || c.last_name AS contact_name, l.opportunity_id, o.name AS opportunity_name, l.closed_at, \
         u.name AS owner_name, t.name AS team_name, l.created_at, l.updated_at, l.version \
         FROM leads l JOIN users u ON u.id = l.owner_id LEFT JOIN teams t ON t.id = l.team_id \
         LEFT JOIN picklist_values s ON s.id = l.source_id LEFT JOIN picklist_values d ON d.id = l.disqualify_reason_id \
         LEFT JOIN accounts a ON a.id = l.account_id LEFT JOIN contacts c ON c.id = l.contact_id LEFT JOIN opportunities o ON o.id = l.opportunity_id \
         WHERE l.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    let text = |c: &str| r.get::<Option<String>, _>(c);
    let record = json!({
        "company": text("company"), "first_name": text("first_name"), "last_name": text("last_name"), "title": text("title"),
        "email": text("email"), "phone": text("phone"), "city": text("city"), "region": text("region"), "pib": text("pib"),
        "source": text("source"), "rating": r.get::<String, _>("rating"), "status": r.get::<String, _>("status"),
        "estimated_minor": r.get::<i64, _>("estimated_minor"), "currency": r.get::<String, _>("currency"), "notes": text("notes"),
        "disqualify_reason": text("disqualify_reason"), "disqualify_note": text("disqualify_note"), "closed_at": text("closed_at"),
        "owner": r.get::<String, _>("owner_name"), "team": text("team_name"),
        "created_at": r.get::<String, _>("created_at"), "updated_at": r.get::<String, _>("updated_at"), "version": r.get::<i64, _>("version"),
    });
    let link = |id_col: &str, name_col: &str| match r.get::<Option<i64>, _>(id_col) {
        Some(i) => json!({ "id": i, "name": r.get::<Option<String>, _>(name_col) }),
        None => Value::Null,
    };
    let account = link("account_id", "account_name");
    let qualified = json!({
        "account": link("account_id", "account_name"),
        "contact": link("contact_id", "contact_name"),
        "opportunity": link("opportunity_id", "opportunity_name"),
    });
    Ok((record, account, json!({ "qualified_into": qualified })))
}

/// Writes the export of person `kind`/`id` into `out` as a zip — `person.json` and `files/` — and
/// records it in the audit trail; returns `out` and a file name for the download. Documents are read
/// one at a time, so memory holds at most one file besides what `out` keeps.
pub async fn export<W: Write + Seek>(db: &Db, actor: &Actor, kind: RegardingKind, id: i64, out: W) -> Result<(W, String), AppError> {
    require_admin(actor)?;
    let mut conn = db.pool.acquire().await?;
    let (person, files) = gather(&mut conn, actor, kind, id).await?;
    let broken = |e: &dyn std::fmt::Display| {
        tracing::error!(error = %e, kind = kind.code(), id, "personal data export failed");
        AppError::Internal
    };
    let mut zip = zip::ZipWriter::new(out);
    let deflated = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("person.json", deflated).map_err(|e| broken(&e))?;
    let json = serde_json::to_vec_pretty(&person).map_err(|e| broken(&e))?;
    zip.write_all(&json).map_err(|e| broken(&e))?;
    for f in &files {
        let row = sqlx::query("SELECT content FROM document_contents WHERE document_id = $1").bind(f.id).fetch_optional(&mut *conn).await?;
        let Some(row) = row else { continue };
        let bytes: Vec<u8> = row.try_get("content")?;
        // Office files, PDFs and images are compressed already.
        zip.start_file(f.path.as_str(), zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored))
            .map_err(|e| broken(&e))?;
        zip.write_all(&bytes).map_err(|e| broken(&e))?;
    }
    let out = zip.finish().map_err(|e| broken(&e))?;
    drop(conn);
    let mut tx = db.begin().await?;
    let mut batch = audit::Batch::new(Some(actor), &now());
    batch.push(kind.code(), id, EXPORTED, None, None, Some(&format!("{} files", files.len())));
    batch.write(&mut tx).await?;
    tx.commit().await?;
    Ok((out, format!("personal-data-{}-{id}-{}.zip", kind.code(), crate::db::today())))
}

// ------------------------------------------------------------------------------------------------
// Erasure
// ------------------------------------------------------------------------------------------------

/// What an administrator sends to erase a person: the version the page showed, the confirmation
/// (the word ERASE or the person's name as shown) and the reason (the request it fulfils).
pub struct EraseRequest<'a> {
    pub kind: RegardingKind,
    pub id: i64,
    pub version: i64,
    pub confirm: &'a str,
    pub reason: &'a str,
}

/// Whether `typed` confirms the erasure of `name`: the word ERASE (or the Serbian OBRIŠI), or the
/// name itself, ignoring case and surrounding spaces.
pub fn confirms(typed: &str, name: &str) -> bool {
    let t = typed.trim().to_lowercase();
    !t.is_empty() && (t == "erase" || t == "obriši" || t == "obrisi" || t == name.trim().to_lowercase())
}

/// Anonymizes person `req.kind`/`req.id` as seen at `req.version` (a Conflict if it changed since),
/// with everything that is only about them; the texts it leaves are in `lang`. Returns the new version.
pub async fn erase(db: &Db, actor: &Actor, lang: Lang, req: &EraseRequest<'_>) -> Result<i64, AppError> {
    require_admin(actor)?;
    let reason = req.reason.trim();
    if reason.is_empty() {
        return Err(field("erase_reason", Problem::Required));
    }
    if reason.chars().count() > REASON_MAX {
        return Err(field("erase_reason", Problem::TooLong(REASON_MAX as i64)));
    }
    let mut tx = db.begin().await?;
    let (name, version) = name_and_version(&mut tx, req.kind, req.id).await?;
    crate::domain::check_version(version, req.version)?;
    if !confirms(req.confirm, &name) {
        return Err(field("erase_confirm", Problem::Mismatch(None)));
    }
    let erased = Erasure { actor: actor.clone(), lang, at: now(), reason: reason.to_string() };
    secure_delete(&mut tx, true).await?;
    let done = async {
        match req.kind {
            RegardingKind::Contact => {
                let v = erased.contact(&mut tx, req.id, version).await?;
                let leads: Vec<(i64, i64)> = sqlx::query_as("SELECT id, version FROM leads WHERE contact_id = $1 ORDER BY id")
                    .bind(req.id)
                    .fetch_all(&mut *tx)
                    .await?;
                for (lead, lead_version) in leads {
                    erased.lead(&mut tx, lead, lead_version).await?;
                }
                Ok::<_, AppError>(v)
            }
            _ => erased.lead(&mut tx, req.id, version).await,
        }
    }
    .await;
    // The connection goes back to the pool as it came, whatever happened.
    let reset = secure_delete(&mut tx, false).await;
    let new_version = done?;
    reset?;
    tx.commit().await?;
    Ok(new_version)
}

/// On SQLite, while `on`: space the erasure frees in the database file is overwritten with zeros, so
/// the old values do not linger in free pages. (The full-text index marks the old words deleted and
/// drops them at its next merge — its own secure-delete option corrupted the trigram index of leads in
/// our tests, so it is not used. Postgres keeps old row versions until its vacuum; see the guide.)
async fn secure_delete(tx: &mut Tx, on: bool) -> Result<(), AppError> {
    if Backend::of(tx) == Backend::Sqlite {
        let pragma = if on { "PRAGMA secure_delete = 1" } else { "PRAGMA secure_delete = 0" };
        sqlx::query(pragma).execute(&mut **tx).await?;
    }
    Ok(())
}

/// One erasure in progress: who, in which language, when and why.
struct Erasure {
    actor: Actor,
    lang: Lang,
    at: String,
    reason: String,
}

impl Erasure {
    fn marker(&self) -> &'static str {
        self.lang.t(M::PersonalErasedValue)
    }

    async fn contact(&self, tx: &mut Tx, id: i64, version: i64) -> Result<i64, AppError> {
        let (first, last) = (self.lang.t(M::PersonalErasedPerson).to_string(), format!("#{id}"));
        let email: Option<String> = sqlx::query("SELECT email FROM contacts WHERE id = $1").bind(id).fetch_one(&mut **tx).await?.get(0);
        let n = sqlx::query(
            "UPDATE contacts SET first_name = $1, last_name = $2, search_key = $3, search_text = $4, job_title = NULL, email = NULL, \
             phone = NULL, mobile = NULL, updated_at = $5, updated_by = $6, version = version + 1 WHERE id = $7 AND version = $8",
        )
        .bind(&first)
        .bind(&last)
        .bind(search_key(&format!("{first} {last}")))
        .bind(super::contacts::search_text_of(&first, &last, None, None, None))
        .bind(&self.at)
        .bind(self.actor.id)
        .bind(id)
        .bind(version)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        crate::db::write::changed_one(n)?;
        self.merged_away(tx, "contact", id, CONTACT_FIELDS).await?;
        self.about(tx, RegardingKind::Contact, id, email.as_deref()).await?;
        self.audited(tx, RegardingKind::Contact, id).await?;
        Ok(version + 1)
    }

    async fn lead(&self, tx: &mut Tx, id: i64, version: i64) -> Result<i64, AppError> {
        let row = sqlx::query("SELECT company, first_name, last_name, email, pib, city FROM leads WHERE id = $1")
            .bind(id)
            .fetch_one(&mut **tx)
            .await?;
        let text = |i: usize| row.get::<Option<String>, _>(i);
        let (company, old_first, old_last, email) = (text(0), text(1), text(2), text(3));
        // Without a company, the lead's city, region and PIB are the person's (a sole trader's).
        let is_company = company.as_deref().is_some_and(|c| !c.trim().is_empty());
        let (pib, city) = if is_company { (text(4), text(5)) } else { (None, None) };
        let last = erased_name(self.lang, id);
        let old_name = lead_name(company.as_deref(), old_first.as_deref(), old_last.as_deref());
        let name = lead_name(company.as_deref(), None, Some(&last));
        let keep_company = if is_company { 1i64 } else { 0 };
        let n = sqlx::query(
            "UPDATE leads SET first_name = NULL, last_name = $1, title = NULL, email = NULL, phone = NULL, notes = NULL, disqualify_note = NULL, \
             city = CASE WHEN $2 = 1 THEN city ELSE NULL END, region = CASE WHEN $2 = 1 THEN region ELSE NULL END, \
             pib = CASE WHEN $2 = 1 THEN pib ELSE NULL END, search_key = $3, search_text = $4, updated_at = $5, updated_by = $6, \
             version = version + 1 WHERE id = $7 AND version = $8",
        )
        .bind(&last)
        .bind(keep_company)
        .bind(search_key(&name))
        .bind(search_text(&[Some(&name), None, None, pib.as_deref(), city.as_deref()]))
        .bind(&self.at)
        .bind(self.actor.id)
        .bind(id)
        .bind(version)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        crate::db::write::changed_one(n)?;
        let fields: Vec<&str> = LEAD_FIELDS.iter().chain(if is_company { &[][..] } else { LEAD_COMPANY_FIELDS }).copied().collect();
        self.merged_away(tx, "lead", id, &fields).await?;
        // A deal opened by qualifying the lead is named after it unless the user named it: it follows.
        if old_name != name {
            let deals: Vec<(i64,)> = sqlx::query_as("SELECT id FROM opportunities WHERE lead_id = $1 AND name = $2")
                .bind(id)
                .bind(&old_name)
                .fetch_all(&mut **tx)
                .await?;
            let ids: Vec<i64> = deals.into_iter().map(|(d,)| d).collect();
            if !ids.is_empty() {
                let mut sql = Sql::new("UPDATE opportunities SET name = ");
                sql.bind(name.clone()).push(", search_key = ").bind(search_key(&name)).push(", search_text = ").bind(search_key(&name));
                sql.push(", updated_at = ").bind(self.at.as_str()).push(", updated_by = ").bind(self.actor.id);
                sql.push(", version = version + 1 WHERE id IN (").bind_list(&ids).push(")");
                sql.query().execute(&mut **tx).await?;
                self.history(tx, "opportunity", &ids, &["name"]).await?;
            }
        }
        self.about(tx, RegardingKind::Lead, id, email.as_deref()).await?;
        self.audited(tx, RegardingKind::Lead, id).await?;
        Ok(version + 1)
    }

    /// The activities, notes and documents about the person: activities whose only subject they are
    /// lose their texts, notes and documents are deleted, and the history of all of them forgets the
    /// texts. An e-mail address of theirs on a shared activity is removed too.
    async fn about(&self, tx: &mut Tx, kind: RegardingKind, id: i64, email: Option<&str>) -> Result<(), AppError> {
        // An activity's subjects are the person it is about (when it is about a contact or lead) and
        // the contacts taking part; it is this person's alone when they are the only one.
        let mut sql = Sql::new("SELECT a.id FROM activities a WHERE ((a.regarding_kind = ");
        sql.bind(kind.code()).push(" AND a.regarding_id = ").bind(id).push(")");
        if kind == RegardingKind::Contact {
            sql.push(" OR a.id IN (SELECT activity_id FROM activity_attendees WHERE contact_id = ").bind(id).push(")");
        }
        sql.push(") AND (a.regarding_kind NOT IN ('contact', 'lead') OR (a.regarding_kind = ").bind(kind.code());
        sql.push(" AND a.regarding_id = ").bind(id).push("))");
        sql.push(" AND NOT EXISTS (SELECT 1 FROM activity_attendees x WHERE x.activity_id = a.id AND x.contact_id IS NOT NULL AND x.contact_id <> ");
        sql.bind(if kind == RegardingKind::Contact { id } else { -1 }).push(")");
        let only: Vec<i64> = sql.query_as::<(i64,)>().fetch_all(&mut **tx).await?.into_iter().map(|(a,)| a).collect();
        for chunk in only.chunks(500) {
            let mut up = Sql::new("UPDATE activities SET subject = ");
            up.bind(self.lang.t(M::PersonalErasedActivity)).push(", description = NULL, outcome = NULL, location = NULL, email_to = NULL");
            up.push(", updated_at = ").bind(self.at.as_str()).push(", updated_by = ").bind(self.actor.id);
            up.push(", version = version + 1 WHERE id IN (").bind_list(chunk).push(")");
            up.query().execute(&mut **tx).await?;
            self.history(tx, "activity", chunk, ACTIVITY_FIELDS).await?;
        }
        if let Some(email) = email.filter(|e| !e.is_empty()) {
            sqlx::query("UPDATE activities SET email_to = NULL WHERE email_to = $1").bind(email).execute(&mut **tx).await?;
        }

        let notes: Vec<i64> = sqlx::query_as::<_, (i64,)>("SELECT id FROM notes WHERE regarding_kind = $1 AND regarding_id = $2")
            .bind(kind.code())
            .bind(id)
            .fetch_all(&mut **tx)
            .await?
            .into_iter()
            .map(|(n,)| n)
            .collect();
        for chunk in notes.chunks(500) {
            self.history(tx, "note", chunk, &["body"]).await?;
            let mut del = Sql::new("DELETE FROM notes WHERE id IN (");
            del.bind_list(chunk).push(")");
            del.query().execute(&mut **tx).await?;
        }

        let documents: Vec<i64> = sqlx::query_as::<_, (i64,)>("SELECT id FROM documents WHERE regarding_kind = $1 AND regarding_id = $2")
            .bind(kind.code())
            .bind(id)
            .fetch_all(&mut **tx)
            .await?
            .into_iter()
            .map(|(d,)| d)
            .collect();
        for chunk in documents.chunks(500) {
            self.history(tx, "document", chunk, &["file_name"]).await?;
            for table in ["DELETE FROM document_contents WHERE document_id IN (", "DELETE FROM documents WHERE id IN ("] {
                let mut del = Sql::new(table);
                del.bind_list(chunk).push(")");
                del.query().execute(&mut **tx).await?;
            }
        }
        Ok(())
    }

    /// Forgets `fields` in the history of the person's record and of the duplicates merged into it
    /// (their delete entries name them: "Ana Petrović → #12"), and drops what the trash keeps to undo
    /// those merges (the duplicates' rows, files and the record's values before).
    async fn merged_away(&self, tx: &mut Tx, entity: &str, id: i64, fields: &[&str]) -> Result<(), AppError> {
        let merged: Vec<i64> = sqlx::query_as::<_, (i64,)>(
            "SELECT DISTINCT record_id FROM audit_entries WHERE entity = $1 AND action = 'delete' AND old_value LIKE $2",
        )
        .bind(entity)
        .bind(format!("% → #{id}"))
        .fetch_all(&mut **tx)
        .await?
        .into_iter()
        .map(|(m,)| m)
        .collect();
        let mut ids = vec![id];
        ids.extend(&merged);
        self.history(tx, entity, &ids, fields).await?;
        for chunk in merged.chunks(500) {
            let mut sql = Sql::new("UPDATE audit_entries SET old_value = ");
            sql.bind(format!("{} → #{id}", self.marker())).push(" WHERE entity = ").bind(entity);
            sql.push(" AND action = 'delete' AND record_id IN (").bind_list(chunk).push(")");
            sql.query().execute(&mut **tx).await?;
        }
        let trash: Vec<i64> = sqlx::query_as::<_, (i64,)>("SELECT id FROM trash WHERE entity = $1 AND record_id = $2")
            .bind(entity)
            .bind(id)
            .fetch_all(&mut **tx)
            .await?
            .into_iter()
            .map(|(t,)| t)
            .collect();
        for chunk in trash.chunks(500) {
            for table in ["trash_files WHERE trash_id", "trash_links WHERE trash_id", "trash_rows WHERE trash_id", "trash WHERE id"] {
                let mut del = Sql::new(&format!("DELETE FROM {table} IN ("));
                del.bind_list(chunk).push(")");
                del.query().execute(&mut **tx).await?;
            }
        }
        Ok(())
    }

    /// Replaces the old and new values of `fields` in the history of records `ids` of `entity` by the
    /// erased marker (an empty value stays empty, so the history still shows that something changed).
    async fn history(&self, tx: &mut Tx, entity: &str, ids: &[i64], fields: &[&str]) -> Result<(), AppError> {
        if ids.is_empty() {
            return Ok(());
        }
        let marker = self.marker();
        let mut sql = Sql::new("UPDATE audit_entries SET old_value = CASE WHEN old_value IS NULL THEN NULL ELSE ");
        sql.bind(marker).push(" END, new_value = CASE WHEN new_value IS NULL THEN NULL ELSE ").bind(marker);
        sql.push(" END WHERE entity = ").bind(entity).push(" AND record_id IN (").bind_list(ids).push(") AND field IN (");
        let fields: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
        sql.bind_list(&fields).push(")");
        sql.query().execute(&mut **tx).await?;
        // A deleted record's history names it in its delete entry.
        if entity != "contact" && entity != "lead" {
            let mut sql = Sql::new("UPDATE audit_entries SET old_value = ");
            sql.bind(marker)
                .push(" WHERE entity = ")
                .bind(entity)
                .push(" AND action = 'delete' AND record_id IN (")
                .bind_list(ids)
                .push(")");
            sql.query().execute(&mut **tx).await?;
        }
        Ok(())
    }

    /// The erasure's own entry in the record's history: who, when and why — not what was erased.
    async fn audited(&self, tx: &mut Tx, kind: RegardingKind, id: i64) -> Result<(), AppError> {
        let mut batch = audit::Batch::new(Some(&self.actor), &self.at);
        batch.push(kind.code(), id, ERASED, Some("reason"), None, Some(&self.reason));
        batch.write(tx).await?;
        Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_the_zip_stay_inside_files() {
        assert_eq!(zip_name(7, "../../etc/passwd"), "files/7-passwd");
        assert_eq!(zip_name(8, "..\\..\\boot.ini"), "files/8-boot.ini");
        assert_eq!(zip_name(9, ".hidden"), "files/9-hidden");
        assert_eq!(zip_name(10, "Ponuda: Čačak/2026?.pdf"), "files/10-2026_.pdf");
        assert_eq!(zip_name(11, "Ugovor Čačak.pdf"), "files/11-Ugovor Čačak.pdf");
        assert_eq!(zip_name(12, "///"), "files/12-document");
        assert_eq!(zip_name(13, &"a".repeat(500)), format!("files/13-{}", "a".repeat(120)));
    }

    #[test]
    fn erasure_is_confirmed_by_the_word_or_the_name() {
        assert!(confirms("ERASE", "Ana Petrović"));
        assert!(confirms(" erase ", "Ana Petrović"));
        assert!(confirms("OBRIŠI", "Ana Petrović"));
        assert!(confirms("ana petrović", "Ana Petrović"));
        assert!(!confirms("Ana", "Ana Petrović"));
        assert!(!confirms("", ""));
        assert!(!confirms("yes", "Ana Petrović"));
    }
}
