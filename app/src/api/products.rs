//! Server functions for the product catalog, price lists and discount rules.

use crate::domain::{
    Catalog, Choice, DiscountInput, PriceItemInput, PriceListInput, PriceListPage, Pricing, Product, ProductInput, ProductQuery,
};
use crate::error::AppError;
use leptos::prelude::*;

#[server]
pub async fn get_catalog(query: ProductQuery) -> Result<Catalog, AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    crate::services::products::catalog::catalog(&db, &actor, &query).await
}

#[server]
pub async fn get_product(id: i64) -> Result<Product, AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    crate::services::products::catalog::get_product(&db, &actor, id).await
}

#[server]
pub async fn save_product(input: ProductInput) -> Result<i64, AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    crate::services::products::catalog::save_product(&db, &actor, &input).await
}

/// Active products matching `q` (name or code), for pickers.
#[server]
pub async fn product_choices(q: String) -> Result<Vec<Choice>, AppError> {
    let (db, _actor) = super::ctx::signed_in().await?;
    crate::services::products::catalog::choices(&db, &q).await
}

#[server]
pub async fn get_pricing() -> Result<Pricing, AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    crate::services::products::price_lists::pricing(&db, &actor).await
}

#[server]
pub async fn save_price_list(input: PriceListInput) -> Result<i64, AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    crate::services::products::price_lists::save_price_list(&db, &actor, &input).await
}

#[server]
pub async fn get_price_list(id: i64) -> Result<PriceListPage, AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    crate::services::products::price_lists::price_list_page(&db, &actor, id).await
}

#[server]
pub async fn set_price(input: PriceItemInput) -> Result<(), AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    crate::services::products::price_lists::set_price(&db, &actor, &input).await
}

#[server]
pub async fn remove_price(price_list_id: i64, product_id: i64) -> Result<(), AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    crate::services::products::price_lists::remove_price(&db, &actor, price_list_id, product_id).await
}

#[server]
pub async fn save_discount(input: DiscountInput) -> Result<i64, AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    crate::services::products::discounts::save_discount(&db, &actor, &input).await
}
