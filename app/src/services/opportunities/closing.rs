//! How a deal ends: closing as won or lost (with the reason, the winner and the lessons learned), and
//! reopening, which only managers may do. Both bump the opportunity's version; the close is kept in
//! the history.

use crate::db::{now, today, Db, Tx};
use crate::domain::catalog::*;
use crate::domain::competition::*;
use crate::domain::money::minor_to_input;
use crate::domain::validate::{field, optional, required_date};
use crate::domain::{Opportunity, Role, StageKind, LIST_LOSS_REASON};
use crate::error::{AppError, Problem};
use crate::services::{audit, parse_id, parse_opt_id, Actor};
use sqlx::Row;

async fn first_stage(tx: &mut Tx, kind: StageKind) -> Result<crate::domain::Stage, AppError> {
    let id: i64 = sqlx::query("SELECT id FROM stages WHERE kind = $1 AND active = 1 ORDER BY position, id LIMIT 1")
        .bind(kind.code())
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| field("outcome", Problem::InvalidChoice))?
        .try_get("id")?;
    crate::services::stages::get(tx, id).await
}

/// What a valid close comes to.
#[derive(Debug)]
struct Closing {
    outcome: Outcome,
    amount_minor: i64,
    close_date: String,
    reason_id: Option<i64>,
    won_by_id: Option<i64>,
    notes: Option<String>,
}

/// Checks a close against the rules: won needs the actual value and a close date not in the future;
/// lost needs an active loss reason, the winner (if any) must be a competitor, nobody can have won a
/// deal that ended without decision, and "other" needs the lessons learned written out.
async fn validate_close(tx: &mut Tx, i: &CloseInput, o: &Opportunity) -> Result<Closing, AppError> {
    let outcome = Outcome::parse(i.outcome.trim()).ok_or_else(|| field("outcome", Problem::InvalidChoice))?;
    let notes = optional("notes", &i.notes, 10_000)?;
    let close_date = if i.close_date.trim().is_empty() && outcome == Outcome::Lost {
        today()
    } else {
        required_date("close_date", &i.close_date)?.format("%Y-%m-%d").to_string()
    };
    if close_date > today() {
        return Err(field("close_date", Problem::InFuture));
    }
    match outcome {
        Outcome::Won => {
            if i.amount.trim().is_empty() {
                return Err(field("amount", Problem::Required));
            }
            let amount_minor = parse_money("amount", &i.amount)?;
            Ok(Closing { outcome, amount_minor, close_date, reason_id: None, won_by_id: None, notes })
        }
        Outcome::Lost => {
            let reason_id = parse_opt_id("reason_id", &i.reason_id)?.ok_or_else(|| field("reason_id", Problem::Required))?;
            let reason = crate::services::picklists::get(tx, reason_id)
                .await?
                .filter(|r| r.list == LIST_LOSS_REASON && r.active)
                .ok_or_else(|| field("reason_id", Problem::InvalidChoice))?;
            let won_by_id = parse_opt_id("won_by_id", &i.won_by_id)?;
            if let Some(w) = won_by_id {
                if reason.code == NO_DECISION {
                    return Err(field("won_by_id", Problem::NotWithReason));
                }
                super::competitors::check_competitor(tx, w, "won_by_id").await?;
            }
            if reason.code == OTHER_REASON && notes.is_none() {
                return Err(field("notes", Problem::Required));
            }
            Ok(Closing { outcome, amount_minor: o.amount_minor, close_date, reason_id: Some(reason_id), won_by_id, notes })
        }
    }
}

/// Closes an open opportunity as won or lost. Returns its new version.
pub async fn close(db: &Db, actor: &Actor, i: &CloseInput) -> Result<i64, AppError> {
    let id = parse_id("id", &i.id)?;
    let version = parse_id("version", &i.version)?;
    let mut tx = db.begin().await?;
    let o = super::lines::open_for_change(&mut tx, actor, id, version).await?;
    let c = validate_close(&mut tx, i, &o).await?;
    let stage = first_stage(&mut tx, if c.outcome == Outcome::Won { StageKind::Won } else { StageKind::Lost }).await?;
    let probability = if c.outcome == Outcome::Won { 100 } else { 0 };
    let ts = now();
    let n = sqlx::query(
        "UPDATE opportunities SET stage_id = $1, probability = $2, probability_manual = 0, amount_minor = $3, close_date = $4, closed_at = $5, \
         close_reason_id = $6, won_by_id = $7, close_notes = $8, stage_changed_at = $5, updated_at = $5, updated_by = $9, version = version + 1 \
         WHERE id = $10 AND version = $11",
    )
    .bind(stage.id)
    .bind(probability)
    .bind(c.amount_minor)
    .bind(&c.close_date)
    .bind(&ts)
    .bind(c.reason_id)
    .bind(c.won_by_id)
    .bind(&c.notes)
    .bind(actor.id)
    .bind(id)
    .bind(version)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    crate::db::write::changed_one(n)?;
    super::record_stage_change(&mut tx, actor, id, Some(o.stage_id), stage.id, &ts).await?;
    let reason_label = match c.reason_id {
        Some(r) => crate::services::picklists::get(&mut tx, r).await?.map(|v| v.label_en),
        None => None,
    };
    let winner = match c.won_by_id {
        Some(w) => Some(super::competitors::competitor_name(&mut tx, w).await?),
        None => None,
    };
    audit::updated(
        &mut tx,
        "opportunity",
        id,
        Some(actor),
        &vec![
            ("stage_id", Some(o.stage_id.to_string())),
            ("probability", Some(o.probability.to_string())),
            ("amount", Some(minor_to_input(o.amount_minor))),
            ("close_date", Some(o.close_date.clone())),
            ("close_reason", None),
            ("won_by", None),
            ("close_notes", None),
        ],
        &vec![
            ("stage_id", Some(stage.id.to_string())),
            ("probability", Some(probability.to_string())),
            ("amount", Some(minor_to_input(c.amount_minor))),
            ("close_date", Some(c.close_date.clone())),
            ("close_reason", reason_label),
            ("won_by", winner),
            ("close_notes", c.notes.clone()),
        ],
    )
    .await?;
    if let Some(w) = c.won_by_id {
        super::competitors::link_competitor(&mut tx, actor, id, w).await?;
    }
    tx.commit().await?;
    Ok(version + 1)
}

/// Managers and admins may reopen a closed opportunity.
pub fn can_reopen(actor: &Actor) -> bool {
    matches!(actor.role, Role::Admin | Role::Manager)
}

/// Reopens a closed opportunity into an open stage (managers and admins); the close is kept in the
/// history. Returns the new version.
pub async fn reopen(db: &Db, actor: &Actor, id: i64, version: i64, stage_id: i64) -> Result<i64, AppError> {
    if !can_reopen(actor) {
        return Err(AppError::Forbidden);
    }
    let mut tx = db.begin().await?;
    let o = super::get_for_update(&mut tx, actor, id).await?;
    crate::domain::check_version(o.version, version)?;
    if o.stage_kind == StageKind::Open {
        return Err(field("stage_id", Problem::InvalidChoice));
    }
    let stage = crate::services::stages::get(&mut tx, stage_id).await.map_err(|_| field("stage_id", Problem::InvalidChoice))?;
    if stage.kind != StageKind::Open || !stage.active {
        return Err(field("stage_id", Problem::InvalidChoice));
    }
    let old: (Option<i64>, Option<i64>, Option<String>) =
        sqlx::query_as("SELECT close_reason_id, won_by_id, close_notes FROM opportunities WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
    let ts = now();
    let n = sqlx::query(
        "UPDATE opportunities SET stage_id = $1, probability = $2, probability_manual = 0, closed_at = NULL, close_reason_id = NULL, won_by_id = NULL, \
         close_notes = NULL, stage_changed_at = $3, updated_at = $3, updated_by = $4, version = version + 1 WHERE id = $5 AND version = $6",
    )
    .bind(stage.id)
    .bind(stage.probability)
    .bind(&ts)
    .bind(actor.id)
    .bind(id)
    .bind(version)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    crate::db::write::changed_one(n)?;
    super::record_stage_change(&mut tx, actor, id, Some(o.stage_id), stage.id, &ts).await?;
    let reason = match old.0 {
        Some(r) => crate::services::picklists::get(&mut tx, r).await?.map(|v| v.label_en),
        None => None,
    };
    let winner = match old.1 {
        Some(w) => Some(super::competitors::competitor_name(&mut tx, w).await?),
        None => None,
    };
    audit::updated(
        &mut tx,
        "opportunity",
        id,
        Some(actor),
        &vec![
            ("stage_id", Some(o.stage_id.to_string())),
            ("probability", Some(o.probability.to_string())),
            ("close_reason", reason),
            ("won_by", winner),
            ("close_notes", old.2),
        ],
        &vec![
            ("stage_id", Some(stage.id.to_string())),
            ("probability", Some(stage.probability.to_string())),
            ("close_reason", None),
            ("won_by", None),
            ("close_notes", None),
        ],
    )
    .await?;
    tx.commit().await?;
    Ok(version + 1)
}
