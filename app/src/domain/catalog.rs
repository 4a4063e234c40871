//! Products, price lists, discount rules and the lines of an opportunity, with the pricing rules:
//! which price list applies, which discount applies, and what a line comes to. Percentages are basis
//! points (12.5 % = 1250) and quantities thousandths of a unit (2.5 m = 2500), so every figure is an
//! integer and totals are exact.

use super::money::{parse_amount, Currency};
use super::records::{code_enum, Category};
use super::validate::field;
use crate::error::{AppError, Problem};
use serde::{Deserialize, Serialize};

/// A product of our catalog. `unit_cost_minor` is None for users who may not see costs: the server
/// leaves it out before the value is serialized, so it is not in the page's data either.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Product {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub family: String,
    pub unit: String,
    pub list_price_minor: i64,
    pub currency: Currency,
    pub unit_cost_minor: Option<i64>,
    pub active: bool,
    pub version: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProductInput {
    pub id: String,
    pub version: String,
    pub code: String,
    pub name: String,
    pub family: String,
    pub unit: String,
    pub list_price: String,
    pub currency: String,
    pub unit_cost: String,
    /// "on"/"true" when active; a new product is active.
    pub active: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProductQuery {
    pub q: String,
    pub family: String,
    /// "" active only, "all" also inactive.
    pub show: String,
    pub cursor: String,
}

/// The product catalog page: a page of products, the families for the filter, and whether the
/// viewer sees costs and may edit.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    pub products: Vec<Product>,
    pub next_cursor: Option<String>,
    pub families: Vec<String>,
    pub can_edit: bool,
    pub sees_cost: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PriceList {
    pub id: i64,
    pub name: String,
    pub currency: Currency,
    pub category: Option<Category>,
    pub valid_from: String,
    pub valid_to: Option<String>,
    pub active: bool,
    pub items: i64,
    pub version: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PriceListInput {
    pub id: String,
    pub version: String,
    pub name: String,
    pub currency: String,
    pub category: String,
    pub valid_from: String,
    pub valid_to: String,
    pub active: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PriceListItem {
    pub product_id: i64,
    pub code: String,
    pub name: String,
    pub price_minor: i64,
    pub list_price_minor: i64,
    pub product_currency: Currency,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PriceItemInput {
    pub price_list_id: String,
    pub product_id: String,
    pub price: String,
}

/// A price list with its prices, for its page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PriceListPage {
    pub list: PriceList,
    pub items: Vec<PriceListItem>,
    pub can_edit: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DiscountRule {
    pub id: i64,
    pub name: String,
    pub product_id: Option<i64>,
    pub product_name: Option<String>,
    pub family: Option<String>,
    pub category: Option<Category>,
    pub min_quantity_milli: i64,
    pub percent_bp: Option<i64>,
    pub amount_minor: Option<i64>,
    pub currency: Option<Currency>,
    pub valid_from: String,
    pub valid_to: Option<String>,
    pub active: bool,
    pub version: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DiscountInput {
    pub id: String,
    pub version: String,
    pub name: String,
    /// Either a product (id) or a family.
    pub product_id: String,
    pub family: String,
    pub category: String,
    pub min_quantity: String,
    /// Either a percentage ("12,5") or an amount per unit with its currency.
    pub percent: String,
    pub amount: String,
    pub currency: String,
    pub valid_from: String,
    pub valid_to: String,
    pub active: String,
}

/// Price lists and discount rules, for the pricing page.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Pricing {
    pub price_lists: Vec<PriceList>,
    pub discounts: Vec<DiscountRule>,
    pub families: Vec<String>,
    pub can_edit: bool,
}

code_enum!(
    /// Where a line's unit price came from.
    PriceSource { PriceList = "price_list", ListPrice = "list_price", Manual = "manual" }
);

/// A line of an opportunity, in the opportunity's currency. Cost and margin are None for users who
/// may not see them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OpportunityLine {
    pub id: i64,
    pub product_id: i64,
    pub code: String,
    pub name: String,
    pub family: String,
    pub unit: String,
    pub quantity_milli: i64,
    pub unit_price_minor: i64,
    pub price_source: PriceSource,
    pub price_list_name: Option<String>,
    pub discount_bp: i64,
    pub discount_minor: i64,
    pub discount_rule_name: Option<String>,
    pub total_minor: i64,
    pub unit_cost_minor: Option<i64>,
    pub margin_minor: Option<i64>,
    pub version: i64,
}

/// Adding (empty id) or changing a line. Empty price: from the applicable price list; empty
/// discount: from the applicable discount rule.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LineInput {
    pub opportunity_id: String,
    pub opportunity_version: String,
    pub id: String,
    pub product_id: String,
    pub quantity: String,
    pub unit_price: String,
    pub discount: String,
    pub discount_amount: String,
}

/// Parses a quantity ("2,5", "1.000", "3") into thousandths of a unit; must be above zero.
pub fn parse_quantity(name: &str, s: &str) -> Result<i64, AppError> {
    if s.trim().is_empty() {
        return Err(field(name, Problem::Required));
    }
    let hundredths = parse_amount(s).ok_or_else(|| field(name, Problem::InvalidNumber))?;
    if hundredths <= 0 || hundredths > 100_000_000_000 {
        return Err(field(name, Problem::OutOfRange(0, 1_000_000_000)));
    }
    Ok(hundredths * 10)
}

/// Parses a percentage ("12,5", "12.5 %") into basis points, 0–100 %.
pub fn parse_percent_bp(name: &str, s: &str) -> Result<i64, AppError> {
    let v = s.trim().trim_end_matches('%').trim();
    let bp = parse_amount(v).ok_or_else(|| field(name, Problem::InvalidNumber))?;
    if !(0..=10_000).contains(&bp) {
        return Err(field(name, Problem::OutOfRange(0, 100)));
    }
    Ok(bp)
}

/// Parses a non-negative money amount into minor units.
pub fn parse_money(name: &str, s: &str) -> Result<i64, AppError> {
    let v = parse_amount(s).ok_or_else(|| field(name, Problem::InvalidNumber))?;
    if v < 0 {
        return Err(field(name, Problem::OutOfRange(0, i64::MAX / 100)));
    }
    Ok(v)
}

fn div_round(v: i128, d: i128) -> i64 {
    ((v + d / 2 * v.signum()) / d) as i64
}

/// What a line comes to: quantity × (unit price − amount discount per unit), less the percentage
/// discount, rounded half up to the minor unit. Never negative.
pub fn line_total(quantity_milli: i64, unit_price_minor: i64, discount_bp: i64, discount_minor: i64) -> i64 {
    let net_unit = (unit_price_minor - discount_minor).max(0) as i128;
    let gross = net_unit * quantity_milli as i128 * (10_000 - discount_bp.clamp(0, 10_000)) as i128;
    div_round(gross, 1000 * 10_000)
}

/// The cost of a line: quantity × unit cost.
pub fn line_cost(quantity_milli: i64, unit_cost_minor: i64) -> i64 {
    div_round(quantity_milli as i128 * unit_cost_minor as i128, 1000)
}

/// One price list's price for a product, as a candidate for a line.
#[derive(Clone, Debug, PartialEq)]
pub struct PriceCandidate {
    pub price_list_id: i64,
    pub category: Option<Category>,
    pub valid_from: String,
    pub price_minor: i64,
}

/// The applicable price among active price lists of the right currency valid on the day (the caller
/// filters those): a list for the customer's category beats a list for all customers, then the most
/// recently started list wins, then the newest list.
pub fn best_price(candidates: &[PriceCandidate], category: Option<Category>) -> Option<&PriceCandidate> {
    candidates
        .iter()
        .filter(|c| c.category.is_none() || c.category == category)
        .max_by(|a, b| (a.category.is_some(), &a.valid_from, a.price_list_id).cmp(&(b.category.is_some(), &b.valid_from, b.price_list_id)))
}

/// A discount rule as a candidate for a line (active, valid on the day; the caller filters those).
#[derive(Clone, Debug, PartialEq)]
pub struct DiscountCandidate {
    pub id: i64,
    pub product_id: Option<i64>,
    pub family: Option<String>,
    pub category: Option<Category>,
    pub min_quantity_milli: i64,
    pub percent_bp: Option<i64>,
    /// Amount per unit, already in the line's currency.
    pub amount_minor: Option<i64>,
}

/// The discount that applies to a line: rules for this product beat rules for its family; among
/// those, the one saving the customer the most on this line.
pub fn best_discount<'a>(
    rules: &'a [DiscountCandidate],
    product_id: i64,
    family: &str,
    category: Option<Category>,
    quantity_milli: i64,
    unit_price_minor: i64,
) -> Option<&'a DiscountCandidate> {
    let fits = |r: &&DiscountCandidate| {
        (r.product_id == Some(product_id) || (r.product_id.is_none() && r.family.as_deref() == Some(family)))
            && (r.category.is_none() || r.category == category)
            && quantity_milli >= r.min_quantity_milli
    };
    let saving = |r: &DiscountCandidate| {
        let full = line_total(quantity_milli, unit_price_minor, 0, 0);
        full - line_total(quantity_milli, unit_price_minor, r.percent_bp.unwrap_or(0), r.amount_minor.unwrap_or(0))
    };
    rules.iter().filter(fits).max_by_key(|r| (r.product_id.is_some(), saving(r), r.id))
}

/// Formats basis points as a percentage for a form field ("12.5").
pub fn bp_to_input(bp: i64) -> String {
    super::money::minor_to_input(bp)
}

/// Formats thousandths of a unit for a form field ("2.5").
pub fn quantity_to_input(milli: i64) -> String {
    if milli % 1000 == 0 {
        (milli / 1000).to_string()
    } else {
        let s = format!("{}.{:03}", milli / 1000, milli % 1000);
        s.trim_end_matches('0').to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_and_percentages_parse_into_integers() {
        assert_eq!(parse_quantity("q", "2,5"), Ok(2500));
        assert_eq!(parse_quantity("q", "3"), Ok(3000));
        assert_eq!(parse_quantity("q", "0"), Err(field("q", Problem::OutOfRange(0, 1_000_000_000))));
        assert_eq!(parse_quantity("q", ""), Err(field("q", Problem::Required)));
        assert_eq!(parse_percent_bp("d", "12,5 %"), Ok(1250));
        assert_eq!(parse_percent_bp("d", "101"), Err(field("d", Problem::OutOfRange(0, 100))));
        assert_eq!(quantity_to_input(2500), "2.5");
        assert_eq!(quantity_to_input(3000), "3");
    }

    #[test]
    fn line_totals_round_half_up_and_never_go_negative() {
        // 2.5 × 1,000.00 = 2,500.00; less 10 % = 2,250.00
        assert_eq!(line_total(2500, 100_000, 1000, 0), 225_000);
        // 3 × (19.99 − 1.00) = 56.97
        assert_eq!(line_total(3000, 1999, 0, 100), 5697);
        // 1 × 0.05 less 50 % = 0.025 → 0.03
        assert_eq!(line_total(1000, 5, 5000, 0), 3);
        assert_eq!(line_total(1000, 100, 0, 500), 0);
        assert_eq!(line_cost(2500, 40_000), 100_000);
    }

    fn cand(id: i64, category: Option<Category>, from: &str, price: i64) -> PriceCandidate {
        PriceCandidate { price_list_id: id, category, valid_from: from.into(), price_minor: price }
    }

    #[test]
    fn the_customers_category_list_beats_the_general_one_then_the_newest() {
        let c = vec![cand(1, None, "2026-01-01", 100), cand(2, Some(Category::A), "2025-01-01", 90), cand(3, None, "2026-06-01", 95)];
        assert_eq!(best_price(&c, Some(Category::A)).map(|p| p.price_minor), Some(90));
        assert_eq!(best_price(&c, Some(Category::B)).map(|p| p.price_minor), Some(95));
        assert_eq!(best_price(&c, None).map(|p| p.price_minor), Some(95));
        assert_eq!(best_price(&c[1..2], Some(Category::C)), None);
    }

    fn rule(id: i64, product: Option<i64>, family: Option<&str>, bp: Option<i64>, amount: Option<i64>) -> DiscountCandidate {
        DiscountCandidate {
            id,
            product_id: product,
            family: family.map(str::to_string),
            category: None,
            min_quantity_milli: 0,
            percent_bp: bp,
            amount_minor: amount,
        }
    }

    #[test]
    fn a_product_rule_beats_a_family_rule_and_the_bigger_saving_wins() {
        let rules = vec![rule(1, None, Some("Pumps"), Some(2000), None), rule(2, Some(7), None, Some(500), None)];
        assert_eq!(best_discount(&rules, 7, "Pumps", None, 1000, 10_000).map(|r| r.id), Some(2));
        assert_eq!(best_discount(&rules, 8, "Pumps", None, 1000, 10_000).map(|r| r.id), Some(1));
        assert_eq!(best_discount(&rules, 8, "Valves", None, 1000, 10_000), None);
        let family = vec![rule(1, None, Some("Pumps"), Some(1000), None), rule(3, None, Some("Pumps"), None, Some(1500))];
        // 10 % of 100.00 saves 10.00; 15.00 off per unit saves more.
        assert_eq!(best_discount(&family, 8, "Pumps", None, 1000, 10_000).map(|r| r.id), Some(3));
        let mut volume = rule(4, None, Some("Pumps"), Some(3000), None);
        volume.min_quantity_milli = 10_000;
        volume.category = Some(Category::A);
        let v = [volume];
        assert_eq!(best_discount(&v, 8, "Pumps", Some(Category::A), 9000, 10_000), None);
        assert_eq!(best_discount(&v, 8, "Pumps", Some(Category::B), 10_000, 10_000), None);
        assert_eq!(best_discount(&v, 8, "Pumps", Some(Category::A), 10_000, 10_000).map(|r| r.id), Some(4));
    }
}
