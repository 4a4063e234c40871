//! What an opportunity sells: its lines, priced from the applicable price list and discount rule.
//! While it has lines the opportunity's value follows them. Every change bumps the opportunity's
//! version (a stale page gets a conflict) and writes its audit rows in the same transaction.

use crate::db::{now, today, Db, Tx};
use crate::domain::catalog::*;
use crate::domain::money::{minor_to_input, Currency};
use crate::domain::validate::field;
use crate::domain::{Category, Opportunity, StageKind};
use crate::error::{AppError, Problem};
use crate::services::products::{self};
use crate::services::{audit, parse_id, parse_opt_id, Actor};
use sqlx::Row;

/// Loads the opportunity for a change of its deal (lines, competitors): editable by the actor, the
/// version the page saw, and still open.
pub(super) async fn open_for_change(tx: &mut Tx, actor: &Actor, id: i64, version: i64) -> Result<Opportunity, AppError> {
    let o = super::get_for_update(tx, actor, id).await?;
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
    crate::db::write::changed_one(n)?;
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
    let product = products::pricing::priced_product(&mut tx, product_id).await?;
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
    let rate = crate::services::currency::eur_rate(db).await?;
    let category = account_category(&mut tx, o.account_id).await?;
    let (unit_price, source, list_id) = match manual_price {
        Some(p) => (p, PriceSource::Manual, None),
        None => products::pricing::resolve_price(&mut tx, &product, o.currency, category, &day, rate).await?,
    };
    let (bp, amount, rule) = if manual_bp.is_some() || manual_amount.is_some() {
        (manual_bp.unwrap_or(0), manual_amount.unwrap_or(0), None)
    } else {
        products::pricing::resolve_discount(&mut tx, &product, o.currency, category, quantity, unit_price, &day, rate).await?
    };
    let total = line_total(quantity, unit_price, bp, amount);
    let cost = product.unit_cost_minor.map(|c| products::pricing::convert(c, product.currency, o.currency, rate));
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
