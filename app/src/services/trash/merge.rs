//! Undoing a merge. A merge (services::duplicates) keeps, as one trash item of kind `merge` linked to
//! the survivor: the merged-away records' rows and the rows it deleted as doubles (`record`), the
//! survivor's own rows before it (`before`), and every reference it moved to the survivor (`trash_links`)
//! — their static marketing lists' memberships among them.
//! Undo, for the retention days, from the survivor's history: the merged-away records come back with
//! their ids and values, the moved references go back to them and the survivor gets its values from
//! before — refused while the survivor was edited after the merge (its version) or a moved record was
//! moved on since.

use super::rows::{self, Link};
use super::{audit, retention_days, Actor};
use crate::api::trash::MergeUndo;
use crate::db::{now, Db, Tx};
use crate::domain::validate::field;
use crate::domain::Role;
use crate::error::{AppError, Problem};
use sqlx::Row;

fn table_of(entity: &str) -> Result<&'static str, AppError> {
    match entity {
        "account" => Ok("accounts"),
        "contact" => Ok("contacts"),
        _ => Err(AppError::NotFound),
    }
}

/// Starts the record of a merge into `survivor`: keeps the survivor's rows as they are before it.
/// Returns the trash item the merge's other steps add to.
pub async fn begin(
    tx: &mut Tx,
    actor: &Actor,
    entity: &str,
    survivor: i64,
    name: &str,
    owner: (i64, Option<i64>),
) -> Result<i64, AppError> {
    let table = table_of(entity)?;
    let trash: i64 = sqlx::query(
        "INSERT INTO trash (kind, entity, record_id, name, owner_id, team_id, deleted_by, deleted_at) \
         VALUES ('merge', $1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(entity)
    .bind(survivor)
    .bind(name)
    .bind(owner.0)
    .bind(owner.1)
    .bind(actor.id)
    .bind(now())
    .fetch_one(&mut **tx)
    .await?
    .try_get("id")?;
    rows::keep(tx, trash, "before", table, "id = $1", survivor).await?;
    if entity == "account" {
        rows::keep(tx, trash, "before", "account_types", "account_id = $1", survivor).await?;
    }
    Ok(trash)
}

/// Keeps the rows of `table` matching `filter` (`$1` is the survivor) that the merge is about to
/// delete, to bring them back on undo.
pub async fn keep_deleted(tx: &mut Tx, trash: i64, table: &str, filter: &str, survivor: i64) -> Result<(), AppError> {
    rows::keep(tx, trash, "record", table, filter, survivor).await.map(|_| ())
}

/// Moves `table`.`col` of the rows matching `filter` to the survivor, remembering where each pointed.
/// `key` identifies a row (`id`, or for link tables without ids the other half of the link).
pub async fn move_to_survivor(
    tx: &mut Tx,
    trash: i64,
    (table, key, col): (&'static str, &'static str, &'static str),
    filter: &str,
    survivor: i64,
) -> Result<(), AppError> {
    rows::relink(tx, trash, Link { table, key, col }, filter, survivor, Some(survivor)).await.map(|_| ())
}

/// Ends the record of a merge: the survivor's version after it and the history entry that offers the undo.
pub async fn finish(tx: &mut Tx, trash: i64, merged_version: i64, audit_id: i64) -> Result<(), AppError> {
    sqlx::query("UPDATE trash SET merged_version = $2, audit_id = $3 WHERE id = $1")
        .bind(trash)
        .bind(merged_version)
        .bind(audit_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The survivor's owner, team and version, if `actor` may undo its merges (an administrator, or the
/// owner who can see it); anything else is not found.
async fn survivor(tx: &mut Tx, actor: &Actor, entity: &str, id: i64) -> Result<i64, AppError> {
    let table = table_of(entity)?;
    let r = sqlx::query(&format!("SELECT owner_id, team_id, version FROM {table} WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(AppError::NotFound)?;
    let owner: i64 = r.try_get("owner_id")?;
    if actor.role != Role::Admin && owner != actor.id {
        return Err(AppError::NotFound);
    }
    Ok(r.try_get("version")?)
}

/// Of the history entries `audit_ids` (a page of a record's history), the merges `actor` may still undo.
pub async fn undoable(db: &Db, actor: &Actor, audit_ids: &[i64]) -> Result<Vec<MergeUndo>, AppError> {
    let ids: Vec<i64> = audit_ids.iter().copied().take(100).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let cutoff = crate::clock::stamp(chrono::Utc::now() - chrono::Duration::days(retention_days(db).await?));
    let mut sql = crate::db::sql::Sql::new("SELECT id, audit_id, entity, record_id FROM trash WHERE kind = 'merge' AND deleted_at >= ");
    sql.bind(cutoff).push(" AND audit_id IN (").bind_list(&ids).push(") ORDER BY id");
    let mut tx = db.pool.begin().await?;
    let found = sql.query_as::<(i64, i64, String, i64)>().fetch_all(&mut *tx).await?;
    let mut out = Vec::new();
    for (trash_id, audit_id, entity, record) in found {
        match survivor(&mut tx, actor, &entity, record).await {
            Ok(_) => out.push(MergeUndo { audit_id, trash_id }),
            Err(AppError::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    tx.rollback().await?;
    Ok(out)
}

/// Undoes merge `trash` in one transaction.
pub async fn undo(db: &Db, actor: &Actor, trash: i64) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    let r = sqlx::query(&format!(
        "SELECT entity, record_id, merged_version, deleted_at FROM trash WHERE id = $1 AND kind = 'merge'{}",
        super::for_update(&tx)
    ))
    .bind(trash)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let (entity, s): (String, i64) = (r.try_get("entity")?, r.try_get("record_id")?);
    let merged_version: Option<i64> = r.try_get("merged_version")?;
    let cutoff = crate::clock::stamp(chrono::Utc::now() - chrono::Duration::days(retention_days(db).await?));
    if r.try_get::<String, _>("deleted_at")? < cutoff {
        // Past its days: the purge is about to take it.
        return Err(AppError::NotFound);
    }
    let version = survivor(&mut tx, actor, &entity, s).await?;
    let table = table_of(&entity)?;
    if merged_version != Some(version) {
        return Err(field("undo", Problem::EditedSince));
    }
    if rows::taken(&mut tx, trash, table).await? > 0 {
        return Err(field("undo", Problem::IdTaken));
    }
    let moved = rows::moved_since(&mut tx, trash).await?;
    if moved > 0 {
        return Err(field("undo", Problem::ChangedSince(moved)));
    }
    // The memberships of marketing lists that go back to the merged-away records, for the lists' history:
    // those moved to the survivor (and still its), and those the merge deleted as doubles.
    let moved_back: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT l.key_value, l.old_value FROM trash_links l JOIN marketing_list_members m ON m.list_id = l.key_value \
         AND m.member_id = l.new_value WHERE l.trash_id = $1 AND l.tbl = 'marketing_list_members' ORDER BY l.id",
    )
    .bind(trash)
    .fetch_all(&mut *tx)
    .await?;
    let put_back: Vec<(i64, i64)> = rows::kept_pairs(&mut tx, trash, "marketing_list_members", "list_id", "member_id").await?;
    // The merged-away records, then the rows the merge deleted as doubles of the survivor's.
    let restored_tables: &[&str] = if entity == "account" {
        &["accounts", "account_types", "opportunity_competitors", "competitor_profiles", "marketing_list_members"]
    } else {
        &["contacts", "activity_attendees", "marketing_list_members"]
    };
    for t in restored_tables {
        rows::put_back(&mut tx, trash, t).await?;
    }
    rows::links_back(&mut tx, trash).await?;
    rows::write_before(&mut tx, trash, table, s).await?;
    if entity == "account" {
        rows::replace_with_before(&mut tx, trash, "account_types", "account_id = $1", s).await?;
    }
    let ts = now();
    let n = sqlx::query(&format!("UPDATE {table} SET version = $2, updated_at = $3, updated_by = $4 WHERE id = $1 AND version = $5"))
        .bind(s)
        .bind(version + 1)
        .bind(&ts)
        .bind(actor.id)
        .bind(version)
        .execute(&mut *tx)
        .await?;
    crate::db::write::changed_one(n.rows_affected())?;
    // History: the survivor says the merge was undone (naming the records back), each of them that it is back.
    let back = sqlx::query_as::<_, (String,)>(&format!(
        "SELECT {} FROM trash_rows r WHERE r.trash_id = $1 AND r.role = 'record' AND r.tbl = $2 ORDER BY r.id",
        match (crate::db::Backend::of(&tx), entity.as_str()) {
            (crate::db::Backend::Sqlite, "account") => "json_extract(r.data, '$.id') || ' ' || json_extract(r.data, '$.name')",
            (crate::db::Backend::Sqlite, _) =>
                "json_extract(r.data, '$.id') || ' ' || json_extract(r.data, '$.first_name') || ' ' || json_extract(r.data, '$.last_name')",
            (_, "account") => "(CAST(r.data AS json)->>'id') || ' ' || (CAST(r.data AS json)->>'name')",
            _ => "(CAST(r.data AS json)->>'id') || ' ' || (CAST(r.data AS json)->>'first_name') || ' ' || (CAST(r.data AS json)->>'last_name')",
        }
    ))
    .bind(trash)
    .bind(table)
    .fetch_all(&mut *tx)
    .await?;
    let mut batch = audit::Batch::new(Some(actor), &ts);
    let labels: Vec<String> = back.iter().map(|(l,)| format!("#{l}")).collect();
    batch.push(&entity, s, "unmerge", Some("merge"), Some(&labels.join(", ")), None);
    // The marketing lists' audit entity (`services::marketing::ENTITY`; named here, as the trash is
    // below the features that use it).
    let list = "marketing_list";
    for (l, _) in &moved_back {
        batch.push(list, *l, "update", Some("member_removed"), Some(&s.to_string()), None);
    }
    for (l, member) in moved_back.iter().chain(&put_back) {
        // A list deleted since has no history to add to.
        if sqlx::query("SELECT 1 FROM marketing_lists WHERE id = $1").bind(*l).fetch_optional(&mut *tx).await?.is_some() {
            batch.push(list, *l, "update", Some("member_added"), None, Some(&member.to_string()));
        }
    }
    for (label,) in &back {
        let (id, name) = label.split_once(' ').unwrap_or((label.as_str(), ""));
        if let Ok(id) = id.parse::<i64>() {
            batch.push(&entity, id, "restore", None, None, Some(name));
        }
    }
    batch.write(&mut tx).await?;
    sqlx::query("DELETE FROM trash WHERE id = $1").bind(trash).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}
