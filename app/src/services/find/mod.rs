//! Advanced find on the server: a [`FindQuery`] compiled to one parameterized statement per use —
//! a page of results with the chosen columns and sort, the count of matches, batches of ids for work
//! over every match (lists, bulk actions, campaigns), an export — always within what the user may see.

mod compile;
pub mod views;

pub use compile::{day_range, fold, Compiler};

use crate::db::sql::{decode_cursor, encode_cursor, Sql};
use crate::db::{Backend, Db, Tx};
use crate::domain::find::fields::{Field, FieldSql, FieldType};
use crate::domain::find::{FindQuery, FindResult, FindRow};
use crate::error::AppError;
use crate::services::{listing, visibility, Actor};
use sqlx::Row;

/// The alias each record kind's table has in find's statements.
pub fn alias_of(entity: crate::domain::find::Entity) -> &'static str {
    use crate::domain::find::Entity;
    match entity {
        Entity::Account => "a",
        Entity::Contact => "c",
        Entity::Lead => "l",
        Entity::Opportunity => "o",
    }
}

/// Appends ` AND (…)` to a statement over the query's table (aliased `alias`): the actor's visibility
/// and the query's conditions. Refuses a query that does not check against the field catalog.
pub async fn restrict_to(db: &Db, actor: &Actor, q: &FindQuery, alias: &str, sql: &mut Sql) -> Result<(), AppError> {
    q.check()?;
    let eur = crate::services::currency::eur_rate(db).await?;
    let mut c = Compiler::new(actor, crate::clock::today(), eur, db.backend);
    visibility::restrict(sql, actor, alias);
    c.and_group(sql, q.entity.table(), alias, &q.root);
    Ok(())
}

/// [`restrict_to`] inside a transaction (a job's batch reads the matches with its own connection).
pub async fn restrict_in(tx: &mut Tx, actor: &Actor, q: &FindQuery, alias: &str, sql: &mut Sql) -> Result<(), AppError> {
    q.check()?;
    let eur = crate::services::currency::eur_rate_on(tx).await?;
    let mut c = Compiler::new(actor, crate::clock::today(), eur, Backend::of(tx));
    visibility::restrict(sql, actor, alias);
    c.and_group(sql, q.entity.table(), alias, &q.root);
    Ok(())
}

/// [`id_batch`] inside a transaction.
pub async fn id_batch_in(tx: &mut Tx, actor: &Actor, q: &FindQuery, after: i64, limit: i64) -> Result<Vec<i64>, AppError> {
    let alias = alias_of(q.entity);
    let mut sql = Sql::new(&format!("SELECT {alias}.id FROM {} {alias} WHERE 1=1", q.entity.table().name()));
    restrict_in(tx, actor, q, alias, &mut sql).await?;
    sql.push(&format!(" AND {alias}.id > ")).bind(after);
    sql.push(&format!(" ORDER BY {alias}.id LIMIT ")).bind(limit);
    Ok(sql.query_as::<(i64,)>().fetch_all(&mut **tx).await?.into_iter().map(|(id,)| id).collect())
}

/// The SQL selecting a column's value as text.
fn display(backend: Backend, f: &Field, alias: &str) -> String {
    match f.sql {
        FieldSql::Expr { display, .. } => format!("CAST({} AS TEXT)", display.replace("{t}", alias)),
        FieldSql::Set { table, fk, col } => {
            let agg = match backend {
                Backend::Sqlite => format!("group_concat(s.{col}, ',')"),
                Backend::Postgres => format!("string_agg(s.{col}, ',' ORDER BY s.{col})"),
            };
            format!("(SELECT {agg} FROM {table} s WHERE s.{fk} = {alias}.id)")
        }
    }
}

/// A page of results: the shown columns as text, keyset-paginated on the sort column, with the count
/// of matches (a first page that holds them all is its own count).
pub async fn run(db: &Db, actor: &Actor, q: &FindQuery, cursor: &str) -> Result<FindResult, AppError> {
    let (rows, next_cursor) = page_rows(db, actor, q, cursor).await?;
    let total = if next_cursor.is_none() && decode_cursor(cursor).is_none() { rows.len() as i64 } else { count(db, actor, q).await? };
    let columns = q.shown_columns().iter().map(|f| f.key.to_string()).collect();
    Ok(FindResult { entity: q.entity, columns, rows, next_cursor, total, total_cap: listing::COUNT_CAP })
}

/// One page of rows and the cursor of the next.
async fn page_rows(db: &Db, actor: &Actor, q: &FindQuery, cursor: &str) -> Result<(Vec<FindRow>, Option<String>), AppError> {
    let alias = alias_of(q.entity);
    let table = q.entity.table().name();
    let columns = q.shown_columns();
    let sort = q.sort_field();
    let (sort_expr, numeric) = sort.sort.expect("sort_field is sortable");
    let sort_expr = sort_expr.replace("{t}", alias);
    let dir = if q.desc { "DESC" } else { "ASC" };

    let mut select = format!("SELECT {alias}.id");
    for (i, f) in columns.iter().enumerate() {
        select.push_str(&format!(", {} AS c{i}", display(db.backend, f, alias)));
    }
    select.push_str(&format!(", CAST({sort_expr} AS TEXT) AS sort_value FROM {table} {alias} WHERE 1=1"));
    let mut sql = Sql::new(&select);
    restrict_to(db, actor, q, alias, &mut sql).await?;
    if let Some((value, id)) = decode_cursor(cursor) {
        let op = if q.desc { "<" } else { ">" };
        sql.push(&format!(" AND ({sort_expr}, {alias}.id) {op} ("));
        if numeric {
            sql.bind(value.parse::<i64>().unwrap_or(0));
        } else {
            sql.bind(value);
        }
        sql.push(", ").bind(id).push(")");
    }
    sql.push(&format!(" ORDER BY {sort_expr} {dir}, {alias}.id {dir} LIMIT ")).bind(listing::PAGE_SIZE + 1);
    let rows = sql.query().fetch_all(&db.pool).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let id: i64 = r.try_get("id")?;
        let mut cells = Vec::with_capacity(columns.len());
        for (i, f) in columns.iter().enumerate() {
            let v: Option<String> = r.try_get(format!("c{i}").as_str())?;
            // Moments are stored in UTC and shown in the company's time zone.
            cells.push(if f.ty == FieldType::Stamp { v.map(|v| crate::clock::to_local(&v)) } else { v });
        }
        let sort_value: Option<String> = r.try_get("sort_value")?;
        out.push((FindRow { id, cells }, sort_value.unwrap_or_default(), id));
    }
    let more = out.len() as i64 > listing::PAGE_SIZE;
    out.truncate(listing::PAGE_SIZE as usize);
    let next_cursor = if more { out.last().map(|(_, v, id)| encode_cursor(v, *id)) } else { None };
    Ok((out.into_iter().map(|(row, _, _)| row).collect(), next_cursor))
}

/// `select` over the matches, for counting them: the query's table, the conditions on its parent
/// records as joins ([`Compiler::parent_joins`]), the actor's visibility and the other conditions.
async fn counting(db: &Db, actor: &Actor, q: &FindQuery, select: &str) -> Result<Sql, AppError> {
    q.check()?;
    let eur = crate::services::currency::eur_rate(db).await?;
    let mut c = Compiler::new(actor, crate::clock::today(), eur, db.backend);
    let (table, alias) = (q.entity.table(), alias_of(q.entity));
    let mut sql = Sql::new(&format!("{select} FROM {} {alias}", table.name()));
    let rest = c.parent_joins(&mut sql, table, alias, &q.root);
    sql.push(" WHERE 1=1");
    visibility::restrict(&mut sql, actor, alias);
    c.and_group(&mut sql, table, alias, &rest);
    Ok(sql)
}

/// How many records match, up to [`listing::COUNT_CAP`] + 1.
pub async fn count(db: &Db, actor: &Actor, q: &FindQuery) -> Result<i64, AppError> {
    let sql = counting(db, actor, q, "SELECT 1").await?;
    listing::capped_count(db, sql).await
}

/// How many records match, counted to the end (a list's member count, a campaign's reach).
pub async fn count_all(db: &Db, actor: &Actor, q: &FindQuery) -> Result<i64, AppError> {
    let sql = counting(db, actor, q, "SELECT COUNT(*) AS n").await?;
    Ok(sql.query().fetch_one(&db.pool).await?.try_get("n")?)
}

/// The next `limit` matching ids after `after`, in id order: how work over every match proceeds in
/// batches that a restart can continue.
pub async fn id_batch(db: &Db, actor: &Actor, q: &FindQuery, after: i64, limit: i64) -> Result<Vec<i64>, AppError> {
    let alias = alias_of(q.entity);
    let mut sql = Sql::new(&format!("SELECT {alias}.id FROM {} {alias} WHERE 1=1", q.entity.table().name()));
    restrict_to(db, actor, q, alias, &mut sql).await?;
    sql.push(&format!(" AND {alias}.id > ")).bind(after);
    sql.push(&format!(" ORDER BY {alias}.id LIMIT ")).bind(limit);
    Ok(sql.query_as::<(i64,)>().fetch_all(&db.pool).await?.into_iter().map(|(id,)| id).collect())
}

/// Every match with the shown columns, in the query's order, for an export: read in pages of the
/// same keyset the list uses, up to `max` rows.
pub async fn all_rows(db: &Db, actor: &Actor, q: &FindQuery, max: usize) -> Result<Vec<FindRow>, AppError> {
    let mut rows = Vec::new();
    let mut cursor = String::new();
    loop {
        let (page, next_cursor) = page_rows(db, actor, q, &cursor).await?;
        rows.extend(page);
        match next_cursor {
            Some(next) if rows.len() < max => cursor = next,
            _ => break,
        }
    }
    rows.truncate(max);
    Ok(rows)
}
