//! The audit trail: every create, update and delete writes rows here in the same transaction as the
//! change, one row per changed field, so the history tab can show who changed what, when, from and to.

use super::Actor;
use crate::db::{now, Tx};
use crate::domain::AuditEntry;
use crate::error::AppError;

pub type Fields = Vec<(&'static str, Option<String>)>;
/// An entry of one record: action, field, old value, new value.
type Entry<'a> = (&'a str, Option<&'a str>, Option<&'a str>, Option<&'a str>);
/// An entry of a [`Batch`]: entity, record, action, field, old value, new value.
type BatchEntry = (String, i64, String, Option<String>, Option<String>, Option<String>);

pub async fn created(tx: &mut Tx, entity: &str, id: i64, actor: Option<&Actor>, fields: &Fields) -> Result<(), AppError> {
    let mut rows: Vec<Entry> = vec![("create", None, None, None)];
    rows.extend(
        fields.iter().filter(|(_, v)| v.as_deref().is_some_and(|s| !s.is_empty())).map(|(f, v)| ("create", Some(*f), None, v.as_deref())),
    );
    insert(tx, entity, id, &rows, actor, &now()).await
}

/// Records the fields whose value differs between `old` and `new` (same order of fields in both).
pub async fn updated(tx: &mut Tx, entity: &str, id: i64, actor: Option<&Actor>, old: &Fields, new: &Fields) -> Result<usize, AppError> {
    let rows: Vec<Entry> = old
        .iter()
        .zip(new.iter())
        .filter(|((_, o), (_, v))| o != v)
        .map(|((f, o), (_, v))| ("update", Some(*f), o.as_deref(), v.as_deref()))
        .collect();
    insert(tx, entity, id, &rows, actor, &now()).await?;
    Ok(rows.len())
}

pub async fn deleted(tx: &mut Tx, entity: &str, id: i64, actor: Option<&Actor>, label: &str) -> Result<(), AppError> {
    insert(tx, entity, id, &[("delete", None, Some(label), None)], actor, &now()).await
}

/// Writes a record's entries (action, field, old, new) in one statement, in order.
async fn insert(tx: &mut Tx, entity: &str, id: i64, rows: &[Entry<'_>], actor: Option<&Actor>, at: &str) -> Result<(), AppError> {
    let mut batch = Batch::new(actor, at);
    for (action, field, old, new) in rows {
        batch.push(entity, id, action, *field, *old, *new);
    }
    batch.write(tx).await
}

/// Entries of many records gathered and written together, many to a statement (imports).
pub struct Batch {
    user: Option<i64>,
    at: String,
    rows: Vec<BatchEntry>,
}

impl Batch {
    pub fn new(actor: Option<&Actor>, at: &str) -> Batch {
        Batch { user: actor.map(|a| a.id), at: at.to_string(), rows: Vec::new() }
    }

    pub fn push(&mut self, entity: &str, id: i64, action: &str, field: Option<&str>, old: Option<&str>, new: Option<&str>) {
        self.rows.push((
            entity.to_string(),
            id,
            action.to_string(),
            field.map(str::to_string),
            old.map(str::to_string),
            new.map(str::to_string),
        ));
    }

    /// The fields whose value differs between `old` and `new`, as `updated` records them; returns how many.
    pub fn updated(&mut self, entity: &str, id: i64, old: &Fields, new: &Fields) -> usize {
        let before = self.rows.len();
        for ((f, o), (_, v)) in old.iter().zip(new.iter()) {
            if o != v {
                self.push(entity, id, "update", Some(f), o.as_deref(), v.as_deref());
            }
        }
        self.rows.len() - before
    }

    /// Writes the entries in the order they were gathered, 50 to a statement.
    pub async fn write(self, tx: &mut Tx) -> Result<(), AppError> {
        for chunk in self.rows.chunks(50) {
            let mut sql = crate::db::sql::Sql::for_rows(
                crate::db::Backend::of(tx),
                "INSERT INTO audit_entries (entity, record_id, action, field, old_value, new_value, user_id, at) VALUES ",
            );
            for (i, (entity, id, action, field, old, new)) in chunk.iter().enumerate() {
                sql.push(if i == 0 { "(" } else { ", (" }).bind(entity.clone()).push(", ").bind(*id).push(", ").bind(action.clone());
                sql.push(", ").bind(field.clone()).push(", ").bind(old.clone()).push(", ").bind(new.clone());
                sql.push(", ").bind(self.user).push(", ").bind(self.at.clone()).push(")");
            }
            sql.query().execute(&mut **tx).await?;
        }
        Ok(())
    }
}

/// The history of one record, newest first, paginated by id.
pub async fn history(db: &crate::db::Db, entity: &str, id: i64, before: Option<i64>, limit: i64) -> Result<Vec<AuditEntry>, AppError> {
    let rows = sqlx::query_as::<_, (i64, String, Option<String>, String, Option<String>, Option<String>, Option<String>)>(
        "SELECT e.id, e.at, u.name, e.action, e.field, e.old_value, e.new_value FROM audit_entries e \
         LEFT JOIN users u ON u.id = e.user_id WHERE e.entity = $1 AND e.record_id = $2 AND e.id < $3 \
         ORDER BY e.id DESC LIMIT $4",
    )
    .bind(entity)
    .bind(id)
    .bind(before.unwrap_or(i64::MAX))
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    let mut entries: Vec<AuditEntry> = rows
        .into_iter()
        .map(|(id, at, user_name, action, field, old_value, new_value)| AuditEntry {
            id,
            at,
            user_name,
            action,
            field,
            old_value,
            new_value,
        })
        .collect();
    resolve_names(db, &mut entries).await?;
    Ok(entries)
}

/// Replaces ids of referenced records (owner, stage, account, contact, team) by their names, one
/// query per kind of reference for the whole page of history.
async fn resolve_names(db: &crate::db::Db, entries: &mut [AuditEntry]) -> Result<(), AppError> {
    const REFS: &[(&str, &str)] = &[
        ("owner_id", "SELECT id, name FROM users WHERE id IN "),
        ("stage_id", "SELECT id, name FROM stages WHERE id IN "),
        ("account_id", "SELECT id, name FROM accounts WHERE id IN "),
        ("team_id", "SELECT id, name FROM teams WHERE id IN "),
        ("contact_id", "SELECT id, first_name || ' ' || last_name FROM contacts WHERE id IN "),
    ];
    for (field, select) in REFS {
        let ids: Vec<i64> = entries
            .iter()
            .filter(|e| e.field.as_deref() == Some(field))
            .flat_map(|e| [e.old_value.as_deref(), e.new_value.as_deref()])
            .flatten()
            .filter_map(|v| v.parse().ok())
            .collect();
        if ids.is_empty() {
            continue;
        }
        let mut sql = crate::db::sql::Sql::new(select);
        sql.push("(");
        for (i, id) in ids.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.bind(*id);
        }
        sql.push(")");
        let names: std::collections::HashMap<i64, String> =
            sql.query_as::<(i64, String)>().fetch_all(&db.pool).await?.into_iter().collect();
        for e in entries.iter_mut().filter(|e| e.field.as_deref() == Some(field)) {
            for v in [&mut e.old_value, &mut e.new_value] {
                if let Some(name) = v.as_deref().and_then(|s| s.parse::<i64>().ok()).and_then(|id| names.get(&id)) {
                    *v = Some(name.clone());
                }
            }
        }
    }
    Ok(())
}
