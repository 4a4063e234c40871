//! Products: the catalog's records (code, name, family, unit, list price, unit cost), their list and
//! the choices forms offer.

use super::{can_edit, check_edit, currency, flag, sees_cost, PAGE};
use crate::db::sql::{decode_cursor, encode_cursor, Sql};
use crate::db::{now, Db, Tx};
use crate::domain::catalog::*;
use crate::domain::money::Currency;
use crate::domain::text::search_key;
use crate::domain::validate::{field, required};
use crate::domain::Choice;
use crate::error::{AppError, Problem};
use crate::services::{audit, parse_id, Actor};
use sqlx::Row;

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
    crate::db::write::changed_one(n)?;
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
    let text = crate::services::listing::search_text(q.trim());
    if !text.is_empty() {
        use crate::domain::text::like_escape;
        sql.push(" AND (p.search_key LIKE ").bind(format!("%{}%", like_escape(&search_key(&text)))).push(" ESCAPE '\\'");
        sql.push(" OR UPPER(p.code) LIKE ").bind(format!("{}%", like_escape(&text.to_uppercase()))).push(" ESCAPE '\\')");
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
