//! The product catalog, price lists and discount rules, and pricing a product for an opportunity's
//! line. Everyone may read the catalog; managers and admins edit it and alone see unit costs.

use super::{audit, parse_id, parse_opt_id, Actor};
use crate::db::sql::{decode_cursor, encode_cursor, Sql};
use crate::db::{now, Db, Tx};
use crate::domain::catalog::*;
use crate::domain::money::{to_base, Currency, Rate};
use crate::domain::text::search_key;
use crate::domain::validate::{field, optional, required, required_date};
use crate::domain::{Category, Choice, Role};
use crate::error::{AppError, Problem};
use sqlx::Row;

pub const PAGE: i64 = 50;

/// Managers and admins see unit costs and margins; sales and marketing never do.
pub fn sees_cost(actor: &Actor) -> bool {
    matches!(actor.role, Role::Admin | Role::Manager)
}

/// Managers and admins maintain products, price lists and discounts.
pub fn can_edit(actor: &Actor) -> bool {
    sees_cost(actor)
}

fn check_edit(actor: &Actor) -> Result<(), AppError> {
    if can_edit(actor) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

fn flag(s: &str, default: bool) -> bool {
    match s.trim() {
        "" => default,
        v => matches!(v, "on" | "true" | "1"),
    }
}

fn currency(name: &str, s: &str) -> Result<Currency, AppError> {
    if s.trim().is_empty() {
        return Ok(Currency::RSD);
    }
    Currency::parse(s).ok_or_else(|| field(name, Problem::InvalidChoice))
}

fn category(name: &str, s: &str) -> Result<Option<Category>, AppError> {
    match s.trim() {
        "" => Ok(None),
        v => Category::parse(v).map(Some).ok_or_else(|| field(name, Problem::InvalidChoice)),
    }
}

fn optional_date(name: &str, s: &str) -> Result<Option<String>, AppError> {
    if s.trim().is_empty() {
        return Ok(None);
    }
    Ok(Some(required_date(name, s)?.format("%Y-%m-%d").to_string()))
}

// ---------------------------------------------------------------- products

#[derive(Clone, Debug, PartialEq)]
pub struct ValidProduct {
    pub code: String,
    pub name: String,
    pub family: String,
    pub unit: String,
    pub list_price_minor: i64,
    pub currency: Currency,
    pub unit_cost_minor: Option<i64>,
    pub active: bool,
}

pub fn validate_product(i: &ProductInput) -> Result<ValidProduct, AppError> {
    let code = required("code", &i.code, 40)?;
    let name = required("name", &i.name, 200)?;
    let family = required("family", &i.family, 100)?;
    let unit = required("unit", &i.unit, 20)?;
    if i.list_price.trim().is_empty() {
        return Err(field("list_price", Problem::Required));
    }
    let list_price_minor = parse_money("list_price", &i.list_price)?;
    let unit_cost_minor = if i.unit_cost.trim().is_empty() { None } else { Some(parse_money("unit_cost", &i.unit_cost)?) };
    Ok(ValidProduct {
        code,
        name,
        family,
        unit,
        list_price_minor,
        currency: currency("currency", &i.currency)?,
        unit_cost_minor,
        active: flag(&i.active, true),
    })
}

fn product_fields(v: &ValidProduct) -> audit::Fields {
    vec![
        ("code", Some(v.code.clone())),
        ("name", Some(v.name.clone())),
        ("family", Some(v.family.clone())),
        ("unit", Some(v.unit.clone())),
        ("list_price", Some(crate::domain::money::minor_to_input(v.list_price_minor))),
        ("currency", Some(v.currency.code().to_string())),
        ("unit_cost", v.unit_cost_minor.map(crate::domain::money::minor_to_input)),
        ("active", Some(v.active.to_string())),
    ]
}

type ProductTuple = (i64, String, String, String, String, i64, String, Option<i64>, i64, i64, String);
const PRODUCT_SELECT: &str =
    "SELECT p.id, p.code, p.name, p.family, p.unit, p.list_price_minor, p.currency, p.unit_cost_minor, p.active, p.version, p.search_key \
     FROM products p";

fn to_product(r: ProductTuple, sees_cost: bool) -> Product {
    Product {
        id: r.0,
        code: r.1,
        name: r.2,
        family: r.3,
        unit: r.4,
        list_price_minor: r.5,
        currency: Currency::parse(&r.6).unwrap_or(Currency::RSD),
        unit_cost_minor: if sees_cost { r.7 } else { None },
        active: r.8 != 0,
        version: r.9,
    }
}

pub async fn get_product(db: &Db, actor: &Actor, id: i64) -> Result<Product, AppError> {
    let mut sql = Sql::new(PRODUCT_SELECT);
    sql.push(" WHERE p.id = ").bind(id);
    let row = sql.query_as::<ProductTuple>().fetch_optional(&db.pool).await?.ok_or(AppError::NotFound)?;
    Ok(to_product(row, sees_cost(actor)))
}

pub(crate) async fn code_taken(tx: &mut Tx, code: &str, except: i64) -> Result<bool, AppError> {
    let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM products WHERE UPPER(code) = $1 AND id <> $2")
        .bind(code.to_uppercase())
        .bind(except)
        .fetch_one(&mut **tx)
        .await?
        .try_get("n")?;
    Ok(n > 0)
}

/// Creates (empty id) or updates a product; returns its id.
pub async fn save_product(db: &Db, actor: &Actor, input: &ProductInput) -> Result<i64, AppError> {
    check_edit(actor)?;
    let v = validate_product(input)?;
    let mut tx = db.begin().await?;
    let id = if input.id.trim().is_empty() {
        if code_taken(&mut tx, &v.code, 0).await? {
            return Err(field("code", Problem::AlreadyExists));
        }
        insert_product(&mut tx, actor, &v, false).await?
    } else {
        let id = parse_id("id", &input.id)?;
        let version = parse_id("version", &input.version)?;
        update_in(&mut tx, actor, (id, version), &v).await?;
        id
    };
    tx.commit().await?;
    Ok(id)
}

/// Saves an edit inside the caller's transaction (the form, or an import updating a price list): at the
/// version the user saw, with a code no other product has; the change is written to the history.
pub(crate) async fn update_in(tx: &mut Tx, actor: &Actor, (id, version): (i64, i64), v: &ValidProduct) -> Result<(), AppError> {
    check_edit(actor)?;
    let old = sqlx::query_as::<_, ProductTuple>(&format!("{PRODUCT_SELECT} WHERE p.id = $1"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(AppError::NotFound)?;
    let old = to_product(old, true);
    crate::domain::check_version(old.version, version)?;
    if code_taken(tx, &v.code, id).await? {
        return Err(field("code", Problem::AlreadyExists));
    }
    let n = sqlx::query(
        "UPDATE products SET code = $1, name = $2, search_key = $3, family = $4, unit = $5, list_price_minor = $6, currency = $7, \
         unit_cost_minor = $8, active = $9, updated_at = $10, updated_by = $11, version = version + 1 WHERE id = $12 AND version = $13",
    )
    .bind(&v.code)
    .bind(&v.name)
    .bind(search_key(&v.name))
    .bind(&v.family)
    .bind(&v.unit)
    .bind(v.list_price_minor)
    .bind(v.currency.code())
    .bind(v.unit_cost_minor)
    .bind(v.active as i64)
    .bind(now())
    .bind(actor.id)
    .bind(id)
    .bind(version)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(AppError::Conflict);
    }
    let before = ValidProduct {
        code: old.code,
        name: old.name,
        family: old.family,
        unit: old.unit,
        list_price_minor: old.list_price_minor,
        currency: old.currency,
        unit_cost_minor: old.unit_cost_minor,
        active: old.active,
    };
    audit::updated(tx, "product", id, Some(actor), &product_fields(&before), &product_fields(v)).await?;
    Ok(())
}

/// Inserts a validated product (also used by the demo data).
pub async fn insert_product(tx: &mut Tx, actor: &Actor, v: &ValidProduct, demo: bool) -> Result<i64, AppError> {
    let ts = now();
    let id: i64 = sqlx::query(
        "INSERT INTO products (code, name, search_key, family, unit, list_price_minor, currency, unit_cost_minor, active, is_demo, \
         created_at, created_by, updated_at, updated_by, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $11, $12, 1) RETURNING id",
    )
    .bind(&v.code)
    .bind(&v.name)
    .bind(search_key(&v.name))
    .bind(&v.family)
    .bind(&v.unit)
    .bind(v.list_price_minor)
    .bind(v.currency.code())
    .bind(v.unit_cost_minor)
    .bind(v.active as i64)
    .bind(demo as i64)
    .bind(&ts)
    .bind(actor.id)
    .fetch_one(&mut **tx)
    .await?
    .try_get("id")?;
    audit::created(tx, "product", id, Some(actor), &product_fields(v)).await?;
    Ok(id)
}

pub async fn families(db: &Db) -> Result<Vec<String>, AppError> {
    let rows = sqlx::query("SELECT DISTINCT family FROM products ORDER BY family").fetch_all(&db.pool).await?;
    rows.iter().map(|r| r.try_get::<String, _>("family").map_err(AppError::from)).collect()
}

/// A page of the catalog: text (name or code), family, active only unless `show=all`; by name.
pub async fn catalog(db: &Db, actor: &Actor, q: &ProductQuery) -> Result<Catalog, AppError> {
    let mut sql = Sql::new(PRODUCT_SELECT);
    sql.push(" WHERE 1=1");
    if q.show != "all" {
        sql.push(" AND p.active = 1");
    }
    if !q.family.trim().is_empty() {
        sql.push(" AND p.family = ").bind(q.family.trim());
    }
    let text = q.q.trim();
    if !text.is_empty() {
        sql.push(" AND (p.search_key LIKE ").bind(format!("%{}%", search_key(text)));
        sql.push(" OR UPPER(p.code) LIKE ").bind(format!("{}%", text.to_uppercase())).push(")");
    }
    if let Some((key, id)) = decode_cursor(&q.cursor) {
        sql.push(" AND (p.search_key > ").bind(key.clone()).push(" OR (p.search_key = ").bind(key).push(" AND p.id > ").bind(id).push("))");
    }
    sql.push(" ORDER BY p.search_key, p.id LIMIT ").bind(PAGE + 1);
    let rows = sql.query_as::<ProductTuple>().fetch_all(&db.pool).await?;
    let more = rows.len() as i64 > PAGE;
    let next_cursor = if more { rows.get(PAGE as usize - 1).map(|r| encode_cursor(&r.10, r.0)) } else { None };
    let products = rows.into_iter().take(PAGE as usize).map(|r| to_product(r, sees_cost(actor))).collect();
    Ok(Catalog { products, next_cursor, families: families(db).await?, can_edit: can_edit(actor), sees_cost: sees_cost(actor) })
}

/// Active products whose name or code matches `q`, for pickers (at most 20).
pub async fn choices(db: &Db, q: &str) -> Result<Vec<Choice>, AppError> {
    let mut sql = Sql::new("SELECT p.id, p.code, p.name FROM products p WHERE p.active = 1");
    let text = q.trim();
    if !text.is_empty() {
        sql.push(" AND (p.search_key LIKE ").bind(format!("%{}%", search_key(text)));
        sql.push(" OR UPPER(p.code) LIKE ").bind(format!("{}%", text.to_uppercase())).push(")");
    }
    sql.push(" ORDER BY p.search_key, p.id LIMIT 20");
    let rows = sql.query_as::<(i64, String, String)>().fetch_all(&db.pool).await?;
    Ok(rows.into_iter().map(|(id, code, name)| Choice { id, label: format!("{code} · {name}") }).collect())
}

/// Every active product (for the competitor page's "which of ours counters it"), at most 500.
pub async fn all_choices(db: &Db) -> Result<Vec<Choice>, AppError> {
    let rows = sqlx::query_as::<_, (i64, String, String)>(
        "SELECT id, code, name FROM products WHERE active = 1 ORDER BY search_key, id LIMIT 500",
    )
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().map(|(id, code, name)| Choice { id, label: format!("{code} · {name}") }).collect())
}

// ---------------------------------------------------------------- price lists

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

type RuleTuple = (
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
const RULE_SELECT: &str = "SELECT d.id, d.name, d.product_id, p.name AS product_name, d.family, d.category, d.min_quantity_milli, d.percent_bp, \
    d.amount_minor, d.currency, d.valid_from, d.valid_to, d.active, d.version FROM discount_rules d LEFT JOIN products p ON p.id = d.product_id";

fn to_rule(r: RuleTuple) -> DiscountRule {
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
        if n == 0 {
            return Err(AppError::Conflict);
        }
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

// ---------------------------------------------------------------- discount rules

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
        if n == 0 {
            return Err(AppError::Conflict);
        }
        audit::updated(&mut tx, "discount_rule", id, Some(actor), &rule_fields(&old), &rule_fields(&r)).await?;
        id
    };
    tx.commit().await?;
    Ok(id)
}

// ---------------------------------------------------------------- pricing a line

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
