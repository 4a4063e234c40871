//! Saved views: a find query with a name, kept private, shared with the owner's team or with everyone.
//! Sharing decides who may run a view; what it returns is always restricted to the runner. Only its
//! owner (or an administrator) changes or deletes it; changes carry the version the editor saw.

use crate::db::sql::Sql;
use crate::db::write::{update_row, Stamp};
use crate::db::{now, Db};
use crate::domain::find::{Entity, FindQuery, SavedView, Sharing, ViewInput};
use crate::domain::text::search_key;
use crate::domain::validate::field;
use crate::domain::Role;
use crate::error::{AppError, Problem};
use crate::services::{audit, parse_id, Actor};
use sqlx::Row;

/// Views a user may run, per record kind, for a list page's choice: capped, by name.
pub const MAX_LISTED: i64 = 200;

const SELECT: &str = "SELECT v.id, v.name, v.entity, v.query, v.sharing, v.owner_id, u.name AS owner_name, v.version FROM saved_views v JOIN users u ON u.id = v.owner_id";

/// Appends ` AND (…)`: the views `actor` may run — their own, their team's shared ones, everyone's.
fn runnable(sql: &mut Sql, actor: &Actor) {
    sql.push(" AND (v.owner_id = ").bind(actor.id).push(" OR v.sharing = 'everyone'");
    if let Some(team) = actor.team_id {
        sql.push(" OR (v.sharing = 'team' AND v.team_id = ").bind(team).push(")");
    }
    sql.push(")");
}

fn editable(actor: &Actor, owner_id: i64) -> bool {
    actor.role == Role::Admin || owner_id == actor.id
}

fn row_to_view(actor: &Actor, r: &sqlx::any::AnyRow) -> Result<SavedView, AppError> {
    let owner_id: i64 = r.try_get("owner_id")?;
    let entity: String = r.try_get("entity")?;
    let query: String = r.try_get("query")?;
    let sharing: String = r.try_get("sharing")?;
    let entity = Entity::parse(&entity).unwrap_or_default();
    // A stored query always parsed when it was saved; should the catalog lose a field later, the view
    // still opens (its conditions are shown and refused when run).
    let query = FindQuery::from_param(&query).unwrap_or_else(|_| FindQuery::new(entity));
    Ok(SavedView {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        entity,
        query,
        sharing: Sharing::parse(&sharing).unwrap_or_default(),
        owner_id,
        owner_name: r.try_get("owner_name")?,
        editable: editable(actor, owner_id),
        version: r.try_get("version")?,
    })
}

/// The views of one kind `actor` may run, by name.
pub async fn list(db: &Db, actor: &Actor, entity: Option<Entity>) -> Result<Vec<SavedView>, AppError> {
    let mut sql = Sql::new(&format!("{SELECT} WHERE 1=1"));
    if let Some(e) = entity {
        sql.push(" AND v.entity = ").bind(e.code());
    }
    runnable(&mut sql, actor);
    sql.push(" ORDER BY v.search_key, v.id LIMIT ").bind(MAX_LISTED);
    let rows = sql.query().fetch_all(&db.pool).await?;
    rows.iter().map(|r| row_to_view(actor, r)).collect()
}

/// One view `actor` may run; any other id is not found.
pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<SavedView, AppError> {
    let mut sql = Sql::new(&format!("{SELECT} WHERE v.id = "));
    sql.bind(id);
    runnable(&mut sql, actor);
    let row = sql.query().fetch_optional(&db.pool).await?.ok_or(AppError::NotFound)?;
    row_to_view(actor, &row)
}

struct Valid {
    name: String,
    sharing: Sharing,
    query: FindQuery,
}

fn validate(input: &ViewInput) -> Result<Valid, AppError> {
    let name = input.name.trim().to_string();
    if name.is_empty() {
        return Err(field("name", Problem::Required));
    }
    if name.chars().count() > 120 {
        return Err(field("name", Problem::TooLong(120)));
    }
    let sharing = Sharing::parse(input.sharing.trim()).ok_or_else(|| field("sharing", Problem::InvalidChoice))?;
    let query = FindQuery::from_param(&input.query)?;
    query.check()?;
    Ok(Valid { name, sharing, query })
}

fn audit_fields(v: &Valid) -> audit::Fields {
    vec![
        ("name", Some(v.name.clone())),
        ("entity", Some(v.query.entity.code().to_string())),
        ("sharing", Some(v.sharing.code().to_string())),
        ("query", Some(v.query.to_param())),
    ]
}

/// Saves a new view (empty id) or changes one the actor owns; returns its id.
pub async fn save(db: &Db, actor: &Actor, input: &ViewInput) -> Result<i64, AppError> {
    let v = validate(input)?;
    if v.sharing == Sharing::Team && actor.team_id.is_none() {
        return Err(field("sharing", Problem::InvalidChoice));
    }
    let at = now();
    let mut tx = db.begin().await?;
    let id = if input.id.trim().is_empty() {
        let mut sql = Sql::new(
            "INSERT INTO saved_views (name, search_key, entity, query, sharing, owner_id, team_id, created_at, created_by, updated_at, updated_by) VALUES (",
        );
        sql.bind(v.name.clone()).push(", ").bind(search_key(&v.name)).push(", ").bind(v.query.entity.code());
        sql.push(", ").bind(v.query.to_param()).push(", ").bind(v.sharing.code()).push(", ").bind(actor.id);
        sql.push(", ").bind(actor.team_id).push(", ").bind(at.clone()).push(", ").bind(actor.id);
        sql.push(", ").bind(at.clone()).push(", ").bind(actor.id).push(") RETURNING id");
        let id: i64 = sql.query().fetch_one(&mut *tx).await?.try_get("id")?;
        audit::created(&mut tx, "saved_view", id, Some(actor), &audit_fields(&v)).await?;
        id
    } else {
        let id = parse_id("id", &input.id)?;
        let version = parse_id("version", &input.version)?;
        let row = sqlx::query("SELECT name, entity, query, sharing, owner_id FROM saved_views WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(AppError::NotFound)?;
        let owner: i64 = row.try_get("owner_id")?;
        if !editable(actor, owner) {
            return Err(AppError::NotFound);
        }
        let old = Valid {
            name: row.try_get("name")?,
            sharing: Sharing::parse(&row.try_get::<String, _>("sharing")?).unwrap_or_default(),
            query: FindQuery::from_param(&row.try_get::<String, _>("query")?).unwrap_or_default(),
        };
        if old.query.entity != v.query.entity {
            return Err(field("query", Problem::InvalidChoice));
        }
        update_row(
            &mut tx,
            "saved_views",
            &["name", "search_key", "query", "sharing"],
            vec![v.name.clone().into(), search_key(&v.name).into(), v.query.to_param().into(), v.sharing.code().into()],
            (id, version),
            Stamp { at: &at, by: actor.id },
        )
        .await?;
        audit::updated(&mut tx, "saved_view", id, Some(actor), &audit_fields(&old), &audit_fields(&v)).await?;
        id
    };
    tx.commit().await?;
    Ok(id)
}

/// Deletes a view the actor owns (administrators any), if still at `version`.
pub async fn delete(db: &Db, actor: &Actor, id: i64, version: i64) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    let row = sqlx::query("SELECT name, owner_id FROM saved_views WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::NotFound)?;
    let owner: i64 = row.try_get("owner_id")?;
    if !editable(actor, owner) {
        return Err(AppError::NotFound);
    }
    let name: String = row.try_get("name")?;
    let done = sqlx::query("DELETE FROM saved_views WHERE id = $1 AND version = $2").bind(id).bind(version).execute(&mut *tx).await?;
    crate::db::write::changed_one(done.rows_affected())?;
    audit::deleted(&mut tx, "saved_view", id, Some(actor), &name).await?;
    tx.commit().await?;
    Ok(())
}
