//! What an opportunity sells and how it ends: its lines (priced from the applicable price list and
//! discount rule; the opportunity's value follows them), the competitors on the deal, and closing as
//! won or lost — and reopening, which only managers may do. Lines, closing and reopening bump the
//! opportunity's version (a stale page gets a conflict); naming or removing a competitor is additive
//! and does not. Every change writes its audit rows in the same transaction.

use super::products::{self, sees_cost};
use super::{audit, parse_id, parse_opt_id, Actor};
use crate::db::{now, today, Db, Tx};
use crate::domain::catalog::*;
use crate::domain::competition::*;
use crate::domain::money::{minor_to_input, Currency};
use crate::domain::validate::{field, optional, required_date};
use crate::domain::{Category, Choice, Opportunity, Role, StageKind, LIST_LOSS_REASON};
use crate::error::{AppError, Problem};
use sqlx::Row;

/// Loads the opportunity for a change of its deal (lines, competitors): editable by the actor, the
/// version the page saw, and still open.
async fn open_for_change(tx: &mut Tx, actor: &Actor, id: i64, version: i64) -> Result<Opportunity, AppError> {
    let o = super::opportunities::get_for_update(tx, actor, id).await?;
    crate::domain::check_version(o.version, version)?;
    if o.stage_kind != StageKind::Open {
        return Err(field("opportunity", Problem::Closed));
    }
    Ok(o)
}

/// Sets the opportunity's value to the sum of its lines and bumps its version; returns the new version.
async fn follow_lines(tx: &mut Tx, actor: &Actor, o: &Opportunity, what: (Option<String>, Option<String>)) -> Result<i64, AppError> {
    let total: i64 = sqlx::query(
        "SELECT CAST(COALESCE(SUM(total_minor), 0) AS BIGINT) AS t, COUNT(*) AS n FROM opportunity_lines WHERE opportunity_id = $1",
    )
    .bind(o.id)
    .fetch_one(&mut **tx)
    .await
    .map_err(AppError::from)
    .and_then(|r| {
        let n: i64 = r.try_get("n")?;
        let t: i64 = r.try_get("t")?;
        Ok::<_, AppError>(if n > 0 { t } else { o.amount_minor })
    })?;
    let n = sqlx::query(
        "UPDATE opportunities SET amount_minor = $1, updated_at = $2, updated_by = $3, version = version + 1 WHERE id = $4 AND version = $5",
    )
    .bind(total)
    .bind(now())
    .bind(actor.id)
    .bind(o.id)
    .bind(o.version)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(AppError::Conflict);
    }
    audit::updated(
        tx,
        "opportunity",
        o.id,
        Some(actor),
        &vec![("lines", what.0), ("amount", Some(minor_to_input(o.amount_minor)))],
        &vec![("lines", what.1), ("amount", Some(minor_to_input(total)))],
    )
    .await?;
    Ok(o.version + 1)
}

async fn account_category(tx: &mut Tx, account: i64) -> Result<Option<Category>, AppError> {
    let r = sqlx::query("SELECT category FROM accounts WHERE id = $1").bind(account).fetch_one(&mut **tx).await?;
    Ok(r.try_get::<Option<String>, _>("category")?.as_deref().and_then(Category::parse))
}

fn describe(code: &str, quantity_milli: i64, total_minor: i64, currency: Currency) -> String {
    format!("{code} × {} = {} {}", quantity_to_input(quantity_milli), minor_to_input(total_minor), currency.code())
}

/// Adds a line (empty `id`) or changes one. Returns the opportunity's new version.
pub async fn save_line(db: &Db, actor: &Actor, i: &LineInput) -> Result<i64, AppError> {
    let opp_id = parse_id("opportunity_id", &i.opportunity_id)?;
    let version = parse_id("version", &i.opportunity_version)?;
    let line_id = parse_opt_id("id", &i.id)?;
    let product_id = parse_id("product_id", &i.product_id)?;
    let quantity = parse_quantity("quantity", &i.quantity)?;
    let manual_price = if i.unit_price.trim().is_empty() { None } else { Some(parse_money("unit_price", &i.unit_price)?) };
    let manual_bp = if i.discount.trim().is_empty() { None } else { Some(parse_percent_bp("discount", &i.discount)?) };
    let manual_amount = if i.discount_amount.trim().is_empty() { None } else { Some(parse_money("discount_amount", &i.discount_amount)?) };
    let mut tx = db.begin().await?;
    let o = open_for_change(&mut tx, actor, opp_id, version).await?;
    let product = products::priced_product(&mut tx, product_id).await?;
    let old = match line_id {
        Some(l) => Some(
            sqlx::query("SELECT l.product_id, p.code, l.quantity_milli, l.total_minor FROM opportunity_lines l JOIN products p ON p.id = l.product_id WHERE l.id = $1 AND l.opportunity_id = $2")
                .bind(l)
                .bind(opp_id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(AppError::NotFound)?,
        ),
        None => None,
    };
    let same_product = old.as_ref().map(|r| r.try_get::<i64, _>("product_id")).transpose()? == Some(product_id);
    if !product.active && !same_product {
        return Err(field("product_id", Problem::InvalidChoice));
    }
    let day = today();
    let rate = super::pipeline::eur_rate(db).await?;
    let category = account_category(&mut tx, o.account_id).await?;
    let (unit_price, source, list_id) = match manual_price {
        Some(p) => (p, PriceSource::Manual, None),
        None => products::resolve_price(&mut tx, &product, o.currency, category, &day, rate).await?,
    };
    let (bp, amount, rule) = if manual_bp.is_some() || manual_amount.is_some() {
        (manual_bp.unwrap_or(0), manual_amount.unwrap_or(0), None)
    } else {
        products::resolve_discount(&mut tx, &product, o.currency, category, quantity, unit_price, &day, rate).await?
    };
    let total = line_total(quantity, unit_price, bp, amount);
    let cost = product.unit_cost_minor.map(|c| products::convert(c, product.currency, o.currency, rate));
    let code: String =
        sqlx::query("SELECT code FROM products WHERE id = $1").bind(product_id).fetch_one(&mut *tx).await?.try_get("code")?;
    let ts = now();
    let before = match &old {
        Some(r) => Some(describe(&r.try_get::<String, _>("code")?, r.try_get("quantity_milli")?, r.try_get("total_minor")?, o.currency)),
        None => None,
    };
    match line_id {
        None => {
            sqlx::query(
                "INSERT INTO opportunity_lines (opportunity_id, position, product_id, quantity_milli, unit_price_minor, price_source, price_list_id, \
                 discount_bp, discount_minor, discount_rule_id, total_minor, unit_cost_minor, created_at, created_by, updated_at, updated_by, version) \
                 VALUES ($1, (SELECT COALESCE(MAX(position), 0) + 1 FROM opportunity_lines WHERE opportunity_id = $1), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $12, $13, 1)",
            )
            .bind(opp_id)
            .bind(product_id)
            .bind(quantity)
            .bind(unit_price)
            .bind(source.code())
            .bind(list_id)
            .bind(bp)
            .bind(amount)
            .bind(rule)
            .bind(total)
            .bind(cost)
            .bind(&ts)
            .bind(actor.id)
            .execute(&mut *tx)
            .await?;
        }
        Some(l) => {
            sqlx::query(
                "UPDATE opportunity_lines SET product_id = $1, quantity_milli = $2, unit_price_minor = $3, price_source = $4, price_list_id = $5, \
                 discount_bp = $6, discount_minor = $7, discount_rule_id = $8, total_minor = $9, unit_cost_minor = $10, updated_at = $11, \
                 updated_by = $12, version = version + 1 WHERE id = $13",
            )
            .bind(product_id)
            .bind(quantity)
            .bind(unit_price)
            .bind(source.code())
            .bind(list_id)
            .bind(bp)
            .bind(amount)
            .bind(rule)
            .bind(total)
            .bind(cost)
            .bind(&ts)
            .bind(actor.id)
            .bind(l)
            .execute(&mut *tx)
            .await?;
        }
    }
    let v = follow_lines(&mut tx, actor, &o, (before, Some(describe(&code, quantity, total, o.currency)))).await?;
    tx.commit().await?;
    Ok(v)
}

/// Removes a line; returns the opportunity's new version. The value keeps following the remaining
/// lines; with none left it stays what it was.
pub async fn delete_line(db: &Db, actor: &Actor, opp_id: i64, version: i64, line_id: i64) -> Result<i64, AppError> {
    let mut tx = db.begin().await?;
    let o = open_for_change(&mut tx, actor, opp_id, version).await?;
    let r = sqlx::query("SELECT p.code, l.quantity_milli, l.total_minor FROM opportunity_lines l JOIN products p ON p.id = l.product_id WHERE l.id = $1 AND l.opportunity_id = $2")
        .bind(line_id)
        .bind(opp_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::NotFound)?;
    let before = describe(&r.try_get::<String, _>("code")?, r.try_get("quantity_milli")?, r.try_get("total_minor")?, o.currency);
    sqlx::query("DELETE FROM opportunity_lines WHERE id = $1").bind(line_id).execute(&mut *tx).await?;
    let v = follow_lines(&mut tx, actor, &o, (Some(before), None)).await?;
    tx.commit().await?;
    Ok(v)
}

/// How many lines an opportunity has (its value follows them when there are any).
pub async fn line_count(tx: &mut Tx, opp_id: i64) -> Result<i64, AppError> {
    Ok(sqlx::query("SELECT COUNT(*) AS n FROM opportunity_lines WHERE opportunity_id = $1")
        .bind(opp_id)
        .fetch_one(&mut **tx)
        .await?
        .try_get("n")?)
}

// ---------------------------------------------------------------- competitors on a deal

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

async fn competitor_name(tx: &mut Tx, id: i64) -> Result<String, AppError> {
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
    super::opportunities::get_for_update(&mut tx, actor, opp_id).await?;
    check_competitor(&mut tx, competitor, "competitor_id").await?;
    link_competitor(&mut tx, actor, opp_id, competitor).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove_competitor(db: &Db, actor: &Actor, opp_id: i64, competitor: i64) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    super::opportunities::get_for_update(&mut tx, actor, opp_id).await?;
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

// ---------------------------------------------------------------- closing

async fn first_stage(tx: &mut Tx, kind: StageKind) -> Result<crate::domain::Stage, AppError> {
    let id: i64 = sqlx::query("SELECT id FROM stages WHERE kind = $1 AND active = 1 ORDER BY position, id LIMIT 1")
        .bind(kind.code())
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| field("outcome", Problem::InvalidChoice))?
        .try_get("id")?;
    super::stages::get(tx, id).await
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
            let reason = super::picklists::get(tx, reason_id)
                .await?
                .filter(|r| r.list == LIST_LOSS_REASON && r.active)
                .ok_or_else(|| field("reason_id", Problem::InvalidChoice))?;
            let won_by_id = parse_opt_id("won_by_id", &i.won_by_id)?;
            if let Some(w) = won_by_id {
                if reason.code == NO_DECISION {
                    return Err(field("won_by_id", Problem::NotWithReason));
                }
                check_competitor(tx, w, "won_by_id").await?;
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
    let o = open_for_change(&mut tx, actor, id, version).await?;
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
    if n == 0 {
        return Err(AppError::Conflict);
    }
    super::opportunities::record_stage_change(&mut tx, actor, id, Some(o.stage_id), stage.id, &ts).await?;
    let reason_label = match c.reason_id {
        Some(r) => super::picklists::get(&mut tx, r).await?.map(|v| v.label_en),
        None => None,
    };
    let winner = match c.won_by_id {
        Some(w) => Some(competitor_name(&mut tx, w).await?),
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
        link_competitor(&mut tx, actor, id, w).await?;
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
    let o = super::opportunities::get_for_update(&mut tx, actor, id).await?;
    crate::domain::check_version(o.version, version)?;
    if o.stage_kind == StageKind::Open {
        return Err(field("stage_id", Problem::InvalidChoice));
    }
    let stage = super::stages::get(&mut tx, stage_id).await.map_err(|_| field("stage_id", Problem::InvalidChoice))?;
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
    if n == 0 {
        return Err(AppError::Conflict);
    }
    super::opportunities::record_stage_change(&mut tx, actor, id, Some(o.stage_id), stage.id, &ts).await?;
    let reason = match old.0 {
        Some(r) => super::picklists::get(&mut tx, r).await?.map(|v| v.label_en),
        None => None,
    };
    let winner = match old.1 {
        Some(w) => Some(competitor_name(&mut tx, w).await?),
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

// ---------------------------------------------------------------- the deal as the page shows it

type LineTuple =
    (i64, i64, String, String, String, String, i64, i64, String, Option<String>, i64, i64, Option<String>, i64, Option<i64>, i64);

/// Lines, competitors, the close and the choices the page's dialogs need, for an opportunity the
/// actor may see. Costs and margins only for those who may see them.
pub async fn deal(db: &Db, actor: &Actor, id: i64) -> Result<Deal, AppError> {
    // The visibility check: the same rule as the opportunity itself.
    let o = super::opportunities::get(db, actor, id).await?;
    let cost = sees_cost(actor);
    let lines: Vec<OpportunityLine> = sqlx::query_as::<_, LineTuple>(
        "SELECT l.id, l.product_id, p.code, p.name, p.family, p.unit, l.quantity_milli, l.unit_price_minor, l.price_source, pl.name AS list_name, \
         l.discount_bp, l.discount_minor, d.name AS rule_name, l.total_minor, l.unit_cost_minor, l.version FROM opportunity_lines l \
         JOIN products p ON p.id = l.product_id LEFT JOIN price_lists pl ON pl.id = l.price_list_id LEFT JOIN discount_rules d ON d.id = l.discount_rule_id \
         WHERE l.opportunity_id = $1 ORDER BY l.position, l.id",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await?
    .into_iter()
    .map(|r| {
        let unit_cost = r.14.filter(|_| cost);
        OpportunityLine {
            id: r.0,
            product_id: r.1,
            code: r.2,
            name: r.3,
            family: r.4,
            unit: r.5,
            quantity_milli: r.6,
            unit_price_minor: r.7,
            price_source: PriceSource::parse(&r.8).unwrap_or(PriceSource::Manual),
            price_list_name: r.9,
            discount_bp: r.10,
            discount_minor: r.11,
            discount_rule_name: r.12,
            total_minor: r.13,
            unit_cost_minor: unit_cost,
            margin_minor: unit_cost.map(|c| r.13 - line_cost(r.6, c)),
            version: r.15,
        }
    })
    .collect();
    let margin_minor = if cost && !lines.is_empty() && lines.iter().all(|l| l.margin_minor.is_some()) {
        Some(lines.iter().filter_map(|l| l.margin_minor).sum())
    } else {
        None
    };
    let competitors = sqlx::query_as::<_, (i64, String)>(
        "SELECT a.id, a.name FROM opportunity_competitors oc JOIN accounts a ON a.id = oc.competitor_id WHERE oc.opportunity_id = $1 ORDER BY a.search_key",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await?
    .into_iter()
    .map(|(id, label)| Choice { id, label })
    .collect();
    let picklists = super::picklists::load(db).await?;
    let close = if o.stage_kind == StageKind::Open {
        None
    } else {
        let (closed_at, reason_id, won_by, notes): (Option<String>, Option<i64>, Option<i64>, Option<String>) =
            sqlx::query_as("SELECT closed_at, close_reason_id, won_by_id, close_notes FROM opportunities WHERE id = $1")
                .bind(id)
                .fetch_one(&db.pool)
                .await?;
        let won_by = match won_by {
            Some(w) => sqlx::query_as::<_, (i64, String)>("SELECT id, name FROM accounts WHERE id = $1")
                .bind(w)
                .fetch_optional(&db.pool)
                .await?
                .map(|(id, label)| Choice { id, label }),
            None => None,
        };
        Some(CloseInfo {
            outcome: if o.stage_kind == StageKind::Won { Outcome::Won } else { Outcome::Lost },
            closed_at,
            reason: reason_id.and_then(|r| picklists.loss_reasons.iter().find(|v| v.id == r).cloned()),
            won_by,
            notes,
        })
    };
    Ok(Deal {
        lines,
        competitors,
        close,
        sees_cost: cost,
        margin_minor,
        can_reopen: can_reopen(actor),
        all_competitors: competitor_choices(db).await?,
        loss_reasons: picklists.loss_reasons,
        today: today(),
    })
}
