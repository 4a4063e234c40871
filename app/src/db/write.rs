//! The statements that write a record, built from a column list its service owns: a service names
//! its columns once and every write of the table — a form, a merge, an import many rows at a time,
//! an undo — goes through these builders with that list, so a new column is added in one place.
//!
//! Each update checks the version the writer read: a record changed since is a conflict, never a
//! silent overwrite.

use super::sql::{Sql, Val};
use super::{Backend, Tx};
use crate::error::AppError;

/// `INSERT INTO table (columns) VALUES (…), (…)`: one row of values per record, in `columns`' order.
pub fn insert_rows(backend: Backend, table: &str, columns: &[&str], rows: impl IntoIterator<Item = Vec<Val>>) -> Sql {
    let mut sql = Sql::for_rows(backend, &format!("INSERT INTO {table} ({}) VALUES ", columns.join(", ")));
    for (i, row) in rows.into_iter().enumerate() {
        debug_assert_eq!(row.len(), columns.len(), "{table}: a row's values follow its columns");
        sql.push(if i == 0 { "(" } else { ", (" });
        for (j, v) in row.into_iter().enumerate() {
            sql.push(if j == 0 { "" } else { ", " }).bind(v);
        }
        sql.push(")");
    }
    sql
}

/// A record's owner and the owner's team.
pub type Owner = (i64, Option<i64>);

/// One record of a batch update: its id, the version it was read at, its values, its owner.
pub type Pending<'a, V> = (i64, i64, &'a V, Owner);

/// Who writes and when: every update sets `updated_at`, `updated_by` and the next version.
#[derive(Clone, Copy, Debug)]
pub struct Stamp<'a> {
    pub at: &'a str,
    pub by: i64,
}

/// Writes `values` (in `columns`' order) over record `id` if it is still at `version`; a record
/// changed since, or gone, is a Conflict.
pub async fn update_row(
    tx: &mut Tx,
    table: &str,
    columns: &[&str],
    values: Vec<Val>,
    (id, version): (i64, i64),
    stamp: Stamp<'_>,
) -> Result<(), AppError> {
    debug_assert_eq!(values.len(), columns.len(), "{table}: the values follow the columns");
    let mut sql = Sql::new(&format!("UPDATE {table} SET "));
    for (c, v) in columns.iter().zip(values) {
        sql.push(c).push(" = ").bind(v).push(", ");
    }
    sql.push("updated_at = ").bind(stamp.at).push(", updated_by = ").bind(stamp.by);
    sql.push(", version = version + 1 WHERE id = ").bind(id).push(" AND version = ").bind(version);
    match sql.query().execute(&mut **tx).await?.rows_affected() {
        0 => Err(AppError::Conflict),
        _ => Ok(()),
    }
}

/// Many records' updates in one statement, `UPDATE … FROM (VALUES …)`: each row is the record's id,
/// the version it was read at, then its values in `columns`' order. Returns the statement and how many
/// rows it must update (fewer means a record changed since it was read).
pub fn update_rows(backend: Backend, table: &str, columns: &[&str], rows: &[(i64, i64, Vec<Val>)], stamp: Stamp<'_>) -> (Sql, u64) {
    let set: Vec<String> = columns.iter().enumerate().map(|(i, c)| format!("{c} = v.column{}", i + 3)).collect();
    let mut sql = Sql::for_rows(backend, &format!("UPDATE {table} SET {}, version = {table}.version + 1, updated_at = ", set.join(", ")));
    sql.bind(stamp.at).push(", updated_by = ").bind(stamp.by).push(" FROM (VALUES ");
    for (i, (id, version, values)) in rows.iter().enumerate() {
        debug_assert_eq!(values.len(), columns.len(), "{table}: a row's values follow its columns");
        sql.push(if i == 0 { "(" } else { ", (" }).bind(*id).push(", ").bind(*version);
        for v in values {
            sql.push(", ").bind(v.clone());
        }
        sql.push(")");
    }
    sql.push(&format!(") AS v WHERE {table}.id = v.column1 AND {table}.version = v.column2"));
    (sql, rows.len() as u64)
}
