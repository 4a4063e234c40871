//! The competitors named on a deal. Naming or removing one is additive and does not bump the
//! opportunity's version; it is audited like every change.

use crate::db::{now, Db, Tx};
use crate::domain::validate::field;
use crate::domain::Choice;
use crate::error::{AppError, Problem};
use crate::services::{audit, Actor};
use sqlx::Row;

/// Checks that `id` is an account with the competitor relationship.
pub async fn check_competitor(tx: &mut Tx, id: i64, field_name: &str) -> Result<(), AppError> {
    let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM account_types WHERE account_id = $1 AND type = 'competitor'")
        .bind(id)
        .fetch_one(&mut **tx)
        .await?
        .try_get("n")?;
    if n == 0 {
        return Err(field(field_name, Problem::InvalidChoice));
    }
    Ok(())
}

pub(super) async fn competitor_name(tx: &mut Tx, id: i64) -> Result<String, AppError> {
    Ok(sqlx::query("SELECT name FROM accounts WHERE id = $1").bind(id).fetch_one(&mut **tx).await?.try_get("name")?)
}

pub(crate) async fn link_competitor(tx: &mut Tx, actor: &Actor, opp_id: i64, competitor: i64) -> Result<bool, AppError> {
    let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM opportunity_competitors WHERE opportunity_id = $1 AND competitor_id = $2")
        .bind(opp_id)
        .bind(competitor)
        .fetch_one(&mut **tx)
        .await?
        .try_get("n")?;
    if n > 0 {
        return Ok(false);
    }
    sqlx::query("INSERT INTO opportunity_competitors (opportunity_id, competitor_id, added_at, added_by) VALUES ($1, $2, $3, $4)")
        .bind(opp_id)
        .bind(competitor)
        .bind(now())
        .bind(actor.id)
        .execute(&mut **tx)
        .await?;
    let name = competitor_name(tx, competitor).await?;
    audit::updated(tx, "opportunity", opp_id, Some(actor), &vec![("competitor", None)], &vec![("competitor", Some(name))]).await?;
    Ok(true)
}

/// Names a competitor on the deal (anyone who may edit the opportunity; also on a closed deal, for
/// the record).
pub async fn add_competitor(db: &Db, actor: &Actor, opp_id: i64, competitor: i64) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    super::get_for_update(&mut tx, actor, opp_id).await?;
    check_competitor(&mut tx, competitor, "competitor_id").await?;
    link_competitor(&mut tx, actor, opp_id, competitor).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove_competitor(db: &Db, actor: &Actor, opp_id: i64, competitor: i64) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    super::get_for_update(&mut tx, actor, opp_id).await?;
    let won_by: Option<i64> =
        sqlx::query("SELECT won_by_id FROM opportunities WHERE id = $1").bind(opp_id).fetch_one(&mut *tx).await?.try_get("won_by_id")?;
    if won_by == Some(competitor) {
        // The winner of a lost deal stays on it; reopen the deal to change that.
        return Err(field("competitor_id", Problem::Closed));
    }
    let n = sqlx::query("DELETE FROM opportunity_competitors WHERE opportunity_id = $1 AND competitor_id = $2")
        .bind(opp_id)
        .bind(competitor)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if n > 0 {
        let name = competitor_name(&mut tx, competitor).await?;
        audit::updated(&mut tx, "opportunity", opp_id, Some(actor), &vec![("competitor", Some(name))], &vec![("competitor", None)]).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Every competitor account (competitors are reference data every user may see and name on a deal).
pub async fn competitor_choices(db: &Db) -> Result<Vec<Choice>, AppError> {
    let rows = sqlx::query_as::<_, (i64, String)>(
        "SELECT a.id, a.name FROM accounts a JOIN account_types t ON t.account_id = a.id AND t.type = 'competitor' ORDER BY a.search_key, a.id LIMIT 500",
    )
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().map(|(id, label)| Choice { id, label }).collect())
}
