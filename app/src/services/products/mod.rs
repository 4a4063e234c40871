//! The product catalog, price lists and discount rules, and pricing a product for an opportunity's
//! line. Everyone may read the catalog; managers and admins edit it and alone see unit costs.

pub mod catalog;
pub mod discounts;
pub mod price_lists;
pub mod pricing;

use super::Actor;
use crate::domain::money::Currency;
use crate::domain::validate::{field, required_date};
use crate::domain::{Category, Role};
use crate::error::{AppError, Problem};

pub const PAGE: i64 = 50;

/// Managers and admins see unit costs and margins; sales and marketing never do.
pub fn sees_cost(actor: &Actor) -> bool {
    matches!(actor.role, Role::Admin | Role::Manager)
}

/// Managers and admins maintain products, price lists and discounts.
pub fn can_edit(actor: &Actor) -> bool {
    sees_cost(actor)
}

pub(super) fn check_edit(actor: &Actor) -> Result<(), AppError> {
    if can_edit(actor) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

pub(super) fn flag(s: &str, default: bool) -> bool {
    match s.trim() {
        "" => default,
        v => matches!(v, "on" | "true" | "1"),
    }
}

pub(super) fn currency(name: &str, s: &str) -> Result<Currency, AppError> {
    if s.trim().is_empty() {
        return Ok(Currency::RSD);
    }
    Currency::parse(s).ok_or_else(|| field(name, Problem::InvalidChoice))
}

pub(super) fn category(name: &str, s: &str) -> Result<Option<Category>, AppError> {
    match s.trim() {
        "" => Ok(None),
        v => Category::parse(v).map(Some).ok_or_else(|| field(name, Problem::InvalidChoice)),
    }
}

pub(super) fn optional_date(name: &str, s: &str) -> Result<Option<String>, AppError> {
    if s.trim().is_empty() {
        return Ok(None);
    }
    Ok(Some(required_date(name, s)?.format("%Y-%m-%d").to_string()))
}
