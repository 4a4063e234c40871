//! Discount rules: a percentage or amount off for a product, a family or a customer category, from a
//! minimum quantity, within a period.

use super::{category, check_edit, currency, flag, optional_date};
use crate::db::{now, Db};
use crate::domain::catalog::*;
use crate::domain::money::Currency;
use crate::domain::validate::{field, optional, required, required_date};
use crate::domain::Category;
use crate::error::{AppError, Problem};
use crate::services::{audit, parse_id, parse_opt_id, Actor};
use sqlx::Row;

pub(super) type RuleTuple = (
    i64,
    String,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    Option<i64>,
    Option<i64>,
    Option<String>,
    String,
    Option<String>,
    i64,
    i64,
);
pub(super) const RULE_SELECT: &str = "SELECT d.id, d.name, d.product_id, p.name AS product_name, d.family, d.category, d.min_quantity_milli, d.percent_bp, \
    d.amount_minor, d.currency, d.valid_from, d.valid_to, d.active, d.version FROM discount_rules d LEFT JOIN products p ON p.id = d.product_id";

pub(super) fn to_rule(r: RuleTuple) -> DiscountRule {
    DiscountRule {
        id: r.0,
        name: r.1,
        product_id: r.2,
        product_name: r.3,
        family: r.4,
        category: r.5.as_deref().and_then(Category::parse),
        min_quantity_milli: r.6,
        percent_bp: r.7,
        amount_minor: r.8,
        currency: r.9.as_deref().and_then(Currency::parse),
        valid_from: r.10,
        valid_to: r.11,
        active: r.12 != 0,
        version: r.13,
    }
}

fn rule_fields(r: &DiscountRule) -> audit::Fields {
    vec![
        ("name", Some(r.name.clone())),
        ("product_id", r.product_id.map(|p| p.to_string())),
        ("family", r.family.clone()),
        ("category", r.category.map(|c| c.code().to_string())),
        ("min_quantity", Some(quantity_to_input(r.min_quantity_milli))),
        ("percent", r.percent_bp.map(bp_to_input)),
        ("amount", r.amount_minor.map(crate::domain::money::minor_to_input)),
        ("currency", r.currency.map(|c| c.code().to_string())),
        ("valid_from", Some(r.valid_from.clone())),
        ("valid_to", r.valid_to.clone()),
        ("active", Some(r.active.to_string())),
    ]
}

pub fn validate_discount(i: &DiscountInput) -> Result<DiscountRule, AppError> {
    let name = required("name", &i.name, 200)?;
    let product_id = parse_opt_id("product_id", &i.product_id)?;
    let family = optional("family", &i.family, 100)?;
    match (product_id.is_some(), family.is_some()) {
        (false, false) => return Err(field("product_id", Problem::Required)),
        (true, true) => return Err(field("family", Problem::InvalidChoice)),
        _ => {}
    }
    let min_quantity_milli = if i.min_quantity.trim().is_empty() { 0 } else { parse_quantity("min_quantity", &i.min_quantity)? };
    let percent_bp = if i.percent.trim().is_empty() { None } else { Some(parse_percent_bp("percent", &i.percent)?) };
    let amount_minor = if i.amount.trim().is_empty() { None } else { Some(parse_money("amount", &i.amount)?) };
    match (percent_bp.is_some(), amount_minor.is_some()) {
        (false, false) => return Err(field("percent", Problem::Required)),
        (true, true) => return Err(field("amount", Problem::InvalidChoice)),
        _ => {}
    }
    let valid_from = required_date("valid_from", &i.valid_from)?.format("%Y-%m-%d").to_string();
    let valid_to = optional_date("valid_to", &i.valid_to)?;
    if valid_to.as_deref().is_some_and(|t| t < valid_from.as_str()) {
        return Err(field("valid_to", Problem::InvalidDate));
    }
    Ok(DiscountRule {
        id: 0,
        name,
        product_id,
        product_name: None,
        family,
        category: category("category", &i.category)?,
        min_quantity_milli,
        percent_bp,
        amount_minor,
        currency: amount_minor.map(|_| currency("currency", &i.currency)).transpose()?,
        valid_from,
        valid_to,
        active: flag(&i.active, true),
        version: 0,
    })
}

pub async fn save_discount(db: &Db, actor: &Actor, i: &DiscountInput) -> Result<i64, AppError> {
    check_edit(actor)?;
    let r = validate_discount(i)?;
    let mut tx = db.begin().await?;
    if let Some(p) = r.product_id {
        let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM products WHERE id = $1").bind(p).fetch_one(&mut *tx).await?.try_get("n")?;
        if n == 0 {
            return Err(field("product_id", Problem::InvalidChoice));
        }
    }
    let ts = now();
    let id = if i.id.trim().is_empty() {
        let id: i64 = sqlx::query(
            "INSERT INTO discount_rules (name, product_id, family, category, min_quantity_milli, percent_bp, amount_minor, currency, valid_from, \
             valid_to, active, created_at, created_by, updated_at, updated_by, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $12, $13, 1) RETURNING id",
        )
        .bind(&r.name)
        .bind(r.product_id)
        .bind(&r.family)
        .bind(r.category.map(|c| c.code()))
        .bind(r.min_quantity_milli)
        .bind(r.percent_bp)
        .bind(r.amount_minor)
        .bind(r.currency.map(|c| c.code()))
        .bind(&r.valid_from)
        .bind(&r.valid_to)
        .bind(r.active as i64)
        .bind(&ts)
        .bind(actor.id)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        audit::created(&mut tx, "discount_rule", id, Some(actor), &rule_fields(&r)).await?;
        id
    } else {
        let id = parse_id("id", &i.id)?;
        let version = parse_id("version", &i.version)?;
        let old = sqlx::query_as::<_, RuleTuple>(&format!("{RULE_SELECT} WHERE d.id = $1"))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .map(to_rule)
            .ok_or(AppError::NotFound)?;
        crate::domain::check_version(old.version, version)?;
        let n = sqlx::query(
            "UPDATE discount_rules SET name = $1, product_id = $2, family = $3, category = $4, min_quantity_milli = $5, percent_bp = $6, \
             amount_minor = $7, currency = $8, valid_from = $9, valid_to = $10, active = $11, updated_at = $12, updated_by = $13, \
             version = version + 1 WHERE id = $14 AND version = $15",
        )
        .bind(&r.name)
        .bind(r.product_id)
        .bind(&r.family)
        .bind(r.category.map(|c| c.code()))
        .bind(r.min_quantity_milli)
        .bind(r.percent_bp)
        .bind(r.amount_minor)
        .bind(r.currency.map(|c| c.code()))
        .bind(&r.valid_from)
        .bind(&r.valid_to)
        .bind(r.active as i64)
        .bind(&ts)
        .bind(actor.id)
        .bind(id)
        .bind(version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        crate::db::write::changed_one(n)?;
        audit::updated(&mut tx, "discount_rule", id, Some(actor), &rule_fields(&old), &rule_fields(&r)).await?;
        id
    };
    tx.commit().await?;
    Ok(id)
}
