//! The trash: deleting an account, contact, lead or opportunity moves it here with what goes with it,
//! and restoring puts it all back with the same ids, its links and its history (the audit trail is
//! never deleted, so the history shows the delete and the restore).
//!
//! What goes with a record (its "plan", [`plan`]): its own activities (with their attendees), notes
//! and documents (with their contents), and for an opportunity its lines, competitors and stage
//! changes, for an account its relationship types and competitor data. References from records that
//! stay (a lead qualified into the contact, an observation on the deal, a follow-up of one of its
//! activities) are detached and remembered, and set back on restore. Records that stand on their own
//! still refuse the delete (an account with contacts or deals, a contact named on a deal): they are
//! moved or deleted first, as before.
//!
//! Rows are kept as JSON snapshots in `trash_rows` (see [`rows`]) rather than marked deleted in
//! place, so every existing query stays correct without a filter. The trash is kept for the
//! `trash_days` setting and then purged by the server ([`purge_expired`]); every purge, emptying
//! and restore is audited.

pub mod merge;
mod rows;

use super::{audit, Actor};
use crate::api::trash::{TrashItem, TrashPage};
use crate::db::{now, Db, Tx};
use crate::domain::validate::field;
use crate::domain::Role;
use crate::error::{AppError, Problem};
use rows::Link;
use sqlx::Row;

/// Settings key of the days a deleted record stays restorable.
pub const RETENTION_KEY: &str = "trash_days";
pub const RETENTION_DEFAULT: i64 = 30;
const RETENTION_RANGE: std::ops::RangeInclusive<i64> = 1..=365;
const PAGE: i64 = 50;

pub async fn retention_days(db: &Db) -> Result<i64, AppError> {
    let v: Option<String> = sqlx::query("SELECT value FROM settings WHERE key = $1")
        .bind(RETENTION_KEY)
        .fetch_optional(&db.pool)
        .await?
        .map(|r| r.get("value"));
    Ok(v.and_then(|v| v.parse().ok()).filter(|d| RETENTION_RANGE.contains(d)).unwrap_or(RETENTION_DEFAULT))
}

pub async fn set_retention_days(db: &Db, actor: &Actor, days: &str) -> Result<(), AppError> {
    if actor.role != Role::Admin {
        return Err(AppError::Forbidden);
    }
    let d: i64 = days.trim().parse().map_err(|_| field("trash_days", Problem::InvalidNumber))?;
    if !RETENTION_RANGE.contains(&d) {
        return Err(field("trash_days", Problem::OutOfRange(*RETENTION_RANGE.start(), *RETENTION_RANGE.end())));
    }
    let mut tx = db.begin().await?;
    let old: Option<String> = sqlx::query("SELECT value FROM settings WHERE key = $1")
        .bind(RETENTION_KEY)
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| r.get("value"));
    sqlx::query("DELETE FROM settings WHERE key = $1").bind(RETENTION_KEY).execute(&mut *tx).await?;
    sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2)").bind(RETENTION_KEY).bind(d.to_string()).execute(&mut *tx).await?;
    audit::updated(&mut tx, "setting", 0, Some(actor), &vec![(RETENTION_KEY, old)], &vec![(RETENTION_KEY, Some(d.to_string()))]).await?;
    tx.commit().await?;
    Ok(())
}

/// A foreign key the restore needs that is gone, or a key a row taken since holds, as a refusal the
/// user can act on; other errors as they are.
pub(super) fn missing_parent(e: sqlx::Error) -> AppError {
    match &e {
        sqlx::Error::Database(d) if d.is_foreign_key_violation() => field("restore", Problem::RestoreNeeds(String::new())),
        sqlx::Error::Database(d) if d.is_unique_violation() => field("restore", Problem::IdTaken),
        _ => AppError::from(e),
    }
}

/// ` FOR UPDATE` on Postgres (two restores of one item wait for each other; SQLite's write
/// transactions already take turns).
pub(super) fn for_update(tx: &Tx) -> &'static str {
    match crate::db::Backend::of(tx) {
        crate::db::Backend::Postgres => " FOR UPDATE",
        crate::db::Backend::Sqlite => "",
    }
}

/// One table of what goes with a record: its rows matching `filter` (`$1` is the record's id).
struct Part {
    table: &'static str,
    filter: String,
}

/// What goes with a record: its tables, then the references other rows lose (with their filter).
type Plan = (Vec<Part>, Vec<(Link, String)>);

/// What goes with a record of `entity`, parents before children (restored in this order, deleted in
/// the reverse), and the references to it (or to what goes with it) that other rows lose.
fn plan(entity: &str) -> Result<Plan, AppError> {
    let part = |table: &'static str, filter: &str| Part { table, filter: filter.to_string() };
    let about = format!("regarding_kind = '{entity}' AND regarding_id = $1");
    let activities = format!("SELECT id FROM activities WHERE {about}");
    let mut parts = match entity {
        "account" => vec![
            part("accounts", "id = $1"),
            part("account_types", "account_id = $1"),
            part("competitor_profiles", "account_id = $1"),
            part("market_shares", "competitor_id = $1"),
            part("competitor_products", "competitor_id = $1"),
            part("competitor_product_counters", "competitor_product_id IN (SELECT id FROM competitor_products WHERE competitor_id = $1)"),
        ],
        "contact" => vec![part("contacts", "id = $1")],
        "lead" => vec![part("leads", "id = $1")],
        "opportunity" => vec![
            part("opportunities", "id = $1"),
            part("opportunity_lines", "opportunity_id = $1"),
            part("opportunity_competitors", "opportunity_id = $1"),
            part("opportunity_stage_changes", "opportunity_id = $1"),
        ],
        _ => return Err(AppError::NotFound),
    };
    parts.push(part("activities", &about));
    let attendees = if entity == "contact" {
        format!("activity_id IN ({activities}) OR contact_id = $1")
    } else {
        format!("activity_id IN ({activities})")
    };
    parts.push(part("activity_attendees", &attendees));
    parts.push(part("notes", &about));
    parts.push(part("documents", &about));
    let link = |table, key, col| Link { table, key, col };
    let mut links = vec![(
        link("activities", "id", "follow_up_of"),
        format!("follow_up_of IN ({activities}) AND NOT (regarding_kind = '{entity}' AND regarding_id = $1)"),
    )];
    match entity {
        "contact" => links.push((link("leads", "id", "contact_id"), "contact_id = $1".into())),
        "lead" => links.push((link("opportunities", "id", "lead_id"), "lead_id = $1".into())),
        "opportunity" => {
            links.push((link("leads", "id", "opportunity_id"), "opportunity_id = $1".into()));
            links.push((link("field_observations", "id", "opportunity_id"), "opportunity_id = $1".into()));
        }
        _ => {}
    }
    Ok((parts, links))
}

/// Moves record `id` of `entity` (already read, authorized and version-checked by its service, in
/// `tx`) to the trash with what goes with it; the caller deletes nothing itself. `name` is shown in
/// the trash and the history; `version` is checked once more by the delete itself.
pub async fn move_to_trash(
    tx: &mut Tx,
    actor: &Actor,
    entity: &str,
    id: i64,
    version: i64,
    name: &str,
    owner: (i64, Option<i64>),
) -> Result<(), AppError> {
    let (parts, links) = plan(entity)?;
    let trash: i64 = sqlx::query(
        "INSERT INTO trash (kind, entity, record_id, name, owner_id, team_id, deleted_by, deleted_at) \
         VALUES ('delete', $1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(entity)
    .bind(id)
    .bind(name)
    .bind(owner.0)
    .bind(owner.1)
    .bind(actor.id)
    .bind(now())
    .fetch_one(&mut **tx)
    .await?
    .try_get("id")?;
    for p in &parts {
        rows::keep(tx, trash, "record", p.table, &p.filter, id).await?;
    }
    let docs = parts.iter().find(|p| p.table == "documents").map(|p| p.filter.clone()).unwrap_or_default();
    sqlx::query(&format!(
        "INSERT INTO trash_files (trash_id, document_id, content) SELECT $2, c.document_id, c.content FROM document_contents c \
         WHERE c.document_id IN (SELECT id FROM documents WHERE {docs})"
    ))
    .bind(id)
    .bind(trash)
    .execute(&mut **tx)
    .await?;
    for (link, filter) in &links {
        rows::relink(tx, trash, *link, filter, id, None).await?;
    }
    sqlx::query(&format!("DELETE FROM document_contents WHERE document_id IN (SELECT id FROM documents WHERE {docs})"))
        .bind(id)
        .execute(&mut **tx)
        .await?;
    for p in parts.iter().rev() {
        let sql = if p.table == parts[0].table {
            format!("DELETE FROM {} WHERE ({}) AND version = $2", p.table, p.filter)
        } else {
            format!("DELETE FROM {} WHERE ({})", p.table, p.filter)
        };
        let n = sqlx::query(&sql).bind(id).bind(version).execute(&mut **tx).await?;
        if p.table == parts[0].table {
            crate::db::write::changed_one(n.rows_affected())?;
        }
    }
    audit::deleted(tx, entity, id, Some(actor), name).await
}

/// The part of the trash `actor` sees: administrators all of it; others what they deleted or owned.
fn visible(sql: &mut crate::db::sql::Sql, actor: &Actor) {
    if actor.role != Role::Admin {
        sql.push(" AND (t.deleted_by = ").bind(actor.id).push(" OR t.owner_id = ").bind(actor.id).push(")");
    }
}

/// Whole days left of `deleted_at` with `retention` days, from `now`.
fn days_left(deleted_at: &str, retention: i64, now: chrono::DateTime<chrono::Utc>) -> i64 {
    let Some(at) = crate::clock::parse_stamp(deleted_at) else { return 0 };
    let left = at + chrono::Duration::days(retention) - now;
    (left.num_hours() as f64 / 24.0).ceil().max(0.0) as i64
}

/// A page of deleted records `actor` sees, newest first, before trash item `before`.
pub async fn list(db: &Db, actor: &Actor, before: Option<i64>) -> Result<TrashPage, AppError> {
    let retention = retention_days(db).await?;
    let mut sql = crate::db::sql::Sql::new(
        "SELECT t.id, t.entity, t.record_id, t.name, u.name AS deleted_by, t.deleted_at, \
         (SELECT COUNT(*) FROM trash_rows r WHERE r.trash_id = t.id) AS n \
         FROM trash t LEFT JOIN users u ON u.id = t.deleted_by WHERE t.kind = 'delete'",
    );
    visible(&mut sql, actor);
    if let Some(b) = before {
        sql.push(" AND t.id < ").bind(b);
    }
    sql.push(" ORDER BY t.id DESC LIMIT ").bind(PAGE + 1);
    let rows = sql.query().fetch_all(&db.pool).await?;
    let now = chrono::Utc::now();
    let mut items = Vec::with_capacity(rows.len());
    for r in rows.iter().take(PAGE as usize) {
        let deleted_at: String = r.try_get("deleted_at")?;
        items.push(TrashItem {
            id: r.try_get("id")?,
            entity: r.try_get("entity")?,
            record_id: r.try_get("record_id")?,
            name: r.try_get("name")?,
            deleted_by: r.try_get("deleted_by")?,
            days_left: days_left(&deleted_at, retention, now),
            deleted_at,
            with_it: (r.try_get::<i64, _>("n")? - 1).max(0),
        });
    }
    let next = if rows.len() as i64 > PAGE { items.last().map(|i| i.id) } else { None };
    Ok(TrashPage { items, next, admin: actor.role == Role::Admin, retention_days: retention })
}

/// An item of the trash as the restore reads it.
struct Item {
    entity: String,
    record_id: i64,
    name: String,
}

/// Trash item `id` of kind `kind` if `actor` may act on it: administrators any; others one they deleted
/// or own. Anything else is not found.
async fn item(tx: &mut Tx, actor: &Actor, id: i64, kind: &str) -> Result<Item, AppError> {
    let mut sql = crate::db::sql::Sql::new("SELECT t.entity, t.record_id, t.name FROM trash t WHERE t.id = ");
    sql.bind(id).push(" AND t.kind = ").bind(kind);
    visible(&mut sql, actor);
    sql.push(for_update(tx));
    let r = sql.query().fetch_optional(&mut **tx).await?.ok_or(AppError::NotFound)?;
    Ok(Item { entity: r.try_get("entity")?, record_id: r.try_get("record_id")?, name: r.try_get("name")? })
}

/// The kept row of `table` with id `id` in trash item `trash`, as JSON.
async fn kept_row(tx: &mut Tx, trash: i64, table: &str, id: i64) -> Result<serde_json::Value, AppError> {
    let rows = sqlx::query("SELECT data FROM trash_rows WHERE trash_id = $1 AND role = 'record' AND tbl = $2 ORDER BY id")
        .bind(trash)
        .bind(table)
        .fetch_all(&mut **tx)
        .await?;
    for r in rows {
        let v: serde_json::Value = serde_json::from_str(&r.try_get::<String, _>("data")?).map_err(|e| {
            tracing::error!(error = %e, trash, "trash: unreadable row");
            AppError::Internal
        })?;
        if v.get("id").and_then(|x| x.as_i64()) == Some(id) {
            return Ok(v);
        }
    }
    tracing::error!(trash, table, id, "trash: the record's own row is missing");
    Err(AppError::Internal)
}

/// Refuses a restore whose record needs a record that is gone: the account of a contact or a deal, the
/// contact of a deal. The refusal names it (from the trash, where it usually is).
async fn check_parents(tx: &mut Tx, entity: &str, row: &serde_json::Value) -> Result<(), AppError> {
    let needs: &[(&str, &str, &str)] = match entity {
        "contact" => &[("account_id", "accounts", "account")],
        "opportunity" => {
            &[("account_id", "accounts", "account"), ("contact_id", "contacts", "contact"), ("won_by_id", "accounts", "account")]
        }
        "lead" => &[("account_id", "accounts", "account"), ("contact_id", "contacts", "contact")],
        _ => &[],
    };
    for (col, table, kind) in needs {
        let Some(parent) = row.get(*col).and_then(|v| v.as_i64()) else { continue };
        let exists =
            sqlx::query(&format!("SELECT 1 AS x FROM {table} WHERE id = $1")).bind(parent).fetch_optional(&mut **tx).await?.is_some();
        if !exists {
            let name: Option<String> =
                sqlx::query("SELECT name FROM trash WHERE kind = 'delete' AND entity = $1 AND record_id = $2 ORDER BY id DESC LIMIT 1")
                    .bind(*kind)
                    .bind(parent)
                    .fetch_optional(&mut **tx)
                    .await?
                    .map(|r| r.get("name"));
            return Err(field("restore", Problem::RestoreNeeds(format!("\"{}\"", name.unwrap_or_else(|| format!("#{parent}"))))));
        }
    }
    Ok(())
}

/// Puts trash item `id` back: the record and what went with it, with the same ids, the references it
/// had, and a "restored" entry in its history.
pub async fn restore(db: &Db, actor: &Actor, id: i64) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    let it = item(&mut tx, actor, id, "delete").await?;
    let (parts, _) = plan(&it.entity)?;
    let main = kept_row(&mut tx, id, parts[0].table, it.record_id).await?;
    for p in &parts {
        if rows::taken(&mut tx, id, p.table).await? > 0 {
            return Err(field("restore", Problem::IdTaken));
        }
    }
    check_parents(&mut tx, &it.entity, &main).await?;
    for p in &parts {
        rows::put_back(&mut tx, id, p.table).await?;
    }
    sqlx::query(
        "INSERT INTO document_contents (document_id, content) SELECT f.document_id, f.content FROM trash_files f \
         WHERE f.trash_id = $1 AND EXISTS (SELECT 1 FROM documents d WHERE d.id = f.document_id)",
    )
    .bind(id)
    .execute(&mut *tx)
    .await?;
    rows::links_back(&mut tx, id).await?;
    let mut batch = audit::Batch::new(Some(actor), &now());
    batch.push(&it.entity, it.record_id, "restore", None, None, Some(&it.name));
    batch.write(&mut tx).await?;
    sqlx::query("DELETE FROM trash WHERE id = $1").bind(id).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes trash items for good (their rows and files go with them), each with a "deleted for good"
/// entry in the record's history by `actor` (none: the retention purge).
async fn purge(tx: &mut Tx, actor: Option<&Actor>, items: &[(i64, String, String, i64, String)]) -> Result<(), AppError> {
    let mut batch = audit::Batch::new(actor, &now());
    for (id, kind, entity, record, name) in items {
        // Another server's purge may have taken it meanwhile: recorded once, by whoever deleted it.
        let n = sqlx::query("DELETE FROM trash WHERE id = $1").bind(*id).execute(&mut **tx).await?.rows_affected();
        if kind == "delete" && n == 1 {
            batch.push(entity, *record, "purge", None, Some(name), None);
        }
    }
    batch.write(tx).await
}

type PurgeRow = (i64, String, String, i64, String);
const PURGE_SELECT: &str = "SELECT t.id, t.kind, t.entity, t.record_id, t.name FROM trash t WHERE 1=1";

/// An administrator deletes one deleted record for good.
pub async fn purge_item(db: &Db, actor: &Actor, id: i64) -> Result<(), AppError> {
    if actor.role != Role::Admin {
        return Err(AppError::Forbidden);
    }
    let mut tx = db.begin().await?;
    let row = sqlx::query_as::<_, PurgeRow>(&format!("{PURGE_SELECT} AND t.id = $1 AND t.kind = 'delete'{}", for_update(&tx)))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::NotFound)?;
    purge(&mut tx, Some(actor), &[row]).await?;
    tx.commit().await?;
    Ok(())
}

/// An administrator empties the trash (deleted records; merges stay undoable until they expire).
/// Returns how many records were deleted for good.
pub async fn empty(db: &Db, actor: &Actor) -> Result<i64, AppError> {
    if actor.role != Role::Admin {
        return Err(AppError::Forbidden);
    }
    let mut total = 0;
    loop {
        let mut tx = db.begin().await?;
        let rows = sqlx::query_as::<_, PurgeRow>(&format!("{PURGE_SELECT} AND t.kind = 'delete' ORDER BY t.id LIMIT 200"))
            .fetch_all(&mut *tx)
            .await?;
        if rows.is_empty() {
            tx.rollback().await?;
            return Ok(total);
        }
        total += rows.len() as i64;
        purge(&mut tx, Some(actor), &rows).await?;
        tx.commit().await?;
    }
}

/// Deletes for good what has been in the trash longer than the retention (run by the server now and
/// then). Returns how many items went.
pub async fn purge_expired(db: &Db) -> Result<i64, AppError> {
    let days = retention_days(db).await?;
    let cutoff = crate::clock::stamp(chrono::Utc::now() - chrono::Duration::days(days));
    let mut total = 0;
    loop {
        let mut tx = db.begin().await?;
        let rows = sqlx::query_as::<_, PurgeRow>(&format!("{PURGE_SELECT} AND t.deleted_at < $1 ORDER BY t.deleted_at, t.id LIMIT 200"))
            .bind(&cutoff)
            .fetch_all(&mut *tx)
            .await?;
        if rows.is_empty() {
            tx.rollback().await?;
            return Ok(total);
        }
        total += rows.len() as i64;
        purge(&mut tx, None, &rows).await?;
        tx.commit().await?;
    }
}
