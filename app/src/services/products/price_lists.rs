//! Price lists: prices per product in one currency, optionally for one customer category, valid for a
//! period; and the pricing page, which shows them with the discount rules.

use super::catalog::families;
use super::discounts::{to_rule, RuleTuple, RULE_SELECT};
use super::{can_edit, category, check_edit, currency, flag, optional_date};
use crate::db::{now, Db, Tx};
use crate::domain::catalog::*;
use crate::domain::money::Currency;
use crate::domain::validate::{field, required, required_date};
use crate::domain::Category;
use crate::error::{AppError, Problem};
use crate::services::{audit, parse_id, Actor};
use sqlx::Row;

type ListTuple = (i64, String, String, Option<String>, String, Option<String>, i64, i64, i64);
const LIST_SELECT: &str = "SELECT l.id, l.name, l.currency, l.category, l.valid_from, l.valid_to, l.active, l.version, \
    (SELECT COUNT(*) FROM price_list_items i WHERE i.price_list_id = l.id) AS items FROM price_lists l";

fn to_list(r: ListTuple) -> PriceList {
    PriceList {
        id: r.0,
        name: r.1,
        currency: Currency::parse(&r.2).unwrap_or(Currency::RSD),
        category: r.3.as_deref().and_then(Category::parse),
        valid_from: r.4,
        valid_to: r.5,
        active: r.6 != 0,
        version: r.7,
        items: r.8,
    }
}

/// Price lists and discount rules (both small tables), for the pricing page.
pub async fn pricing(db: &Db, actor: &Actor) -> Result<Pricing, AppError> {
    let lists = sqlx::query_as::<_, ListTuple>(&format!("{LIST_SELECT} ORDER BY l.active DESC, l.currency, l.valid_from DESC, l.id"))
        .fetch_all(&db.pool)
        .await?;
    let rules = sqlx::query_as::<_, RuleTuple>(&format!("{RULE_SELECT} ORDER BY d.active DESC, d.name, d.id")).fetch_all(&db.pool).await?;
    Ok(Pricing {
        price_lists: lists.into_iter().map(to_list).collect(),
        discounts: rules.into_iter().map(to_rule).collect(),
        families: families(db).await?,
        can_edit: can_edit(actor),
    })
}

fn list_fields(name: &str, c: Currency, cat: Option<Category>, from: &str, to: &Option<String>, active: bool) -> audit::Fields {
    vec![
        ("name", Some(name.to_string())),
        ("currency", Some(c.code().to_string())),
        ("category", cat.map(|c| c.code().to_string())),
        ("valid_from", Some(from.to_string())),
        ("valid_to", to.clone()),
        ("active", Some(active.to_string())),
    ]
}

pub async fn save_price_list(db: &Db, actor: &Actor, i: &PriceListInput) -> Result<i64, AppError> {
    check_edit(actor)?;
    let name = required("name", &i.name, 200)?;
    let cur = currency("currency", &i.currency)?;
    let cat = category("category", &i.category)?;
    let from = required_date("valid_from", &i.valid_from)?.format("%Y-%m-%d").to_string();
    let to = optional_date("valid_to", &i.valid_to)?;
    if to.as_deref().is_some_and(|t| t < from.as_str()) {
        return Err(field("valid_to", Problem::InvalidDate));
    }
    let active = flag(&i.active, true);
    let ts = now();
    let mut tx = db.begin().await?;
    let id = if i.id.trim().is_empty() {
        let id: i64 = sqlx::query(
            "INSERT INTO price_lists (name, currency, category, valid_from, valid_to, active, created_at, created_by, updated_at, updated_by, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $7, $8, 1) RETURNING id",
        )
        .bind(&name)
        .bind(cur.code())
        .bind(cat.map(|c| c.code()))
        .bind(&from)
        .bind(&to)
        .bind(active as i64)
        .bind(&ts)
        .bind(actor.id)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        audit::created(&mut tx, "price_list", id, Some(actor), &list_fields(&name, cur, cat, &from, &to, active)).await?;
        id
    } else {
        let id = parse_id("id", &i.id)?;
        let version = parse_id("version", &i.version)?;
        let old = sqlx::query_as::<_, ListTuple>(&format!("{LIST_SELECT} WHERE l.id = $1"))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .map(to_list)
            .ok_or(AppError::NotFound)?;
        crate::domain::check_version(old.version, version)?;
        if old.currency != cur && old.items > 0 {
            return Err(field("currency", Problem::InUse(old.items)));
        }
        let n = sqlx::query(
            "UPDATE price_lists SET name = $1, currency = $2, category = $3, valid_from = $4, valid_to = $5, active = $6, updated_at = $7, \
             updated_by = $8, version = version + 1 WHERE id = $9 AND version = $10",
        )
        .bind(&name)
        .bind(cur.code())
        .bind(cat.map(|c| c.code()))
        .bind(&from)
        .bind(&to)
        .bind(active as i64)
        .bind(&ts)
        .bind(actor.id)
        .bind(id)
        .bind(version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        crate::db::write::changed_one(n)?;
        audit::updated(
            &mut tx,
            "price_list",
            id,
            Some(actor),
            &list_fields(&old.name, old.currency, old.category, &old.valid_from, &old.valid_to, old.active),
            &list_fields(&name, cur, cat, &from, &to, active),
        )
        .await?;
        id
    };
    tx.commit().await?;
    Ok(id)
}

pub async fn price_list_page(db: &Db, actor: &Actor, id: i64) -> Result<PriceListPage, AppError> {
    let list = sqlx::query_as::<_, ListTuple>(&format!("{LIST_SELECT} WHERE l.id = $1"))
        .bind(id)
        .fetch_optional(&db.pool)
        .await?
        .map(to_list)
        .ok_or(AppError::NotFound)?;
    let items = sqlx::query_as::<_, (i64, String, String, i64, i64, String)>(
        "SELECT p.id, p.code, p.name, i.price_minor, p.list_price_minor, p.currency FROM price_list_items i \
         JOIN products p ON p.id = i.product_id WHERE i.price_list_id = $1 ORDER BY p.search_key, p.id",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await?
    .into_iter()
    .map(|r| PriceListItem {
        product_id: r.0,
        code: r.1,
        name: r.2,
        price_minor: r.3,
        list_price_minor: r.4,
        product_currency: Currency::parse(&r.5).unwrap_or(Currency::RSD),
    })
    .collect();
    Ok(PriceListPage { list, items, can_edit: can_edit(actor) })
}

/// Sets (adds or changes) a product's price in a price list.
pub async fn set_price(db: &Db, actor: &Actor, i: &PriceItemInput) -> Result<(), AppError> {
    check_edit(actor)?;
    let list = parse_id("price_list_id", &i.price_list_id)?;
    let product = parse_id("product_id", &i.product_id)?;
    if i.price.trim().is_empty() {
        return Err(field("price", Problem::Required));
    }
    let price = parse_money("price", &i.price)?;
    let mut tx = db.begin().await?;
    let code: String = sqlx::query("SELECT code FROM products WHERE id = $1")
        .bind(product)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| field("product_id", Problem::InvalidChoice))?
        .try_get("code")?;
    let exists: i64 =
        sqlx::query("SELECT COUNT(*) AS n FROM price_lists WHERE id = $1").bind(list).fetch_one(&mut *tx).await?.try_get("n")?;
    if exists == 0 {
        return Err(AppError::NotFound);
    }
    let old: Option<i64> = sqlx::query("SELECT price_minor FROM price_list_items WHERE price_list_id = $1 AND product_id = $2")
        .bind(list)
        .bind(product)
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| r.try_get("price_minor"))
        .transpose()?;
    if old.is_some() {
        sqlx::query("UPDATE price_list_items SET price_minor = $1 WHERE price_list_id = $2 AND product_id = $3")
            .bind(price)
            .bind(list)
            .bind(product)
            .execute(&mut *tx)
            .await?;
    } else {
        sqlx::query("INSERT INTO price_list_items (price_list_id, product_id, price_minor) VALUES ($1, $2, $3)")
            .bind(list)
            .bind(product)
            .bind(price)
            .execute(&mut *tx)
            .await?;
    }
    let show = |v: Option<i64>| v.map(|p| format!("{code}: {}", crate::domain::money::minor_to_input(p)));
    audit::updated(&mut tx, "price_list", list, Some(actor), &vec![("price", show(old))], &vec![("price", show(Some(price)))]).await?;
    touch_list(&mut tx, actor, list).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove_price(db: &Db, actor: &Actor, list: i64, product: i64) -> Result<(), AppError> {
    check_edit(actor)?;
    let mut tx = db.begin().await?;
    let row = sqlx::query("SELECT p.code, i.price_minor FROM price_list_items i JOIN products p ON p.id = i.product_id WHERE i.price_list_id = $1 AND i.product_id = $2")
        .bind(list)
        .bind(product)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::NotFound)?;
    let (code, price): (String, i64) = (row.try_get("code")?, row.try_get("price_minor")?);
    sqlx::query("DELETE FROM price_list_items WHERE price_list_id = $1 AND product_id = $2")
        .bind(list)
        .bind(product)
        .execute(&mut *tx)
        .await?;
    audit::updated(
        &mut tx,
        "price_list",
        list,
        Some(actor),
        &vec![("price", Some(format!("{code}: {}", crate::domain::money::minor_to_input(price))))],
        &vec![("price", None)],
    )
    .await?;
    touch_list(&mut tx, actor, list).await?;
    tx.commit().await?;
    Ok(())
}

async fn touch_list(tx: &mut Tx, actor: &Actor, list: i64) -> Result<(), AppError> {
    sqlx::query("UPDATE price_lists SET updated_at = $1, updated_by = $2, version = version + 1 WHERE id = $3")
        .bind(now())
        .bind(actor.id)
        .bind(list)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
