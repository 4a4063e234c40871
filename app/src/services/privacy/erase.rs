//! The erasure of a person's data: anonymized in place, with what is only about them, their history
//! and the text search.

use super::{erased_name, name_and_version, require_admin, ERASED};
use crate::db::sql::Sql;
use crate::db::{now, Backend, Db, Tx};
use crate::domain::text::{search_key, search_text};
use crate::domain::validate::field;
use crate::domain::{lead_name, RegardingKind};
use crate::error::{AppError, Problem};
use crate::i18n::{Lang, M};
use crate::services::{audit, Actor};
use sqlx::Row;

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
        .bind(crate::services::contacts::search_text_of(&first, &last, None, None, None))
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
        batch.push(kind.code(), id, ERASED, None, None, Some(&self.reason));
        batch.write(tx).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
