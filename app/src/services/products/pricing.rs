//! Pricing a line: the price list and discount rule that apply to a product for an account on a day,
//! and conversion between currencies.

use crate::db::Tx;
use crate::domain::catalog::*;
use crate::domain::money::{to_base, Currency, Rate};
use crate::domain::validate::field;
use crate::domain::Category;
use crate::error::{AppError, Problem};
use sqlx::Row;

/// A product as pricing needs it (cost always included: the caller decides what to show).
#[derive(Clone, Debug)]
pub struct PricedProduct {
    pub id: i64,
    pub family: String,
    pub list_price_minor: i64,
    pub currency: Currency,
    pub unit_cost_minor: Option<i64>,
    pub active: bool,
}

pub async fn priced_product(tx: &mut Tx, id: i64) -> Result<PricedProduct, AppError> {
    let r = sqlx::query("SELECT id, family, list_price_minor, currency, unit_cost_minor, active FROM products WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| field("product_id", Problem::InvalidChoice))?;
    Ok(PricedProduct {
        id: r.try_get("id")?,
        family: r.try_get("family")?,
        list_price_minor: r.try_get("list_price_minor")?,
        currency: Currency::parse(&r.try_get::<String, _>("currency")?).unwrap_or(Currency::RSD),
        unit_cost_minor: r.try_get("unit_cost_minor")?,
        active: r.try_get::<i64, _>("active")? != 0,
    })
}

/// Converts an amount between currencies through the base currency (RSD) at `eur_rate_micros`.
pub fn convert(minor: i64, from: Currency, to: Currency, eur_rate_micros: i64) -> i64 {
    if from == to {
        return minor;
    }
    let rates = [Rate { currency: Currency::EUR, micros: eur_rate_micros }];
    let base = to_base(minor, from, &rates);
    match to {
        Currency::RSD => base,
        Currency::EUR => {
            let v = base as i128 * 1_000_000;
            let m = eur_rate_micros.max(1) as i128;
            ((v + m / 2) / m) as i64
        }
    }
}

/// The price of `product` for a customer of `category` in `currency` on `day`: from the applicable
/// price list, else the product's list price (converted when its currency differs).
pub async fn resolve_price(
    tx: &mut Tx,
    product: &PricedProduct,
    currency: Currency,
    category: Option<Category>,
    day: &str,
    eur_rate_micros: i64,
) -> Result<(i64, PriceSource, Option<i64>), AppError> {
    let rows = sqlx::query(
        "SELECT l.id, l.category, l.valid_from, i.price_minor FROM price_list_items i JOIN price_lists l ON l.id = i.price_list_id \
         WHERE i.product_id = $1 AND l.active = 1 AND l.currency = $2 AND l.valid_from <= $3 AND (l.valid_to IS NULL OR l.valid_to >= $3)",
    )
    .bind(product.id)
    .bind(currency.code())
    .bind(day)
    .fetch_all(&mut **tx)
    .await?;
    let mut candidates = Vec::with_capacity(rows.len());
    for r in rows {
        candidates.push(PriceCandidate {
            price_list_id: r.try_get("id")?,
            category: r.try_get::<Option<String>, _>("category")?.as_deref().and_then(Category::parse),
            valid_from: r.try_get("valid_from")?,
            price_minor: r.try_get("price_minor")?,
        });
    }
    Ok(match best_price(&candidates, category) {
        Some(c) => (c.price_minor, PriceSource::PriceList, Some(c.price_list_id)),
        None => (convert(product.list_price_minor, product.currency, currency, eur_rate_micros), PriceSource::ListPrice, None),
    })
}

/// The discount rule that applies to a line, as (percent bp, amount per unit in `currency`, rule id).
#[allow(clippy::too_many_arguments)]
pub async fn resolve_discount(
    tx: &mut Tx,
    product: &PricedProduct,
    currency: Currency,
    category: Option<Category>,
    quantity_milli: i64,
    unit_price_minor: i64,
    day: &str,
    eur_rate_micros: i64,
) -> Result<(i64, i64, Option<i64>), AppError> {
    let rows = sqlx::query(
        "SELECT id, product_id, family, category, min_quantity_milli, percent_bp, amount_minor, currency FROM discount_rules \
         WHERE active = 1 AND valid_from <= $1 AND (valid_to IS NULL OR valid_to >= $1) AND (product_id = $2 OR family = $3)",
    )
    .bind(day)
    .bind(product.id)
    .bind(&product.family)
    .fetch_all(&mut **tx)
    .await?;
    let mut rules = Vec::with_capacity(rows.len());
    for r in rows {
        let amount: Option<i64> = r.try_get("amount_minor")?;
        let cur = r.try_get::<Option<String>, _>("currency")?.as_deref().and_then(Currency::parse).unwrap_or(currency);
        rules.push(DiscountCandidate {
            id: r.try_get("id")?,
            product_id: r.try_get("product_id")?,
            family: r.try_get("family")?,
            category: r.try_get::<Option<String>, _>("category")?.as_deref().and_then(Category::parse),
            min_quantity_milli: r.try_get("min_quantity_milli")?,
            percent_bp: r.try_get("percent_bp")?,
            amount_minor: amount.map(|a| convert(a, cur, currency, eur_rate_micros)),
        });
    }
    Ok(match best_discount(&rules, product.id, &product.family, category, quantity_milli, unit_price_minor) {
        Some(r) => (r.percent_bp.unwrap_or(0), r.amount_minor.unwrap_or(0), Some(r.id)),
        None => (0, 0, None),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::products::discounts::validate_discount;

    #[test]
    fn conversion_goes_through_the_base_currency() {
        assert_eq!(convert(10_000, Currency::EUR, Currency::RSD, 117_170_000), 1_171_700);
        assert_eq!(convert(1_171_700, Currency::RSD, Currency::EUR, 117_170_000), 10_000);
        assert_eq!(convert(5, Currency::RSD, Currency::RSD, 117_170_000), 5);
    }

    #[test]
    fn a_discount_is_a_percentage_or_an_amount_for_a_product_or_a_family() {
        let ok = DiscountInput {
            name: "Rabat".into(),
            family: "Pumpe".into(),
            percent: "10".into(),
            valid_from: "2026-01-01".into(),
            ..Default::default()
        };
        assert_eq!(validate_discount(&ok).unwrap().percent_bp, Some(1000));
        let mut both = ok.clone();
        both.amount = "5".into();
        assert_eq!(validate_discount(&both), Err(field("amount", Problem::InvalidChoice)));
        let mut neither = ok.clone();
        neither.family.clear();
        assert_eq!(validate_discount(&neither), Err(field("product_id", Problem::Required)));
        let mut backwards = ok;
        backwards.valid_to = "2025-12-31".into();
        assert_eq!(validate_discount(&backwards), Err(field("valid_to", Problem::InvalidDate)));
    }
}
