//! Admin-configurable pick lists (lead sources, disqualification reasons): values with a stable code,
//! a label in each UI language and an order. A value in use is deactivated rather than deleted, so
//! old records keep their meaning.

use super::Actor;
use crate::db::Db;
use crate::domain::validate::{field, required};
use crate::domain::{PicklistInput, PicklistValue, Picklists, Role, PICKLISTS};
use crate::error::{AppError, Problem};
use sqlx::Row;

type ValueRow = (i64, String, String, String, String, i64, i64, i64);

fn to_value(r: ValueRow) -> PicklistValue {
    PicklistValue { id: r.0, list: r.1, code: r.2, label_en: r.3, label_sr: r.4, position: r.5, active: r.6 != 0, version: r.7 }
}

/// Every value of every list (active and not: old records show inactive labels too).
pub async fn load(db: &Db) -> Result<Picklists, AppError> {
    load_on(&mut *db.pool.acquire().await?).await
}

/// [`load`] on a connection the caller holds.
pub async fn load_on(conn: &mut sqlx::AnyConnection) -> Result<Picklists, AppError> {
    let rows = sqlx::query_as::<_, ValueRow>(
        "SELECT id, list, code, label_en, label_sr, position, active, version FROM picklist_values ORDER BY list, position, id",
    )
    .fetch_all(conn)
    .await?;
    let mut out = Picklists::default();
    for v in rows.into_iter().map(to_value) {
        match v.list.as_str() {
            crate::domain::LIST_LEAD_SOURCE => out.sources.push(v),
            crate::domain::LIST_DISQUALIFY_REASON => out.disqualify_reasons.push(v),
            crate::domain::LIST_LOSS_REASON => out.loss_reasons.push(v),
            _ => {}
        }
    }
    Ok(out)
}

/// One value by id, of any list, active or not.
pub async fn get(tx: &mut crate::db::Tx, id: i64) -> Result<Option<PicklistValue>, AppError> {
    let row = sqlx::query_as::<_, ValueRow>(
        "SELECT id, list, code, label_en, label_sr, position, active, version FROM picklist_values WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(to_value))
}

/// Checks that `id` is an active value of `list` (for a record being saved).
pub async fn check_active(tx: &mut crate::db::Tx, list: &str, id: i64, field_name: &str) -> Result<(), AppError> {
    let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM picklist_values WHERE id = $1 AND list = $2 AND active = 1")
        .bind(id)
        .bind(list)
        .fetch_one(&mut **tx)
        .await?
        .try_get("n")?;
    if n == 0 {
        return Err(field(field_name, Problem::InvalidChoice));
    }
    Ok(())
}

/// Adds a value (code derived from the English label) or renames / (de)activates one. Admins only.
pub async fn save(db: &Db, actor: &Actor, input: &PicklistInput) -> Result<i64, AppError> {
    if actor.role != Role::Admin {
        return Err(AppError::Forbidden);
    }
    if !PICKLISTS.contains(&input.list.as_str()) {
        return Err(field("list", Problem::InvalidChoice));
    }
    let label_en = required("label_en", &input.label_en, 80)?;
    let label_sr = required("label_sr", &input.label_sr, 80)?;
    let active = matches!(input.active.as_str(), "on" | "true" | "1");
    let mut tx = db.begin().await?;
    let id = if input.id.trim().is_empty() {
        let code: String =
            crate::domain::text::search_key(&label_en).chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
        // A code the list already has is the unique key's error (`AppError::from`).
        if code.is_empty() {
            return Err(field("label_en", Problem::AlreadyExists));
        }
        sqlx::query(
            "INSERT INTO picklist_values (list, code, label_en, label_sr, position, active) \
             VALUES ($1, $2, $3, $4, (SELECT COALESCE(MAX(position), 0) + 1 FROM picklist_values WHERE list = $1), 1) RETURNING id",
        )
        .bind(&input.list)
        .bind(&code)
        .bind(&label_en)
        .bind(&label_sr)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?
    } else {
        let id = super::parse_id("id", &input.id)?;
        let version = super::parse_id("version", &input.version)?;
        let n = sqlx::query(
            "UPDATE picklist_values SET label_en = $1, label_sr = $2, active = $3, version = version + 1 WHERE id = $4 AND list = $5 AND version = $6",
        )
        .bind(&label_en)
        .bind(&label_sr)
        .bind(active as i64)
        .bind(id)
        .bind(&input.list)
        .bind(version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        crate::db::write::changed_one(n)?;
        id
    };
    tx.commit().await?;
    Ok(id)
}
