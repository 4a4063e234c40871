//! The pipeline's stages, configured by an admin: name, order, default probability, open/won/lost.

use super::{audit, Actor};
use crate::db::{now, Db};
use crate::domain::validate::{field, percent, required};
use crate::domain::{Role, Stage, StageKind, DEFAULT_STAGES};
use crate::error::{AppError, Problem};
use crate::i18n::Lang;
use sqlx::Row;

type StageTuple = (i64, String, i64, i64, String, i64, i64);
const SELECT: &str = "SELECT id, name, position, probability, kind, active, version FROM stages";

fn stage(r: StageTuple) -> Stage {
    Stage {
        id: r.0,
        name: r.1,
        position: r.2,
        probability: r.3,
        kind: StageKind::parse(&r.4).unwrap_or(StageKind::Open),
        active: r.5 != 0,
        version: r.6,
    }
}

/// Active stages in pipeline order.
pub async fn list(db: &Db) -> Result<Vec<Stage>, AppError> {
    list_on(&mut *db.pool.acquire().await?).await
}

/// [`list`] on a connection the caller holds.
pub async fn list_on(conn: &mut sqlx::AnyConnection) -> Result<Vec<Stage>, AppError> {
    let rows = sqlx::query_as::<_, StageTuple>(&format!("{SELECT} WHERE active = 1 ORDER BY position, id")).fetch_all(conn).await?;
    Ok(rows.into_iter().map(stage).collect())
}

pub async fn list_all(db: &Db) -> Result<Vec<Stage>, AppError> {
    let rows = sqlx::query_as::<_, StageTuple>(&format!("{SELECT} ORDER BY position, id")).fetch_all(&db.pool).await?;
    Ok(rows.into_iter().map(stage).collect())
}

pub async fn get(tx: &mut crate::db::Tx, id: i64) -> Result<Stage, AppError> {
    let r = sqlx::query_as::<_, StageTuple>(&format!("{SELECT} WHERE id = $1")).bind(id).fetch_optional(&mut **tx).await?;
    r.map(stage).ok_or(AppError::NotFound)
}

/// Creates the default pipeline on an empty installation, named in `lang`.
pub async fn ensure_defaults(db: &Db, lang: Lang) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM stages").fetch_one(&mut *tx).await?.try_get("n")?;
    if n > 0 {
        return Ok(());
    }
    let ts = now();
    for (i, (en, sr, p, kind)) in DEFAULT_STAGES.iter().enumerate() {
        let name = if lang == Lang::Sr { sr } else { en };
        sqlx::query(
            "INSERT INTO stages (name, position, probability, kind, active, created_at, updated_at) VALUES ($1, $2, $3, $4, 1, $5, $5)",
        )
        .bind(*name)
        .bind((i as i64 + 1) * 10)
        .bind(*p)
        .bind(kind.code())
        .bind(&ts)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

pub struct StageInput {
    pub id: Option<i64>,
    pub version: i64,
    pub name: String,
    pub probability: String,
    pub kind: String,
    pub active: bool,
}

/// Creates (id None) or updates a stage. Won stages are 100%, lost 0%.
pub async fn save(db: &Db, actor: &Actor, input: StageInput) -> Result<i64, AppError> {
    if actor.role != Role::Admin {
        return Err(AppError::Forbidden);
    }
    let name = required("name", &input.name, 60)?;
    let kind = StageKind::parse(&input.kind).ok_or_else(|| field("kind", Problem::InvalidChoice))?;
    let probability = match kind {
        StageKind::Won => 100,
        StageKind::Lost => 0,
        StageKind::Open => percent("probability", &input.probability)?,
    };
    let mut tx = db.begin().await?;
    let ts = now();
    let id = match input.id {
        None => {
            let pos: i64 = sqlx::query("SELECT CAST(COALESCE(MAX(position), 0) + 10 AS BIGINT) AS p FROM stages")
                .fetch_one(&mut *tx)
                .await?
                .try_get("p")?;
            let id: i64 = sqlx::query("INSERT INTO stages (name, position, probability, kind, active, created_at, updated_at) VALUES ($1, $2, $3, $4, 1, $5, $5) RETURNING id")
                .bind(&name)
                .bind(pos)
                .bind(probability)
                .bind(kind.code())
                .bind(&ts)
                .fetch_one(&mut *tx)
                .await?
                .try_get("id")?;
            audit::created(
                &mut tx,
                "stage",
                id,
                Some(actor),
                &vec![("name", Some(name)), ("probability", Some(probability.to_string())), ("kind", Some(kind.code().into()))],
            )
            .await?;
            id
        }
        Some(id) => {
            let old = get(&mut tx, id).await?;
            crate::domain::check_version(old.version, input.version)?;
            if !input.active {
                let in_use: i64 = sqlx::query("SELECT COUNT(*) AS n FROM opportunities WHERE stage_id = $1")
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?
                    .try_get("n")?;
                if in_use > 0 {
                    return Err(field("active", Problem::InUse(in_use)));
                }
            }
            let n = sqlx::query("UPDATE stages SET name = $1, probability = $2, kind = $3, active = $4, updated_at = $5, version = version + 1 WHERE id = $6 AND version = $7")
                .bind(&name)
                .bind(probability)
                .bind(kind.code())
                .bind(input.active as i64)
                .bind(&ts)
                .bind(id)
                .bind(input.version)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            crate::db::write::changed_one(n)?;
            audit::updated(
                &mut tx,
                "stage",
                id,
                Some(actor),
                &vec![
                    ("name", Some(old.name)),
                    ("probability", Some(old.probability.to_string())),
                    ("kind", Some(old.kind.code().into())),
                    ("active", Some(old.active.to_string())),
                ],
                &vec![
                    ("name", Some(name)),
                    ("probability", Some(probability.to_string())),
                    ("kind", Some(kind.code().into())),
                    ("active", Some(input.active.to_string())),
                ],
            )
            .await?;
            id
        }
    };
    tx.commit().await?;
    Ok(id)
}

/// Swaps a stage with its neighbour above (`up`) or below.
pub async fn reorder(db: &Db, actor: &Actor, id: i64, up: bool) -> Result<(), AppError> {
    if actor.role != Role::Admin {
        return Err(AppError::Forbidden);
    }
    let mut tx = db.begin().await?;
    let me = get(&mut tx, id).await?;
    let sql = if up {
        format!("{SELECT} WHERE position < $1 ORDER BY position DESC LIMIT 1")
    } else {
        format!("{SELECT} WHERE position > $1 ORDER BY position ASC LIMIT 1")
    };
    let neighbour = sqlx::query_as::<_, StageTuple>(&sql).bind(me.position).fetch_optional(&mut *tx).await?;
    let Some(other) = neighbour.map(stage) else { return Ok(()) };
    let ts = now();
    for (sid, pos) in [(me.id, other.position), (other.id, me.position)] {
        sqlx::query("UPDATE stages SET position = $1, updated_at = $2, version = version + 1 WHERE id = $3")
            .bind(pos)
            .bind(&ts)
            .bind(sid)
            .execute(&mut *tx)
            .await?;
    }
    audit::updated(
        &mut tx,
        "stage",
        me.id,
        Some(actor),
        &vec![("position", Some(me.position.to_string()))],
        &vec![("position", Some(other.position.to_string()))],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
