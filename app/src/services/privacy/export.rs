//! The export of a person's data: one zip with `person.json` (everything Veza holds about them) and
//! `files/` (their documents' contents).

use super::{require_admin, EXPORTED};
use crate::db::sql::Sql;
use crate::db::{now, Db};
use crate::domain::RegardingKind;
use crate::error::AppError;
use crate::services::{audit, Actor};
use serde_json::{json, Value};
use sqlx::Row;
use std::io::{Seek, Write};

/// A document to put into the zip: its id, the name it gets there (under `files/`).
struct FileEntry {
    id: i64,
    path: String,
}

/// A name for a file inside the zip: only letters, digits, `.`, `-`, `_` and spaces, no leading dot,
/// at most 120 characters, prefixed by the document's id so that two files never collide — so no
/// name can climb out of `files/` or be hidden when unpacked.
pub fn zip_name(id: i64, file_name: &str) -> String {
    let cleaned: String = crate::services::documents::clean_name(file_name)
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
    batch.push(kind.code(), id, EXPORTED, None, None, None);
    batch.write(&mut tx).await?;
    tx.commit().await?;
    Ok((out, format!("personal-data-{}-{id}-{}.zip", kind.code(), crate::db::today())))
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
}
